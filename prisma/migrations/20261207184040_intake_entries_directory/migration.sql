-- AlterTable
ALTER TABLE "RecordUpload" ADD COLUMN     "summary" JSONB;

-- CreateTable
CREATE TABLE "IntakeEntry" (
    "id" UUID NOT NULL,
    "patientId" UUID NOT NULL,
    "sourceKey" TEXT NOT NULL,
    "entryKey" TEXT NOT NULL,
    "resourceRef" TEXT,
    "resourceType" TEXT NOT NULL,
    "contentHash" TEXT NOT NULL,
    "recordId" UUID NOT NULL,
    "createdAt" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "updatedAt" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,

    CONSTRAINT "IntakeEntry_pkey" PRIMARY KEY ("id")
);

-- CreateTable
CREATE TABLE "DirectoryResource" (
    "id" UUID NOT NULL,
    "resourceType" TEXT NOT NULL,
    "key" TEXT NOT NULL,
    "identifiers" TEXT[],
    "display" TEXT,
    "resource" JSONB NOT NULL,
    "createdAt" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,

    CONSTRAINT "DirectoryResource_pkey" PRIMARY KEY ("id")
);

-- CreateIndex
CREATE INDEX "IntakeEntry_patientId_sourceKey_resourceRef_idx" ON "IntakeEntry"("patientId", "sourceKey", "resourceRef");

-- CreateIndex
CREATE UNIQUE INDEX "IntakeEntry_patientId_sourceKey_entryKey_key" ON "IntakeEntry"("patientId", "sourceKey", "entryKey");

-- CreateIndex
CREATE INDEX "DirectoryResource_identifiers_idx" ON "DirectoryResource" USING GIN ("identifiers");

-- CreateIndex
CREATE UNIQUE INDEX "DirectoryResource_resourceType_key_key" ON "DirectoryResource"("resourceType", "key");


-- Issue #25: what each tier may do with the intake tables (chartproof_grant_tier is the one place that says it; this
-- is its body from 20261207184000_insider_proof with the two tables added). IntakeEntry is an index of what intake
-- stored: new keys are inserted, and a correction moves a key to the new version (only those columns). The shared
-- directory only grows (INSERT … ON CONFLICT DO NOTHING).
CREATE OR REPLACE FUNCTION chartproof_grant_tier(role_name text, tier text) RETURNS void LANGUAGE plpgsql AS $$
DECLARE
  t text;
  mutable text[] := ARRAY['Department', 'Staff', 'OneTimeCode', 'RecoveryCode', 'SignInFailure', 'Patient', 'Consent',
                          'BreakGlassGrant', 'ServiceCredential', 'ResearchStudy', 'ResearchCohort'];
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
  EXECUTE format('GRANT UPDATE ("contentHash", "recordId", "resourceRef", "updatedAt") ON "IntakeEntry" TO %I', role_name);
  IF tier = 'worker' THEN
    EXECUTE format('GRANT INSERT ON "AnchorBatch", "Checkpoint", "AuditSeal" TO %I', role_name);
    EXECUTE format('GRANT UPDATE (status, "txHash", "blockNumber", "anchoredAt", "checkpointId", "checkpointLeafIndex", "checkpointProof") ON "AnchorBatch" TO %I', role_name);
    EXECUTE format('GRANT UPDATE (status, "txHash", "blockNumber", "anchoredAt") ON "Checkpoint" TO %I', role_name);
    EXECUTE format('GRANT UPDATE ("batchId", "leafIndex", proof, status) ON "MedicalRecord" TO %I', role_name);
    EXECUTE format('GRANT UPDATE ("batchId") ON "ResearchExport" TO %I', role_name);
    EXECUTE format('GRANT CREATE ON DATABASE %I TO %I', current_database(), role_name);
  END IF;
END
$$;

SELECT chartproof_apply_grants();
