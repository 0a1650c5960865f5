-- Refused records leave the anchoring queue (docs/decisions/016-database-refuses-to-rewrite-history.md). A PENDING
-- record the worker refuses (its content or commitment contradicts its creation, or its id was anchored before) was
-- re-examined at the head of the queue on every tick; more of them than ANCHOR_BATCH_SIZE stalled anchoring for good.
-- The worker now records the refusal here, once, and the queue reads past every id listed. Only the worker writes it
-- (prisma/grants.sql); like the other history tables it is never changed or deleted, so a refusal, and the evidence
-- it is, stays.
CREATE TABLE "AnchoringRefusal" (
    "recordId" UUID NOT NULL,
    "reasons" TEXT[] NOT NULL,
    "refusedAt" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    CONSTRAINT "AnchoringRefusal_pkey" PRIMARY KEY ("recordId"),
    CONSTRAINT "AnchoringRefusal_recordId_fkey" FOREIGN KEY ("recordId") REFERENCES "MedicalRecord"("id") ON DELETE RESTRICT ON UPDATE CASCADE
);

CREATE TRIGGER chartproof_refuse_update BEFORE UPDATE ON "AnchoringRefusal" FOR EACH ROW EXECUTE FUNCTION chartproof_refuse_update();
CREATE TRIGGER chartproof_refuse_delete BEFORE DELETE ON "AnchoringRefusal" FOR EACH ROW EXECUTE FUNCTION chartproof_refuse_delete();
CREATE TRIGGER chartproof_refuse_truncate BEFORE TRUNCATE ON "AnchoringRefusal" FOR EACH STATEMENT EXECUTE FUNCTION chartproof_refuse_delete();
