import enErrors from "./i18n/messages/en/errors.json";
import koErrors from "./i18n/messages/ko/errors.json";
import { negotiateLocale, type Locale } from "./i18n/locale";

const MESSAGES: Record<Locale, typeof enErrors> = { en: enErrors, ko: koErrors };

/** Seconds a client (or a reverse proxy) should wait before trying again. */
export const RETRY_AFTER_SECONDS = 5;

const escapeHtml = (s: string) => s.replace(/[&<>"']/g, (c) => ({ "&": "&amp;", "<": "&lt;", ">": "&gt;", '"': "&quot;", "'": "&#39;" })[c]!);

/**
 * The page proxy.ts answers with (503) while the database cannot be reached: self-contained HTML — no React, no
 * data, no script — in the viewer's language (the locale cookie, else Accept-Language, else Korean), with a link that
 * reloads the page asked for. It names no internals: no error text, host or stack.
 */
export function unavailablePage(opts: { cookieLocale: string | undefined; acceptLanguage: string | null; path: string; nonce: string }): string {
  const locale = negotiateLocale(opts.cookieLocale, opts.acceptLanguage);
  const t = MESSAGES[locale];
  // Only a same-site path, never a query string (which could carry anything).
  const retry = opts.path.startsWith("/") && !opts.path.startsWith("//") ? opts.path : "/";
  return `<!DOCTYPE html>
<html lang="${locale}">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<meta name="robots" content="noindex">
<title>${escapeHtml(t.unavailableTitle)} · Chartproof</title>
<style nonce="${escapeHtml(opts.nonce)}">
body{font-family:system-ui,-apple-system,"Apple SD Gothic Neo","Noto Sans KR",sans-serif;margin:0;background:#f7f8fa;color:#1f2933}
main{max-width:36rem;margin:15vh auto;padding:2rem;background:#fff;border:1px solid #d9dee5;border-radius:.75rem;text-align:center}
h1{font-size:1.5rem;margin:0 0 .75rem}p{line-height:1.6;color:#52606d;margin:0 0 1.5rem}
a{display:inline-block;background:#1f5fbf;color:#fff;padding:.6rem 1.2rem;border-radius:.4rem;text-decoration:none;font-weight:600}
a:focus{outline:3px solid #f0b429;outline-offset:2px}
</style>
</head>
<body>
<main role="alert" data-unavailable="database">
<h1>${escapeHtml(t.unavailableTitle)}</h1>
<p>${escapeHtml(t.unavailableBody)}</p>
<a href="${escapeHtml(retry)}">${escapeHtml(t.unavailableRetry)}</a>
</main>
</body>
</html>
`;
}
