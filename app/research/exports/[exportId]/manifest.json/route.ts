import { currentCaller } from "@/lib/auth/require-caller";
import { can } from "@/lib/authz";
import { AccessDeniedError } from "@/lib/dal/caller";
import { exportManifestBundle } from "@/lib/dal/research";

// The export's manifest bundle (manifest, its hash, where it is anchored): what `npm run verify-manifest` reads.

const noStore = { "Cache-Control": "no-store" } as const;

function refuse(status: number, error: string) {
  return Response.json({ error }, { status, headers: noStore });
}

export async function GET(request: Request, { params }: { params: Promise<{ exportId: string }> }) {
  const site = request.headers.get("sec-fetch-site");
  if (site !== null && site !== "same-origin" && site !== "none") return refuse(403, "cross-site request refused");
  const caller = await currentCaller();
  if (!caller) return refuse(401, "sign in first");
  if (!can(caller.actor, "research.export")) return refuse(404, "not found");
  const { exportId } = await params;
  try {
    const bundle = await exportManifestBundle(caller, exportId);
    return new Response(`${JSON.stringify(bundle, null, 2)}\n`, {
      headers: { ...noStore, "Content-Type": "application/json; charset=utf-8", "Content-Disposition": `attachment; filename="manifest-${bundle.manifest.exportId}.json"` },
    });
  } catch (error) {
    if (error instanceof AccessDeniedError) return refuse(404, "not found");
    throw error;
  }
}
