"use client";

import { useFormatter, useTranslations } from "next-intl";
import { useMemo } from "react";
import type { AccessEventDto } from "@/lib/dto";
import { DataTable, columnHelper } from "@/components/ui/data-table";

const helper = columnHelper<AccessEventDto>();

export function AccessLogTable({ events }: { events: AccessEventDto[] }) {
  const t = useTranslations("accessLog");
  const tc = useTranslations("common");
  const format = useFormatter();
  const columns = useMemo(
    () =>
      helper.columns([
        helper.accessor("seq", { header: () => t("seq") }),
        helper.accessor("occurredAt", {
          header: () => t("time"),
          cell: (info) => (
            <time dateTime={info.getValue()}>{format.dateTime(new Date(info.getValue()), "audit")}</time>
          ),
        }),
        helper.accessor("actorLabel", {
          header: () => t("actor"),
          cell: (info) => <span title={info.row.original.actorId ?? undefined}>{info.getValue() ?? t("system")}</span>,
        }),
        helper.accessor("actorRole", { header: () => t("role"), cell: (info) => (info.getValue() ? tc(`roles.${info.getValue()}`) : "—") }),
        helper.accessor("action", { header: () => t("action"), cell: (info) => <code className="text-xs">{info.getValue()}</code> }),
        helper.accessor("patientMrn", {
          header: () => t("patient"),
          cell: (info) => <span title={info.row.original.patientId ?? undefined}>{info.getValue() ?? info.row.original.patientId ?? "—"}</span>,
        }),
        helper.accessor("outcome", {
          header: () => t("outcome"),
          cell: (info) => (
            <span className={info.getValue() === "DENIED" ? "font-semibold text-danger" : ""}>{t(`outcomes.${info.getValue()}`)}</span>
          ),
        }),
        helper.accessor("purpose", { header: () => t("purpose"), cell: (info) => (info.getValue() ? t(`purposes.${info.getValue()}`) : "—") }),
        helper.accessor("ip", { header: () => t("ip"), cell: (info) => info.getValue() ?? "—" }),
      ]),
    [t, tc, format],
  );
  return <DataTable caption={t("title")} columns={columns} data={events} emptyText={tc("noResults")} getRowId={(e) => e.seq} />;
}
