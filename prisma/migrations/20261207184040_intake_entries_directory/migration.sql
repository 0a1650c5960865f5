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


