import { currentCaller } from "@/lib/auth/require-caller";
import { can } from "@/lib/authz";
import { AccessDeniedError } from "@/lib/dal/caller";
import { exportFileContent } from "@/lib/dal/research";

// One NDJSON file of a research export, as a download. The DAL checks ownership and logs `research.export_downloaded`.
// Messages are fixed strings: no ids or content in an error.

const noStore = { "Cache-Control": "no-store" } as const;

function refuse(status: number, error: string) {
  return Response.json({ error }, { status, headers: noStore });
}

export async function GET(request: Request, { params }: { params: Promise<{ exportId: string; name: string }> }) {
  // A download that writes an audit event: only from our own pages or a typed address, never from another site.
  const site = request.headers.get("sec-fetch-site");
  if (site !== null && site !== "same-origin" && site !== "none") return refuse(403, "cross-site request refused");
  const caller = await currentCaller();
  if (!caller) return refuse(401, "sign in first");
  if (!can(caller.actor, "research.export")) return refuse(404, "not found");
  const { exportId, name } = await params;
  try {
    const content = await exportFileContent(caller, exportId, name);
    return new Response(content, {
      headers: { ...noStore, "Content-Type": "application/fhir+ndjson; charset=utf-8", "Content-Disposition": `attachment; filename="${name}"` },
    });
  } catch (error) {
    if (error instanceof AccessDeniedError) return refuse(404, "not found");
    throw error;
  }
}
