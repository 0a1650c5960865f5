import { useFormatter, useTranslations } from "next-intl";
import type { ChartAccessDto, PatientListItemDto } from "@/lib/dto";
import { ageOn } from "@/lib/fhir/age";

/**
 * Who this is, at a glance: name, age, sex, MRN, on one line. Allergies follow first in the clinical summary
 * (components/records/clinical-summary.tsx), before anything else a doctor might act on.
 */
export function ChartHeader({ patient, access }: { patient: PatientListItemDto; access: ChartAccessDto }) {
  const t = useTranslations("chart");
  const tc = useTranslations("common");
  const tp = useTranslations("patients");
  const format = useFormatter();
  const birthDate = new Date(`${patient.birthDate}T00:00:00Z`);
  return (
    <header className="mb-2 space-y-2">
      {access.kind === "emergency" ? (
        <p role="status" data-access="emergency" className="rounded-lg border-2 border-danger bg-danger-soft px-4 py-2 text-sm font-semibold text-danger">
          {t("emergencyBanner", { time: format.dateTime(new Date(access.expiresAt), "clinical") })}
        </p>
      ) : null}
      <div className="flex flex-wrap items-baseline gap-x-4">
        <h1 className="text-2xl font-bold text-ink">{patient.name}</h1>
        <p className="flex flex-wrap gap-x-4 text-sm text-ink-muted">
          <span>{t("ageSex", { age: ageOn(birthDate, new Date()), sex: tc(`sex.${patient.sex}`) })}</span>
          <span>
            {tp("mrn")} <strong className="text-ink">{patient.mrn}</strong>
          </span>
          <span>{t("born", { date: format.dateTime(birthDate, "birthDate") })}</span>
        </p>
      </div>
    </header>
  );
}
