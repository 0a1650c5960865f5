/**
 * Where a record came from. Committed in recipe v2 (ADR 017) and shown beside every record, so the list is closed:
 * a unit test fails when one has no label in both languages (sources.<source>).
 */
export const RECORD_SOURCES = ["SEED", "CLINICIAN", "PATIENT_UPLOAD", "HOSPITAL_SYSTEM"] as const;

export type RecordSource = (typeof RECORD_SOURCES)[number];
