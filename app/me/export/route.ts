import { currentCaller } from "@/lib/auth/require-caller";
import { can } from "@/lib/authz";
import { exportOwnRecords } from "@/lib/dal/own-records";

const noStore = { "Cache-Control": "no-store" } as const;

/** All of the patient's records with their proof bundles, as one FHIR Bundle (a download). */
export async function GET(): Promise<Response> {
  const caller = await currentCaller();
  if (!caller || !can(caller.actor, "own_records.view")) return Response.json({ error: "not_found" }, { status: 404, headers: noStore });
  const bundle = await exportOwnRecords(caller);
  return new Response(JSON.stringify(bundle), {
    headers: {
      ...noStore,
      "Content-Type": "application/fhir+json; charset=utf-8",
      "Content-Disposition": `attachment; filename="chartproof-records-${new Date().toISOString().slice(0, 10)}.json"`,
    },
  });
}
