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

type Forbidden = { kind: "key" | "nul" | "surrogate"; path: string };

/** What is wrong with a string PostgreSQL must store: a NUL (text and jsonb cannot hold U+0000), an unpaired surrogate
 * (a `\uD800`-style escape without its pair: not Unicode, and jsonb refuses it), or nothing. */
function badCharacter(text: string): "nul" | "surrogate" | null {
  if (text.includes("\u0000")) return "nul";
  return (text as string & { isWellFormed(): boolean }).isWellFormed() ? null : "surrogate";
}

/**
 * The first forbidden key or character in a parsed value, with its path, or null. Iterative: the depth is already
 * bounded. Refused here with a message that names the element, rather than failing the database write later.
 */
function forbiddenContent(root: unknown): Forbidden | null {
  const stack: { value: unknown; path: string }[] = [{ value: root, path: "" }];
  while (stack.length > 0) {
    const { value, path } = stack.pop()!;
    if (typeof value === "string") {
      const bad = badCharacter(value);
      if (bad) return { kind: bad, path };
    } else if (Array.isArray(value)) {
      value.forEach((item, i) => stack.push({ value: item, path: `${path}[${i}]` }));
    } else if (isObject(value)) {
      for (const key of Object.keys(value)) {
        // A key that is itself the bad character is named by a placeholder: the answer must be valid text too.
        const shown = badCharacter(key) ? "?" : key;
        const child = path ? `${path}.${shown}` : shown;
        if (FORBIDDEN_KEYS.has(key)) return { kind: "key", path: child };
        const bad = badCharacter(key);
        if (bad) return { kind: bad, path: child };
        stack.push({ value: value[key], path: child });
      }
    }
  }
  return null;
}

const CHARACTER_MESSAGES = {
  nul: "The text contains a NUL character (U+0000), which is not allowed.",
  surrogate: "The text contains an unpaired surrogate (a \\uD800–\\uDFFF escape without its pair), which is not valid Unicode.",
} as const;

/** Line and column (1-based) of a position in the text, to point at a character that has no element to name. */
function lineAndColumn(text: string, at: number): string {
  const before = text.slice(0, at);
  const line = before.split("\n").length;
  return `line ${line}, column ${at - before.lastIndexOf("\n")}`;
}

/** Parses uploaded JSON within the limits: size, UTF-8, nesting depth, no prototype-polluting keys, no character the
 * database cannot store (NUL, unpaired surrogates). */
export function parseJsonWithLimits(bytes: Uint8Array, limits: IntakeLimits): unknown {
  if (bytes.byteLength === 0) throw new IntakeRejectedError("empty");
  if (bytes.byteLength > limits.maxBytes) throw new IntakeRejectedError("too_large");
  let text: string;
  try {
    text = new TextDecoder("utf-8", { fatal: true, ignoreBOM: false }).decode(bytes);
  } catch {
    throw new IntakeRejectedError("not_json", [{ entry: null, resourceType: null, field: null, message: "The file is not UTF-8 text.", code: "structure" }]);
  }
  // A NUL written as a raw byte (not as the escape \u0000) is not JSON at all; said plainly, with where it is.
  const nul = text.indexOf("\u0000");
  if (nul >= 0) {
    throw new IntakeRejectedError("forbidden_character", [{ entry: null, resourceType: null, field: null, message: `${CHARACTER_MESSAGES.nul} (${lineAndColumn(text, nul)})`, code: "structure" }]);
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
  if (forbidden) {
    throw new IntakeRejectedError("forbidden_character", [{ entry: null, resourceType: null, field: forbidden.path, message: CHARACTER_MESSAGES[forbidden.kind], code: "structure" }]);
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
