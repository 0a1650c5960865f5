"use client";

import { useActionState, useState } from "react";
import { useTranslations } from "next-intl";
import { createExportAction } from "@/lib/actions/research";
import type { FormState } from "@/lib/dto/admin";
import { EXPORT_MODES, type ExportModeDto } from "@/lib/dto/research";
import { Notice, SubmitButton } from "@/components/ui/form-bits";

const initial: FormState = { status: "idle" };

/** The export, with the mode chosen explicitly (no default) and pseudonymisation acknowledged as not Safe Harbor. */
export function ExportForm({ cohortId }: { cohortId: string }) {
  const t = useTranslations("research");
  const [state, action] = useActionState(createExportAction, initial);
  const [mode, setMode] = useState<ExportModeDto | null>(null);
  const errors = state.status === "error" ? state.fieldErrors : {};
  const formError = state.status === "error" ? state.formError : undefined;
  const message = (key: string) => (t.has(`errors.${key}`) ? t(`errors.${key}`) : t("errors.invalid"));
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
        <div>
          <label className="flex items-start gap-2 text-sm">
            <input type="checkbox" name="acknowledge" className="mt-1" aria-invalid={Boolean(errors.acknowledge)} />
            <span>{t("cohort.acknowledge")}</span>
          </label>
          {errors.acknowledge ? <p className="mt-1 text-sm text-danger">{message(errors.acknowledge)}</p> : null}
        </div>
      ) : null}
      <SubmitButton pendingLabel={t("cohort.exporting")}>{t("cohort.export")}</SubmitButton>
    </form>
  );
}
