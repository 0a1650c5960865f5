"use client";

import { useSyncExternalStore } from "react";
import { useFormatter, useTranslations } from "next-intl";
import type { IssuedCodeDto } from "@/lib/dto/admin";

const noSubscription = () => () => {};

/**
 * The one-time code, shown once, in a large monospaced face for reading aloud — and as a printable slip with the
 * portal's full address, so the person can activate from any device without being told where to go.
 */
export function IssuedCode({ code, name }: { code: IssuedCodeDto; name: string }) {
  const t = useTranslations("admin");
  const format = useFormatter();
  // The address this screen was reached at is the portal's address for this hospital (behind its proxy too).
  const origin = useSyncExternalStore(noSubscription, () => window.location.origin, () => "");
  const url = `${origin}/activate`;
  return (
    <section aria-labelledby="issued-code-title" className="print-slip rounded-lg border-2 border-warn bg-warn-soft p-4" data-activation-slip>
      <h2 id="issued-code-title" className="text-lg font-bold text-ink">
        {t("codeTitle")}
      </h2>
      <p className="mt-2 text-sm text-ink">{code.purpose === "ACTIVATION" ? t("codeIntro", { name, url }) : t("codeIntroReset", { url })}</p>
      <p className="my-3 select-all font-mono text-2xl font-bold tracking-widest text-ink" data-testid="one-time-code">
        {code.code}
      </p>
      <p className="text-sm text-ink">
        {t("slipAddress")}: <strong className="break-all" data-activation-url>{url}</strong>
      </p>
      <p className="text-sm text-ink">{t("codeExpires", { time: format.dateTime(new Date(code.expiresAt), "audit") })}</p>
      <button type="button" onClick={() => window.print()} className="no-print mt-3 rounded border border-line-strong bg-surface px-3 py-1.5 text-sm font-semibold hover:bg-surface-muted">
        {t("printSlip")}
      </button>
    </section>
  );
}
