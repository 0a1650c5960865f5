-- CreateEnum
CREATE TYPE "AnchorKind" AS ENUM ('RECORDS', 'AUDIT_SEAL');

-- DropIndex
DROP INDEX "AccessEvent_actorId_occurredAt_idx";

-- DropIndex
DROP INDEX "AccessEvent_patientId_occurredAt_idx";

-- AlterTable
-- Events written before sharding form chain 0, in seq order (they were appended under one lock, seq contiguous).
CREATE SEQUENCE accessevent_seq_seq;
ALTER TABLE "AccessEvent" ADD COLUMN     "chain" INTEGER NOT NULL DEFAULT 0,
ADD COLUMN     "chainSeq" BIGINT,
ALTER COLUMN "seq" SET DEFAULT nextval('accessevent_seq_seq');
ALTER SEQUENCE accessevent_seq_seq OWNED BY "AccessEvent"."seq";
UPDATE "AccessEvent" SET "chainSeq" = "seq";
ALTER TABLE "AccessEvent" ALTER COLUMN "chainSeq" SET NOT NULL;
SELECT setval('accessevent_seq_seq', COALESCE((SELECT max("seq") FROM "AccessEvent"), 0) + 1, false);

-- AlterTable
ALTER TABLE "Alert" ADD COLUMN     "reviewNote" TEXT,
ADD COLUMN     "reviewedAt" TIMESTAMPTZ(3),
ADD COLUMN     "reviewedById" UUID;

-- AlterTable
ALTER TABLE "AnchorBatch" ADD COLUMN     "kind" "AnchorKind" NOT NULL DEFAULT 'RECORDS';

-- CreateTable
CREATE TABLE "AuditSeal" (
    "id" UUID NOT NULL,
    "sealedAt" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "heads" JSONB NOT NULL,
    "root" TEXT NOT NULL,
    "eventCount" BIGINT NOT NULL,
    "batchId" UUID,

    CONSTRAINT "AuditSeal_pkey" PRIMARY KEY ("id")
);

-- CreateTable
CREATE TABLE "AuditReview" (
    "id" UUID NOT NULL,
    "period" TEXT NOT NULL,
    "signedById" UUID NOT NULL,
    "signedAt" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "note" TEXT NOT NULL,
    "summary" JSONB NOT NULL DEFAULT '{}',

    CONSTRAINT "AuditReview_pkey" PRIMARY KEY ("id")
);

-- CreateIndex
CREATE UNIQUE INDEX "AuditSeal_batchId_key" ON "AuditSeal"("batchId");

-- CreateIndex
CREATE INDEX "AuditSeal_sealedAt_idx" ON "AuditSeal"("sealedAt");

-- CreateIndex
CREATE UNIQUE INDEX "AuditReview_period_key" ON "AuditReview"("period");

-- CreateIndex
CREATE INDEX "AccessEvent_patientId_seq_idx" ON "AccessEvent"("patientId", "seq");

-- CreateIndex
CREATE INDEX "AccessEvent_actorId_seq_idx" ON "AccessEvent"("actorId", "seq");

-- CreateIndex
CREATE INDEX "AccessEvent_action_seq_idx" ON "AccessEvent"("action", "seq");

-- CreateIndex
CREATE INDEX "AccessEvent_actorRole_seq_idx" ON "AccessEvent"("actorRole", "seq");

-- CreateIndex
CREATE INDEX "AccessEvent_purpose_seq_idx" ON "AccessEvent"("purpose", "seq");

-- CreateIndex
CREATE INDEX "AccessEvent_outcome_seq_idx" ON "AccessEvent"("outcome", "seq");

-- CreateIndex
CREATE UNIQUE INDEX "AccessEvent_chain_chainSeq_key" ON "AccessEvent"("chain", "chainSeq");

-- CreateIndex
CREATE INDEX "Alert_kind_createdAt_idx" ON "Alert"("kind", "createdAt");

-- AddForeignKey
ALTER TABLE "Alert" ADD CONSTRAINT "Alert_reviewedById_fkey" FOREIGN KEY ("reviewedById") REFERENCES "Staff"("id") ON DELETE SET NULL ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "AuditSeal" ADD CONSTRAINT "AuditSeal_batchId_fkey" FOREIGN KEY ("batchId") REFERENCES "AnchorBatch"("id") ON DELETE SET NULL ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "AuditReview" ADD CONSTRAINT "AuditReview_signedById_fkey" FOREIGN KEY ("signedById") REFERENCES "Staff"("id") ON DELETE RESTRICT ON UPDATE CASCADE;


-- AlterTable
ALTER TABLE "Staff" ADD COLUMN     "patientId" UUID;

-- CreateIndex
CREATE INDEX "Patient_address_idx" ON "Patient"("address");

-- CreateIndex
CREATE INDEX "Patient_phone_idx" ON "Patient"("phone");

-- CreateIndex
CREATE UNIQUE INDEX "Staff_patientId_key" ON "Staff"("patientId");

-- AddForeignKey
ALTER TABLE "Staff" ADD CONSTRAINT "Staff_patientId_fkey" FOREIGN KEY ("patientId") REFERENCES "Patient"("id") ON DELETE SET NULL ON UPDATE CASCADE;

-- The application's own role (docs/decisions/010-access-log.md): it may read and append access events and seals but
-- never change or remove them; everything else it may read and write. Migrations run as the owning role. The role
-- is created without a password (no login) where the migrating user may create roles; the launcher or the operator
-- gives it one (ALTER ROLE chartproof_app LOGIN PASSWORD ...).
DO $$
BEGIN
  IF NOT EXISTS (SELECT 1 FROM pg_roles WHERE rolname = 'chartproof_app') THEN
    IF (SELECT rolcreaterole OR rolsuper FROM pg_roles WHERE rolname = current_user) THEN
      CREATE ROLE chartproof_app NOLOGIN;
    ELSE
      RAISE NOTICE 'role chartproof_app does not exist and % may not create it: create it, then re-run the grants of this migration', current_user;
      RETURN;
    END IF;
  END IF;
  EXECUTE format('GRANT CONNECT, TEMPORARY, CREATE ON DATABASE %I TO chartproof_app', current_database());
  GRANT USAGE ON SCHEMA public TO chartproof_app;
  GRANT SELECT, INSERT, UPDATE, DELETE ON ALL TABLES IN SCHEMA public TO chartproof_app;
  GRANT USAGE, SELECT, UPDATE ON ALL SEQUENCES IN SCHEMA public TO chartproof_app;
  REVOKE UPDATE, DELETE, TRUNCATE ON "AccessEvent", "AuditSeal", "AuditReview", "_prisma_migrations" FROM chartproof_app;
  REVOKE INSERT ON "_prisma_migrations" FROM chartproof_app;
  ALTER DEFAULT PRIVILEGES IN SCHEMA public GRANT SELECT, INSERT, UPDATE, DELETE ON TABLES TO chartproof_app;
  ALTER DEFAULT PRIVILEGES IN SCHEMA public GRANT USAGE, SELECT, UPDATE ON SEQUENCES TO chartproof_app;
END
$$;
