import "server-only";
import { db } from "@/lib/db";
import type { DetailPairDto as ReadableDetail } from "@/lib/dto/compliance";
import { isUuid } from "./actors";

/**
 * An alert's or an access event's details as pairs a compliance officer can read: the key is a message key
 * (compliance.detailKeys.*, humanized when unlisted), ids of staff, patients and records are replaced by a name, an
 * MRN with the patient's name, or a record's type and date, and each carries where to look next. Identifiers and
 * counts only: the details never hold record content, and the names shown are those an officer already sees in
 * the log.
 */

const STAFF_KEYS = new Set(["staffId", "actorId", "subjectStaffId", "requestedById", "reportedBy", "approvedById", "reviewedById"]);
const PATIENT_KEYS = new Set(["patientId"]);
const RECORD_KEYS = new Set(["recordId", "recordIds", "supersedes"]);

type Names = {
  staff: Map<string, string>;
  patients: Map<string, { mrn: string; name: string }>;
  records: Map<string, { resourceType: string; recordedAt: Date }>;
};

function idsUnder(detailsList: readonly unknown[], keys: Set<string>): string[] {
  const out = new Set<string>();
  const walk = (value: unknown, key: string) => {
    if (Array.isArray(value)) for (const v of value) walk(v, key);
    else if (value !== null && typeof value === "object") for (const [k, v] of Object.entries(value)) walk(v, k);
    else if (keys.has(key) && typeof value === "string" && isUuid(value)) out.add(value);
  };
  for (const d of detailsList) walk(d, "");
  return [...out].slice(0, 2_000);
}

/** One round of look-ups for every id named in these details (three indexed queries at most). */
export async function namesFor(detailsList: readonly unknown[]): Promise<Names> {
  const staffIds = idsUnder(detailsList, STAFF_KEYS);
  const patientIds = idsUnder(detailsList, PATIENT_KEYS);
  const recordIds = idsUnder(detailsList, RECORD_KEYS);
  const [staff, patients, records] = await Promise.all([
    staffIds.length ? db().staff.findMany({ where: { id: { in: staffIds } }, select: { id: true, name: true } }) : [],
    patientIds.length ? db().patient.findMany({ where: { id: { in: patientIds } }, select: { id: true, mrn: true, name: true } }) : [],
    recordIds.length ? db().medicalRecord.findMany({ where: { id: { in: recordIds } }, select: { id: true, resourceType: true, recordedAt: true } }) : [],
  ]);
  return {
    staff: new Map(staff.map((s) => [s.id, s.name])),
    patients: new Map(patients.map((p) => [p.id, { mrn: p.mrn, name: p.name }])),
    records: new Map(records.map((r) => [r.id, { resourceType: r.resourceType, recordedAt: r.recordedAt }])),
  };
}

const shortId = (id: string) => `…${id.slice(-8)}`;
const day = (d: Date) => d.toISOString().slice(0, 10);

function describe(key: string, value: string, names: Names): Omit<ReadableDetail, "key"> {
  if (STAFF_KEYS.has(key) && names.staff.has(value)) return { value: names.staff.get(value)!, href: `/compliance/access-log?staff=${value}` };
  if (PATIENT_KEYS.has(key) && names.patients.has(value)) {
    const p = names.patients.get(value)!;
    return { value: `${p.name} (${p.mrn})`, href: `/compliance/access-log?mrn=${encodeURIComponent(p.mrn)}` };
  }
  if (RECORD_KEYS.has(key) && names.records.has(value)) {
    const r = names.records.get(value)!;
    return { value: `${r.resourceType} · ${day(r.recordedAt)}` };
  }
  // An id we cannot name (erased, or of a thing without a name): its tail, the whole id kept for the title.
  if (isUuid(value)) return { value: shortId(value), mono: true };
  return { value };
}

/** Flattens details to readable pairs; nested objects become `parent.child` keys, lists of ids one pair per item. */
export function readableDetails(details: unknown, names: Names, skip: readonly string[] = []): ReadableDetail[] {
  const out: ReadableDetail[] = [];
  const walk = (value: unknown, path: string, key: string) => {
    if (out.length >= 100) return;
    if (value !== null && typeof value === "object" && !Array.isArray(value)) {
      const entries = Object.entries(value as Record<string, unknown>);
      if (entries.length === 0 && path) out.push({ key: path, value: "—" });
      for (const [k, v] of entries) if (!(path === "" && skip.includes(k))) walk(v, path ? `${path}.${k}` : k, k);
      return;
    }
    if (Array.isArray(value) && value.length > 0 && value.every((v) => typeof v === "string" && isUuid(v))) {
      for (const v of value.slice(0, 50)) out.push({ key: path, ...describe(key, v as string, names) });
      if (value.length > 50) out.push({ key: path, value: `+${value.length - 50}` });
      return;
    }
    if (typeof value === "string") {
      out.push({ key: path || "value", ...describe(key, value.length > 500 ? `${value.slice(0, 500)}…` : value, names) });
      return;
    }
    const text = Array.isArray(value) ? value.map((v) => (v !== null && typeof v === "object" ? JSON.stringify(v) : String(v))).join(", ") : value === null ? "—" : String(value);
    out.push({ key: path || "value", value: text.length > 500 ? `${text.slice(0, 500)}…` : text });
  };
  walk(details, "", "");
  return out;
}
