-- Lawful erasure by an anchored tombstone (docs/decisions/016-database-refuses-to-rewrite-history.md, "Erasure").
--
-- A record's content, canonical bytes and salt are destroyed only here: a compliance officer requests it (reason,
-- legal basis), an administrator approves it (four eyes, PrivilegedRequest kind RECORD_ERASE), and the approval calls
-- chartproof_erase_record, which runs as the owner, checks the request, writes the tombstone and only then blanks the
-- three columns. The record guard lets exactly that change through and nothing else: the commitment, the leaf and
-- every other committed column stay, so the chain still proves that a record with that commitment existed, and the
-- tombstone, anchored as its own unit, proves that it was erased, when, on what basis and by whom.

ALTER TYPE "PrivilegedRequestKind" ADD VALUE IF NOT EXISTS 'RECORD_ERASE';
ALTER TYPE "AnchorKind" ADD VALUE IF NOT EXISTS 'TOMBSTONE';

CREATE TABLE "RecordTombstone" (
    "recordId" UUID NOT NULL,
    "requestId" UUID NOT NULL,
    "commitment" TEXT NOT NULL,
    "legalBasis" TEXT NOT NULL,
    "reason" TEXT NOT NULL,
    "requestedById" UUID NOT NULL,
    "approvedById" UUID NOT NULL,
    "erasedAt" TIMESTAMPTZ(3) NOT NULL,
    -- The tombstone statement's RFC 8785 bytes (lib/integrity/tombstone.ts); its sha256 is what the chain holds.
    "statement" BYTEA NOT NULL,
    "statementHash" TEXT NOT NULL,
    "batchId" UUID,
    CONSTRAINT "RecordTombstone_pkey" PRIMARY KEY ("recordId"),
    CONSTRAINT "RecordTombstone_recordId_fkey" FOREIGN KEY ("recordId") REFERENCES "MedicalRecord"("id") ON DELETE RESTRICT ON UPDATE CASCADE,
    CONSTRAINT "RecordTombstone_requestId_fkey" FOREIGN KEY ("requestId") REFERENCES "PrivilegedRequest"("id") ON DELETE RESTRICT ON UPDATE CASCADE,
    CONSTRAINT "RecordTombstone_batchId_fkey" FOREIGN KEY ("batchId") REFERENCES "AnchorBatch"("id") ON DELETE RESTRICT ON UPDATE CASCADE,
    CONSTRAINT "RecordTombstone_other_approver" CHECK ("approvedById" <> "requestedById")
);
CREATE UNIQUE INDEX "RecordTombstone_requestId_key" ON "RecordTombstone"("requestId");
CREATE UNIQUE INDEX "RecordTombstone_statementHash_key" ON "RecordTombstone"("statementHash");
CREATE UNIQUE INDEX "RecordTombstone_batchId_key" ON "RecordTombstone"("batchId");

-- The erased values: what a record's content, bytes and salt read once its tombstone is written.
CREATE OR REPLACE FUNCTION chartproof_is_lawful_erasure(old_row "MedicalRecord", new_row "MedicalRecord") RETURNS boolean LANGUAGE sql STABLE AS $$
  SELECT new_row.resource = '{}'::jsonb AND new_row."canonical" IS NULL AND new_row.salt = ''
     AND EXISTS (SELECT 1 FROM "RecordTombstone" t WHERE t."recordId" = old_row.id AND t.commitment = old_row.commitment)
$$;

-- The record guard of 20261207184000, with one exception: resource and salt take the erased values when a tombstone
-- names the record and its commitment. Everything else is as before.
CREATE OR REPLACE FUNCTION chartproof_guard_record_update() RETURNS trigger LANGUAGE plpgsql AS $$
DECLARE
  column_name text;
  before jsonb := to_jsonb(OLD);
  after jsonb := to_jsonb(NEW);
  erasing boolean := chartproof_is_lawful_erasure(OLD, NEW);
BEGIN
  FOREACH column_name IN ARRAY chartproof_committed_record_columns() LOOP
    IF (before -> column_name) IS DISTINCT FROM (after -> column_name) AND NOT (erasing AND column_name IN ('resource', 'salt')) THEN
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

-- The canonical-bytes guard of 20261207193000, with the same exception; and an erased record never gets bytes back
-- (the backfill's NULL → bytes is for recipe-v1 rows only).
CREATE OR REPLACE FUNCTION chartproof_guard_record_commitment_v2() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  IF OLD."canonical" IS NOT NULL AND NEW."canonical" IS DISTINCT FROM OLD."canonical" AND NOT chartproof_is_lawful_erasure(OLD, NEW) THEN
    RAISE EXCEPTION 'history is append-only: MedicalRecord.canonical of record % is committed', OLD.id USING ERRCODE = 'P0H01';
  END IF;
  IF OLD."canonical" IS NULL AND NEW."canonical" IS NOT NULL AND EXISTS (SELECT 1 FROM "RecordTombstone" t WHERE t."recordId" = OLD.id) THEN
    RAISE EXCEPTION 'history is append-only: record % was erased', OLD.id USING ERRCODE = 'P0H01';
  END IF;
  IF NEW."recipeVersion" IS DISTINCT FROM OLD."recipeVersion" OR NEW."identityVersion" IS DISTINCT FROM OLD."identityVersion" THEN
    RAISE EXCEPTION 'history is append-only: the recipe and identity version of record % are committed', OLD.id USING ERRCODE = 'P0H01';
  END IF;
  RETURN NEW;
END
$$;

-- Tombstones: never deleted; only their anchoring unit moves (NULL → a TOMBSTONE unit being prepared, or back to NULL
-- when that unit FAILED, to be anchored again under a new number).
CREATE OR REPLACE FUNCTION chartproof_guard_tombstone_update() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  IF (NEW."recordId", NEW."requestId", NEW.commitment, NEW."legalBasis", NEW.reason, NEW."requestedById", NEW."approvedById", NEW."erasedAt", NEW.statement, NEW."statementHash")
     IS DISTINCT FROM (OLD."recordId", OLD."requestId", OLD.commitment, OLD."legalBasis", OLD.reason, OLD."requestedById", OLD."approvedById", OLD."erasedAt", OLD.statement, OLD."statementHash") THEN
    PERFORM chartproof_refuse(format('tombstone of record %s never changes', OLD."recordId"));
  END IF;
  IF NEW."batchId" IS DISTINCT FROM OLD."batchId" AND NOT (
    (OLD."batchId" IS NULL AND EXISTS (SELECT 1 FROM "AnchorBatch" b WHERE b.id = NEW."batchId" AND b.kind::text = 'TOMBSTONE' AND b.status = 'PREPARED' AND b.root = OLD."statementHash"))
    OR (NEW."batchId" IS NULL AND EXISTS (SELECT 1 FROM "AnchorBatch" b WHERE b.id = OLD."batchId" AND b.status = 'FAILED'))
  ) THEN
    PERFORM chartproof_refuse(format('tombstone of record %s: its unit is final', OLD."recordId"));
  END IF;
  RETURN NEW;
END
$$;
CREATE TRIGGER chartproof_guard_update BEFORE UPDATE ON "RecordTombstone" FOR EACH ROW EXECUTE FUNCTION chartproof_guard_tombstone_update();
CREATE TRIGGER chartproof_refuse_delete BEFORE DELETE ON "RecordTombstone" FOR EACH ROW EXECUTE FUNCTION chartproof_refuse_delete();
CREATE TRIGGER chartproof_refuse_truncate BEFORE TRUNCATE ON "RecordTombstone" FOR EACH STATEMENT EXECUTE FUNCTION chartproof_refuse_delete();

-- THE ONE PATH that erases. Runs as the owner (no tier may write tombstones or the erased columns), called by the
-- approval in the same transaction that claimed the request (lib/dal/record-erasure.ts). It re-checks what the
-- database can: an APPROVED RECORD_ERASE request, requested by an active compliance officer and approved by a
-- different, active administrator; an anchored record not yet erased; a statement naming exactly that record,
-- commitment, request, people, basis, reason (by hash) and approval time. It raises an alert itself, so an erasure
-- is seen even if the caller says nothing. Returns the statement's hash, the root the tombstone's unit will anchor.
CREATE OR REPLACE FUNCTION chartproof_erase_record(request_id uuid, statement bytea) RETURNS text
LANGUAGE plpgsql SECURITY DEFINER SET search_path = public, pg_temp AS $$
DECLARE
  req record;
  rec record;
  s jsonb;
  statement_hash text := '0x' || encode(sha256(statement), 'hex');
BEGIN
  SELECT id, kind::text AS kind, status::text AS status, params, "requestedById", "decidedById", "decidedAt" INTO req
    FROM "PrivilegedRequest" WHERE id = request_id FOR UPDATE;
  IF NOT FOUND OR req.kind <> 'RECORD_ERASE' OR req.status <> 'APPROVED' OR req."decidedById" IS NULL OR req."decidedById" = req."requestedById" THEN
    PERFORM chartproof_refuse('an erasure needs an approved RECORD_ERASE request, approved by someone other than its requester');
  END IF;
  IF NOT EXISTS (SELECT 1 FROM "Staff" WHERE id = req."requestedById" AND role = 'COMPLIANCE' AND status = 'ACTIVE')
     OR NOT EXISTS (SELECT 1 FROM "Staff" WHERE id = req."decidedById" AND role = 'ADMIN' AND status = 'ACTIVE') THEN
    PERFORM chartproof_refuse('an erasure is requested by an active compliance officer and approved by an active administrator');
  END IF;
  SELECT id, commitment, status::text AS status INTO rec FROM "MedicalRecord" WHERE id = (req.params ->> 'recordId')::uuid FOR UPDATE;
  IF NOT FOUND OR rec.status <> 'ANCHORED' THEN
    PERFORM chartproof_refuse('only an anchored record is erased: its commitment must already be on chain');
  END IF;
  IF EXISTS (SELECT 1 FROM "RecordTombstone" WHERE "recordId" = rec.id) THEN
    PERFORM chartproof_refuse(format('record %s is already erased', rec.id));
  END IF;
  BEGIN
    s := convert_from(statement, 'UTF8')::jsonb;
  EXCEPTION WHEN others THEN
    PERFORM chartproof_refuse('the tombstone statement is not JSON');
  END;
  IF s ->> 'format' IS DISTINCT FROM 'chartproof-tombstone/1'
     OR s ->> 'recordId' IS DISTINCT FROM rec.id::text
     OR s ->> 'commitment' IS DISTINCT FROM rec.commitment
     OR s ->> 'requestId' IS DISTINCT FROM request_id::text
     OR s ->> 'requestedById' IS DISTINCT FROM req."requestedById"::text
     OR s ->> 'approvedById' IS DISTINCT FROM req."decidedById"::text
     OR s ->> 'legalBasis' IS DISTINCT FROM req.params ->> 'legalBasis'
     OR s ->> 'reasonSha256' IS DISTINCT FROM encode(sha256(convert_to(req.params ->> 'reason', 'UTF8')), 'hex')
     OR (s ->> 'erasedAt')::timestamptz IS DISTINCT FROM req."decidedAt" THEN
    PERFORM chartproof_refuse('the tombstone statement does not match the approved request');
  END IF;
  INSERT INTO "RecordTombstone" ("recordId", "requestId", commitment, "legalBasis", reason, "requestedById", "approvedById", "erasedAt", statement, "statementHash")
    VALUES (rec.id, request_id, rec.commitment, req.params ->> 'legalBasis', req.params ->> 'reason', req."requestedById", req."decidedById", req."decidedAt", statement, statement_hash);
  UPDATE "MedicalRecord" SET resource = '{}'::jsonb, "canonical" = NULL, salt = '' WHERE id = rec.id;
  INSERT INTO "Alert" (id, kind, severity, details)
    VALUES (gen_random_uuid(), 'record.erased', 'WARNING',
            jsonb_build_object('recordId', rec.id, 'requestId', request_id, 'legalBasis', req.params ->> 'legalBasis',
                               'adminIds', jsonb_build_array(req."requestedById", req."decidedById")));
  RETURN statement_hash;
END
$$;
REVOKE ALL ON FUNCTION chartproof_erase_record(uuid, bytea) FROM PUBLIC;
