import type { Metadata } from "next";
import Link from "next/link";
import { getTranslations } from "next-intl/server";
import { requireCaller } from "@/lib/auth/require-caller";
import { can } from "@/lib/authz";
import { listDepartmentOptions } from "@/lib/dal/departments";
import { listStaff } from "@/lib/dal/staff";
import { staffListQuerySchema } from "@/lib/dto/admin";
import { firstValues } from "@/lib/dto/search-params";
import { PageHeader } from "@/components/ui/page-header";
import { StaffFilters } from "@/components/admin/staff-filters";
import { StaffTable } from "@/components/staff/staff-table";

export async function generateMetadata(): Promise<Metadata> {
  return { title: (await getTranslations("staff"))("title") };
}

type Props = { searchParams: Promise<Record<string, string | string[] | undefined>> };

export default async function StaffPage({ searchParams }: Props) {
  const caller = await requireCaller("staff.list");
  const query = staffListQuerySchema.parse(firstValues(await searchParams));
  const [page, departments] = await Promise.all([listStaff(caller, query), listDepartmentOptions(caller)]);
  const t = await getTranslations("staff");
  const ta = await getTranslations("admin");
  const manage = can(caller.actor, "staff.manage");
  return (
    <>
      <PageHeader title={t("title")} description={t("description")}>
        {manage ? (
          <div className="flex gap-3">
            <Link href="/admin/departments" className="rounded border border-line-strong px-4 py-2 text-sm font-semibold text-ink hover:bg-surface-muted">
              {ta("departmentsLink")}
            </Link>
            <Link href="/admin/staff/new" className="rounded bg-brand px-4 py-2 text-sm font-semibold text-white hover:bg-brand-strong">
              {ta("addStaff")}
            </Link>
          </div>
        ) : null}
      </PageHeader>
      <StaffFilters query={query} departments={departments} />
      <StaffTable page={page} query={{ ...query, page: page.page }} />
    </>
  );
}
