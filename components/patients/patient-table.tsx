"use client";

import Link from "next/link";
import { useFormatter, useTranslations } from "next-intl";
import { useMemo } from "react";
import { PATIENT_PAGE_SIZES, type PatientListQuery, type PatientPageDto, type PatientRowDto } from "@/lib/dto/patients";
import { DataTable, columnHelper, type TableNavigation } from "@/components/ui/data-table";

const helper = columnHelper<PatientRowDto>();

/** The list URL for a query (the sealed search stays as it is), dropping defaults so links stay short. */
export function patientListHref(query: PatientListQuery): string {
  const params = new URLSearchParams();
  if (query.s) params.set("s", query.s);
  if (query.sort !== "name") params.set("sort", query.sort);
  if (query.dir !== "asc") params.set("dir", query.dir);
  if (query.page !== 1) params.set("page", String(query.page));
  if (query.size !== 25) params.set("size", String(query.size));
  const text = params.toString();
  return text ? `/patients?${text}` : "/patients";
}

export function PatientTable({ page, query }: { page: PatientPageDto; query: PatientListQuery }) {
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
        helper.accessor("sex", { header: () => t("sex"), enableSorting: false, cell: (info) => tc(`sex.${info.getValue()}`) }),
      ]),
    [t, tc, format],
  );
  const server = {
    sort: { id: query.sort, desc: query.dir === "desc" },
    page: page.page,
    pageSize: page.pageSize,
    total: page.total,
    pageSizes: PATIENT_PAGE_SIZES,
    href: (change: TableNavigation) =>
      patientListHref({
        ...query,
        ...(change.sort ? { sort: change.sort as PatientListQuery["sort"] } : {}),
        ...(change.dir ? { dir: change.dir } : {}),
        ...(change.page ? { page: change.page } : {}),
        ...(change.size ? { size: change.size as PatientListQuery["size"] } : {}),
      }),
  };
  return (
    <DataTable
      caption={t("title")}
      columns={columns}
      data={page.rows}
      emptyText={page.terms ? t("noMatch") : t("empty")}
      getRowId={(p) => p.id}
      rowProps={(p) => ({ "data-patient-id": p.id })}
      server={server}
    />
  );
}
