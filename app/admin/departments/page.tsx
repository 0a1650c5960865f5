import type { Metadata } from "next";
import { getTranslations } from "next-intl/server";
import { requireCaller } from "@/lib/auth/require-caller";
import { listDepartments } from "@/lib/dal/departments";
import { PageHeader } from "@/components/ui/page-header";
import { CreateDepartmentForm, DepartmentTable } from "@/components/admin/department-manager";

export async function generateMetadata(): Promise<Metadata> {
  return { title: (await getTranslations("admin"))("departmentsTitle") };
}

export default async function DepartmentsPage() {
  const caller = await requireCaller("department.manage");
  const departments = await listDepartments(caller);
  const t = await getTranslations("admin");
  return (
    <>
      <PageHeader title={t("departmentsTitle")} description={t("departmentsDescription")} />
      <section aria-labelledby="new-department" className="mb-6 rounded-lg border border-line bg-surface p-5">
        <h2 id="new-department" className="mb-3 text-lg font-bold">
          {t("createDepartment")}
        </h2>
        <CreateDepartmentForm />
      </section>
      <DepartmentTable departments={departments} />
    </>
  );
}
