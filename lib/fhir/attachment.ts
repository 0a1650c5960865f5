// Integrity of the attachments a record carries (FHIR R4 Attachment): the record may state the SHA-1 of its data
// (`hash`, base64) and its length (`size`). Both are claims inside the record itself, so a match shows the data was
// not altered or truncated apart from its claims; it is the anchoring of the whole record that makes it evidence.
import { createHash } from "node:crypto";

export type AttachmentCheck = {
  /** Position of the attachment in the resource: `content[index]` (DocumentReference) or `presentedForm[index]`. */
  index: number;
  title: string | null;
  contentType: string | null;
  /** The decoded length of inline data when it decodes, else the size the record states, else null. */
  size: number | null;
  /**
   * match: inline data agrees with its stated hash (and size, if stated).
   * mismatch: inline data disagrees with its stated hash or size.
   * unhashed: inline data (or no content at all) with no hash to check against.
   * external: the content is only referenced by `url`; nothing here to check.
   * invalid: the data is not base64, or the stated hash or size is malformed.
   */
  state: "match" | "mismatch" | "unhashed" | "external" | "invalid";
};

type Json = Record<string, unknown>;

function obj(value: unknown): Json | undefined {
  return typeof value === "object" && value !== null && !Array.isArray(value) ? (value as Json) : undefined;
}

function str(value: unknown): string | null {
  return typeof value === "string" && value.trim() !== "" ? value : null;
}

// Canonical base64 (RFC 4648 §4, with padding). FHIR allows whitespace between groups, which is removed first.
// A loop, not a regular expression: a repeated group over a document-sized string (13 MB of base64 for a 10 MB
// upload) overflows the regex engine's stack.
function isBase64(s: string): boolean {
  if (s.length % 4 !== 0) return false;
  const padding = s.endsWith("==") ? 2 : s.endsWith("=") ? 1 : 0;
  for (let i = 0; i < s.length - padding; i++) {
    const c = s.charCodeAt(i);
    const ok = (c >= 65 && c <= 90) || (c >= 97 && c <= 122) || (c >= 48 && c <= 57) || c === 43 || c === 47;
    if (!ok) return false;
  }
  return true;
}

/** Decodes strict base64; null when the text is not base64 (Buffer.from alone silently skips bad characters). */
function decodeBase64(value: unknown): Buffer | null {
  if (typeof value !== "string") return null;
  const compact = value.replace(/\s+/g, "");
  if (compact === "" || !isBase64(compact)) return null;
  return Buffer.from(compact, "base64");
}

const SHA1_BYTES = 20;

function checkOne(attachment: unknown, index: number): AttachmentCheck {
  const a = obj(attachment) ?? {};
  const declaredSize = a.size;
  const base = {
    index,
    title: str(a.title),
    contentType: str(a.contentType),
    size: typeof declaredSize === "number" && Number.isSafeInteger(declaredSize) && declaredSize >= 0 ? declaredSize : null,
  };

  if (a.data === undefined) {
    if (str(a.url) !== null) return { ...base, state: "external" };
    // Neither inline data nor a reference: there is no content, so nothing to check.
    return { ...base, state: "unhashed" };
  }

  const data = decodeBase64(a.data);
  if (data === null) return { ...base, state: "invalid" };
  const withLength = { ...base, size: data.length };

  if (declaredSize !== undefined && base.size === null) return { ...withLength, state: "invalid" };
  const sizeAgrees = base.size === null || base.size === data.length;

  if (a.hash === undefined) return { ...withLength, state: sizeAgrees ? "unhashed" : "mismatch" };
  const hash = decodeBase64(a.hash);
  if (hash === null || hash.length !== SHA1_BYTES) return { ...withLength, state: "invalid" };
  const actual = createHash("sha1").update(data).digest();
  return { ...withLength, state: actual.equals(hash) && sizeAgrees ? "match" : "mismatch" };
}

/**
 * Checks each attachment of a DocumentReference (`content[].attachment`) or a DiagnosticReport (`presentedForm[]`)
 * against its stated hash and size. Other resource types carry no attachments here: [].
 */
export function checkAttachments(resource: unknown): AttachmentCheck[] {
  const r = obj(resource);
  if (!r) return [];
  switch (r.resourceType) {
    case "DocumentReference":
      return Array.isArray(r.content) ? r.content.map((content, index) => checkOne(obj(content)?.attachment, index)) : [];
    case "DiagnosticReport":
      return Array.isArray(r.presentedForm) ? r.presentedForm.map((form, index) => checkOne(form, index)) : [];
    default:
      return [];
  }
}
