"use client";

import {
  createColumnHelper,
  rowPaginationFeature,
  rowSortingFeature,
  tableFeatures,
  useTable,
  type ColumnDef,
  type PaginationState,
  type RowData,
  type SortingState,
  type Updater,
} from "@tanstack/react-table";
import { useTranslations } from "next-intl";
import { useRouter } from "next/navigation";
import { useMemo, useTransition, type HTMLAttributes } from "react";

// Sorting, filtering and pagination are decided on the server from URL search params: the table reflects them
// and turns a click into a new URL (manual sorting and pagination), never sorting or slicing rows itself.
export const dataTableFeatures = tableFeatures({ rowSortingFeature, rowPaginationFeature });
export type DataTableFeatures = typeof dataTableFeatures;

export function columnHelper<T extends RowData>() {
  return createColumnHelper<DataTableFeatures, T>();
}

/** What a click may change in the URL; the page's own href builder keeps its filters. */
export type TableNavigation = { sort?: string; dir?: "asc" | "desc"; page?: number; size?: number };

/** The server's answer for one page, and how to make the URL for another. */
export type ServerTableState = {
  sort: { id: string; desc: boolean };
  page: number;
  pageSize: number;
  total: number;
  pageSizes: readonly number[];
  href: (change: TableNavigation) => string;
};

type DataTableProps<T extends RowData> = {
  caption: string;
  columns: ColumnDef<DataTableFeatures, T, any>[];
  data: T[];
  emptyText: string;
  getRowId?: (row: T) => string;
  /** Extra attributes per row (e.g. a data-* hook for tests and scripts). */
  rowProps?: (row: T) => HTMLAttributes<HTMLTableRowElement> & Record<`data-${string}`, string>;
  /** Server-side sorting and paging; without it the table shows the rows as given. */
  server?: ServerTableState;
};

function apply<S>(updater: Updater<S>, current: S): S {
  return typeof updater === "function" ? (updater as (old: S) => S)(current) : updater;
}

export function DataTable<T extends RowData>({ caption, columns, data, emptyText, getRowId, rowProps, server }: DataTableProps<T>) {
  const t = useTranslations("table");
  const router = useRouter();
  const [navigating, startTransition] = useTransition();
  const go = (change: TableNavigation) => {
    if (server) startTransition(() => router.push(server.href(change)));
  };

  const sorting: SortingState = useMemo(() => (server ? [server.sort] : []), [server]);
  const pagination: PaginationState = useMemo(
    () => ({ pageIndex: (server?.page ?? 1) - 1, pageSize: server?.pageSize ?? Math.max(1, data.length) }),
    [server, data.length],
  );

  const table = useTable({
    features: dataTableFeatures,
    columns,
    data,
    getRowId,
    manualSorting: true,
    manualPagination: true,
    enableSorting: server !== undefined,
    enableMultiSort: false,
    enableSortingRemoval: false,
    rowCount: server?.total ?? data.length,
    state: { sorting, pagination },
    onSortingChange: (updater) => {
      const next = apply(updater, sorting)[0];
      if (next) go({ sort: next.id, dir: next.desc ? "desc" : "asc", page: 1 });
    },
    onPaginationChange: (updater) => {
      const next = apply(updater, pagination);
      go(next.pageSize === pagination.pageSize ? { page: next.pageIndex + 1 } : { page: 1, size: next.pageSize });
    },
  });

  const from = server ? (server.total === 0 ? 0 : (server.page - 1) * server.pageSize + 1) : 0;
  const to = server ? Math.min(server.total, server.page * server.pageSize) : 0;

  return (
    <div aria-busy={navigating}>
      <div className="overflow-x-auto rounded-lg border border-line bg-surface">
        <table className="w-full text-left text-sm">
          <caption className="sr-only">{caption}</caption>
          <thead className="bg-surface-muted text-ink-muted">
            {table.getHeaderGroups().map((group) => (
              <tr key={group.id}>
                {group.headers.map((header) => {
                  const sortable = header.column.getCanSort();
                  const sorted = header.column.getIsSorted();
                  return (
                    <th
                      key={header.id}
                      scope="col"
                      aria-sort={sortable ? (sorted === "asc" ? "ascending" : sorted === "desc" ? "descending" : "none") : undefined}
                      className="whitespace-nowrap px-3 py-2 font-semibold"
                    >
                      {header.isPlaceholder ? null : sortable ? (
                        <button type="button" onClick={header.column.getToggleSortingHandler()} className="inline-flex items-center gap-1 hover:text-ink">
                          <table.FlexRender header={header} />
                          <span aria-hidden="true">{sorted === "asc" ? "▲" : sorted === "desc" ? "▼" : "↕"}</span>
                          {sorted ? <span className="sr-only">{sorted === "asc" ? t("sortedAscending") : t("sortedDescending")}</span> : null}
                        </button>
                      ) : (
                        <table.FlexRender header={header} />
                      )}
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
                  {emptyText}
                </td>
              </tr>
            ) : (
              table.getRowModel().rows.map((row) => (
                <tr key={row.id} className="border-t border-line" {...rowProps?.(row.original)}>
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
      {server ? (
        <nav aria-label={t("pagination")} className="mt-3 flex flex-wrap items-center justify-between gap-3 text-sm">
          <p aria-live="polite">{t("showing", { from, to, total: server.total })}</p>
          <div className="flex items-center gap-3">
            <label className="flex items-center gap-2">
              {t("rowsPerPage")}
              <select
                value={server.pageSize}
                onChange={(event) => table.setPageSize(Number(event.target.value))}
                className="rounded border border-line-strong bg-surface px-2 py-1"
              >
                {server.pageSizes.map((size) => (
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
              {t("previousPage")}
            </button>
            <span>{t("pageOf", { page: server.page, pages: Math.max(1, table.getPageCount()) })}</span>
            <button
              type="button"
              onClick={() => table.nextPage()}
              disabled={!table.getCanNextPage()}
              className="rounded border border-line-strong px-3 py-1 disabled:opacity-50"
            >
              {t("nextPage")}
            </button>
          </div>
        </nav>
      ) : null}
    </div>
  );
}
