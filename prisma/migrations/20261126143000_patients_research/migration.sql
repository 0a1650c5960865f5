-- CreateEnum
CREATE TYPE "ResearchExportMode" AS ENUM ('SAFE_HARBOR', 'PSEUDONYMISED');

-- AlterEnum
ALTER TYPE "AnchorKind" ADD VALUE 'EXPORT_MANIFEST';

-- AlterEnum
ALTER TYPE "StaffRole" ADD VALUE 'RESEARCHER';

-- DropForeignKey
ALTER TABLE "OneTimeCode" DROP CONSTRAINT "OneTimeCode_staffId_fkey";

-- AlterTable
ALTER TABLE "Consent" ADD COLUMN     "studyId" UUID;

-- AlterTable
ALTER TABLE "MedicalRecord" ADD COLUMN     "supersededAt" TIMESTAMPTZ(3),
ADD COLUMN     "supersedesId" UUID,
ADD COLUMN     "uploadId" UUID;

-- AlterTable
ALTER TABLE "OneTimeCode" ADD COLUMN     "patientId" UUID,
ALTER COLUMN "staffId" DROP NOT NULL;

-- AlterTable
ALTER TABLE "Patient" ADD COLUMN     "portalActivatedAt" TIMESTAMPTZ(3),
ADD COLUMN     "portalDisabledAt" TIMESTAMPTZ(3),
ADD COLUMN     "portalSessionVersion" INTEGER NOT NULL DEFAULT 0;

-- CreateTable
CREATE TABLE "RecordUpload" (
    "id" UUID NOT NULL,
    "patientId" UUID NOT NULL,
    "source" TEXT NOT NULL,
    "fileName" TEXT,
    "contentType" TEXT NOT NULL,
    "byteSize" INTEGER NOT NULL,
    "sha256" TEXT NOT NULL,
    "recordCount" INTEGER NOT NULL,
    "serviceCredentialId" UUID,
    "createdAt" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,

    CONSTRAINT "RecordUpload_pkey" PRIMARY KEY ("id")
);

-- CreateTable
CREATE TABLE "ServiceCredential" (
    "id" UUID NOT NULL,
    "name" TEXT NOT NULL,
    "tokenPrefix" TEXT NOT NULL,
    "tokenHash" TEXT NOT NULL,
    "createdById" UUID NOT NULL,
    "createdAt" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "revokedAt" TIMESTAMPTZ(3),
    "revokedById" UUID,
    "lastUsedAt" TIMESTAMPTZ(3),

    CONSTRAINT "ServiceCredential_pkey" PRIMARY KEY ("id")
);

-- CreateTable
CREATE TABLE "ResearchStudy" (
    "id" UUID NOT NULL,
    "code" TEXT NOT NULL,
    "title" TEXT NOT NULL,
    "createdAt" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "closedAt" TIMESTAMPTZ(3),

    CONSTRAINT "ResearchStudy_pkey" PRIMARY KEY ("id")
);

-- CreateTable
CREATE TABLE "ResearchCohort" (
    "id" UUID NOT NULL,
    "name" TEXT NOT NULL,
    "criteria" JSONB NOT NULL,
    "studyId" UUID,
    "consentSnapshot" JSONB NOT NULL,
    "createdById" UUID NOT NULL,
    "createdAt" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,

    CONSTRAINT "ResearchCohort_pkey" PRIMARY KEY ("id")
);

-- CreateTable
CREATE TABLE "ResearchExport" (
    "id" UUID NOT NULL,
    "cohortId" UUID NOT NULL,
    "mode" "ResearchExportMode" NOT NULL,
    "manifest" JSONB NOT NULL,
    "manifestHash" TEXT NOT NULL,
    "batchId" UUID,
    "createdById" UUID NOT NULL,
    "createdAt" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,

    CONSTRAINT "ResearchExport_pkey" PRIMARY KEY ("id")
);

-- CreateTable
CREATE TABLE "ResearchExportFile" (
    "id" UUID NOT NULL,
    "exportId" UUID NOT NULL,
    "name" TEXT NOT NULL,
    "resourceType" TEXT NOT NULL,
    "content" TEXT NOT NULL,
    "sha256" TEXT NOT NULL,
    "lineCount" INTEGER NOT NULL,

    CONSTRAINT "ResearchExportFile_pkey" PRIMARY KEY ("id")
);

-- CreateTable
CREATE TABLE "ResearchQueryRelease" (
    "id" BIGSERIAL NOT NULL,
    "researcherId" UUID NOT NULL,
    "patientIds" UUID[],
    "releasedCount" INTEGER NOT NULL,
    "createdAt" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,

    CONSTRAINT "ResearchQueryRelease_pkey" PRIMARY KEY ("id")
);

-- CreateIndex
CREATE INDEX "RecordUpload_patientId_createdAt_idx" ON "RecordUpload"("patientId", "createdAt");

-- CreateIndex
CREATE UNIQUE INDEX "ServiceCredential_tokenHash_key" ON "ServiceCredential"("tokenHash");

-- CreateIndex
CREATE UNIQUE INDEX "ResearchStudy_code_key" ON "ResearchStudy"("code");

-- CreateIndex
CREATE INDEX "ResearchCohort_createdById_createdAt_idx" ON "ResearchCohort"("createdById", "createdAt");

-- CreateIndex
CREATE UNIQUE INDEX "ResearchExport_manifestHash_key" ON "ResearchExport"("manifestHash");

-- CreateIndex
CREATE UNIQUE INDEX "ResearchExport_batchId_key" ON "ResearchExport"("batchId");

-- CreateIndex
CREATE INDEX "ResearchExport_cohortId_createdAt_idx" ON "ResearchExport"("cohortId", "createdAt");

-- CreateIndex
CREATE UNIQUE INDEX "ResearchExportFile_exportId_name_key" ON "ResearchExportFile"("exportId", "name");

-- CreateIndex
CREATE INDEX "ResearchQueryRelease_createdAt_idx" ON "ResearchQueryRelease"("createdAt");

-- CreateIndex
CREATE INDEX "Consent_scope_patientId_idx" ON "Consent"("scope", "patientId");

-- CreateIndex
CREATE UNIQUE INDEX "MedicalRecord_supersedesId_key" ON "MedicalRecord"("supersedesId");

-- CreateIndex
CREATE INDEX "MedicalRecord_uploadId_idx" ON "MedicalRecord"("uploadId");

-- CreateIndex
CREATE INDEX "OneTimeCode_patientId_createdAt_idx" ON "OneTimeCode"("patientId", "createdAt");

-- AddForeignKey
ALTER TABLE "OneTimeCode" ADD CONSTRAINT "OneTimeCode_staffId_fkey" FOREIGN KEY ("staffId") REFERENCES "Staff"("id") ON DELETE SET NULL ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "OneTimeCode" ADD CONSTRAINT "OneTimeCode_patientId_fkey" FOREIGN KEY ("patientId") REFERENCES "Patient"("id") ON DELETE SET NULL ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "MedicalRecord" ADD CONSTRAINT "MedicalRecord_supersedesId_fkey" FOREIGN KEY ("supersedesId") REFERENCES "MedicalRecord"("id") ON DELETE SET NULL ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "MedicalRecord" ADD CONSTRAINT "MedicalRecord_uploadId_fkey" FOREIGN KEY ("uploadId") REFERENCES "RecordUpload"("id") ON DELETE SET NULL ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "Consent" ADD CONSTRAINT "Consent_studyId_fkey" FOREIGN KEY ("studyId") REFERENCES "ResearchStudy"("id") ON DELETE SET NULL ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "RecordUpload" ADD CONSTRAINT "RecordUpload_patientId_fkey" FOREIGN KEY ("patientId") REFERENCES "Patient"("id") ON DELETE RESTRICT ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "RecordUpload" ADD CONSTRAINT "RecordUpload_serviceCredentialId_fkey" FOREIGN KEY ("serviceCredentialId") REFERENCES "ServiceCredential"("id") ON DELETE SET NULL ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "ResearchCohort" ADD CONSTRAINT "ResearchCohort_studyId_fkey" FOREIGN KEY ("studyId") REFERENCES "ResearchStudy"("id") ON DELETE SET NULL ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "ResearchExport" ADD CONSTRAINT "ResearchExport_cohortId_fkey" FOREIGN KEY ("cohortId") REFERENCES "ResearchCohort"("id") ON DELETE RESTRICT ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "ResearchExport" ADD CONSTRAINT "ResearchExport_batchId_fkey" FOREIGN KEY ("batchId") REFERENCES "AnchorBatch"("id") ON DELETE SET NULL ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "ResearchExportFile" ADD CONSTRAINT "ResearchExportFile_exportId_fkey" FOREIGN KEY ("exportId") REFERENCES "ResearchExport"("id") ON DELETE RESTRICT ON UPDATE CASCADE;


-- A one-time code belongs to exactly one account: a staff member or a patient's portal.
ALTER TABLE "OneTimeCode" ADD CONSTRAINT "OneTimeCode_one_owner" CHECK (num_nonnulls("staffId", "patientId") = 1);

-- A correction may replace a record only once and never itself.
ALTER TABLE "MedicalRecord" ADD CONSTRAINT "MedicalRecord_not_self_superseding" CHECK ("supersedesId" IS NULL OR "supersedesId" <> "id");

-- What an export released is evidence: the application may add files and releases, never change or remove them.
DO $$
BEGIN
  IF EXISTS (SELECT 1 FROM pg_roles WHERE rolname = 'chartproof_app') THEN
    REVOKE UPDATE, DELETE, TRUNCATE ON "ResearchExportFile", "ResearchQueryRelease" FROM chartproof_app;
  END IF;
END
$$;
