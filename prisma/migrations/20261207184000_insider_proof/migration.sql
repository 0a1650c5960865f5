-- Insider-proof, part 1 (docs/decisions/016-database-refuses-to-rewrite-history.md): the database itself refuses to
-- rewrite history, whichever role asks. Owner-defined triggers hold the invariants for every role (the owner can
-- disable them: that is the owner's row in docs/threat-model.md, caught by the chain-first checks); privileges split
-- what the web tier and the anchoring worker may do.

-- Every leaf the worker ever anchored, written by the database itself when a record moves to ANCHORED (no role may
-- insert here directly). A record id found here is never anchored again, whatever its row says later.
CREATE TABLE "AnchoredLeaf" (
    "recordId" UUID NOT NULL,
    "batchId" UUID NOT NULL,
    "leafIndex" INTEGER NOT NULL,
    "commitment" TEXT NOT NULL,
    "anchoredAt" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    CONSTRAINT "AnchoredLeaf_pkey" PRIMARY KEY ("recordId")
);
CREATE UNIQUE INDEX "AnchoredLeaf_batchId_leafIndex_key" ON "AnchoredLeaf"("batchId", "leafIndex");
INSERT INTO "AnchoredLeaf" ("recordId", "batchId", "leafIndex", "commitment")
  SELECT id, "batchId", "leafIndex", commitment FROM "MedicalRecord" WHERE status = 'ANCHORED' AND "batchId" IS NOT NULL AND "leafIndex" IS NOT NULL;

-- A record id has exactly one creation event: a second `record.created` naming it is refused (and the index finds a
-- record's earliest creation event in one probe).
CREATE UNIQUE INDEX "AccessEvent_record_created_key" ON "AccessEvent" ((details ->> 'recordId')) WHERE action = 'record.created';

-- THE ONE PLACE that lists a record's committed columns: what the commitment and its creation event fixed. Extend it
-- here (CREATE OR REPLACE in a later migration) when a column joins the commitment.
CREATE OR REPLACE FUNCTION chartproof_committed_record_columns() RETURNS text[] LANGUAGE sql IMMUTABLE AS $$
  SELECT ARRAY['id', 'patientId', 'resourceType', 'resource', 'recordedAt', 'source', 'commitment', 'salt',
               'creationEventSeq', 'createdAt', 'supersedesId', 'uploadId']
$$;

CREATE OR REPLACE FUNCTION chartproof_refuse(message text) RETURNS void LANGUAGE plpgsql AS $$
BEGIN
  -- SQLSTATE 23P01-like family: a distinct code so the app can tell "history refused" from other failures.
  RAISE EXCEPTION 'history is append-only: %', message USING ERRCODE = 'P0H01';
END
$$;

CREATE OR REPLACE FUNCTION chartproof_refuse_delete() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  PERFORM chartproof_refuse(format('%s rows are never deleted', TG_TABLE_NAME));
  RETURN NULL;
END
$$;

CREATE OR REPLACE FUNCTION chartproof_refuse_update() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  PERFORM chartproof_refuse(format('%s rows are never changed', TG_TABLE_NAME));
  RETURN NULL;
END
$$;

-- Records: created PENDING with nothing anchored; committed columns never change; status only moves forward
-- (PENDING → ANCHORED, into a CONFIRMED records batch); an anchored record's batch, leaf and proof are final.
CREATE OR REPLACE FUNCTION chartproof_guard_record_insert() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  IF NEW.status <> 'PENDING' OR NEW."batchId" IS NOT NULL OR NEW."leafIndex" IS NOT NULL OR NEW.proof IS NOT NULL THEN
    PERFORM chartproof_refuse(format('record %s must be created PENDING, outside any batch', NEW.id));
  END IF;
  RETURN NEW;
END
$$;

CREATE OR REPLACE FUNCTION chartproof_guard_record_update() RETURNS trigger LANGUAGE plpgsql AS $$
DECLARE
  column_name text;
  before jsonb := to_jsonb(OLD);
  after jsonb := to_jsonb(NEW);
BEGIN
  FOREACH column_name IN ARRAY chartproof_committed_record_columns() LOOP
    IF (before -> column_name) IS DISTINCT FROM (after -> column_name) THEN
      PERFORM chartproof_refuse(format('MedicalRecord.%s of record %s is committed', column_name, OLD.id));
    END IF;
  END LOOP;
  IF OLD.status = 'ANCHORED' THEN
    IF NEW.status <> 'ANCHORED' OR NEW."batchId" IS DISTINCT FROM OLD."batchId" OR NEW."leafIndex" IS DISTINCT FROM OLD."leafIndex"
       OR NEW.proof IS DISTINCT FROM OLD.proof THEN
      PERFORM chartproof_refuse(format('record %s is anchored: its status, batch, leaf and proof are final', OLD.id));
    END IF;
  ELSIF NEW."batchId" IS DISTINCT FROM OLD."batchId" AND NEW."batchId" IS NOT NULL AND NOT EXISTS (
    SELECT 1 FROM "AnchorBatch" b WHERE b.id = NEW."batchId" AND b.kind = 'RECORDS' AND b.status = 'PREPARED'
  ) THEN
    PERFORM chartproof_refuse(format('record %s joins only a records batch still being prepared', OLD.id));
  END IF;
  IF OLD.status = 'PENDING' AND NEW.status = 'ANCHORED' THEN
    -- Its leaf and proof were fixed when it joined the batch; confirmation only flips the status.
    IF (NEW."batchId", NEW."leafIndex", NEW.proof) IS DISTINCT FROM (OLD."batchId", OLD."leafIndex", OLD.proof)
       OR NEW."batchId" IS NULL OR NEW."leafIndex" IS NULL OR NEW.proof IS NULL OR NOT EXISTS (
      SELECT 1 FROM "AnchorBatch" b WHERE b.id = NEW."batchId" AND b.kind = 'RECORDS' AND b.status = 'CONFIRMED' AND NEW."leafIndex" < b."recordCount"
    ) THEN
      PERFORM chartproof_refuse(format('record %s moves to ANCHORED only with its leaf in a confirmed batch', OLD.id));
    END IF;
    IF EXISTS (SELECT 1 FROM "AnchoredLeaf" l WHERE l."recordId" = OLD.id) THEN
      PERFORM chartproof_refuse(format('record %s already has an anchored leaf', OLD.id));
    END IF;
  END IF;
  RETURN NEW;
END
$$;

-- Runs as its owner, so that the leaf registry needs no INSERT privilege for any application role.
CREATE OR REPLACE FUNCTION chartproof_register_anchored_leaf() RETURNS trigger LANGUAGE plpgsql SECURITY DEFINER SET search_path = public, pg_temp AS $$
BEGIN
  INSERT INTO "AnchoredLeaf" ("recordId", "batchId", "leafIndex", commitment) VALUES (NEW.id, NEW."batchId", NEW."leafIndex", NEW.commitment);
  RETURN NULL;
END
$$;

-- Anchoring units (private batches, public checkpoints): what was prepared never changes; status moves forward;
-- CONFIRMED and FAILED are final. A batch's checkpoint membership is final once that checkpoint is CONFIRMED.
CREATE OR REPLACE FUNCTION chartproof_unit_status_may_move(before text, after text) RETURNS boolean LANGUAGE sql IMMUTABLE AS $$
  SELECT before = after AND before IN ('PREPARED', 'SENT')
      OR (before = 'PREPARED' AND after IN ('SENT', 'CONFIRMED', 'FAILED'))
      OR (before = 'SENT' AND after IN ('CONFIRMED', 'FAILED'))
$$;

CREATE OR REPLACE FUNCTION chartproof_guard_batch_update() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  IF NEW.id <> OLD.id OR NEW."chainId" <> OLD."chainId" OR NEW."batchNumber" <> OLD."batchNumber" OR NEW.root <> OLD.root
     OR NEW.kind <> OLD.kind OR NEW."recordCount" <> OLD."recordCount" OR NEW."preparedAt" <> OLD."preparedAt" THEN
    PERFORM chartproof_refuse(format('batch %s: what was prepared never changes', OLD.id));
  END IF;
  IF (NEW.status, NEW."txHash", NEW."blockNumber", NEW."anchoredAt") IS DISTINCT FROM (OLD.status, OLD."txHash", OLD."blockNumber", OLD."anchoredAt")
     AND NOT chartproof_unit_status_may_move(OLD.status::text, NEW.status::text) THEN
    PERFORM chartproof_refuse(format('batch %s is %s: its status moves only forward', OLD.id, OLD.status));
  END IF;
  IF (NEW."checkpointId", NEW."checkpointLeafIndex", NEW."checkpointProof") IS DISTINCT FROM (OLD."checkpointId", OLD."checkpointLeafIndex", OLD."checkpointProof")
     AND EXISTS (SELECT 1 FROM "Checkpoint" c WHERE c.id = OLD."checkpointId" AND c.status = 'CONFIRMED') THEN
    PERFORM chartproof_refuse(format('batch %s is in a confirmed checkpoint', OLD.id));
  END IF;
  RETURN NEW;
END
$$;

CREATE OR REPLACE FUNCTION chartproof_guard_checkpoint_update() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  IF NEW.id <> OLD.id OR NEW."chainId" <> OLD."chainId" OR NEW."checkpointNumber" <> OLD."checkpointNumber" OR NEW.root <> OLD.root
     OR NEW."batchCount" <> OLD."batchCount" OR NEW."preparedAt" <> OLD."preparedAt" THEN
    PERFORM chartproof_refuse(format('checkpoint %s: what was prepared never changes', OLD.id));
  END IF;
  IF (NEW.status, NEW."txHash", NEW."blockNumber", NEW."anchoredAt") IS DISTINCT FROM (OLD.status, OLD."txHash", OLD."blockNumber", OLD."anchoredAt")
     AND NOT chartproof_unit_status_may_move(OLD.status::text, NEW.status::text) THEN
    PERFORM chartproof_refuse(format('checkpoint %s is %s: its status moves only forward', OLD.id, OLD.status));
  END IF;
  RETURN NEW;
END
$$;

-- Alerts: what was raised never changes; a review, once made, stays.
CREATE OR REPLACE FUNCTION chartproof_guard_alert_update() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  IF NEW.id <> OLD.id OR NEW.kind <> OLD.kind OR NEW.severity <> OLD.severity OR NEW.details <> OLD.details OR NEW."createdAt" <> OLD."createdAt" THEN
    PERFORM chartproof_refuse(format('alert %s: what was raised never changes', OLD.id));
  END IF;
  IF (OLD."resolvedAt" IS NOT NULL AND NEW."resolvedAt" IS DISTINCT FROM OLD."resolvedAt")
     OR (OLD."reviewedAt" IS NOT NULL AND (NEW."reviewedAt", NEW."reviewedById", NEW."reviewNote") IS DISTINCT FROM (OLD."reviewedAt", OLD."reviewedById", OLD."reviewNote")) THEN
    PERFORM chartproof_refuse(format('alert %s: a resolution or review stays', OLD.id));
  END IF;
  RETURN NEW;
END
$$;

CREATE TRIGGER chartproof_guard_insert BEFORE INSERT ON "MedicalRecord" FOR EACH ROW EXECUTE FUNCTION chartproof_guard_record_insert();
CREATE TRIGGER chartproof_guard_update BEFORE UPDATE ON "MedicalRecord" FOR EACH ROW EXECUTE FUNCTION chartproof_guard_record_update();
CREATE TRIGGER chartproof_register_leaf AFTER UPDATE OF status ON "MedicalRecord" FOR EACH ROW
  WHEN (OLD.status = 'PENDING' AND NEW.status = 'ANCHORED') EXECUTE FUNCTION chartproof_register_anchored_leaf();
CREATE TRIGGER chartproof_guard_update BEFORE UPDATE ON "AnchorBatch" FOR EACH ROW EXECUTE FUNCTION chartproof_guard_batch_update();
CREATE TRIGGER chartproof_guard_update BEFORE UPDATE ON "Checkpoint" FOR EACH ROW EXECUTE FUNCTION chartproof_guard_checkpoint_update();
CREATE TRIGGER chartproof_guard_update BEFORE UPDATE ON "Alert" FOR EACH ROW EXECUTE FUNCTION chartproof_guard_alert_update();

DO $$
DECLARE
  t text;
BEGIN
  -- History: never deleted or truncated, by anyone the triggers bind.
  FOREACH t IN ARRAY ARRAY['MedicalRecord', 'AccessEvent', 'AuditSeal', 'AuditReview', 'RecordUpload', 'Alert', 'AnchorBatch', 'Checkpoint', 'AnchoredLeaf'] LOOP
    EXECUTE format('CREATE TRIGGER chartproof_refuse_delete BEFORE DELETE ON %I FOR EACH ROW EXECUTE FUNCTION chartproof_refuse_delete()', t);
    EXECUTE format('CREATE TRIGGER chartproof_refuse_truncate BEFORE TRUNCATE ON %I FOR EACH STATEMENT EXECUTE FUNCTION chartproof_refuse_delete()', t);
  END LOOP;
  -- Append-only: never changed either.
  FOREACH t IN ARRAY ARRAY['AccessEvent', 'AuditSeal', 'AuditReview', 'RecordUpload', 'AnchoredLeaf'] LOOP
    EXECUTE format('CREATE TRIGGER chartproof_refuse_update BEFORE UPDATE ON %I FOR EACH ROW EXECUTE FUNCTION chartproof_refuse_update()', t);
  END LOOP;
END
$$;

-- Which roles the web tier and the worker log in as (written by chartproof_set_roles, read when grants are
-- re-applied after a migration). Owner-only.
CREATE TABLE "_chartproof_roles" (
    "tier" TEXT NOT NULL,
    "role" TEXT NOT NULL,
    CONSTRAINT "_chartproof_roles_pkey" PRIMARY KEY ("tier"),
    CONSTRAINT "_chartproof_roles_tier_check" CHECK ("tier" IN ('web', 'worker'))
);

-- THE ONE PLACE that says what each tier may do. Re-run (SELECT chartproof_apply_grants()) after every migration:
-- `npm start`, `npm run db:roles` and the test harness do. A table added later gets nothing until then.
CREATE OR REPLACE FUNCTION chartproof_grant_tier(role_name text, tier text) RETURNS void LANGUAGE plpgsql AS $$
DECLARE
  t text;
  -- People, consents, settings: the web tier keeps them current (their history is the access log).
  mutable text[] := ARRAY['Department', 'Staff', 'OneTimeCode', 'RecoveryCode', 'SignInFailure', 'Patient', 'Consent',
                          'BreakGlassGrant', 'ServiceCredential', 'ResearchStudy', 'ResearchCohort'];
  -- History: the web tier appends to it, and changes nothing but the columns granted below.
  append_only text[] := ARRAY['AccessEvent', 'MedicalRecord', 'RecordUpload', 'Alert', 'AuditReview', 'ResearchExport',
                              'ResearchExportFile', 'ResearchQueryRelease'];
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
  IF tier = 'worker' THEN
    -- The worker alone moves records forward and writes what the chains were sent. It also does what the web tier
    -- does (it creates nothing through it, but the seed and the tests run both in one process); it holds the
    -- writer key, so it is trusted with more, not less.
    EXECUTE format('GRANT INSERT ON "AnchorBatch", "Checkpoint", "AuditSeal" TO %I', role_name);
    EXECUTE format('GRANT UPDATE (status, "txHash", "blockNumber", "anchoredAt", "checkpointId", "checkpointLeafIndex", "checkpointProof") ON "AnchorBatch" TO %I', role_name);
    EXECUTE format('GRANT UPDATE (status, "txHash", "blockNumber", "anchoredAt") ON "Checkpoint" TO %I', role_name);
    EXECUTE format('GRANT UPDATE ("batchId", "leafIndex", proof, status) ON "MedicalRecord" TO %I', role_name);
    EXECUTE format('GRANT UPDATE ("batchId") ON "ResearchExport" TO %I', role_name);
    -- The job queue (pg-boss) creates its own schema on first start.
    EXECUTE format('GRANT CREATE ON DATABASE %I TO %I', current_database(), role_name);
  END IF;
END
$$;

CREATE OR REPLACE FUNCTION chartproof_apply_grants() RETURNS void LANGUAGE plpgsql AS $$
DECLARE
  entry record;
BEGIN
  FOR entry IN SELECT tier, role FROM "_chartproof_roles" LOOP
    IF EXISTS (SELECT 1 FROM pg_roles WHERE rolname = entry.role) THEN
      PERFORM chartproof_grant_tier(entry.role, entry.tier);
    END IF;
  END LOOP;
END
$$;

CREATE OR REPLACE FUNCTION chartproof_set_roles(web_role text, worker_role text) RETURNS void LANGUAGE plpgsql AS $$
BEGIN
  IF web_role = worker_role THEN
    RAISE EXCEPTION 'the web tier and the worker need two different roles';
  END IF;
  INSERT INTO "_chartproof_roles" (tier, role) VALUES ('web', web_role), ('worker', worker_role)
    ON CONFLICT (tier) DO UPDATE SET role = EXCLUDED.role;
  PERFORM chartproof_apply_grants();
END
$$;

REVOKE ALL ON FUNCTION chartproof_grant_tier(text, text), chartproof_apply_grants(), chartproof_set_roles(text, text) FROM PUBLIC;

-- The single shared role of earlier versions (chartproof_app) could change records and anchors. Where it exists it
-- keeps the web tier's grants only, and new tables stop reaching it by default: an install that still runs its
-- worker as chartproof_app stops anchoring (loudly) until `npm run db:roles` gives the worker its own role.
DO $$
BEGIN
  IF EXISTS (SELECT 1 FROM pg_roles WHERE rolname = 'chartproof_app') THEN
    ALTER DEFAULT PRIVILEGES IN SCHEMA public REVOKE ALL ON TABLES FROM chartproof_app;
    ALTER DEFAULT PRIVILEGES IN SCHEMA public REVOKE ALL ON SEQUENCES FROM chartproof_app;
    PERFORM chartproof_grant_tier('chartproof_app', 'web');
  END IF;
END
$$;
