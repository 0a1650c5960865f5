"use client";

import { useTranslations } from "next-intl";
import { useActionState, useState } from "react";
import { correctRecordAction } from "@/lib/actions/corrections";
import type { CorrectionState } from "@/lib/dto/uploads";
import { Notice, SubmitButton, inputClass } from "@/components/ui/form-bits";
import { ProblemList } from "./problem-list";
import { SIMPLE_CORRECTION_TYPES, SimpleCorrectionFields } from "./simple-correction";

function parsed(text: string): Record<string, unknown> | null {
  try {
    const value: unknown = JSON.parse(text);
    return value && typeof value === "object" && !Array.isArray(value) ? (value as Record<string, unknown>) : null;
  } catch {
    return null;
  }
}

/**
 * The corrected resource, starting from the current version: the common fields of an Observation or a Condition as a
 * simple form, or any record as FHIR JSON. Both edit the one JSON text that is submitted; what was typed survives a
 * refusal.
 */
export function CorrectionForm({ recordId, initial, resourceType }: { recordId: string; initial: string; resourceType: string }) {
  const t = useTranslations("upload");
  const [state, action] = useActionState(correctRecordAction, { status: "idle" } as CorrectionState);
  const [text, setText] = useState(initial);
  const simpleType = (SIMPLE_CORRECTION_TYPES as readonly string[]).includes(resourceType);
  const [simple, setSimple] = useState(simpleType);
  const resource = parsed(text);
  return (
    <form action={action} className="space-y-4">
      <input type="hidden" name="recordId" value={recordId} />
      {state.status === "error" ? (
        <div role="alert" className="rounded border border-danger bg-danger-soft px-3 py-2 text-sm text-danger">
          <p className="font-semibold">{t.has(`correctionErrors.${state.code}`) ? t(`correctionErrors.${state.code}`) : t(`reasons.${state.code}`)}</p>
          <ProblemList problems={state.problems} inBundle={false} />
        </div>
      ) : null}
      {simpleType ? (
        <p className="text-sm">
          <button type="button" className="text-brand underline" onClick={() => setSimple(!simple)} disabled={!simple && resource === null} aria-describedby={!simple && resource === null ? "simple-needs-json" : undefined}>
            {simple ? t("simple.showJson") : t("simple.showSimple")}
          </button>
          {!simple && resource === null ? (
            <span id="simple-needs-json" className="ml-2 text-xs text-ink-muted">
              {t("simple.fixJsonFirst")}
            </span>
          ) : null}
        </p>
      ) : null}
      {simple && resource ? (
        <>
          <input type="hidden" name="resource" value={text} />
          <SimpleCorrectionFields resource={resource} onChange={(next) => setText(JSON.stringify(next, null, 2))} />
          <p className="text-xs text-ink-muted">{t("simple.hint")}</p>
        </>
      ) : (
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
      )}
      <Notice tone="warn">{t("correctionKeepsOld")}</Notice>
      <SubmitButton pendingLabel={t("correcting")}>{t("correctSubmit")}</SubmitButton>
    </form>
  );
}
