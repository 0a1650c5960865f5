"use client";

import { useTranslations } from "next-intl";
import { useMemo } from "react";
import type { StaffListItemDto } from "@/lib/dto";
import { DataTable, columnHelper } from "@/components/ui/data-table";

const helper = columnHelper<StaffListItemDto>();

export function StaffTable({ staff }: { staff: StaffListItemDto[] }) {
  const t = useTranslations("staff");
  const tc = useTranslations("common");
  const columns = useMemo(
    () =>
      helper.columns([
        helper.accessor("name", { header: () => t("name") }),
        helper.accessor("email", { header: () => t("email") }),
        helper.accessor("role", { header: () => t("role"), cell: (info) => tc(`roles.${info.getValue()}`) }),
        helper.accessor("department", { header: () => t("department"), cell: (info) => info.getValue() ?? t("noDepartment") }),
        helper.accessor("status", { header: () => t("status"), cell: (info) => t(`statuses.${info.getValue()}`) }),
      ]),
    [t, tc],
  );
  return <DataTable caption={t("title")} columns={columns} data={staff} emptyText={tc("noResults")} getRowId={(s) => s.id} />;
}
