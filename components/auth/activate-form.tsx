"use client";

import { useTranslations } from "next-intl";
import Link from "next/link";
import { useActionState, useState } from "react";
import { activateAccountAction } from "@/lib/actions/account";
import type { FormState } from "@/lib/dto/admin";
import { Field, Notice, SubmitButton } from "@/components/ui/form-bits";

const initial: FormState<"ACTIVATION" | "PASSWORD_RESET"> = { status: "idle" };

export function ActivateForm() {
  const t = useTranslations("account");
  const [state, action] = useActionState(activateAccountAction, initial);
  // Kept across a refused attempt (React resets uncontrolled fields after an action); the passwords are not.
  const [code, setCode] = useState("");
  const error = (field: string) => {
    const key = state.status === "error" ? state.fieldErrors[field] : undefined;
    return key ? t(`errors.${key}`) : null;
  };
  if (state.status === "success") {
    return (
      <div className="space-y-4">
        <Notice tone="ok">{t("activated")}</Notice>
        <Link href="/login?activated=1" className="inline-block rounded bg-brand px-4 py-2 font-semibold text-white hover:bg-brand-strong">
          {t("goToSignIn")}
        </Link>
      </div>
    );
  }
  return (
    <form action={action} className="space-y-4" noValidate>
      {state.status === "error" && state.formError ? <Notice tone="danger">{t(`errors.${state.formError}`)}</Notice> : null}
      <Field label={t("code")} name="code" error={error("code")} hint={t("codeHint")} autoComplete="one-time-code" required maxLength={64} spellCheck={false} value={code} onChange={(e) => setCode(e.target.value)} />
      <Field label={t("newPassword")} name="password" type="password" error={error("password")} hint={t("passwordHint")} autoComplete="new-password" required />
      <Field label={t("confirmPassword")} name="confirm" type="password" error={error("confirm")} autoComplete="new-password" required />
      <SubmitButton pendingLabel={t("settingPassword")}>{t("setPassword")}</SubmitButton>
    </form>
  );
}
