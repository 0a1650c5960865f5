"use client";

import { useTranslations } from "next-intl";
import { useActionState, useState } from "react";
import { correctRecordAction } from "@/lib/actions/corrections";
import type { CorrectionState } from "@/lib/dto/uploads";
import { Notice, SubmitButton, inputClass } from "@/components/ui/form-bits";

/** The corrected resource as FHIR JSON, starting from the current version; what was typed survives a refusal. */
export function CorrectionForm({ recordId, initial }: { recordId: string; initial: string }) {
  const t = useTranslations("upload");
  const [state, action] = useActionState(correctRecordAction, { status: "idle" } as CorrectionState);
  const [text, setText] = useState(initial);
  return (
    <form action={action} className="space-y-4">
      <input type="hidden" name="recordId" value={recordId} />
      {state.status === "error" ? (
        <div role="alert" className="rounded border border-danger bg-danger-soft px-3 py-2 text-sm text-danger">
          <p className="font-semibold">{t.has(`correctionErrors.${state.code}`) ? t(`correctionErrors.${state.code}`) : t(`reasons.${state.code}`)}</p>
          {state.problems.length ? (
            <ul className="mt-1 list-disc pl-5">
              {state.problems.map((p, i) => (
                <li key={i} data-problem-field={p.field ?? ""}>
                  {p.field ? <code className="mr-1">{p.field}</code> : null}
                  {p.message}
                </li>
              ))}
            </ul>
          ) : null}
        </div>
      ) : null}
      <div>
        <label htmlFor="correction-json" className="mb-1 block text-sm font-semibold">
          {t("correctionLabel")}
        </label>
        <textarea
          id="correction-json"
          name="resource"
          value={text}
          onChange={(e) => setText(e.target.value)}
          rows={18}
          spellCheck={false}
          className={`${inputClass} font-mono text-xs`}
          aria-describedby="correction-hint"
        />
        <p id="correction-hint" className="mt-1 text-xs text-ink-muted">
          {t("correctionHint")}
        </p>
      </div>
      <Notice tone="warn">{t("correctionKeepsOld")}</Notice>
      <SubmitButton pendingLabel={t("correcting")}>{t("correctSubmit")}</SubmitButton>
    </form>
  );
}
