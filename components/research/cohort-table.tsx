"use client";

import Link from "next/link";
import { useMemo } from "react";
import { useFormatter, useTranslations } from "next-intl";
import type { CohortSummaryDto } from "@/lib/dto/research";
import { DataTable, columnHelper } from "@/components/ui/data-table";

const helper = columnHelper<CohortSummaryDto>();

/** The researcher's saved cohorts (definitions only: no counts here, each count is a logged query). */
export function CohortTable({ cohorts }: { cohorts: CohortSummaryDto[] }) {
  const t = useTranslations("research.overview");
  const format = useFormatter();
  const columns = useMemo(
    () =>
      helper.columns([
        helper.accessor("name", {
          header: () => t("name"),
          cell: (info) => (
            <Link href={`/research/cohorts/${info.row.original.id}`} className="font-semibold text-brand underline">
              {info.getValue()}
            </Link>
          ),
        }),
        helper.accessor("study", { header: () => t("study"), cell: (info) => (info.getValue() ? `${info.getValue()!.code} · ${info.getValue()!.title}` : t("generalUse")) }),
        helper.accessor("createdAt", { header: () => t("created"), cell: (info) => <time dateTime={info.getValue()}>{format.dateTime(new Date(info.getValue()), "audit")}</time> }),
        helper.accessor("exportCount", { header: () => t("exports"), cell: (info) => <span className="tabular-nums">{info.getValue()}</span> }),
      ]),
    [t, format],
  );
  return <DataTable caption={t("savedCohorts")} columns={columns} data={cohorts} emptyText={t("none")} getRowId={(r) => r.id} rowProps={(r) => ({ "data-cohort-id": r.id })} />;
}
