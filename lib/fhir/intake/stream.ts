// Reading a Bundle as it arrives (issue #24, large bodies): the bytes of a Bundle JSON are split into its entries, one
// at a time, and its envelope (every member but `entry`), so that a body of 10,000 entries and more never has to be
// held whole. Each entry's bytes go through parseJsonWithLimits like any upload (UTF-8, depth, forbidden keys and
// characters): streaming changes where the file is cut, never what is accepted. Pure: bytes in, values out.
//
// The scan works on bytes: every JSON structural character is ASCII, and every byte of a multi-byte UTF-8 sequence is
// 0x80 or above, so quotes, backslashes and brackets are found without decoding.
import { IntakeRejectedError, isObject, type IntakeLimits, type Json } from "./model";
import { parseJsonWithLimits } from "./parse";

export type StreamLimits = IntakeLimits & {
  /** Bytes of one entry (resource and request together), and of the envelope's other members together. */
  maxEntryBytes: number;
};

/** What the splitter yields, in file order: each entry as it completes; the envelope when the Bundle closes. */
export type BundlePart =
  | { kind: "entry"; index: number; value: unknown; bytes: Uint8Array }
  /** `resourceType` and `type` as soon as they are read: a streamed batch is stored while it arrives, so it must be known early. */
  | { kind: "member"; name: "resourceType" | "type"; value: unknown }
  | { kind: "envelope"; value: Json };

const QUOTE = 0x22;
const BACKSLASH = 0x5c;
const COLON = 0x3a;
const COMMA = 0x2c;
const OPEN_OBJECT = 0x7b;
const CLOSE_OBJECT = 0x7d;
const OPEN_ARRAY = 0x5b;
const CLOSE_ARRAY = 0x5d;
const isSpace = (c: number) => c === 0x20 || c === 0x0a || c === 0x0d || c === 0x09;
const isOpen = (c: number) => c === OPEN_OBJECT || c === OPEN_ARRAY;
const isClose = (c: number) => c === CLOSE_OBJECT || c === CLOSE_ARRAY;

function malformed(message = "The Bundle's JSON is malformed."): never {
  throw new IntakeRejectedError("not_json", [{ entry: null, resourceType: null, field: null, message, code: "structure" }]);
}

type Capture = { kind: "entry" | "member"; shape: "container" | "string" | "scalar"; depth: number; chunks: Uint8Array[]; size: number };

/**
 * Incremental splitter: `push` each chunk as it arrives and take the parts it completed; `end` when the body is done.
 * Holds the entry being read and the envelope's own members — nothing else.
 */
export class BundleSplitter {
  private total = 0;
  private depth = 0;
  private started = false;
  private done = false;
  private inString = false;
  private escaped = false;
  /** Top level: the key being read (raw bytes), the member whose value comes next, and whether a comma is due. */
  private key: number[] | null = null;
  private member: string | null = null;
  private awaitingValue = false;
  private afterValue = false;
  private inEntries = false;
  private capture: Capture | null = null;
  private envelope: string[] = [];
  private envelopeSize = 0;
  private index = 0;

  constructor(private readonly limits: StreamLimits) {}

  push(chunk: Uint8Array): BundlePart[] {
    const parts: BundlePart[] = [];
    this.total += chunk.byteLength;
    if (this.total > this.limits.maxBytes) throw new IntakeRejectedError("too_large");
    let from = this.capture ? 0 : -1;
    let i = !this.started && this.total === chunk.byteLength && chunk[0] === 0xef && chunk[1] === 0xbb && chunk[2] === 0xbf ? 3 : 0;
    for (; i < chunk.length; i++) {
      const c = chunk[i]!;
      if (this.inString) {
        if (this.escaped) this.escaped = false;
        else if (c === BACKSLASH) this.escaped = true;
        else if (c === QUOTE) this.inString = false;
        if (this.key) {
          if (this.inString) this.key.push(c);
          else this.finishKey();
        } else if (!this.inString && this.capture?.shape === "string") {
          parts.push(...this.complete(chunk.subarray(from, i + 1)));
          from = -1;
        }
        continue;
      }
      const capture = this.capture;
      if (capture?.shape === "scalar") {
        if (!isSpace(c) && c !== COMMA && !isClose(c)) continue;
        parts.push(...this.complete(chunk.subarray(from, i)));
        from = -1;
        // The delimiter is structure: read below.
      } else if (capture) {
        if (c === QUOTE) this.inString = true;
        else if (isOpen(c)) this.deeper();
        else if (isClose(c) && --this.depth === capture.depth) {
          parts.push(...this.complete(chunk.subarray(from, i + 1)));
          from = -1;
        }
        continue;
      }
      if (isSpace(c)) continue;
      if (this.done) malformed("Text follows the end of the Bundle.");
      if (!this.started) {
        if (c !== OPEN_OBJECT) malformed("The body is not a JSON object.");
        this.started = true;
        this.depth = 1;
        continue;
      }
      if (this.awaitingValue) {
        this.awaitingValue = false;
        if (this.member === "entry") {
          if (c !== OPEN_ARRAY) malformed("Bundle.entry must be an array.");
          this.inEntries = true;
          this.depth = 2;
          continue;
        }
        from = this.start("member", c, i);
        continue;
      }
      if (c === COMMA) {
        if (!this.afterValue) malformed();
        this.afterValue = false;
        continue;
      }
      if (this.inEntries) {
        if (c === CLOSE_ARRAY) {
          this.inEntries = false;
          this.depth = 1;
          this.member = null;
          this.afterValue = true;
          continue;
        }
        if (this.afterValue) malformed("Bundle.entry is missing a comma between two entries.");
        from = this.start("entry", c, i);
        continue;
      }
      // The top level, between members.
      if (c === CLOSE_OBJECT) {
        if (this.member !== null) malformed();
        this.done = true;
        this.depth = 0;
        parts.push({ kind: "envelope", value: this.envelopeValue() });
      } else if (c === QUOTE && this.member === null && !this.afterValue) {
        this.inString = true;
        this.key = [];
      } else if (c === COLON && this.member !== null) {
        this.awaitingValue = true;
      } else {
        malformed();
      }
    }
    if (this.capture && from >= 0) this.take(chunk.subarray(from));
    return parts;
  }

  /** The body ended: the Bundle must have ended too. */
  end(): void {
    if (!this.done) malformed("The body ended before the Bundle did (truncated?).");
  }

  private deeper() {
    if (++this.depth > this.limits.maxDepth) {
      throw new IntakeRejectedError("too_deep", [{ entry: null, resourceType: null, field: null, message: `Objects and arrays nest deeper than ${this.limits.maxDepth} levels.`, code: "too-costly" }]);
    }
  }

  /** A value starts at byte `i`; returns where its bytes start. */
  private start(kind: Capture["kind"], c: number, i: number): number {
    const shape = c === QUOTE ? "string" : isOpen(c) ? "container" : "scalar";
    this.capture = { kind, shape, depth: this.depth, chunks: [], size: 0 };
    if (shape === "string") this.inString = true;
    if (shape === "container") this.deeper();
    return i;
  }

  private take(bytes: Uint8Array) {
    const capture = this.capture!;
    capture.size += bytes.byteLength;
    const limit = capture.kind === "entry" ? this.limits.maxEntryBytes : this.limits.maxEntryBytes - this.envelopeSize;
    if (capture.size > limit) {
      throw new IntakeRejectedError("too_large", [
        capture.kind === "entry"
          ? { entry: this.index, resourceType: null, field: `Bundle.entry[${this.index}]`, message: `The entry is larger than ${this.limits.maxEntryBytes} bytes.`, code: "too-costly" }
          : { entry: null, resourceType: "Bundle", field: null, message: `The Bundle's members other than its entries are larger than ${this.limits.maxEntryBytes} bytes.`, code: "too-costly" },
      ]);
    }
    // Copied: the caller may reuse the chunk's buffer.
    capture.chunks.push(bytes.slice());
  }

  /** The current value ended with `last` (its final bytes in this chunk). */
  private complete(last: Uint8Array): BundlePart[] {
    this.take(last);
    const capture = this.capture!;
    this.capture = null;
    this.afterValue = true;
    const bytes = Buffer.concat(capture.chunks);
    if (capture.kind === "member") {
      const name = this.member;
      this.envelope.push(`${JSON.stringify(name)}:${bytes.toString("utf8")}`);
      this.envelopeSize += bytes.byteLength;
      this.member = null;
      if (name === "resourceType" || name === "type") {
        let value: unknown;
        try {
          value = JSON.parse(bytes.toString("utf8"));
        } catch {
          malformed();
        }
        return [{ kind: "member", name, value }];
      }
      return [];
    }
    const index = this.index++;
    if (index >= this.limits.maxEntries) {
      throw new IntakeRejectedError("too_many_entries", [{ entry: null, resourceType: "Bundle", field: "Bundle.entry", message: `The bundle has more than ${this.limits.maxEntries} entries.`, code: "too-costly" }]);
    }
    // An entry nests two levels below the top of the file (the Bundle, its entry array).
    const value = parseJsonWithLimits(bytes, { ...this.limits, maxBytes: this.limits.maxEntryBytes, maxDepth: this.limits.maxDepth - 2 });
    return [{ kind: "entry", index, value, bytes }];
  }

  private finishKey() {
    let name: unknown;
    try {
      name = JSON.parse(`"${Buffer.from(this.key!).toString("utf8")}"`);
    } catch {
      malformed();
    }
    this.key = null;
    this.member = String(name);
    if (this.envelope.some((m) => m.startsWith(`${JSON.stringify(this.member)}:`)) || (this.member === "entry" && this.index > 0)) malformed(`The Bundle has "${this.member}" twice.`);
  }

  private envelopeValue(): Json {
    const value = parseJsonWithLimits(Buffer.from(`{${this.envelope.join(",")}}`, "utf8"), { ...this.limits, maxBytes: this.limits.maxEntryBytes + 2 });
    if (!isObject(value)) malformed();
    return value;
  }
}

/** The parts of a Bundle read from a request body (or any byte stream), as they complete. */
export async function* splitBundle(body: ReadableStream<Uint8Array> | AsyncIterable<Uint8Array>, limits: StreamLimits): AsyncGenerator<BundlePart> {
  const splitter = new BundleSplitter(limits);
  if ("getReader" in body) {
    const reader = body.getReader();
    try {
      for (;;) {
        const { done, value } = await reader.read();
        if (done) break;
        yield* splitter.push(value);
      }
    } finally {
      // Refused or abandoned half-way: the rest of the body is not read.
      await reader.cancel().catch(() => undefined);
    }
  } else {
    for await (const chunk of body) yield* splitter.push(chunk);
  }
  splitter.end();
}
