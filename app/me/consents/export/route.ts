import { currentCaller } from "@/lib/auth/require-caller";
import { can } from "@/lib/authz";
import { exportOwnConsents } from "@/lib/dal/own-consents";

const noStore = { "Cache-Control": "no-store" } as const;

/** The patient's consents as a FHIR R4 Bundle of Consent resources (a download). */
export async function GET(): Promise<Response> {
  const caller = await currentCaller();
  if (!caller || !can(caller.actor, "own_records.view")) return Response.json({ error: "not_found" }, { status: 404, headers: noStore });
  const bundle = await exportOwnConsents(caller);
  return new Response(JSON.stringify(bundle, null, 2), {
    headers: {
      ...noStore,
      "Content-Type": "application/fhir+json; charset=utf-8",
      "Content-Disposition": `attachment; filename="chartproof-consents-${new Date().toISOString().slice(0, 10)}.json"`,
    },
  });
}
