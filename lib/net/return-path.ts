// Where a sign-in returns to. Only a path on this site is ever followed: anything that a browser could read as
// another origin (a scheme, `//host`, `/\host`, tabs or newlines it would strip, an encoded slash or backslash that a
// later decode would turn into one) is refused, and the caller falls back to the role's home.

const BASE = "http://return-path.invalid";
// Pages a sign-in must never return to: the sign-in itself (a loop), activation, and API routes (JSON, not a page).
const NOT_RETURNABLE = /^\/(login|activate|api)(\/|\?|#|$)/;

/** A same-origin path (with its query) to return to after sign-in, or null when `raw` is not one. */
export function safeReturnPath(raw: unknown): string | null {
  if (typeof raw !== "string" || raw.length === 0 || raw.length > 2048) return null;
  if (!raw.startsWith("/") || raw.startsWith("//")) return null;
  // Backslashes are slashes to browsers; control characters and whitespace are stripped by them before parsing.
  if (/[\\\s\u0000-\u001f\u007f]/.test(raw)) return null;
  let decoded: string;
  try {
    decoded = decodeURIComponent(raw);
  } catch {
    return null;
  }
  if (decoded.startsWith("//") || /[\\\u0000-\u001f\u007f]/.test(decoded)) return null;
  let url: URL;
  try {
    url = new URL(raw, BASE);
  } catch {
    return null;
  }
  if (url.origin !== BASE) return null;
  const path = `${url.pathname}${url.search}`;
  if (url.pathname === "/" || NOT_RETURNABLE.test(path)) return null;
  return path;
}

/** The sign-in page for a signed-out visit to `path` (a path that cannot be returned to is simply left out). */
export function loginPath(path: string | null): string {
  const back = safeReturnPath(path);
  return back ? `/login?callbackUrl=${encodeURIComponent(back)}` : "/login";
}
