"use client";

import { signIn } from "next-auth/react";
import { useTranslations } from "next-intl";
import Link from "next/link";
import { useRouter } from "next/navigation";
import { useState, type FormEvent } from "react";
import { beginSignInMfaEnrolmentAction } from "@/lib/actions/account";
import type { MfaEnrolmentDto } from "@/lib/dto/admin";

type AccountKind = "staff" | "patient";
type Step = "credentials" | "otp" | "enrolPrompt" | "enrol";
type Problem = "failed" | "throttled" | "otpInvalid" | null;


// next-auth hands authorize()'s thrown message back as `error` (see lib/auth/options.ts SIGN_IN_ERRORS).
const PROBLEMS: Record<string, Problem> = { THROTTLED: "throttled", MFA_INVALID: "otpInvalid" };

/** `returnTo` is a same-origin path already checked by the page (lib/net/return-path.ts), or null. */
export function LoginForm({ activated = false, returnTo = null }: { activated?: boolean; returnTo?: string | null }) {
  const t = useTranslations("login");
  const ta = useTranslations("account");
  const router = useRouter();
  const [kind, setKind] = useState<AccountKind>("staff");
  const [step, setStep] = useState<Step>("credentials");
  const [credentials, setCredentials] = useState({ email: "", password: "" });
  const [enrolment, setEnrolment] = useState<MfaEnrolmentDto | null>(null);
  const [problem, setProblem] = useState<Problem>(null);
  const [pending, setPending] = useState(false);

  async function attempt(email: string, password: string, otp: string) {
    setPending(true);
    setProblem(null);
    const result = await signIn(kind, { email, password, otp, redirect: false });
    setPending(false);
    if (result && !result.error) {
      // Back to the deep link the visit began with; otherwise the home page sends each role to its own start page.
      router.replace(returnTo ?? "/");
      router.refresh();
      return;
    }
    const error = result?.error ?? "";
    if (error === "MFA_REQUIRED") setStep("otp");
    else if (error === "MFA_ENROL") setStep("enrolPrompt");
    else if (error.startsWith("THROTTLED")) setProblem("throttled");
    else setProblem(PROBLEMS[error] ?? "failed");
  }

  async function onCredentials(event: FormEvent<HTMLFormElement>) {
    event.preventDefault();
    const form = new FormData(event.currentTarget);
    const email = String(form.get("email") ?? "");
    const password = String(form.get("password") ?? "");
    setCredentials({ email, password });
    await attempt(email, password, "");
  }

  async function onOtp(event: FormEvent<HTMLFormElement>) {
    event.preventDefault();
    const form = new FormData(event.currentTarget);
    await attempt(credentials.email, credentials.password, String(form.get("otp") ?? ""));
  }

  async function startEnrolment() {
    setPending(true);
    setProblem(null);
    const form = new FormData();
    form.set("email", credentials.email);
    form.set("password", credentials.password);
    const state = await beginSignInMfaEnrolmentAction({ status: "idle" }, form);
    setPending(false);
    if (state.status === "success") {
      setEnrolment(state.result);
      setStep("enrol");
    } else {
      setProblem(state.status === "error" && state.formError === "throttled" ? "throttled" : "failed");
    }
  }

  function restart() {
    setStep("credentials");
    setEnrolment(null);
    setProblem(null);
    setCredentials({ email: "", password: "" });
  }

  const alert = problem ? (
    <p role="alert" className="rounded border border-danger bg-danger-soft px-3 py-2 text-sm text-danger">
      {t(problem)}
      {/* The trap of a shared form: the wrong account type reads as a wrong password. Said for both, so it reveals
          nothing about which kind of account an email has. */}
      {problem === "failed" && step === "credentials" ? <span className="mt-1 block">{t("failedKind", { kind: kind === "patient" ? t("patientTab") : t("staffTab") })}</span> : null}
    </p>
  ) : null;

  if (step === "credentials") {
    return (
      <form onSubmit={onCredentials} className="space-y-4" noValidate>
        {activated ? (
          <p role="status" className="rounded border border-ok bg-ok-soft px-3 py-2 text-sm text-ok">
            {t("activated")}
          </p>
        ) : null}
        <fieldset>
          <legend className="mb-2 text-sm font-semibold">{t("accountType")}</legend>
          <div className="flex gap-4">
            {(["staff", "patient"] as const).map((option) => (
              <label key={option} className="flex items-center gap-2 text-sm">
                <input type="radio" name="kind" value={option} checked={kind === option} onChange={() => setKind(option)} />
                {t(option === "staff" ? "staffTab" : "patientTab")}
              </label>
            ))}
          </div>
        </fieldset>
        <div>
          <label htmlFor="email" className="mb-1 block text-sm font-semibold">
            {t("email")}
          </label>
          <input id="email" name="email" type="email" autoComplete="username" required className="w-full rounded border border-line-strong px-3 py-2" />
        </div>
        <div>
          <label htmlFor="password" className="mb-1 block text-sm font-semibold">
            {t("password")}
          </label>
          <input id="password" name="password" type="password" autoComplete="current-password" required className="w-full rounded border border-line-strong px-3 py-2" />
        </div>
        {alert}
        <button type="submit" disabled={pending} className="w-full rounded bg-brand px-4 py-2 font-semibold text-white hover:bg-brand-strong disabled:opacity-70">
          {pending ? t("submitting") : t("submit")}
        </button>
        <p className="text-center text-sm text-ink-muted">
          {t("haveCode")}{" "}
          <Link href="/activate" className="text-brand underline">
            {t("activateLink")}
          </Link>
        </p>
      </form>
    );
  }

  if (step === "enrolPrompt") {
    return (
      <div className="space-y-4">
        <p className="text-sm">{t("enrolPrompt")}</p>
        {alert}
        <button type="button" onClick={() => void startEnrolment()} disabled={pending} className="w-full rounded bg-brand px-4 py-2 font-semibold text-white hover:bg-brand-strong disabled:opacity-70">
          {t("enrolStart")}
        </button>
        <button type="button" onClick={restart} className="w-full text-sm text-brand hover:underline">
          {t("back")}
        </button>
      </div>
    );
  }

  return (
    <form onSubmit={onOtp} className="space-y-4" noValidate>
      {step === "enrol" && enrolment ? (
        <div className="space-y-3 text-sm">
          <p>{ta("enrolSteps")}</p>
          <p>
            <span className="font-semibold">{ta("secretKey")}: </span>
            <code className="select-all break-all font-mono" data-testid="totp-secret">
              {enrolment.secret}
            </code>
          </p>
          <p className="break-all text-xs text-ink-muted">
            <span className="font-semibold">{ta("otpauthUri")}: </span>
            {enrolment.uri}
          </p>
          <div className="rounded border-2 border-warn bg-warn-soft p-3">
            <p className="font-semibold">{ta("recoveryTitle")}</p>
            <p className="mb-2">{ta("recoveryIntro")}</p>
            <ul className="grid grid-cols-2 gap-1 font-mono" data-testid="recovery-codes">
              {enrolment.recoveryCodes.map((code) => (
                <li key={code}>{code}</li>
              ))}
            </ul>
          </div>
        </div>
      ) : (
        <p className="text-sm">{t("otpPrompt")}</p>
      )}
      <div>
        <label htmlFor="otp" className="mb-1 block text-sm font-semibold">
          {t("otp")}
        </label>
        <input
          id="otp"
          name="otp"
          inputMode="text"
          autoComplete="one-time-code"
          required
          maxLength={32}
          aria-describedby="otp-hint"
          className="w-full rounded border border-line-strong px-3 py-2 font-mono"
        />
        <p id="otp-hint" className="mt-1 text-xs text-ink-muted">
          {t("otpHint")}
        </p>
      </div>
      {alert}
      <button type="submit" disabled={pending} className="w-full rounded bg-brand px-4 py-2 font-semibold text-white hover:bg-brand-strong disabled:opacity-70">
        {pending ? t("submitting") : t("verify")}
      </button>
      <button type="button" onClick={restart} className="w-full text-sm text-brand hover:underline">
        {t("back")}
      </button>
    </form>
  );
}
