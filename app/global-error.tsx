"use client";

import enErrors from "@/lib/i18n/messages/en/errors.json";
import koErrors from "@/lib/i18n/messages/ko/errors.json";
import "./globals.css";

// Replaces the root layout when it fails (the layout reads the signed-in user, so it needs the database): a request
// caught mid-render by a database outage ends here, with status 500 — a page cannot set its own status. Requests that
// arrive while the outage is known get proxy.ts's 503 page instead (ADR 014). The layout's language is not known
// here (its provider failed with it), so the page speaks both, Korean first. No error details: messages can carry
// internals, and never patient data. Classes, not style attributes: the CSP allows no inline styles.
export default function GlobalError({ reset }: { error: Error & { digest?: string }; reset: () => void }) {
  return (
    <html lang="ko">
      <body className="min-h-screen font-sans antialiased">
        <main role="alert" data-global-error="" className="mx-auto mt-24 max-w-lg px-4 text-center">
          {[koErrors, enErrors].map((t, i) => (
            <section key={t.errorTitle} lang={i === 0 ? "ko" : "en"} className="mb-6">
              <h1 className="mb-2 text-2xl font-bold">{t.errorTitle}</h1>
              <p className="text-ink-muted">{t.errorBody}</p>
            </section>
          ))}
          <button type="button" onClick={reset} className="rounded bg-brand px-4 py-2 text-white">
            {koErrors.retry} · {enErrors.retry}
          </button>
        </main>
      </body>
    </html>
  );
}
