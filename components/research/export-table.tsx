"use client";

import Link from "next/link";
import { useMemo } from "react";
import { useFormatter, useTranslations } from "next-intl";
import type { ExportSummaryDto } from "@/lib/dto/research";
import { DataTable, columnHelper } from "@/components/ui/data-table";

const helper = columnHelper<ExportSummaryDto>();

export function ExportTable({ exports }: { exports: ExportSummaryDto[] }) {
  const t = useTranslations("research");
  const format = useFormatter();
  const columns = useMemo(
    () =>
      helper.columns([
        helper.accessor("createdAt", {
          header: () => t("cohort.created"),
          cell: (info) => (
            <Link href={`/research/exports/${info.row.original.id}`} className="font-semibold text-brand underline">
              <time dateTime={info.getValue()}>{format.dateTime(new Date(info.getValue()), "audit")}</time>
            </Link>
          ),
        }),
        helper.accessor("mode", { header: () => t("export.mode"), cell: (info) => t(`modes.${info.getValue()}`) }),
        helper.accessor("patients", { header: () => t("cohort.patientCount"), cell: (info) => <span className="tabular-nums">{info.getValue()}</span> }),
        helper.accessor("anchorState", { header: () => t("cohort.anchor"), cell: (info) => t(`anchorState.${info.getValue()}`) }),
        helper.accessor("manifestHash", { header: () => t("cohort.manifestHash"), cell: (info) => <code className="text-xs" title={info.getValue()}>{`${info.getValue().slice(0, 18)}…`}</code> }),
      ]),
    [t, format],
  );
  return <DataTable caption={t("cohort.exportsTitle")} columns={columns} data={exports} emptyText={t("cohort.noExports")} getRowId={(r) => r.id} rowProps={(r) => ({ "data-export-id": r.id })} />;
}
