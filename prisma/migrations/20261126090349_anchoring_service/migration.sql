-- CreateEnum
CREATE TYPE "AnchorStatus" AS ENUM ('PREPARED', 'SENT', 'CONFIRMED', 'FAILED');

-- CreateEnum
CREATE TYPE "AlertSeverity" AS ENUM ('INFO', 'WARNING', 'CRITICAL');

-- AlterTable
ALTER TABLE "AnchorBatch" ADD COLUMN     "checkpointId" UUID,
ADD COLUMN     "checkpointLeafIndex" INTEGER,
ADD COLUMN     "checkpointProof" JSONB,
ADD COLUMN     "preparedAt" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
ADD COLUMN     "status" "AnchorStatus" NOT NULL DEFAULT 'PREPARED',
ALTER COLUMN "txHash" DROP NOT NULL,
ALTER COLUMN "blockNumber" DROP NOT NULL,
ALTER COLUMN "anchoredAt" DROP NOT NULL;

-- Batches anchored before this migration were written only after their transaction's receipt.
UPDATE "AnchorBatch" SET "status" = 'CONFIRMED' WHERE "txHash" IS NOT NULL;

-- AlterTable
ALTER TABLE "MedicalRecord" ADD COLUMN     "creationEventSeq" BIGINT;

-- CreateTable
CREATE TABLE "Checkpoint" (
    "id" UUID NOT NULL,
    "chainId" INTEGER NOT NULL,
    "contractAddress" TEXT NOT NULL,
    "checkpointNumber" BIGINT NOT NULL,
    "root" TEXT NOT NULL,
    "status" "AnchorStatus" NOT NULL DEFAULT 'PREPARED',
    "txHash" TEXT,
    "blockNumber" BIGINT,
    "batchCount" INTEGER NOT NULL,
    "preparedAt" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "anchoredAt" TIMESTAMPTZ(3),

    CONSTRAINT "Checkpoint_pkey" PRIMARY KEY ("id")
);

-- CreateTable
CREATE TABLE "Alert" (
    "id" UUID NOT NULL,
    "kind" TEXT NOT NULL,
    "severity" "AlertSeverity" NOT NULL,
    "details" JSONB NOT NULL DEFAULT '{}',
    "createdAt" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "resolvedAt" TIMESTAMPTZ(3),

    CONSTRAINT "Alert_pkey" PRIMARY KEY ("id")
);

-- CreateIndex
CREATE INDEX "Checkpoint_status_idx" ON "Checkpoint"("status");

-- CreateIndex
CREATE UNIQUE INDEX "Checkpoint_chainId_contractAddress_checkpointNumber_key" ON "Checkpoint"("chainId", "contractAddress", "checkpointNumber");

-- CreateIndex
CREATE INDEX "Alert_resolvedAt_createdAt_idx" ON "Alert"("resolvedAt", "createdAt");

-- CreateIndex
CREATE INDEX "AnchorBatch_status_idx" ON "AnchorBatch"("status");

-- CreateIndex
CREATE INDEX "AnchorBatch_checkpointId_idx" ON "AnchorBatch"("checkpointId");

-- AddForeignKey
ALTER TABLE "AnchorBatch" ADD CONSTRAINT "AnchorBatch_checkpointId_fkey" FOREIGN KEY ("checkpointId") REFERENCES "Checkpoint"("id") ON DELETE SET NULL ON UPDATE CASCADE;
