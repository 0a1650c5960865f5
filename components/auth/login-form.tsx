"use client";

import { signIn } from "next-auth/react";
import { useTranslations } from "next-intl";
import { useRouter } from "next/navigation";
import { useState, type FormEvent } from "react";

type AccountKind = "staff" | "patient";

export function LoginForm() {
  const t = useTranslations("login");
  const router = useRouter();
  const [kind, setKind] = useState<AccountKind>("staff");
  const [error, setError] = useState(false);
  const [pending, setPending] = useState(false);

  async function onSubmit(event: FormEvent<HTMLFormElement>) {
    event.preventDefault();
    const form = new FormData(event.currentTarget);
    setPending(true);
    setError(false);
    const result = await signIn(kind, {
      email: String(form.get("email") ?? ""),
      password: String(form.get("password") ?? ""),
      redirect: false,
    });
    setPending(false);
    if (!result || result.error) {
      setError(true);
      return;
    }
    // The home page sends each role to its own start page.
    router.replace("/");
    router.refresh();
  }

  return (
    <form onSubmit={onSubmit} className="space-y-4" noValidate>
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
      {error ? (
        <p role="alert" className="rounded border border-danger bg-danger-soft px-3 py-2 text-sm text-danger">
          {t("failed")}
        </p>
      ) : null}
      <button type="submit" disabled={pending} className="w-full rounded bg-brand px-4 py-2 font-semibold text-white hover:bg-brand-strong disabled:opacity-70">
        {pending ? t("submitting") : t("submit")}
      </button>
    </form>
  );
}
