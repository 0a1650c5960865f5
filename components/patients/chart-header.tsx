import { useFormatter, useTranslations } from "next-intl";
import type { ChartAccessDto, PatientListItemDto, RecordDto } from "@/lib/dto";
import { ageOn } from "@/lib/fhir/age";
import { VerificationBadge } from "@/components/ui/verification-badge";

/**
 * Who this is, at a glance: name, age, sex, MRN — and allergies first, before anything else a doctor might act on.
 * An allergy whose record is tampered is not listed as fact; it is counted as withheld so nobody assumes "none".
 */
export function ChartHeader({ patient, allergies, access }: { patient: PatientListItemDto; allergies: RecordDto[]; access: ChartAccessDto }) {
  const t = useTranslations("chart");
  const tc = useTranslations("common");
  const tp = useTranslations("patients");
  const format = useFormatter();
  const birthDate = new Date(`${patient.birthDate}T00:00:00Z`);
  const shown = allergies.filter((a) => a.summary !== null && a.verification !== "tampered");
  const withheld = allergies.length - shown.length;
  return (
    <header className="mb-4 space-y-3">
      {access.kind === "emergency" ? (
        <p role="status" data-access="emergency" className="rounded-lg border-2 border-danger bg-danger-soft px-4 py-2 text-sm font-semibold text-danger">
          {t("emergencyBanner", { time: format.dateTime(new Date(access.expiresAt), "clinical") })}
        </p>
      ) : null}
      <div>
        <h1 className="text-2xl font-bold text-ink">{patient.name}</h1>
        <p className="mt-1 flex flex-wrap gap-x-4 text-sm text-ink-muted">
          <span>{t("ageSex", { age: ageOn(birthDate, new Date()), sex: tc(`sex.${patient.sex}`) })}</span>
          <span>
            {tp("mrn")} <strong className="text-ink">{patient.mrn}</strong>
          </span>
          <span>{t("born", { date: format.dateTime(birthDate, "birthDate") })}</span>
        </p>
      </div>
      <section aria-labelledby="allergies-heading" data-allergies className={`rounded-lg border p-3 ${shown.length || withheld ? "border-danger bg-danger-soft" : "border-line bg-surface"}`}>
        <h2 id="allergies-heading" className="text-sm font-bold uppercase tracking-wide text-danger">
          {t("allergies")}
        </h2>
        {shown.length === 0 && withheld === 0 ? <p className="text-sm text-ink">{t("noAllergiesRecorded")}</p> : null}
        {shown.length > 0 ? (
          <ul className="mt-1 flex flex-wrap gap-2">
            {shown.map((a) => (
              <li key={a.id} className="flex items-center gap-2 rounded border border-danger bg-surface px-2 py-1 text-sm">
                <strong className="text-ink">{a.summary!.title}</strong>
                {a.summary!.detail ? <span className="text-ink-muted">({a.summary!.detail})</span> : null}
                {a.summary!.criticality === "high" ? <span className="font-semibold text-danger">{t("highCriticality")}</span> : null}
                {a.verification !== "verified" ? <VerificationBadge verification={a.verification} /> : null}
              </li>
            ))}
          </ul>
        ) : null}
        {withheld > 0 ? (
          <p role="alert" className="mt-1 text-sm font-semibold text-danger">
            {t("allergiesWithheld", { count: withheld })}
          </p>
        ) : null}
      </section>
    </header>
  );
}
