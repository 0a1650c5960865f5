-- CreateTable
CREATE TABLE "BreakGlassGrant" (
    "id" UUID NOT NULL,
    "staffId" UUID NOT NULL,
    "patientId" UUID NOT NULL,
    "reason" TEXT NOT NULL,
    "openedAt" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "expiresAt" TIMESTAMPTZ(3) NOT NULL,
    "reviewedAt" TIMESTAMPTZ(3),
    "reviewedById" UUID,
    "reviewNote" TEXT,

    CONSTRAINT "BreakGlassGrant_pkey" PRIMARY KEY ("id")
);

-- CreateIndex
CREATE INDEX "BreakGlassGrant_staffId_patientId_expiresAt_idx" ON "BreakGlassGrant"("staffId", "patientId", "expiresAt");

-- CreateIndex
CREATE INDEX "BreakGlassGrant_staffId_openedAt_idx" ON "BreakGlassGrant"("staffId", "openedAt");

-- CreateIndex
CREATE INDEX "BreakGlassGrant_reviewedAt_openedAt_idx" ON "BreakGlassGrant"("reviewedAt", "openedAt");

-- CreateIndex
CREATE INDEX "Patient_birthDate_idx" ON "Patient"("birthDate");

-- AddForeignKey
ALTER TABLE "BreakGlassGrant" ADD CONSTRAINT "BreakGlassGrant_staffId_fkey" FOREIGN KEY ("staffId") REFERENCES "Staff"("id") ON DELETE RESTRICT ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "BreakGlassGrant" ADD CONSTRAINT "BreakGlassGrant_patientId_fkey" FOREIGN KEY ("patientId") REFERENCES "Patient"("id") ON DELETE RESTRICT ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "BreakGlassGrant" ADD CONSTRAINT "BreakGlassGrant_reviewedById_fkey" FOREIGN KEY ("reviewedById") REFERENCES "Staff"("id") ON DELETE SET NULL ON UPDATE CASCADE;
