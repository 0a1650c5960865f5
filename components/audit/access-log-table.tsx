"use client";

import Link from "next/link";
import { useRouter } from "next/navigation";
import { useFormatter, useTranslations } from "next-intl";
import { useMemo, useTransition } from "react";
import { useTable, type SortingState, type Updater } from "@tanstack/react-table";
import { accessLogHref, type AccessLogPageDto, type AccessLogQuery, type AccessLogRowDto } from "@/lib/dto/compliance";
import { columnHelper, dataTableFeatures } from "@/components/ui/data-table";
import { useActionLabel } from "./labels";

const helper = columnHelper<AccessLogRowDto>();

// Below 1,024 px the table keeps what an officer decides on (who, what, whose chart, the outcome and why) and drops
// the role (the actor's name says it) and the IP, which the event page shows.
const WIDE_ONLY = new Set(["actorRole", "ip"]);
const wideOnly = (columnId: string) => (WIDE_ONLY.has(columnId) ? " hidden lg:table-cell" : "");

function apply<S>(updater: Updater<S>, current: S): S {
  return typeof updater === "function" ? (updater as (old: S) => S)(current) : updater;
}

/**
 * The access log, one keyset page at a time. Sorting (time, both ways) and paging are decided on the server from the
 * URL: the table turns a click into a new URL and never sorts or slices rows itself. Paging is by cursor ("newer" /
 * "older" than the rows shown), not by page number, so there is no "page 7 of N" to show.
 */
export function AccessLogTable({ page, query }: { page: AccessLogPageDto; query: AccessLogQuery }) {
  const t = useTranslations("accessLog");
  const tc = useTranslations("common");
  const tt = useTranslations("table");
  const format = useFormatter();
  const actionLabel = useActionLabel();
  const router = useRouter();
  const [navigating, startTransition] = useTransition();
  const columns = useMemo(
    () =>
      helper.columns([
        helper.accessor("seq", {
          header: () => t("seq"),
          enableSorting: false,
          cell: (info) => (
            <Link href={`/compliance/access-log/${info.getValue()}`} className="font-semibold text-brand underline-offset-2 hover:underline" aria-label={t("openEvent", { seq: info.getValue() })}>
              {info.getValue()}
            </Link>
          ),
        }),
        helper.accessor("occurredAt", {
          header: () => t("time"),
          cell: (info) => <time dateTime={info.getValue()}>{format.dateTime(new Date(info.getValue()), "audit")}</time>,
        }),
        helper.accessor("actorLabel", {
          header: () => t("actor"),
          enableSorting: false,
          cell: (info) => <span title={info.row.original.actorId ?? undefined}>{info.getValue() ?? t("system")}</span>,
        }),
        helper.accessor("actorRole", { header: () => t("role"), enableSorting: false, cell: (info) => (info.getValue() ? tc(`roles.${info.getValue()}`) : "—") }),
        helper.accessor("action", { header: () => t("action"), enableSorting: false, cell: (info) => <span title={info.getValue()}>{actionLabel(info.getValue())}</span> }),
        helper.accessor("patientMrn", {
          header: () => t("patient"),
          enableSorting: false,
          cell: (info) => {
            const { patientId, patientName } = info.row.original;
            const mrn = info.getValue();
            if (!mrn) return <span>{patientId ? t("unknownPatient") : "—"}</span>;
            return (
              <span>
                {patientName ? <span className="block">{patientName}</span> : null}
                <span className="text-xs text-ink-muted tabular-nums">{mrn}</span>
              </span>
            );
          },
        }),
        helper.accessor("outcome", {
          header: () => t("outcome"),
          enableSorting: false,
          cell: (info) => <span className={info.getValue() === "DENIED" ? "font-semibold text-danger" : ""}>{t(`outcomes.${info.getValue()}`)}</span>,
        }),
        helper.accessor("purpose", {
          header: () => t("purpose"),
          enableSorting: false,
          cell: (info) => {
            const purpose = info.getValue();
            if (!purpose) return "—";
            return <span className={purpose === "EMERGENCY" ? "font-semibold text-danger" : ""}>{t(`purposes.${purpose}`)}</span>;
          },
        }),
        helper.accessor("ip", { header: () => t("ip"), enableSorting: false, cell: (info) => info.getValue() ?? "—" }),
      ]),
    [t, tc, format, actionLabel],
  );

  const sorting: SortingState = useMemo(() => [{ id: "occurredAt", desc: page.dir === "desc" }], [page.dir]);
  const table = useTable({
    features: dataTableFeatures,
    columns,
    data: page.rows,
    getRowId: (row) => row.seq,
    manualSorting: true,
    manualPagination: true,
    enableMultiSort: false,
    enableSortingRemoval: false,
    state: { sorting },
    onSortingChange: (updater) => {
      const next = apply(updater, sorting)[0];
      // A new order starts from its own beginning: the cursors belong to the old one.
      if (next) startTransition(() => router.push(accessLogHref({ ...query, dir: next.desc ? "desc" : "asc", after: undefined, before: undefined })));
    },
  });

  // Newer rows sit above the first row when newest first, below the last when oldest first.
  const newerHref = page.newestSeq || query.before ? accessLogHref({ ...query, after: page.newestSeq ?? String(BigInt(query.before!) - 1n), before: undefined }) : null;
  const olderHref = page.oldestSeq || query.after ? accessLogHref({ ...query, before: page.oldestSeq ?? String(BigInt(query.after!) + 1n), after: undefined }) : null;
  const newer = page.hasNewer && newerHref ? { href: newerHref, label: t("newer") } : null;
  const older = page.hasOlder && olderHref ? { href: olderHref, label: t("older") } : null;
  const [first, second] = page.dir === "desc" ? [newer, older] : [older, newer];
  const [firstLabel, secondLabel] = page.dir === "desc" ? [t("newer"), t("older")] : [t("older"), t("newer")];
  const pager = "rounded border border-line-strong px-3 py-1";

  return (
    <div aria-busy={navigating}>
      <div className="overflow-x-auto rounded-lg border border-line bg-surface">
        <table className="w-full text-left text-sm">
          <caption className="sr-only">{t("title")}</caption>
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
                      className={`whitespace-nowrap px-3 py-2 font-semibold${wideOnly(header.column.id)}`}
                    >
                      {sortable ? (
                        <button type="button" onClick={header.column.getToggleSortingHandler()} className="inline-flex items-center gap-1 hover:text-ink">
                          <table.FlexRender header={header} />
                          <span aria-hidden="true">{sorted === "asc" ? "▲" : "▼"}</span>
                          <span className="sr-only">{sorted === "asc" ? tt("sortedAscending") : tt("sortedDescending")}</span>
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
                  {page.unknownMrn ? t("unknownMrn") : t("empty")}
                </td>
              </tr>
            ) : (
              table.getRowModel().rows.map((row) => (
                <tr key={row.id} className="border-t border-line" data-seq={row.original.seq} data-action={row.original.action} data-purpose={row.original.purpose ?? ""}>
                  {row.getAllCells().map((cell) => (
                    <td key={cell.id} className={`px-3 py-2 align-top ${cell.column.id === "action" ? "min-w-40 whitespace-normal" : "whitespace-nowrap"}${wideOnly(cell.column.id)}`}>
                      <table.FlexRender cell={cell} />
                    </td>
                  ))}
                </tr>
              ))
            )}
          </tbody>
        </table>
      </div>
      <nav aria-label={tt("pagination")} className="mt-3 flex flex-wrap items-center justify-between gap-3 text-sm">
        <p aria-live="polite">{page.rows.length > 0 ? t("range", { count: page.rows.length, from: page.oldestSeq ?? "", to: page.newestSeq ?? "" }) : t("noRows")}</p>
        <div className="flex items-center gap-3">
          {first ? (
            <Link href={first.href} className={`${pager} hover:bg-surface-muted`}>
              {first.label}
            </Link>
          ) : (
            <span className={`${pager} border-line text-ink-muted`}>
              {firstLabel}
            </span>
          )}
          {second ? (
            <Link href={second.href} className={`${pager} hover:bg-surface-muted`}>
              {second.label}
            </Link>
          ) : (
            <span className={`${pager} border-line text-ink-muted`}>
              {secondLabel}
            </span>
          )}
        </div>
      </nav>
    </div>
  );
}
