import Link from "next/link";
import { useTranslations } from "next-intl";
import { STAFF_ROLES } from "@/lib/authz";
import { STAFF_STATUSES, type DepartmentOptionDto, type StaffListQuery } from "@/lib/dto/admin";

const control = "rounded border border-line-strong bg-surface px-3 py-2 text-sm";

/** A plain GET form: the filters live in the URL, so they survive reloads, links and the back button. */
export function StaffFilters({ query, departments }: { query: StaffListQuery; departments: DepartmentOptionDto[] }) {
  const t = useTranslations("admin");
  const ts = useTranslations("staff");
  const tc = useTranslations("common");
  return (
    <form method="get" action="/admin/staff" role="search" aria-label={t("filters")} className="mb-4 flex flex-wrap items-end gap-3">
      <input type="hidden" name="sort" value={query.sort} />
      <input type="hidden" name="dir" value={query.dir} />
      <input type="hidden" name="size" value={query.size} />
      <div className="flex flex-col">
        <label htmlFor="filter-q" className="text-sm font-semibold">
          {t("search")}
        </label>
        <input id="filter-q" type="search" name="q" defaultValue={query.q ?? ""} maxLength={100} className={`${control} mt-1`} />
      </div>
      <div className="flex flex-col">
        <label htmlFor="filter-role" className="text-sm font-semibold">
          {ts("role")}
        </label>
        <select id="filter-role" name="role" defaultValue={query.role ?? ""} className={`${control} mt-1`}>
          <option value="">{t("allRoles")}</option>
          {STAFF_ROLES.map((role) => (
            <option key={role} value={role}>
              {tc(`roles.${role}`)}
            </option>
          ))}
        </select>
      </div>
      <div className="flex flex-col">
        <label htmlFor="filter-department" className="text-sm font-semibold">
          {ts("department")}
        </label>
        <select id="filter-department" name="department" defaultValue={query.department ?? ""} className={`${control} mt-1`}>
          <option value="">{t("allDepartments")}</option>
          <option value="none">{t("noDepartmentOption")}</option>
          {departments.map((d) => (
            <option key={d.id} value={d.id}>
              {d.name} {d.active ? "" : t("inactiveSuffix")}
            </option>
          ))}
        </select>
      </div>
      <div className="flex flex-col">
        <label htmlFor="filter-status" className="text-sm font-semibold">
          {ts("status")}
        </label>
        <select id="filter-status" name="status" defaultValue={query.status ?? ""} className={`${control} mt-1`}>
          <option value="">{t("allStatuses")}</option>
          {STAFF_STATUSES.map((status) => (
            <option key={status} value={status}>
              {ts(`statuses.${status}`)}
            </option>
          ))}
        </select>
      </div>
      <button type="submit" className="rounded bg-brand px-4 py-2 text-sm font-semibold text-white hover:bg-brand-strong">
        {t("apply")}
      </button>
      <Link href="/admin/staff" className="px-2 py-2 text-sm text-brand hover:underline">
        {t("clear")}
      </Link>
    </form>
  );
}
