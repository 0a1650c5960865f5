import canonicalizeJson from "canonicalize";

/** RFC 8785 (JCS) canonical form, so the same resource always hashes the same way. */
export function canonicalize(value: unknown): string {
  const text = canonicalizeJson(value);
  if (text === undefined) throw new TypeError("value cannot be canonicalized");
  return text;
}
