import { currentCaller } from "@/lib/auth/require-caller";
import { can } from "@/lib/authz";
import { AccessDeniedError } from "@/lib/dal/caller";
import { exportAccessLog, ExportRefusedError } from "@/lib/dal/access-log";
import { accessLogFiltersSchema, accessLogHref } from "@/lib/dto/compliance";
import { firstValues } from "@/lib/dto/search-params";
import { calendarDay } from "@/lib/i18n/formats";
import { env } from "@/lib/env";

// The access log as a CSV download, under the same filters as the page, with a mandatory reason. This handler decides
// access itself (proxy.ts decides nothing); the DAL logs `access_log.exported` before the first row is streamed.
// Messages are fixed strings: no ids, names or filters in an error.

const noStore = { "Cache-Control": "no-store" } as const;

function refuse(status: number, error: string) {
  return Response.json({ error }, { status, headers: noStore });
}

export async function GET(request: Request) {
  // A download that writes an audit event: only from our own pages or a typed address, never from another site.
  const site = request.headers.get("sec-fetch-site");
  if (site !== null && site !== "same-origin" && site !== "none") return refuse(403, "cross-site request refused");

  const caller = await currentCaller();
  if (!caller) return refuse(401, "sign in first");
  if (!can(caller.actor, "access_log.export")) return refuse(404, "not found");

  const params = firstValues(Object.fromEntries(new URL(request.url).searchParams));
  const filters = accessLogFiltersSchema.parse(params);
  try {
    const { stream } = await exportAccessLog(caller, filters, params.reason ?? "");
    // The day as the officer's screen shows it (the hospital's zone), not UTC's: a 08:30 KST export is dated today.
    const filename = `chartproof-access-log-${calendarDay(new Date(), env().DEFAULT_TIME_ZONE)}.csv`;
    return new Response(stream, {
      headers: {
        ...noStore,
        "Content-Type": "text/csv; charset=utf-8",
        "Content-Disposition": `attachment; filename="${filename}"`,
        "X-Content-Type-Options": "nosniff",
      },
    });
  } catch (error) {
    if (error instanceof AccessDeniedError) return refuse(404, "not found");
    // Back to the page (same filters) to say why; the form there asks for the reason before submitting.
    if (error instanceof ExportRefusedError) {
      const back = new URL(accessLogHref(filters), request.url);
      back.searchParams.set("exportError", error.code);
      return new Response(null, { status: 303, headers: { ...noStore, Location: `${back.pathname}${back.search}` } });
    }
    throw error;
  }
}
