import { currentCaller } from "@/lib/auth/require-caller";
import { can } from "@/lib/authz";
import { AccessDeniedError } from "@/lib/dal/caller";
import { exportRecordProof, ProofNotExportableError } from "@/lib/dal/record-proof";

// The proof bundle of one record, as a download. It carries the record and its salt (patient data), so this handler
// decides access itself (proxy.ts decides nothing) and the DAL logs `record.proof_exported` before it is returned.
// Messages are fixed strings: no ids, names or record content in an error. A tampered record's download is withheld:
// its id, the verdict and the failing level only (lib/integrity/withheld.ts).

const noStore = { "Cache-Control": "no-store" } as const;

function refuse(status: number, error: string) {
  return Response.json({ error }, { status, headers: noStore });
}

export async function GET(request: Request, { params }: { params: Promise<{ patientId: string; recordId: string }> }) {
  // A download that writes an audit event: only from our own pages or a typed address, never from another site.
  const site = request.headers.get("sec-fetch-site");
  if (site !== null && site !== "same-origin" && site !== "none") return refuse(403, "cross-site request refused");

  const caller = await currentCaller();
  if (!caller) return refuse(401, "sign in first");
  if (!can(caller.actor, "chart.view")) return refuse(404, "not found");
  const { patientId, recordId } = await params;

  try {
    const bundle = await exportRecordProof(caller, patientId, recordId);
    return new Response(`${JSON.stringify(bundle, null, 2)}\n`, {
      headers: {
        ...noStore,
        "Content-Type": "application/json; charset=utf-8",
        "Content-Disposition": `attachment; filename="chartproof-proof-${"record" in bundle ? bundle.record.recordId : bundle.recordId}.json"`,
      },
    });
  } catch (error) {
    if (error instanceof AccessDeniedError) return refuse(404, "not found");
    if (error instanceof ProofNotExportableError) {
      return refuse(409, error.reason === "not_anchored" ? "the record is not anchored yet" : "the record's stored proof is malformed");
    }
    throw error;
  }
}
