// Step 1 of intake: bytes to a parsed JSON value, within the limits, refusing what is hostile before building it.
import { createHash } from "node:crypto";
import { IntakeRejectedError, isObject, type IntakeLimits } from "./model";

// Keys that turn a later merge or spread into prototype pollution. Refused rather than dropped: FHIR has no element by
// these names, so a file carrying them was made to attack something.
const FORBIDDEN_KEYS = new Set(["__proto__", "constructor", "prototype"]);

/**
 * Deepest nesting of objects and arrays in JSON text, counted before parsing so that a hostile file is refused without
 * building it. Stops counting (and returns) as soon as `limit` is passed. Linear in the text.
 */
export function jsonDepth(text: string, limit = Number.POSITIVE_INFINITY): number {
  let depth = 0;
  let max = 0;
  let inString = false;
  for (let i = 0; i < text.length; i++) {
    const c = text.charCodeAt(i);
    if (inString) {
      if (c === 0x5c) i++; // backslash: the next character is escaped
      else if (c === 0x22) inString = false;
    } else if (c === 0x22) {
      inString = true;
    } else if (c === 0x7b || c === 0x5b) {
      depth++;
      if (depth > max) {
        max = depth;
        if (max > limit) return max;
      }
    } else if (c === 0x7d || c === 0x5d) {
      depth--;
    }
  }
  return max;
}

/**
 * The first forbidden key or NUL character in a parsed value, with its path, or null. Iterative: the depth is already
 * bounded. (PostgreSQL cannot store U+0000 in jsonb: refused here with a clear message rather than failing the insert.)
 */
function forbiddenContent(root: unknown): { kind: "key" | "character"; path: string } | null {
  const stack: { value: unknown; path: string }[] = [{ value: root, path: "" }];
  while (stack.length > 0) {
    const { value, path } = stack.pop()!;
    if (typeof value === "string") {
      if (value.includes("\u0000")) return { kind: "character", path };
    } else if (Array.isArray(value)) {
      value.forEach((item, i) => stack.push({ value: item, path: `${path}[${i}]` }));
    } else if (isObject(value)) {
      for (const key of Object.keys(value)) {
        const child = path ? `${path}.${key}` : key;
        if (FORBIDDEN_KEYS.has(key)) return { kind: "key", path: child };
        if (key.includes("\u0000")) return { kind: "character", path: child };
        stack.push({ value: value[key], path: child });
      }
    }
  }
  return null;
}

/** Parses uploaded JSON within the limits: size, UTF-8, nesting depth, no prototype-polluting keys. */
export function parseJsonWithLimits(bytes: Uint8Array, limits: IntakeLimits): unknown {
  if (bytes.byteLength === 0) throw new IntakeRejectedError("empty");
  if (bytes.byteLength > limits.maxBytes) throw new IntakeRejectedError("too_large");
  let text: string;
  try {
    text = new TextDecoder("utf-8", { fatal: true, ignoreBOM: false }).decode(bytes);
  } catch {
    throw new IntakeRejectedError("not_json", [{ entry: null, resourceType: null, field: null, message: "The file is not UTF-8 text.", code: "structure" }]);
  }
  if (jsonDepth(text, limits.maxDepth) > limits.maxDepth) {
    throw new IntakeRejectedError("too_deep", [{ entry: null, resourceType: null, field: null, message: `Objects and arrays nest deeper than ${limits.maxDepth} levels.`, code: "too-costly" }]);
  }
  let parsed: unknown;
  try {
    parsed = JSON.parse(text);
  } catch (error) {
    // The parser's message names a position in the file, never its content.
    const message = error instanceof SyntaxError ? error.message.replace(/"[^"]*"/g, "…").slice(0, 200) : "not JSON";
    throw new IntakeRejectedError("not_json", [{ entry: null, resourceType: null, field: null, message, code: "structure" }]);
  }
  const forbidden = forbiddenContent(parsed);
  if (forbidden?.kind === "key") {
    throw new IntakeRejectedError("forbidden_key", [{ entry: null, resourceType: null, field: forbidden.path, message: "This key is not part of FHIR and is refused.", code: "security" }]);
  }
  if (forbidden?.kind === "character") {
    throw new IntakeRejectedError("forbidden_character", [{ entry: null, resourceType: null, field: forbidden.path, message: "The text contains a NUL character (U+0000), which is not allowed.", code: "structure" }]);
  }
  return parsed;
}

/** Whether the bytes look like JSON (after an optional BOM and whitespace), to route a file to the JSON path. */
export function looksLikeJson(bytes: Uint8Array): boolean {
  let i = bytes[0] === 0xef && bytes[1] === 0xbb && bytes[2] === 0xbf ? 3 : 0;
  while (i < bytes.length && (bytes[i] === 0x20 || bytes[i] === 0x0a || bytes[i] === 0x0d || bytes[i] === 0x09)) i++;
  return bytes[i] === 0x7b || bytes[i] === 0x5b;
}

/** sha256 (hex) of the bytes received, kept on the upload row and anchored in its `records.uploaded` event. */
export function bytesSha256(bytes: Uint8Array | string): string {
  return createHash("sha256").update(bytes).digest("hex");
}
