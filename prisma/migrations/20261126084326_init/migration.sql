-- CreateEnum
CREATE TYPE "StaffRole" AS ENUM ('DOCTOR', 'ADMIN', 'COMPLIANCE');

-- CreateEnum
CREATE TYPE "StaffStatus" AS ENUM ('ACTIVE', 'SUSPENDED');

-- CreateEnum
CREATE TYPE "Sex" AS ENUM ('FEMALE', 'MALE', 'OTHER', 'UNKNOWN');

-- CreateEnum
CREATE TYPE "RecordStatus" AS ENUM ('PENDING', 'ANCHORED');

-- CreateEnum
CREATE TYPE "ConsentScope" AS ENUM ('TREATMENT', 'RESEARCH');

-- CreateEnum
CREATE TYPE "ActorKind" AS ENUM ('STAFF', 'PATIENT', 'SYSTEM');

-- CreateEnum
CREATE TYPE "AccessOutcome" AS ENUM ('ALLOWED', 'DENIED');

-- CreateEnum
CREATE TYPE "AccessPurpose" AS ENUM ('TREATMENT', 'EMERGENCY', 'OPERATIONS', 'AUDIT', 'SELF_ACCESS', 'RESEARCH');

-- CreateTable
CREATE TABLE "Department" (
    "id" UUID NOT NULL,
    "code" TEXT NOT NULL,
    "name" TEXT NOT NULL,
    "createdAt" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,

    CONSTRAINT "Department_pkey" PRIMARY KEY ("id")
);

-- CreateTable
CREATE TABLE "Staff" (
    "id" UUID NOT NULL,
    "email" TEXT NOT NULL,
    "name" TEXT NOT NULL,
    "passwordHash" TEXT NOT NULL,
    "role" "StaffRole" NOT NULL,
    "status" "StaffStatus" NOT NULL DEFAULT 'ACTIVE',
    "departmentId" UUID,
    "createdAt" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "updatedAt" TIMESTAMPTZ(3) NOT NULL,

    CONSTRAINT "Staff_pkey" PRIMARY KEY ("id")
);

-- CreateTable
CREATE TABLE "Patient" (
    "id" UUID NOT NULL,
    "mrn" TEXT NOT NULL,
    "name" TEXT NOT NULL,
    "birthDate" DATE NOT NULL,
    "sex" "Sex" NOT NULL,
    "address" TEXT,
    "phone" TEXT,
    "portalEmail" TEXT,
    "portalPasswordHash" TEXT,
    "createdAt" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,

    CONSTRAINT "Patient_pkey" PRIMARY KEY ("id")
);

-- CreateTable
CREATE TABLE "MedicalRecord" (
    "id" UUID NOT NULL,
    "patientId" UUID NOT NULL,
    "resourceType" TEXT NOT NULL,
    "resource" JSONB NOT NULL,
    "recordedAt" TIMESTAMPTZ(3) NOT NULL,
    "source" TEXT NOT NULL,
    "commitment" TEXT NOT NULL,
    "salt" TEXT NOT NULL,
    "batchId" UUID,
    "leafIndex" INTEGER,
    "proof" JSONB,
    "status" "RecordStatus" NOT NULL DEFAULT 'PENDING',
    "createdAt" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,

    CONSTRAINT "MedicalRecord_pkey" PRIMARY KEY ("id")
);

-- CreateTable
CREATE TABLE "AnchorBatch" (
    "id" UUID NOT NULL,
    "chainId" INTEGER NOT NULL,
    "contractAddress" TEXT NOT NULL,
    "batchNumber" BIGINT NOT NULL,
    "root" TEXT NOT NULL,
    "txHash" TEXT NOT NULL,
    "blockNumber" BIGINT NOT NULL,
    "recordCount" INTEGER NOT NULL,
    "anchoredAt" TIMESTAMPTZ(3) NOT NULL,

    CONSTRAINT "AnchorBatch_pkey" PRIMARY KEY ("id")
);

-- CreateTable
CREATE TABLE "Consent" (
    "id" UUID NOT NULL,
    "patientId" UUID NOT NULL,
    "granteeStaffId" UUID,
    "granteeDepartmentId" UUID,
    "scope" "ConsentScope" NOT NULL,
    "recordClasses" TEXT[],
    "dataFrom" TIMESTAMPTZ(3),
    "dataUntil" TIMESTAMPTZ(3),
    "validFrom" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "validUntil" TIMESTAMPTZ(3),
    "revokedAt" TIMESTAMPTZ(3),
    "createdAt" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,

    CONSTRAINT "Consent_pkey" PRIMARY KEY ("id")
);

-- CreateTable
CREATE TABLE "AccessEvent" (
    "seq" BIGINT NOT NULL,
    "occurredAt" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "actorKind" "ActorKind" NOT NULL,
    "actorId" TEXT,
    "actorRole" TEXT,
    "action" TEXT NOT NULL,
    "patientId" UUID,
    "outcome" "AccessOutcome" NOT NULL,
    "purpose" "AccessPurpose",
    "ip" TEXT,
    "requestId" TEXT,
    "details" JSONB NOT NULL DEFAULT '{}',
    "prevHash" TEXT NOT NULL,
    "hash" TEXT NOT NULL,

    CONSTRAINT "AccessEvent_pkey" PRIMARY KEY ("seq")
);

-- CreateIndex
CREATE UNIQUE INDEX "Department_code_key" ON "Department"("code");

-- CreateIndex
CREATE UNIQUE INDEX "Staff_email_key" ON "Staff"("email");

-- CreateIndex
CREATE INDEX "Staff_departmentId_idx" ON "Staff"("departmentId");

-- CreateIndex
CREATE UNIQUE INDEX "Patient_mrn_key" ON "Patient"("mrn");

-- CreateIndex
CREATE UNIQUE INDEX "Patient_portalEmail_key" ON "Patient"("portalEmail");

-- CreateIndex
CREATE INDEX "MedicalRecord_patientId_recordedAt_idx" ON "MedicalRecord"("patientId", "recordedAt");

-- CreateIndex
CREATE INDEX "MedicalRecord_status_createdAt_idx" ON "MedicalRecord"("status", "createdAt");

-- CreateIndex
CREATE INDEX "MedicalRecord_batchId_idx" ON "MedicalRecord"("batchId");

-- CreateIndex
CREATE UNIQUE INDEX "AnchorBatch_chainId_contractAddress_batchNumber_key" ON "AnchorBatch"("chainId", "contractAddress", "batchNumber");

-- CreateIndex
CREATE INDEX "Consent_granteeStaffId_scope_idx" ON "Consent"("granteeStaffId", "scope");

-- CreateIndex
CREATE INDEX "Consent_granteeDepartmentId_scope_idx" ON "Consent"("granteeDepartmentId", "scope");

-- CreateIndex
CREATE INDEX "Consent_patientId_idx" ON "Consent"("patientId");

-- CreateIndex
CREATE UNIQUE INDEX "AccessEvent_hash_key" ON "AccessEvent"("hash");

-- CreateIndex
CREATE INDEX "AccessEvent_occurredAt_idx" ON "AccessEvent"("occurredAt");

-- CreateIndex
CREATE INDEX "AccessEvent_patientId_occurredAt_idx" ON "AccessEvent"("patientId", "occurredAt");

-- CreateIndex
CREATE INDEX "AccessEvent_actorId_occurredAt_idx" ON "AccessEvent"("actorId", "occurredAt");

-- AddForeignKey
ALTER TABLE "Staff" ADD CONSTRAINT "Staff_departmentId_fkey" FOREIGN KEY ("departmentId") REFERENCES "Department"("id") ON DELETE SET NULL ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "MedicalRecord" ADD CONSTRAINT "MedicalRecord_patientId_fkey" FOREIGN KEY ("patientId") REFERENCES "Patient"("id") ON DELETE RESTRICT ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "MedicalRecord" ADD CONSTRAINT "MedicalRecord_batchId_fkey" FOREIGN KEY ("batchId") REFERENCES "AnchorBatch"("id") ON DELETE SET NULL ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "Consent" ADD CONSTRAINT "Consent_patientId_fkey" FOREIGN KEY ("patientId") REFERENCES "Patient"("id") ON DELETE RESTRICT ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "Consent" ADD CONSTRAINT "Consent_granteeStaffId_fkey" FOREIGN KEY ("granteeStaffId") REFERENCES "Staff"("id") ON DELETE SET NULL ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "Consent" ADD CONSTRAINT "Consent_granteeDepartmentId_fkey" FOREIGN KEY ("granteeDepartmentId") REFERENCES "Department"("id") ON DELETE SET NULL ON UPDATE CASCADE;
