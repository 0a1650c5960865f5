import type { Metadata } from "next";
import Link from "next/link";
import { getTranslations } from "next-intl/server";
import { requireCaller } from "@/lib/auth/require-caller";
import { listDepartmentOptions } from "@/lib/dal/departments";
import { PageHeader } from "@/components/ui/page-header";
import { CreateStaffForm } from "@/components/admin/create-staff-form";

export async function generateMetadata(): Promise<Metadata> {
  return { title: (await getTranslations("admin"))("newTitle") };
}

export default async function NewStaffPage() {
  const caller = await requireCaller("staff.manage");
  const departments = await listDepartmentOptions(caller);
  const t = await getTranslations("admin");
  return (
    <>
      <p className="mb-2 text-sm">
        <Link href="/admin/staff" className="text-brand hover:underline">
          ← {t("backToList")}
        </Link>
      </p>
      <PageHeader title={t("newTitle")} description={t("newDescription")} />
      <CreateStaffForm departments={departments} />
    </>
  );
}
