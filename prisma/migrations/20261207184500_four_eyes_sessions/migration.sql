-- Four eyes on privileged admin steps, sign-in attempts counted before evaluation, revocable sessions, and
-- expiring, scoped service credentials (docs/decisions/017-four-eyes-and-sign-in.md).

-- AlterEnum: the registration desk, a role of its own (patient portal accounts), apart from staff administration.
ALTER TYPE "StaffRole" ADD VALUE 'REGISTRAR';

-- CreateEnum
CREATE TYPE "PrivilegedRequestKind" AS ENUM ('STAFF_CREATE', 'ROLE_CHANGE', 'PASSWORD_RESET', 'MFA_RESET', 'SERVICE_CREDENTIAL');

-- CreateEnum
CREATE TYPE "PrivilegedRequestStatus" AS ENUM ('PENDING', 'APPROVED', 'REJECTED', 'CANCELLED');

-- AlterTable: credentials issued before expiry existed get the longest allowed life from their issue.
ALTER TABLE "ServiceCredential" ADD COLUMN "expiresAt" TIMESTAMPTZ(3),
ADD COLUMN "scopeMrn" TEXT,
ADD COLUMN "scopeDepartmentId" UUID;
UPDATE "ServiceCredential" SET "expiresAt" = "createdAt" + interval '1 year' WHERE "expiresAt" IS NULL;
ALTER TABLE "ServiceCredential" ALTER COLUMN "expiresAt" SET NOT NULL;

-- CreateTable
CREATE TABLE "PrivilegedRequest" (
    "id" UUID NOT NULL,
    "kind" "PrivilegedRequestKind" NOT NULL,
    "params" JSONB NOT NULL,
    "paramsHash" TEXT NOT NULL,
    "requestedById" UUID NOT NULL,
    "subjectStaffId" UUID,
    "status" "PrivilegedRequestStatus" NOT NULL DEFAULT 'PENDING',
    "createdAt" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "expiresAt" TIMESTAMPTZ(3) NOT NULL,
    "decidedById" UUID,
    "decidedAt" TIMESTAMPTZ(3),
    "result" JSONB,

    CONSTRAINT "PrivilegedRequest_pkey" PRIMARY KEY ("id"),
    -- The approver is never the requester, nor the account the step acts on.
    CONSTRAINT "PrivilegedRequest_other_approver" CHECK ("decidedById" IS NULL OR "status" <> 'APPROVED' OR ("decidedById" <> "requestedById" AND "decidedById" IS DISTINCT FROM "subjectStaffId"))
);

-- CreateTable
CREATE TABLE "SignInAttempt" (
    "id" BIGSERIAL NOT NULL,
    "key" TEXT NOT NULL,
    "occurredAt" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,

    CONSTRAINT "SignInAttempt_pkey" PRIMARY KEY ("id")
);

-- CreateTable
CREATE TABLE "AuthSession" (
    "id" UUID NOT NULL,
    "actorKind" "ActorKind" NOT NULL,
    "actorId" UUID NOT NULL,
    "createdAt" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "lastSeenAt" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "revokedAt" TIMESTAMPTZ(3),
    "ip" TEXT,
    "userAgent" TEXT,

    CONSTRAINT "AuthSession_pkey" PRIMARY KEY ("id")
);

-- CreateIndex
CREATE INDEX "PrivilegedRequest_status_createdAt_idx" ON "PrivilegedRequest"("status", "createdAt");

-- CreateIndex
CREATE INDEX "PrivilegedRequest_requestedById_idx" ON "PrivilegedRequest"("requestedById");

-- CreateIndex
CREATE INDEX "PrivilegedRequest_subjectStaffId_idx" ON "PrivilegedRequest"("subjectStaffId");

-- CreateIndex
CREATE INDEX "SignInAttempt_key_occurredAt_idx" ON "SignInAttempt"("key", "occurredAt");

-- CreateIndex
CREATE INDEX "SignInAttempt_occurredAt_idx" ON "SignInAttempt"("occurredAt");

-- CreateIndex
CREATE INDEX "AuthSession_actorKind_actorId_createdAt_idx" ON "AuthSession"("actorKind", "actorId", "createdAt");
