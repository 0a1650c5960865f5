"use client";

import { useActionState, useState } from "react";
import { useTranslations } from "next-intl";
import { openBreakGlassAction } from "@/lib/actions/patients";
import type { FormState } from "@/lib/dto/admin";
import { Field, SubmitButton } from "@/components/ui/form-bits";

const initial: FormState = { status: "idle" };

/** Exact MRN and a mandatory reason: there is no search here, by design. */
export function BreakGlassForm({ hours }: { hours: number }) {
  const t = useTranslations("breakGlass");
  const tp = useTranslations("patients");
  const [state, action] = useActionState(openBreakGlassAction, initial);
  // Controlled, so that a refused submission keeps what was typed (React resets uncontrolled fields after an action).
  const [mrn, setMrn] = useState("");
  const [reason, setReason] = useState("");
  const errors = state.status === "error" ? state.fieldErrors : {};
  const error = (field: string) => (errors[field] ? tp(`errors.${errors[field]}`) : null);
  return (
    <form action={action} className="max-w-xl space-y-4 rounded-lg border-2 border-danger bg-surface p-4" noValidate>
      <Field label={t("mrn")} name="mrn" required maxLength={32} autoComplete="off" inputMode="text" hint={t("mrnHint")} error={error("mrn")} value={mrn} onChange={(e) => setMrn(e.target.value)} />
      <Field label={t("reason")} name="reason" hint={t("reasonHint")} error={error("reason")}>
        {(props) => <textarea {...props} required minLength={10} maxLength={1000} rows={4} value={reason} onChange={(e) => setReason(e.target.value)} />}
      </Field>
      <p className="text-sm text-ink-muted">{t("consequences", { hours })}</p>
      <SubmitButton tone="danger" pendingLabel={t("opening")}>
        {t("open")}
      </SubmitButton>
    </form>
  );
}
