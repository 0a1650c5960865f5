"use client";

import { useTranslations } from "next-intl";
import { useActionState } from "react";
import { beginMfaEnrolmentAction, confirmMfaEnrolmentAction, disableMfaAction, regenerateRecoveryCodesAction } from "@/lib/actions/account";
import type { FormState, MfaStatusDto } from "@/lib/dto/admin";
import { Field, Notice, SubmitButton } from "@/components/ui/form-bits";

function RecoveryCodes({ codes }: { codes: string[] }) {
  const t = useTranslations("account");
  return (
    <div className="rounded border-2 border-warn bg-warn-soft p-4 text-sm">
      <p className="font-semibold">{t("recoveryTitle")}</p>
      <p className="mb-2">{t("recoveryIntro")}</p>
      <ul className="grid grid-cols-2 gap-1 font-mono sm:grid-cols-5" data-testid="recovery-codes">
        {codes.map((code) => (
          <li key={code}>{code}</li>
        ))}
      </ul>
    </div>
  );
}

function useError(state: FormState<unknown>) {
  const t = useTranslations("account");
  const key = state.status === "error" ? (state.fieldErrors.code ?? state.formError) : undefined;
  return key ? t(`errors.${key}`) : null;
}

function Enrol({ confirmed, confirm }: { confirmed: FormState<string[]>; confirm: (formData: FormData) => void }) {
  const t = useTranslations("account");
  const [started, begin] = useActionState(beginMfaEnrolmentAction, { status: "idle" } as FormState<{ secret: string; uri: string }>);
  const beginError = useError(started);
  const confirmError = useError(confirmed);
  if (started.status !== "success") {
    return (
      <form action={begin} className="space-y-2">
        {beginError ? <Notice tone="danger">{beginError}</Notice> : null}
        <SubmitButton>{t("enrol")}</SubmitButton>
      </form>
    );
  }
  return (
    <form action={confirm} className="max-w-xl space-y-3 text-sm" noValidate>
      <p>{t("enrolSteps")}</p>
      <p>
        <span className="font-semibold">{t("secretKey")}: </span>
        <code className="select-all break-all font-mono" data-testid="totp-secret">
          {started.result.secret}
        </code>
      </p>
      <p className="break-all text-xs text-ink-muted">
        <span className="font-semibold">{t("otpauthUri")}: </span>
        {started.result.uri}
      </p>
      <Field label={t("totpCode")} name="code" inputMode="numeric" autoComplete="one-time-code" maxLength={6} error={confirmError} />
      <SubmitButton>{t("confirmEnrol")}</SubmitButton>
    </form>
  );
}

function Regenerate() {
  const t = useTranslations("account");
  const [state, action] = useActionState(regenerateRecoveryCodesAction, { status: "idle" } as FormState<string[]>);
  const error = useError(state);
  return (
    <form action={action} className="space-y-2">
      <div className="flex flex-wrap items-center gap-3">
        <SubmitButton tone="plain">{t("regenerate")}</SubmitButton>
        <span className="text-sm text-ink-muted">{t("regenerateHint")}</span>
      </div>
      {error ? <Notice tone="danger">{error}</Notice> : null}
      {state.status === "success" ? <RecoveryCodes codes={state.result} /> : null}
    </form>
  );
}

function Disable() {
  const t = useTranslations("account");
  const [state, action] = useActionState(disableMfaAction, { status: "idle" } as FormState);
  const error = useError(state);
  if (state.status === "success") return <Notice tone="ok">{t("disabled")}</Notice>;
  return (
    <form action={action} className="max-w-sm space-y-2" noValidate>
      <Field label={t("totpCode")} name="code" inputMode="numeric" autoComplete="one-time-code" maxLength={6} hint={t("disableHint")} error={error} />
      <SubmitButton tone="danger">{t("disable")}</SubmitButton>
    </form>
  );
}

export function MfaSettings({ status }: { status: MfaStatusDto }) {
  const t = useTranslations("account");
  // Held here, not in <Enrol>: the page re-renders as "enabled" after confirmation, and the one-time display of the
  // recovery codes must survive that.
  const [confirmed, confirm] = useActionState(confirmMfaEnrolmentAction, { status: "idle" } as FormState<string[]>);
  if (confirmed.status === "success") {
    return (
      <section aria-labelledby="mfa-title" className="space-y-4 rounded-lg border border-line bg-surface p-5">
        <h2 id="mfa-title" className="text-lg font-bold">
          {t("mfaStatus")}: <span data-testid="mfa-state">{t("mfaEnabled")}</span>
        </h2>
        <Notice tone="ok">{t("enrolled")}</Notice>
        <RecoveryCodes codes={confirmed.result} />
      </section>
    );
  }
  return (
    <section aria-labelledby="mfa-title" className="space-y-4 rounded-lg border border-line bg-surface p-5">
      <h2 id="mfa-title" className="text-lg font-bold">
        {t("mfaStatus")}: <span data-testid="mfa-state">{status.enabled ? t("mfaEnabled") : t("mfaDisabled")}</span>
      </h2>
      <p className="text-sm text-ink-muted">{status.required ? t("mfaRequired") : t("mfaOptional")}</p>
      {status.enabled ? (
        <>
          <p className="text-sm">{t("recoveryLeft", { count: status.recoveryCodesLeft })}</p>
          <Regenerate />
          {status.required ? null : <Disable />}
        </>
      ) : (
        <Enrol confirmed={confirmed} confirm={confirm} />
      )}
    </section>
  );
}
