"use client";

import { useTranslations } from "next-intl";

// Shows no error details: messages can carry internals, and never patient data on screen by accident.
export default function ErrorPage({ reset }: { error: Error & { digest?: string }; reset: () => void }) {
  const t = useTranslations("errors");
  return (
    <div role="alert" className="mx-auto max-w-lg text-center">
      <h1 className="mb-2 text-2xl font-bold">{t("errorTitle")}</h1>
      <p className="mb-4 text-ink-muted">{t("errorBody")}</p>
      <button type="button" onClick={reset} className="rounded bg-brand px-4 py-2 text-white">
        {t("retry")}
      </button>
    </div>
  );
}
