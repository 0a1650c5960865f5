-- The sweep's last verdict per record (issue #20): pages count the records they do not show from here.
-- Grants: prisma/grants.sql (the worker writes, the web tier reads).
CREATE TABLE "RecordCheck" (
    "recordId" UUID NOT NULL,
    "patientId" UUID NOT NULL,
    "verification" TEXT NOT NULL,
    "checkedAt" TIMESTAMPTZ(3) NOT NULL,

    CONSTRAINT "RecordCheck_pkey" PRIMARY KEY ("recordId"),
    CONSTRAINT "RecordCheck_verification_check" CHECK ("verification" IN ('verified', 'tampered', 'pending', 'unavailable', 'erased'))
);

CREATE INDEX "RecordCheck_patientId_idx" ON "RecordCheck"("patientId");
