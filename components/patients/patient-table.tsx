"use client";

import Link from "next/link";
import { useFormatter, useTranslations } from "next-intl";
import { useMemo } from "react";
import type { PatientListItemDto } from "@/lib/dto";
import { DataTable, columnHelper } from "@/components/ui/data-table";

const helper = columnHelper<PatientListItemDto>();

export function PatientTable({ patients }: { patients: PatientListItemDto[] }) {
  const t = useTranslations("patients");
  const tc = useTranslations("common");
  const format = useFormatter();
  const columns = useMemo(
    () =>
      helper.columns([
        helper.accessor("name", {
          header: () => t("name"),
          cell: (info) => (
            <Link
              href={`/patients/${info.row.original.id}`}
              className="font-semibold text-brand underline-offset-2 hover:underline"
              aria-label={t("open", { name: info.getValue() })}
            >
              {info.getValue()}
            </Link>
          ),
        }),
        helper.accessor("mrn", { header: () => t("mrn") }),
        helper.accessor("birthDate", {
          header: () => t("birthDate"),
          cell: (info) => format.dateTime(new Date(`${info.getValue()}T00:00:00Z`), "birthDate"),
        }),
        helper.accessor("sex", { header: () => t("sex"), cell: (info) => tc(`sex.${info.getValue()}`) }),
      ]),
    [t, tc, format],
  );
  return <DataTable caption={t("title")} columns={columns} data={patients} emptyText={t("empty")} getRowId={(p) => p.id} />;
}
