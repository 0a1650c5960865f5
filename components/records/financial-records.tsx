import { useTranslations } from "next-intl";
import type { ReactNode } from "react";
import type { RecordDto } from "@/lib/dto";
import { recordClass } from "@/lib/fhir/record-class";

/** Clinical records and financial ones (claims, benefits…: docs/decisions/020-financial-records.md), apart. */
export function splitFinancial(records: RecordDto[]): { clinical: RecordDto[]; financial: RecordDto[] } {
  const clinical: RecordDto[] = [];
  const financial: RecordDto[] = [];
  for (const r of records) (recordClass(r.resourceType) === "financial" ? financial : clinical).push(r);
  return { clinical, financial };
}

/** Financial records, closed by default under their own heading: shown on request, verified like every record. */
export function FinancialRecords({ count, children }: { count: number; children: ReactNode }) {
  const t = useTranslations("resourceTypes");
  if (count === 0) return null;
  return (
    <details data-financial-records className="mt-4 rounded border border-line p-3">
      <summary className="cursor-pointer text-sm font-semibold text-ink">{t("financialGroup", { count })}</summary>
      <div className="mt-3">{children}</div>
    </details>
  );
}
