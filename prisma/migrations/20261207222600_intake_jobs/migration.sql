-- Asynchronous intake for hospital systems (issue #24, `Prefer: respond-async`): one row per accepted Bundle, its
-- progress and, when done, the answer. Grants: prisma/grants.sql.
CREATE TYPE "IntakeJobStatus" AS ENUM ('ACCEPTED', 'RUNNING', 'COMPLETED', 'FAILED');

CREATE TABLE "IntakeJob" (
    "id" UUID NOT NULL,
    "serviceCredentialId" UUID NOT NULL,
    "status" "IntakeJobStatus" NOT NULL DEFAULT 'ACCEPTED',
    "phase" TEXT,
    "byteSize" INTEGER NOT NULL,
    "sha256" TEXT NOT NULL,
    "entries" INTEGER,
    "httpStatus" INTEGER,
    "result" JSONB,
    "createdAt" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "updatedAt" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "completedAt" TIMESTAMPTZ(3),

    CONSTRAINT "IntakeJob_pkey" PRIMARY KEY ("id")
);

CREATE INDEX "IntakeJob_serviceCredentialId_createdAt_idx" ON "IntakeJob"("serviceCredentialId", "createdAt");

ALTER TABLE "IntakeJob" ADD CONSTRAINT "IntakeJob_serviceCredentialId_fkey" FOREIGN KEY ("serviceCredentialId") REFERENCES "ServiceCredential"("id") ON DELETE RESTRICT ON UPDATE CASCADE;
