-- CreateIndex
CREATE INDEX "AccessEvent_actorId_occurredAt_idx" ON "AccessEvent"("actorId", "occurredAt");

