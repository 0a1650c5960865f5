-- The chart's completeness check (issue #17 part 5, ADR 023): one patient's creation events by record id, type and
-- the record each one supersedes, without reading the patient's other events (views, alerts), which grow without bound.
CREATE INDEX "AccessEvent_record_created_patient_idx" ON "AccessEvent" ("patientId", (details ->> 'recordId'), (details ->> 'resourceType'), (details ->> 'supersedes'))
  WHERE action = 'record.created';
