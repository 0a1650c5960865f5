import { useFormatter, useTranslations } from "next-intl";
import type { ChartAccessDto, PatientChartDto, PatientListItemDto } from "@/lib/dto";
import { ageOn } from "@/lib/fhir/age";

/**
 * Who this is, at a glance: name, age, sex, MRN, on one line, with the state of the identity's anchored record
 * (ADR 023): a quiet line when verified, red with the chart withheld when the identity cannot be vouched for.
 * Allergies follow first in the clinical summary (components/records/clinical-summary.tsx).
 */
export function ChartHeader({ patient, access, identity }: { patient: PatientListItemDto; access: ChartAccessDto; identity: PatientChartDto["identity"] }) {
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
      <div
        data-identity={identity.state}
        className={`flex flex-wrap items-baseline gap-x-4 ${identity.withheld ? "rounded-lg border-2 border-danger bg-danger-soft px-4 py-2" : ""}`}
      >
        <h1 className={`text-2xl font-bold ${identity.withheld ? "text-danger" : "text-ink"}`}>{patient.name}</h1>
        <p className="flex flex-wrap gap-x-4 text-sm text-ink-muted">
          <span>{t("ageSex", { age: ageOn(birthDate, new Date()), sex: tc(`sex.${patient.sex}`) })}</span>
          <span>
            {tp("mrn")} <strong className="text-ink">{patient.mrn}</strong>
          </span>
          <span>{t("born", { date: format.dateTime(birthDate, "birthDate") })}</span>
        </p>
        {identity.withheld ? (
          <p role="alert" className="basis-full text-sm font-semibold text-danger">
            {t(`identity.${identity.state}`)}
          </p>
        ) : identity.state === "verified" ? (
          <p className="text-xs text-ink-muted">
            <span aria-hidden="true" className="mr-1 text-ok">
              ✓
            </span>
            {t("identity.verified")}
          </p>
        ) : (
          <p role="status" className="basis-full rounded border border-warn bg-warn-soft px-2 py-0.5 text-xs text-warn">
            {t(`identity.${identity.state}`)}
          </p>
        )}
      </div>
    </header>
  );
}
