import { currentCaller } from "@/lib/auth/require-caller";
import { can } from "@/lib/authz";
import { AccessDeniedError } from "@/lib/dal/caller";
import { IntakeRejectedError, uploadOwnRecords } from "@/lib/dal/uploads";
import type { UploadResponseDto } from "@/lib/dto/uploads";
import { refusalOutcome } from "@/lib/fhir/ingest";

// A patient's upload: one file per request, its raw bytes as the body (so the byte limit is the file's own, with no
// multipart overhead to guess at), its name in X-Upload-Filename (percent-encoded; never in the URL). The page sends it
// with XMLHttpRequest for a progress bar. Authorization is decided here and again in the DAL.

const noStore = { "Cache-Control": "no-store" } as const;

function answer(body: UploadResponseDto, status: number) {
  return Response.json(body, { status, headers: noStore });
}

function fileNameOf(request: Request): string | null {
  const raw = request.headers.get("x-upload-filename");
  if (!raw) return null;
  try {
    return decodeURIComponent(raw);
  } catch {
    return null;
  }
}

export async function POST(request: Request) {
  // Writes records: only from our own pages (SameSite cookies already keep other sites' requests unauthenticated).
  const site = request.headers.get("sec-fetch-site");
  if (site !== null && site !== "same-origin") return answer({ ok: false, reason: "denied", problems: [] }, 403);

  const caller = await currentCaller();
  if (!caller) return answer({ ok: false, reason: "denied", problems: [] }, 401);
  if (!can(caller.actor, "own_records.upload")) return answer({ ok: false, reason: "denied", problems: [] }, 404);

  const length = Number(request.headers.get("content-length"));
  try {
    const result = await uploadOwnRecords(caller, {
      body: request.body,
      declaredLength: Number.isFinite(length) && length >= 0 && request.headers.has("content-length") ? length : null,
      contentType: request.headers.get("content-type"),
      fileName: fileNameOf(request),
    });
    return answer({ ok: true, ...result }, 200);
  } catch (error) {
    if (error instanceof IntakeRejectedError) {
      // The same status and OperationOutcome as POST /api/fhir gives; the page reads the problems, a script the outcome.
      const refusal = refusalOutcome(error);
      return answer({ ok: false, reason: error.reason, problems: error.problems, summary: error.summary, registered: error.registered, outcome: refusal.outcome }, refusal.status);
    }
    if (error instanceof AccessDeniedError) return answer({ ok: false, reason: "denied", problems: [] }, 404);
    throw error;
  }
}
