"use client";

import { useActionState, useState } from "react";
import { useTranslations } from "next-intl";
import { createExportAction } from "@/lib/actions/research";
import type { FormState } from "@/lib/dto/admin";
import { EXPORT_MODES, MAX_RETENTION_YEARS, type ExportModeDto } from "@/lib/dto/research";
import { Field, Notice, SubmitButton } from "@/components/ui/form-bits";

const initial: FormState = { status: "idle" };
type PipaField = "purpose" | "irbApprovalNumber" | "keyCustodian" | "retainUntil";

/**
 * The export. Safe Harbor is preselected (the safe default); pseudonymisation is chosen explicitly, acknowledged as
 * not Safe Harbor, and carries PIPA's record (Art. 28-2, 28-4), which goes into the anchored manifest.
 */
export function ExportForm({ cohortId }: { cohortId: string }) {
  const t = useTranslations("research");
  const [state, action] = useActionState(createExportAction, initial);
  const [mode, setMode] = useState<ExportModeDto>("SAFE_HARBOR");
  // Controlled, so that a refused submission keeps what was typed (React resets uncontrolled fields after an action).
  const [terms, setTerms] = useState<Record<PipaField, string>>({ purpose: "", irbApprovalNumber: "", keyCustodian: "", retainUntil: "" });
  const [acknowledged, setAcknowledged] = useState(false);
  const errors = state.status === "error" ? state.fieldErrors : {};
  const formError = state.status === "error" ? state.formError : undefined;
  const message = (key: string) => (t.has(`errors.${key}`) ? t(`errors.${key}`) : t("errors.invalid"));
  const error = (name: string) => (errors[name] ? message(errors[name]) : null);
  const set = (name: PipaField) => (event: { target: { value: string } }) => setTerms((current) => ({ ...current, [name]: event.target.value }));
  return (
    <form action={action} className="space-y-3 rounded-lg border border-line bg-surface p-4">
      <h2 className="text-lg font-semibold">{t("cohort.export")}</h2>
      <input type="hidden" name="cohortId" value={cohortId} />
      {formError ? <Notice tone="danger">{message(formError)}</Notice> : null}
      <fieldset aria-describedby="export-mode-hint">
        <legend className="text-sm font-semibold">{t("cohort.mode")}</legend>
        <p id="export-mode-hint" className="mb-2 text-xs text-ink-muted">
          {t("cohort.modeHint")}
        </p>
        <div className="space-y-2">
          {EXPORT_MODES.map((m) => (
            <label key={m} className="flex items-start gap-2 rounded border border-line p-2 text-sm">
              <input type="radio" name="mode" value={m} checked={mode === m} onChange={() => setMode(m)} className="mt-1" />
              <span>
                <span className="block font-semibold">{t(`cohort.${m}`)}</span>
                <span className="block text-ink-muted">{t(`cohort.${m}_hint`)}</span>
              </span>
            </label>
          ))}
        </div>
        {errors.mode ? <p className="mt-1 text-sm text-danger">{message(errors.mode)}</p> : null}
      </fieldset>
      {mode === "PSEUDONYMISED" ? (
        <fieldset className="space-y-3 rounded border border-warn bg-warn-soft/40 p-3" data-pipa-terms>
          <legend className="px-1 text-sm font-semibold">{t("cohort.pipaTitle")}</legend>
          <p className="text-xs text-ink-muted">{t("cohort.pipaHint")}</p>
          <Field label={t("cohort.purpose")} name="purpose" error={error("purpose")} hint={t("cohort.purposeHint")}>
            {(props) => <textarea {...props} rows={3} maxLength={500} value={terms.purpose} onChange={set("purpose")} />}
          </Field>
          <Field label={t("cohort.irbApprovalNumber")} name="irbApprovalNumber" error={error("irbApprovalNumber")} maxLength={64} value={terms.irbApprovalNumber} onChange={set("irbApprovalNumber")} autoComplete="off" />
          <Field label={t("cohort.keyCustodian")} name="keyCustodian" error={error("keyCustodian")} hint={t("cohort.keyCustodianHint")} maxLength={120} value={terms.keyCustodian} onChange={set("keyCustodian")} />
          <Field
            label={t("cohort.retainUntil")}
            name="retainUntil"
            type="date"
            error={error("retainUntil")}
            hint={t("cohort.retainUntilHint", { years: MAX_RETENTION_YEARS })}
            value={terms.retainUntil}
            onChange={set("retainUntil")}
          />
          <div>
            <label className="flex items-start gap-2 text-sm">
              <input type="checkbox" name="acknowledge" className="mt-1" checked={acknowledged} onChange={(e) => setAcknowledged(e.target.checked)} aria-invalid={Boolean(errors.acknowledge)} />
              <span>{t("cohort.acknowledge")}</span>
            </label>
            {errors.acknowledge ? <p className="mt-1 text-sm text-danger">{message(errors.acknowledge)}</p> : null}
          </div>
        </fieldset>
      ) : null}
      <SubmitButton pendingLabel={t("cohort.exporting")}>{t("cohort.export")}</SubmitButton>
    </form>
  );
}
