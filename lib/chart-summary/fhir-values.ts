// Small readers of FHIR R4 JSON for the clinical summary. Pure: no I/O, no trust decisions (those are the caller's).

export type Json = Record<string, unknown>;

export function obj(value: unknown): Json | undefined {
  return typeof value === "object" && value !== null && !Array.isArray(value) ? (value as Json) : undefined;
}

export function list(value: unknown): unknown[] {
  return Array.isArray(value) ? value : [];
}

export function str(value: unknown): string | undefined {
  return typeof value === "string" && value.trim() !== "" ? value.trim() : undefined;
}

export function num(value: unknown): number | undefined {
  return typeof value === "number" && Number.isFinite(value) ? value : undefined;
}

export type Coding = { system: string | undefined; code: string | undefined; display: string | undefined };

export function codings(concept: unknown): Coding[] {
  return list(obj(concept)?.coding)
    .map(obj)
    .filter((c): c is Json => c !== undefined)
    .map((c) => ({ system: str(c.system), code: str(c.code), display: str(c.display) }));
}

/** A CodeableConcept's text, else its first coding's display, else its code. */
export function conceptLabel(concept: unknown): string | undefined {
  const c = obj(concept);
  if (!c) return undefined;
  const first = codings(c)[0];
  return str(c.text) ?? first?.display ?? first?.code;
}

export function hasCoding(concept: unknown, system: string | RegExp, code: string): boolean {
  return codings(concept).some((c) => c.code === code && (typeof system === "string" ? c.system === system : system.test(c.system ?? "")));
}

/** The first coding's code (FHIR status concepts: clinicalStatus, verificationStatus…). */
export function conceptCode(concept: unknown): string | undefined {
  return codings(concept)[0]?.code;
}

export const LOINC = "http://loinc.org";

/**
 * The key of a test in the results table: its LOINC code, else its first coding as system|code, else its text.
 * Never undefined for a coded or named test, so no result is dropped for lack of a LOINC code.
 */
export function testKey(code: unknown): { key: string; loinc: string | null; label: string } | null {
  const all = codings(code);
  const loinc = all.find((c) => c.system === LOINC && c.code);
  const label = conceptLabel(code);
  if (loinc?.code) return { key: loinc.code, loinc: loinc.code, label: label ?? loinc.code };
  const first = all.find((c) => c.code);
  if (first?.code) return { key: `${first.system ?? ""}|${first.code}`, loinc: null, label: label ?? first.code };
  if (label) return { key: `text|${label.toLowerCase()}`, loinc: null, label };
  return null;
}

/**
 * A FHIR date, dateTime or instant as written, with the instant it starts at for ordering. Partial dates (YYYY,
 * YYYY-MM) and date-only values stay partial: the UI shows them as such, never with an invented time.
 */
export type ClinicalDate = { value: string; precision: "year" | "month" | "day" | "time"; sortKey: number };

const DATE_FORM = /^(\d{4})(?:-(\d{2})(?:-(\d{2})(T\d{2}:\d{2}(?::\d{2}(?:\.\d+)?)?(?:Z|[+-]\d{2}:\d{2})?)?)?)?$/;

export function clinicalDate(value: unknown): ClinicalDate | undefined {
  const text = str(value);
  const match = text ? DATE_FORM.exec(text) : null;
  if (!text || !match) return undefined;
  const [, year, month, day, time] = match;
  const precision = time ? "time" : day ? "day" : month ? "month" : "year";
  const sortKey = time ? Date.parse(text) : Date.UTC(Number(year), Number(month ?? "1") - 1, Number(day ?? "1"));
  if (!Number.isFinite(sortKey)) return undefined;
  return { value: text, precision, sortKey };
}

/** The first of several candidate date fields that holds a readable date. */
export function firstDate(...values: unknown[]): ClinicalDate | undefined {
  for (const value of values) {
    const date = clinicalDate(value);
    if (date) return date;
  }
  return undefined;
}

export type Quantity = { value: number; unit: string | null; comparator: string | null };

export function quantity(value: unknown): Quantity | undefined {
  const q = obj(value);
  const n = num(q?.value);
  if (!q || n === undefined) return undefined;
  return { value: n, unit: str(q.unit) ?? str(q.code) ?? null, comparator: str(q.comparator) ?? null };
}
