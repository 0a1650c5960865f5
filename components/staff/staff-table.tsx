"use client";

import { useFormatter, useTranslations } from "next-intl";
import Link from "next/link";
import { useMemo } from "react";
import { STAFF_PAGE_SIZES, type StaffListQuery, type StaffPageDto, type StaffRowDto } from "@/lib/dto/admin";
import { DataTable, columnHelper, type TableNavigation } from "@/components/ui/data-table";

const helper = columnHelper<StaffRowDto>();

/** The URL for a query, dropping defaults so links stay short. */
export function staffListHref(query: StaffListQuery): string {
  const params = new URLSearchParams();
  if (query.q) params.set("q", query.q);
  if (query.role) params.set("role", query.role);
  if (query.status) params.set("status", query.status);
  if (query.department) params.set("department", query.department);
  if (query.sort !== "name") params.set("sort", query.sort);
  if (query.dir !== "asc") params.set("dir", query.dir);
  if (query.page !== 1) params.set("page", String(query.page));
  if (query.size !== 25) params.set("size", String(query.size));
  const text = params.toString();
  return text ? `/admin/staff?${text}` : "/admin/staff";
}

export function StaffTable({ page, query }: { page: StaffPageDto; query: StaffListQuery }) {
  const t = useTranslations("staff");
  const ta = useTranslations("admin");
  const tc = useTranslations("common");
  const format = useFormatter();

  const columns = useMemo(
    () =>
      helper.columns([
        helper.accessor("name", {
          header: () => t("name"),
          cell: (info) => (
            <Link href={`/admin/staff/${info.row.original.id}`} className="font-semibold text-brand hover:underline">
              {info.getValue()}
            </Link>
          ),
        }),
        helper.accessor("email", { header: () => t("email") }),
        helper.accessor("role", { header: () => t("role"), cell: (info) => tc(`roles.${info.getValue()}`) }),
        helper.accessor("department", { header: () => t("department"), cell: (info) => info.getValue() ?? t("noDepartment") }),
        helper.accessor("status", {
          header: () => t("status"),
          cell: (info) => (
            <span className={info.getValue() === "ACTIVE" ? "" : "font-semibold text-warn"}>{t(`statuses.${info.getValue()}`)}</span>
          ),
        }),
        helper.accessor("lastSignInAt", {
          header: () => t("lastSignIn"),
          enableSorting: false,
          cell: (info) => {
            const at = info.getValue();
            return at ? <time dateTime={at}>{format.dateTime(new Date(at), "audit")}</time> : <span className="text-ink-muted">{t("neverSignedIn")}</span>;
          },
        }),
        helper.accessor("mfaEnabled", {
          header: () => t("twoFactor"),
          enableSorting: false,
          cell: (info) => (
            <span data-mfa={info.getValue() ? "on" : "off"} className={info.getValue() ? "text-ok" : "font-semibold text-warn"}>
              {info.getValue() ? t("twoFactorOn") : t("twoFactorOff")}
            </span>
          ),
        }),
        helper.accessor("createdAt", {
          header: () => ta("createdAt"),
          cell: (info) => <time dateTime={info.getValue()}>{format.dateTime(new Date(info.getValue()), { dateStyle: "medium" })}</time>,
        }),
      ]),
    [t, ta, tc, format],
  );

  const server = {
    sort: { id: query.sort, desc: query.dir === "desc" },
    page: page.page,
    pageSize: page.pageSize,
    total: page.total,
    pageSizes: STAFF_PAGE_SIZES,
    href: (change: TableNavigation) =>
      staffListHref({
        ...query,
        ...(change.sort ? { sort: change.sort as StaffListQuery["sort"] } : {}),
        ...(change.dir ? { dir: change.dir } : {}),
        ...(change.page ? { page: change.page } : {}),
        ...(change.size ? { size: change.size as StaffListQuery["size"] } : {}),
      }),
  };

  return (
    <DataTable
      caption={t("title")}
      columns={columns}
      data={page.rows}
      emptyText={tc("noResults")}
      getRowId={(row) => row.id}
      rowProps={(row) => ({ "data-staff-id": row.id })}
      server={server}
    />
  );
}
