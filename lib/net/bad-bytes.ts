// Bytes no field of ours ever needs: NUL (PostgreSQL refuses it in text: 22021), lone UTF-16 surrogates (the
// canonicalizer refuses them) and malformed or overlong UTF-8. Refused at the edge with a 400 rather than reaching a
// query and failing as a 500 (issue 21). Pure.

const LONE_SURROGATE = /[\uD800-\uDBFF](?![\uDC00-\uDFFF])|(?<![\uD800-\uDBFF])[\uDC00-\uDFFF]/;

export function badText(text: string): boolean {
  return text.includes("\u0000") || LONE_SURROGATE.test(text);
}

/** Malformed UTF-8, overlong forms included (a fatal decoder refuses both). */
export function badUtf8(bytes: Uint8Array): boolean {
  try {
    new TextDecoder("utf-8", { fatal: true }).decode(bytes);
    return false;
  } catch {
    return true;
  }
}

/** A query string or an urlencoded body, undecoded: a %-escape that is not UTF-8, or a decoded NUL or lone surrogate. */
export function badQuery(raw: string): boolean {
  const text = raw.startsWith("?") ? raw.slice(1) : raw;
  if (!text) return false;
  for (const part of text.split("&")) {
    for (const piece of part.split("=")) {
      let decoded: string;
      try {
        decoded = decodeURIComponent(piece.replace(/\+/g, " "));
      } catch {
        return true;
      }
      // U+FFFD: something upstream already replaced a malformed sequence; no field of ours needs the character.
      if (badText(decoded) || decoded.includes("\uFFFD")) return true;
    }
  }
  return false;
}

/**
 * Text that may be JSON (a server action's encoded arguments): true when a string in it, once parsed, carries a NUL or
 * a lone surrogate (JSON writes both as escapes, which badText cannot see). Text that is not JSON is not judged here.
 */
export function badJson(text: string): boolean {
  if (!/\\u/i.test(text)) return false;
  let bad = false;
  try {
    JSON.parse(text, (key, value: unknown) => {
      if (badText(key) || (typeof value === "string" && badText(value))) bad = true;
      return value;
    });
  } catch {
    return false;
  }
  return bad;
}
