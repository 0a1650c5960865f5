-- The chart's completeness check (issue #17 part 5, ADR 023) on every chart view: one patient's creation events, and
-- the rows they name, read from the indexes alone (index-only scans), without the patient's other events (views,
-- alerts: they grow without bound) and without one heap page per record. `details` of a creation event is a few
-- hundred bytes (record id, commitment, type, source, upload, supersedes).
CREATE INDEX "AccessEvent_record_created_patient_idx" ON "AccessEvent" ("patientId") INCLUDE (details) WHERE action = 'record.created';
CREATE INDEX "MedicalRecord_patientId_id_idx" ON "MedicalRecord" ("patientId", id) INCLUDE ("supersededAt", "recordedAt");
