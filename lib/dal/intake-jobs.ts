import "server-only";
// A hospital system's Bundle answered asynchronously (FHIR's `Prefer: respond-async`, issue #24): the body is read and
// the job recorded before answering 202 with a status URL; intake then runs after the response, through exactly the
// synchronous path (ingestHospitalBytes), and the answer that path would have given is kept on the job for the
// credential that sent it. Only that credential can see the job; anyone else is told it does not exist.
import { db } from "@/lib/db";
import type { AuditContext } from "@/lib/audit";
import { log } from "@/lib/log";
import { bytesSha256, intakeResponse, refusalOutcome } from "@/lib/fhir/ingest";
import type { Prisma } from "@/lib/generated/prisma/client";
import { authenticateServiceToken } from "./service-credentials";
import { ingestHospitalBytes, IntakeRejectedError, readHospitalBundle, type IncomingFile } from "./uploads";

/** How long a job may sit RUNNING without a word before its status says it was interrupted (a restart, a crash). */
const STALE_AFTER_MS = 15 * 60_000;

export type AcceptedIntake = { jobId: string; run: () => Promise<void> };

/**
 * Authenticates, reads the body (with the same cap and refusals as the synchronous path, answered at once) and records
 * the job. `run` does the intake; the route calls it after responding. It never throws: what happens is on the job.
 */
export async function acceptHospitalBundle(token: string | null, file: IncomingFile, context: AuditContext): Promise<AcceptedIntake> {
  const credential = await authenticateServiceToken(token, context);
  const bytes = await readHospitalBundle(credential, file, context);
  const contentType = (file.contentType ?? "").split(";")[0]!.trim().toLowerCase();
  const job = await db().intakeJob.create({ data: { serviceCredentialId: credential.id, byteSize: bytes.byteLength, sha256: bytesSha256(bytes), phase: "queued" }, select: { id: true } });
  const finish = (status: "COMPLETED" | "FAILED", httpStatus: number, result: unknown) =>
    db().intakeJob.update({ where: { id: job.id }, data: { status, phase: null, httpStatus, result: result as Prisma.InputJsonValue, completedAt: new Date() } });
  const run = async () => {
    try {
      const result = await ingestHospitalBytes(credential, bytes, contentType, context, async (phase, entries) => {
        await db().intakeJob.update({ where: { id: job.id }, data: { status: "RUNNING", phase, ...(entries ? { entries } : {}) } });
      });
      await finish("COMPLETED", 200, intakeResponse(result));
    } catch (error) {
      if (error instanceof IntakeRejectedError) {
        const refusal = refusalOutcome(error);
        await finish("COMPLETED", refusal.status, refusal.outcome).catch(() => undefined);
        return;
      }
      log.error({ requestId: context.requestId, jobId: job.id, err: error instanceof Error ? error.name : "unknown" }, "asynchronous intake failed");
      await finish("FAILED", 500, { resourceType: "OperationOutcome", issue: [{ severity: "error", code: "exception", diagnostics: "The Bundle could not be processed; nothing was stored. Send it again." }] }).catch(() => undefined);
    }
  };
  return { jobId: job.id, run };
}

export type IntakeJobStatusDto =
  | { state: "in-progress"; progress: string }
  | { state: "done"; httpStatus: number; result: unknown }
  | { state: "failed"; httpStatus: number; result: unknown };

/** A job of the calling credential, or null (unknown, or another credential's: the same answer). */
export async function intakeJobStatus(token: string | null, jobId: string, context: AuditContext, now = new Date()): Promise<IntakeJobStatusDto | null> {
  const credential = await authenticateServiceToken(token, context);
  if (!/^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i.test(jobId)) return null;
  const job = await db().intakeJob.findFirst({
    where: { id: jobId, serviceCredentialId: credential.id },
    select: { status: true, phase: true, entries: true, httpStatus: true, result: true, updatedAt: true },
  });
  if (!job) return null;
  if (job.status === "COMPLETED") return { state: "done", httpStatus: job.httpStatus ?? 200, result: job.result };
  if (job.status === "FAILED") return { state: "failed", httpStatus: job.httpStatus ?? 500, result: job.result };
  if (now.getTime() - job.updatedAt.getTime() > STALE_AFTER_MS) {
    return {
      state: "failed",
      httpStatus: 500,
      result: { resourceType: "OperationOutcome", issue: [{ severity: "error", code: "incomplete", diagnostics: "The intake was interrupted (the server restarted) before its answer was kept. Send the Bundle again: entries already stored are recognised and not stored twice." }] },
    };
  }
  const progress = job.phase === "storing" ? `storing (${job.entries ?? 0} entries)` : (job.phase ?? "queued");
  return { state: "in-progress", progress };
}
