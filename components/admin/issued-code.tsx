"use client";

import { useFormatter, useTranslations } from "next-intl";
import type { IssuedCodeDto } from "@/lib/dto/admin";

/** The one-time code, shown once, in a large monospaced face for reading aloud or copying onto a slip. */
export function IssuedCode({ code, name }: { code: IssuedCodeDto; name: string }) {
  const t = useTranslations("admin");
  const format = useFormatter();
  return (
    <section aria-labelledby="issued-code-title" className="rounded-lg border-2 border-warn bg-warn-soft p-4">
      <h2 id="issued-code-title" className="text-lg font-bold text-ink">
        {t("codeTitle")}
      </h2>
      <p className="mt-2 text-sm text-ink">{code.purpose === "ACTIVATION" ? t("codeIntro", { name, url: "/activate" }) : t("codeIntroReset", { url: "/activate" })}</p>
      <p className="my-3 select-all font-mono text-2xl font-bold tracking-widest text-ink" data-testid="one-time-code">
        {code.code}
      </p>
      <p className="text-sm text-ink">{t("codeExpires", { time: format.dateTime(new Date(code.expiresAt), "audit") })}</p>
    </section>
  );
}
