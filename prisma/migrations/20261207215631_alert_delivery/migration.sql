-- Alerts leave the database (issue #17, part 8): the worker POSTs each to ALERT_WEBHOOK_URL and records the delivery
-- here. What was raised stays immutable (chartproof_guard_alert_update); only these columns move, by the worker.
ALTER TABLE "Alert" ADD COLUMN "deliveredAt" TIMESTAMPTZ(3);
ALTER TABLE "Alert" ADD COLUMN "deliveryAttempts" INTEGER NOT NULL DEFAULT 0;
ALTER TABLE "Alert" ADD COLUMN "nextDeliveryAt" TIMESTAMPTZ(3);
CREATE INDEX "Alert_deliveredAt_createdAt_idx" ON "Alert"("deliveredAt", "createdAt");
