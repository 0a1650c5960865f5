"use client";

import {
  createColumnHelper,
  rowPaginationFeature,
  rowSortingFeature,
  tableFeatures,
  useTable,
  type PaginationState,
  type SortingState,
  type Updater,
} from "@tanstack/react-table";
import { useFormatter, useTranslations } from "next-intl";
import Link from "next/link";
import { useRouter } from "next/navigation";
import { useMemo, useTransition } from "react";
import { STAFF_PAGE_SIZES, type StaffListQuery, type StaffPageDto, type StaffRowDto } from "@/lib/dto/admin";

// Sorting and paging belong to the server (URL search params → Prisma); the table only reflects and changes them.
const features = tableFeatures({ rowSortingFeature, rowPaginationFeature });
const helper = createColumnHelper<typeof features, StaffRowDto>();

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

function apply<T>(updater: Updater<T>, current: T): T {
  return typeof updater === "function" ? (updater as (old: T) => T)(current) : updater;
}

export function StaffTable({ page, query }: { page: StaffPageDto; query: StaffListQuery }) {
  const t = useTranslations("staff");
  const ta = useTranslations("admin");
  const tc = useTranslations("common");
  const format = useFormatter();
  const router = useRouter();
  const [navigating, startTransition] = useTransition();

  const sorting: SortingState = useMemo(() => [{ id: query.sort, desc: query.dir === "desc" }], [query.sort, query.dir]);
  const pagination: PaginationState = useMemo(() => ({ pageIndex: page.page - 1, pageSize: page.pageSize }), [page.page, page.pageSize]);
  const go = (next: StaffListQuery) => startTransition(() => router.push(staffListHref(next)));

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
        helper.accessor("createdAt", {
          header: () => ta("createdAt"),
          cell: (info) => <time dateTime={info.getValue()}>{format.dateTime(new Date(info.getValue()), { dateStyle: "medium" })}</time>,
        }),
      ]),
    [t, ta, tc, format],
  );

  const table = useTable({
    features,
    columns,
    data: page.rows,
    getRowId: (row) => row.id,
    manualSorting: true,
    manualPagination: true,
    enableMultiSort: false,
    enableSortingRemoval: false,
    rowCount: page.total,
    state: { sorting, pagination },
    onSortingChange: (updater) => {
      const next = apply(updater, sorting)[0];
      if (!next) return;
      go({ ...query, sort: next.id as StaffListQuery["sort"], dir: next.desc ? "desc" : "asc", page: 1 });
    },
    onPaginationChange: (updater) => {
      const next = apply(updater, pagination);
      const size = next.pageSize as StaffListQuery["size"];
      go({ ...query, page: size === query.size ? next.pageIndex + 1 : 1, size });
    },
  });

  const from = page.total === 0 ? 0 : (page.page - 1) * page.pageSize + 1;
  const to = Math.min(page.total, page.page * page.pageSize);

  return (
    <div aria-busy={navigating}>
      <div className="overflow-x-auto rounded-lg border border-line bg-surface">
        <table className="w-full text-left text-sm">
          <caption className="sr-only">{t("title")}</caption>
          <thead className="bg-surface-muted text-ink-muted">
            {table.getHeaderGroups().map((group) => (
              <tr key={group.id}>
                {group.headers.map((header) => {
                  const sorted = header.column.getIsSorted();
                  return (
                    <th
                      key={header.id}
                      scope="col"
                      aria-sort={sorted === "asc" ? "ascending" : sorted === "desc" ? "descending" : "none"}
                      className="whitespace-nowrap px-3 py-2 font-semibold"
                    >
                      <button
                        type="button"
                        onClick={header.column.getToggleSortingHandler()}
                        className="inline-flex items-center gap-1 hover:text-ink"
                      >
                        <table.FlexRender header={header} />
                        <span aria-hidden="true">{sorted === "asc" ? "▲" : sorted === "desc" ? "▼" : "↕"}</span>
                        {sorted ? <span className="sr-only">{sorted === "asc" ? ta("sortedAscending") : ta("sortedDescending")}</span> : null}
                      </button>
                    </th>
                  );
                })}
              </tr>
            ))}
          </thead>
          <tbody>
            {table.getRowModel().rows.length === 0 ? (
              <tr>
                <td colSpan={columns.length} className="px-3 py-6 text-center text-ink-muted">
                  {tc("noResults")}
                </td>
              </tr>
            ) : (
              table.getRowModel().rows.map((row) => (
                <tr key={row.id} className="border-t border-line" data-staff-id={row.id}>
                  {row.getAllCells().map((cell) => (
                    <td key={cell.id} className="whitespace-nowrap px-3 py-2 align-top">
                      <table.FlexRender cell={cell} />
                    </td>
                  ))}
                </tr>
              ))
            )}
          </tbody>
        </table>
      </div>
      <nav aria-label={ta("pagination")} className="mt-3 flex flex-wrap items-center justify-between gap-3 text-sm">
        <p aria-live="polite">{ta("showing", { from, to, total: page.total })}</p>
        <div className="flex items-center gap-3">
          <label className="flex items-center gap-2">
            {ta("rowsPerPage")}
            <select
              value={page.pageSize}
              onChange={(event) => table.setPageSize(Number(event.target.value))}
              className="rounded border border-line-strong bg-surface px-2 py-1"
            >
              {STAFF_PAGE_SIZES.map((size) => (
                <option key={size} value={size}>
                  {size}
                </option>
              ))}
            </select>
          </label>
          <button
            type="button"
            onClick={() => table.previousPage()}
            disabled={!table.getCanPreviousPage()}
            className="rounded border border-line-strong px-3 py-1 disabled:opacity-50"
          >
            {ta("previousPage")}
          </button>
          <span>{ta("pageOf", { page: page.page, pages: Math.max(1, table.getPageCount()) })}</span>
          <button
            type="button"
            onClick={() => table.nextPage()}
            disabled={!table.getCanNextPage()}
            className="rounded border border-line-strong px-3 py-1 disabled:opacity-50"
          >
            {ta("nextPage")}
          </button>
        </div>
      </nav>
    </div>
  );
}
