-- Issue 21. Throttling counts attempts in "SignInAttempt" (before evaluating them) since 20261207184500; the older
-- "SignInFailure" (counted after) has had no reader or writer since, so it goes: one way to throttle.
DROP TABLE "SignInFailure";

-- A portal message to the patient about their own account: opened or reset at the desk, shown from the next sign-in
-- until dismissed. Its grants are in prisma/grants.sql.
CREATE TYPE "PatientNoticeKind" AS ENUM ('ACCOUNT_OPENED', 'ACCOUNT_RESET');

CREATE TABLE "PatientNotice" (
    "id" UUID NOT NULL,
    "patientId" UUID NOT NULL,
    "kind" "PatientNoticeKind" NOT NULL,
    "createdAt" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "dismissedAt" TIMESTAMPTZ(3),

    CONSTRAINT "PatientNotice_pkey" PRIMARY KEY ("id")
);

CREATE INDEX "PatientNotice_patientId_dismissedAt_idx" ON "PatientNotice"("patientId", "dismissedAt");

ALTER TABLE "PatientNotice" ADD CONSTRAINT "PatientNotice_patientId_fkey" FOREIGN KEY ("patientId") REFERENCES "Patient"("id") ON DELETE RESTRICT ON UPDATE CASCADE;
