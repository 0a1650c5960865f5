-- THE ONE PLACE that says what each tier may do (docs/decisions/016-database-refuses-to-rewrite-history.md).
-- Not a migration: it is re-applied, as the owner, after every `prisma migrate deploy` (scripts/embedded/stack.ts
-- migrateDeploy, which `npm start`, `npm run db:migrate`, the tests and the bench use). A migration that adds a table
-- adds its grants here, never a copy of this function. The migrations up to 20261207210000 created the function;
-- this file replaces it in place.
CREATE OR REPLACE FUNCTION chartproof_grant_tier(role_name text, tier text) RETURNS void LANGUAGE plpgsql AS $$
DECLARE
  t text;
  -- People, consents, settings: the web tier keeps them current (their history is the access log).
  mutable text[] := ARRAY['Department', 'Staff', 'OneTimeCode', 'RecoveryCode', 'Patient', 'Consent',
                          'BreakGlassGrant', 'ServiceCredential', 'ResearchStudy', 'ResearchCohort',
                          -- Sign-in attempts in the window, and server-side sessions (docs/decisions/019-four-eyes-and-sign-in.md).
                          'SignInAttempt', 'AuthSession',
                          -- A hospital system's asynchronous intake: its progress and answer (issue #24).
                          'IntakeJob'];
  -- History: the web tier appends to it, and changes nothing but the columns granted below.
  append_only text[] := ARRAY['AccessEvent', 'MedicalRecord', 'RecordUpload', 'Alert', 'AuditReview', 'ResearchExport',
                              'ResearchExportFile', 'ResearchQueryRelease', 'IntakeEntry', 'DirectoryResource'];
BEGIN
  EXECUTE format('REVOKE ALL ON ALL TABLES IN SCHEMA public FROM %I', role_name);
  EXECUTE format('REVOKE ALL ON ALL SEQUENCES IN SCHEMA public FROM %I', role_name);
  EXECUTE format('REVOKE ALL ON DATABASE %I FROM %I', current_database(), role_name);
  EXECUTE format('GRANT CONNECT ON DATABASE %I TO %I', current_database(), role_name);
  EXECUTE format('GRANT USAGE ON SCHEMA public TO %I', role_name);
  FOR t IN SELECT tablename FROM pg_tables WHERE schemaname = 'public' AND tablename NOT IN ('_prisma_migrations', '_chartproof_roles') LOOP
    EXECUTE format('GRANT SELECT ON %I TO %I', t, role_name);
  END LOOP;
  EXECUTE format('GRANT USAGE, SELECT ON ALL SEQUENCES IN SCHEMA public TO %I', role_name);
  FOREACH t IN ARRAY mutable LOOP
    EXECUTE format('GRANT INSERT, UPDATE, DELETE ON %I TO %I', t, role_name);
  END LOOP;
  FOREACH t IN ARRAY append_only LOOP
    EXECUTE format('GRANT INSERT ON %I TO %I', t, role_name);
  END LOOP;
  EXECUTE format('GRANT UPDATE ("supersededAt") ON "MedicalRecord" TO %I', role_name);
  EXECUTE format('GRANT UPDATE ("resolvedAt", "reviewedAt", "reviewedById", "reviewNote") ON "Alert" TO %I', role_name);
  -- Four eyes: a request is filed and then decided; what was requested (kind, params, their hash, who, whom, when) is
  -- never rewritten by the app, so an approval can only execute what was asked.
  EXECUTE format('GRANT INSERT ON "PrivilegedRequest" TO %I', role_name);
  EXECUTE format('GRANT UPDATE (status, "decidedById", "decidedAt", "result") ON "PrivilegedRequest" TO %I', role_name);
  -- Portal messages about the patient's own account (issue 21): filed by the desk, then only dismissed by the patient.
  EXECUTE format('GRANT INSERT ON "PatientNotice" TO %I', role_name);
  EXECUTE format('GRANT UPDATE ("dismissedAt") ON "PatientNotice" TO %I', role_name);
  -- Intake's keys (issue #25): a correction moves an entry's key to the new version, and only those columns.
  EXECUTE format('GRANT UPDATE ("contentHash", "recordId", "resourceRef", "updatedAt") ON "IntakeEntry" TO %I', role_name);
  -- Lawful erasure: the approval calls the owner's function, which alone writes tombstones and the erased columns.
  EXECUTE format('GRANT EXECUTE ON FUNCTION chartproof_erase_record(uuid, bytea) TO %I', role_name);
  IF tier = 'worker' THEN
    -- The worker alone moves records forward and writes what the chains were sent. It also does what the web tier
    -- does (it creates nothing through it, but the seed and the tests run both in one process); it holds the
    -- writer key, so it is trusted with more, not less.
    EXECUTE format('GRANT INSERT ON "AnchorBatch", "Checkpoint", "AuditSeal" TO %I', role_name);
    EXECUTE format('GRANT UPDATE (status, "txHash", "blockNumber", "anchoredAt", "checkpointId", "checkpointLeafIndex", "checkpointProof") ON "AnchorBatch" TO %I', role_name);
    EXECUTE format('GRANT UPDATE (status, "txHash", "blockNumber", "anchoredAt") ON "Checkpoint" TO %I', role_name);
    EXECUTE format('GRANT UPDATE ("batchId", "leafIndex", proof, status) ON "MedicalRecord" TO %I', role_name);
    -- Recipe-v1 rows get their canonical bytes once (NULL → bytes; the v2 guard refuses any other change), by the
    -- worker's backfill, which proves them against the chains first (lib/jobs/backfill-canonical.ts).
    EXECUTE format('GRANT UPDATE ("canonical") ON "MedicalRecord" TO %I', role_name);
    EXECUTE format('GRANT UPDATE ("batchId") ON "ResearchExport" TO %I', role_name);
    -- Alert delivery to ALERT_WEBHOOK_URL (lib/jobs/alert-delivery.ts): the worker alone sends and records it.
    EXECUTE format('GRANT UPDATE ("deliveredAt", "deliveryAttempts", "nextDeliveryAt") ON "Alert" TO %I', role_name);
    -- A record it refuses leaves the queue (lib/jobs/anchoring.ts); the refusal is history, never changed.
    EXECUTE format('GRANT INSERT ON "AnchoringRefusal" TO %I', role_name);
    -- A tombstone joins its own anchoring unit (the guard allows nothing else).
    EXECUTE format('GRANT UPDATE ("batchId") ON "RecordTombstone" TO %I', role_name);
    -- The sweep's recorded verdicts (issue #20): only the worker records them, the web tier only reads them.
    EXECUTE format('GRANT INSERT, UPDATE ON "RecordCheck" TO %I', role_name);
    -- The job queue (pg-boss) creates its own schema on first start.
    EXECUTE format('GRANT CREATE ON DATABASE %I TO %I', current_database(), role_name);
  END IF;
END
$$;

REVOKE ALL ON FUNCTION chartproof_grant_tier(text, text) FROM PUBLIC;

SELECT chartproof_apply_grants();
