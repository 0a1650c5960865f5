import type { Metadata } from "next";
import { getTranslations } from "next-intl/server";
import { requireCaller } from "@/lib/auth/require-caller";
import { listStaff } from "@/lib/dal/staff";
import { PageHeader } from "@/components/ui/page-header";
import { StaffTable } from "@/components/staff/staff-table";

export async function generateMetadata(): Promise<Metadata> {
  return { title: (await getTranslations("staff"))("title") };
}

export default async function StaffPage() {
  const caller = await requireCaller("staff.list");
  const staff = await listStaff(caller);
  const t = await getTranslations("staff");
  return (
    <>
      <PageHeader title={t("title")} description={t("description")} />
      <StaffTable staff={staff} />
    </>
  );
}
