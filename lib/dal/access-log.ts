import "server-only";
import { db } from "@/lib/db";
import { databaseRoleStanding, runsUnrestricted } from "@/lib/jobs/database-role";
import type { Prisma } from "@/lib/generated/prisma/client";
import { appendAccessEvent, GENESIS_HASH, hashAccessEvent } from "@/lib/audit";
import { can, type Permission } from "@/lib/authz";
import { env } from "@/lib/env";
import type { IntegrityOverviewDto } from "@/lib/dto";
import {
  ACCESS_LOG_EXPORT_PAGE,
  ACCESS_LOG_PAGE_SIZE,
  activeFilters,
  nextDay,
  startOfDayInZone,
  type AccessEventDetailDto,
  type AccessLogFilters,
  type AccessLogPageDto,
  type AccessLogQuery,
  type AccessLogRowDto,
  type EventIntegrityDto,
  type StaffOptionDto,
} from "@/lib/dto/compliance";
import { AccessDeniedError, type Caller } from "./caller";
import { namesFor, readableDetails } from "./readable-details";

// The access log for compliance: metadata only (who, what, when, from where, why, which patient by MRN), never the
// contents of records. Every read of the log is itself logged, with its filters (ids and codes, never a name).

function requireOfficer(caller: Caller, permission: Permission = "access_log.read") {
  if (caller.actor.kind !== "STAFF" || !can(caller.actor, permission)) throw new AccessDeniedError();
  return caller.actor;
}

const rowSelect = {
  seq: true,
  occurredAt: true,
  actorKind: true,
  actorId: true,
  actorRole: true,
  action: true,
  patientId: true,
  outcome: true,
  purpose: true,
  ip: true,
} as const satisfies Prisma.AccessEventSelect;

type Row = Prisma.AccessEventGetPayload<{ select: typeof rowSelect }>;

/**
 * The filters as a Prisma condition. Days are calendar days in the hospital's zone (occurredAt is indexed); the MRN
 * is resolved to the patient's id here, so the query uses the (patientId, seq) index. `patientId` is null when the
 * MRN names no patient: the caller then shows nothing.
 */
/** More than the appends that can be in flight at once across every process's pool. */
const SEQ_SKEW = 10_000n;

type Filtered = {
  where: Prisma.AccessEventWhereInput;
  patientId: string | null;
  unknownMrn: boolean;
  /** The keyset order for `dir`, along the filter's (column, seq) index when it has one. */
  order: (dir: "asc" | "desc") => Prisma.AccessEventOrderByWithRelationInput[];
};

type LeadingColumn = "patientId" | "actorId" | "action" | "actorRole";

/**
 * Why a "leading" column: under `column = value` the planner treats ORDER BY seq as satisfiable by the primary key
 * and, assuming matches are spread evenly, walks it — through every non-matching event when the matches lie far away
 * (a filter on `record.created` at 11 M events: 6 s, a page or a has-newer probe alike). Written as the range
 * `value ≤ column ≤ value` with ORDER BY (column, seq), only the (column, seq) index gives that order, so each page
 * and probe is one index range scan that stops at its LIMIT. Same rows, same order. Enum filters (outcome, purpose)
 * cannot be ranges in Prisma; their values are spread through the log.
 */
function leadingColumn(filters: AccessLogFilters): LeadingColumn | null {
  // With two or more equality filters the planner weighs them together (e.g. staff + DENIED by the outcome index) and
  // chose well in every measured case: the order is forced only for a single filter.
  if ([filters.mrn, filters.staff, filters.action, filters.role, filters.outcome, filters.purpose].filter(Boolean).length !== 1) return null;
  if (filters.mrn) return "patientId";
  if (filters.staff) return "actorId";
  if (filters.action) return "action";
  if (filters.role) return "actorRole";
  return null;
}

async function filterWhere(filters: AccessLogFilters, viewerId: string | null = null): Promise<Filtered> {
  const leading = leadingColumn(filters);
  const equals = (column: LeadingColumn, value: string): Prisma.AccessEventWhereInput =>
    column === leading ? { [column]: { gte: value, lte: value } } : { [column]: value };
  const order = (dir: "asc" | "desc"): Prisma.AccessEventOrderByWithRelationInput[] => (leading ? [{ [leading]: dir }, { seq: dir }] : [{ seq: dir }]);
  const zone = env().DEFAULT_TIME_ZONE;
  const and: Prisma.AccessEventWhereInput[] = [];
  const from = filters.from ? startOfDayInZone(filters.from, zone) : null;
  const until = filters.to ? startOfDayInZone(nextDay(filters.to), zone) : null;
  if (from) and.push({ occurredAt: { gte: from } });
  if (until) and.push({ occurredAt: { lt: until } });
  // A day range alone leaves the planner walking the seq index through months of events (2.3 s at 10 M). seq grows
  // with time (it is drawn at append), so the range also bounds seq: found through the occurredAt index, widened by
  // SEQ_SKEW for appends that drew their seq before a concurrent one committed, and kept beside the exact time filter.
  if (from) {
    const first = await db().accessEvent.findFirst({ where: { occurredAt: { gte: from } }, orderBy: { occurredAt: "asc" }, select: { seq: true } });
    if (first) and.push({ seq: { gte: first.seq - SEQ_SKEW } });
  }
  if (until) {
    const last = await db().accessEvent.findFirst({ where: { occurredAt: { lt: until } }, orderBy: { occurredAt: "desc" }, select: { seq: true } });
    if (last) and.push({ seq: { lte: last.seq + SEQ_SKEW } });
  }
  if (filters.staff) and.push({ actorKind: "STAFF" }, equals("actorId", filters.staff));
  if (filters.role) and.push(equals("actorRole", filters.role));
  if (filters.action) and.push(equals("action", filters.action));
  if (filters.outcome) and.push({ outcome: filters.outcome });
  if (filters.purpose) and.push({ purpose: filters.purpose });
  // The officer's own reading of the log (purpose AUDIT) is hidden unless asked for — by the toggle, or by filtering on
  // an action or a staff member, which names what is wanted. Spelled out with the NULL cases, since NOT (a AND b)
  // would also hide system events and events without a purpose.
  if (viewerId && filters.mine !== "1" && !filters.action && !filters.staff) and.push({ OR: [{ actorId: null }, { actorId: { not: viewerId } }, { purpose: null }, { purpose: { not: "AUDIT" } }] });
  let patientId: string | null = null;
  if (filters.mrn) {
    const patient = await db().patient.findUnique({ where: { mrn: filters.mrn }, select: { id: true } });
    if (!patient) return { where: { AND: and }, patientId: null, unknownMrn: true, order };
    patientId = patient.id;
    and.push(equals("patientId", patientId));
  }
  return { where: { AND: and }, patientId, unknownMrn: false, order };
}

/** What a log read records about its query: the filters (the MRN as the patient's id), never a name. */
function loggedFilters(filters: AccessLogFilters, patientId: string | null): Record<string, string> {
  const { mrn, ...rest } = activeFilters(filters);
  return { ...rest, ...(mrn ? { patientId: patientId ?? "unknown" } : {}) };
}

/** Staff names and patient MRNs for a set of rows: identifiers that make the log readable, not record contents. */
async function labelsFor(rows: Pick<Row, "actorKind" | "actorId" | "patientId">[]) {
  const staffIds = [...new Set(rows.filter((e) => e.actorKind === "STAFF" && e.actorId).map((e) => e.actorId!))];
  const patientIds = [...new Set(rows.flatMap((e) => [e.patientId, e.actorKind === "PATIENT" ? e.actorId : null]).filter((id): id is string => id !== null && isUuidLike(id)))];
  const [staff, patients] = await Promise.all([
    staffIds.length ? db().staff.findMany({ where: { id: { in: staffIds.filter(isUuidLike) } }, select: { id: true, name: true } }) : [],
    patientIds.length ? db().patient.findMany({ where: { id: { in: patientIds } }, select: { id: true, mrn: true, name: true } }) : [],
  ]);
  return { staffName: new Map(staff.map((s) => [s.id, s.name])), mrn: new Map(patients.map((p) => [p.id, p.mrn])), patientName: new Map(patients.map((p) => [p.id, p.name])) };
}

function isUuidLike(id: string): boolean {
  return /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i.test(id);
}

function toRowDto(e: Row, labels: Awaited<ReturnType<typeof labelsFor>>): AccessLogRowDto {
  return {
    seq: e.seq.toString(),
    occurredAt: e.occurredAt.toISOString(),
    actorKind: e.actorKind,
    actorId: e.actorId,
    actorRole: e.actorRole,
    actorLabel: e.actorId ? ((e.actorKind === "STAFF" ? labels.staffName.get(e.actorId) : labels.mrn.get(e.actorId)) ?? e.actorId) : null,
    action: e.action,
    patientId: e.patientId,
    patientMrn: e.patientId ? (labels.mrn.get(e.patientId) ?? null) : null,
    patientName: e.patientId ? (labels.patientName.get(e.patientId) ?? null) : null,
    outcome: e.outcome,
    purpose: e.purpose,
    ip: e.ip,
  };
}

/**
 * One page (ACCESS_LOG_PAGE_SIZE) of the access log, filtered and in time order, paged by keyset on `seq` (`after` /
 * `before` cursors; never an offset, so a page costs the same at the start of the log and deep into it). Logged as
 * `access_log.viewed` (purpose AUDIT) with the filters and the range of events shown.
 */
export async function listAccessLog(caller: Caller, query: AccessLogQuery): Promise<AccessLogPageDto> {
  const officer = requireOfficer(caller);
  const { where, patientId, unknownMrn, order } = await filterWhere(query, officer.id);
  const and = (extra: Prisma.AccessEventWhereInput): Prisma.AccessEventWhereInput => ({ AND: [where, extra] });
  let rows: Row[] = [];
  if (!unknownMrn) {
    if (query.after) rows = await db().accessEvent.findMany({ where: and({ seq: { gt: BigInt(query.after) } }), select: rowSelect, orderBy: order("asc"), take: ACCESS_LOG_PAGE_SIZE });
    else if (query.before) rows = await db().accessEvent.findMany({ where: and({ seq: { lt: BigInt(query.before) } }), select: rowSelect, orderBy: order("desc"), take: ACCESS_LOG_PAGE_SIZE });
    else rows = await db().accessEvent.findMany({ where, select: rowSelect, orderBy: order(query.dir), take: ACCESS_LOG_PAGE_SIZE });
  }
  rows.sort((a, b) => (a.seq === b.seq ? 0 : (a.seq < b.seq) === (query.dir === "asc") ? -1 : 1));
  const seqs = rows.map((r) => r.seq);
  const newest = seqs.length ? seqs.reduce((a, b) => (a > b ? a : b)) : null;
  const oldest = seqs.length ? seqs.reduce((a, b) => (a < b ? a : b)) : null;
  // Ordered towards the boundary: without ORDER BY the planner may answer LIMIT 1 with a sequential scan from the
  // table's start, which for a cursor deep in a common action walks half the log (1 s at 10 M events).
  const exists = async (extra: { seq: { gt: bigint } | { gte: bigint } | { lt: bigint } | { lte: bigint } }) =>
    (await db().accessEvent.findFirst({ where: and(extra), select: { seq: true }, orderBy: order("gt" in extra.seq || "gte" in extra.seq ? "asc" : "desc") })) !== null;
  let hasNewer = false;
  let hasOlder = false;
  if (!unknownMrn) {
    if (newest !== null && oldest !== null) [hasNewer, hasOlder] = await Promise.all([exists({ seq: { gt: newest } }), exists({ seq: { lt: oldest } })]);
    else {
      // An empty page past either end: offer the way back.
      if (query.before) hasNewer = await exists({ seq: { gte: BigInt(query.before) } });
      if (query.after) hasOlder = await exists({ seq: { lte: BigInt(query.after) } });
    }
  }
  await appendAccessEvent(
    {
      actor: officer,
      action: "access_log.viewed",
      outcome: "ALLOWED",
      purpose: "AUDIT",
      details: {
        filters: loggedFilters(query, patientId),
        dir: query.dir,
        ...(query.after ? { after: query.after } : {}),
        ...(query.before ? { before: query.before } : {}),
        count: rows.length,
        fromSeq: oldest?.toString() ?? null,
        toSeq: newest?.toString() ?? null,
      },
    },
    caller.context,
  );
  const labels = await labelsFor(rows);
  return {
    rows: rows.map((r) => toRowDto(r, labels)),
    dir: query.dir,
    hasNewer,
    hasOlder,
    newestSeq: newest?.toString() ?? null,
    oldestSeq: oldest?.toString() ?? null,
    unknownMrn,
  };
}

/** Staff members for the log's "who" filter: names and roles (a directory, not patient data). */
export async function listStaffOptions(caller: Caller): Promise<StaffOptionDto[]> {
  requireOfficer(caller);
  const staff = await db().staff.findMany({ select: { id: true, name: true, role: true }, orderBy: [{ name: "asc" }, { id: "asc" }], take: 2_000 });
  return staff;
}

/**
 * One event in full (metadata only) with its integrity: whether its hash recomputes, whether its link to the
 * previous event of its chain holds, and which seal covers it (and that seal's anchoring). Null when there is no such
 * event. Logged as `access_log.event_viewed`.
 */
export async function getAccessEvent(caller: Caller, seqText: string): Promise<AccessEventDetailDto | null> {
  const officer = requireOfficer(caller);
  if (!/^[0-9]{1,19}$/.test(seqText)) return null;
  const seq = BigInt(seqText);
  const event = await db().accessEvent.findUnique({ where: { seq } });
  if (!event) return null;
  const [previous, seal, staff, patient] = await Promise.all([
    event.chainSeq > 1n ? db().accessEvent.findUnique({ where: { chain_chainSeq: { chain: event.chain, chainSeq: event.chainSeq - 1n } }, select: { seq: true, hash: true } }) : null,
    db().$queryRaw<{ sealedAt: Date; eventCount: bigint; batchNumber: bigint | null; status: string | null; txHash: string | null; blockNumber: bigint | null; anchoredAt: Date | null }[]>`
      SELECT s."sealedAt", s."eventCount", b."batchNumber", b.status::text AS status, b."txHash", b."blockNumber", b."anchoredAt"
      FROM "AuditSeal" s LEFT JOIN "AnchorBatch" b ON b.id = s."batchId"
      WHERE EXISTS (
        SELECT 1 FROM jsonb_array_elements(s.heads) h
        WHERE (h->>'chain')::int = ${event.chain} AND (h->>'chainSeq')::bigint >= ${event.chainSeq}
      )
      ORDER BY s."sealedAt" ASC LIMIT 1`,
    event.actorKind === "STAFF" && event.actorId && isUuidLike(event.actorId)
      ? db().staff.findUnique({ where: { id: event.actorId }, select: { name: true, role: true, department: { select: { name: true } } } })
      : null,
    event.patientId ? db().patient.findUnique({ where: { id: event.patientId }, select: { mrn: true } }) : null,
  ]);
  const actorPatient =
    event.actorKind === "PATIENT" && event.actorId && isUuidLike(event.actorId) ? await db().patient.findUnique({ where: { id: event.actorId }, select: { mrn: true } }) : null;
  const link: EventIntegrityDto["link"] =
    event.chainSeq === 1n ? (event.prevHash === GENESIS_HASH ? "genesis" : "broken") : previous === null ? "previous_missing" : previous.hash === event.prevHash ? "holds" : "broken";
  const s = seal[0];
  await appendAccessEvent({ actor: officer, action: "access_log.event_viewed", outcome: "ALLOWED", purpose: "AUDIT", details: { seq: seqText } }, caller.context);
  return {
    seq: event.seq.toString(),
    chain: event.chain,
    chainSeq: event.chainSeq.toString(),
    occurredAt: event.occurredAt.toISOString(),
    actorKind: event.actorKind,
    actor: event.actorId
      ? {
          id: event.actorId,
          name: staff?.name ?? actorPatient?.mrn ?? null,
          role: event.actorRole ?? staff?.role ?? null,
          department: staff?.department?.name ?? null,
        }
      : null,
    action: event.action,
    outcome: event.outcome,
    purpose: event.purpose,
    ip: event.ip,
    requestId: event.requestId,
    patient: event.patientId ? { id: event.patientId, mrn: patient?.mrn ?? null } : null,
    details: readableDetails(event.details, await namesFor([event.details])),
    hash: event.hash,
    prevHash: event.prevHash,
    integrity: {
      hashValid: hashAccessEvent(event) === event.hash,
      link,
      previousSeq: previous?.seq.toString() ?? null,
      seal: s
        ? {
            sealedAt: s.sealedAt.toISOString(),
            eventCount: s.eventCount.toString(),
            batch:
              s.batchNumber !== null
                ? {
                    number: s.batchNumber.toString(),
                    status: s.status ?? "PREPARED",
                    txHash: s.txHash,
                    blockNumber: s.blockNumber?.toString() ?? null,
                    anchoredAt: s.anchoredAt?.toISOString() ?? null,
                  }
                : null,
          }
        : null,
    },
  };
}

// ——— CSV export ———

/**
 * One CSV field (RFC 4180): quoted when it holds a comma, quote or line break, quotes doubled. A field that a
 * spreadsheet would read as a formula (starting with = + - @, tab or carriage return) gets a leading apostrophe.
 */
export function csvField(value: string | number | bigint | null | undefined): string {
  let text = value === null || value === undefined ? "" : String(value);
  if (/^[=+\-@\t\r]/.test(text)) text = `'${text}`;
  return /[",\r\n]/.test(text) ? `"${text.replace(/"/g, '""')}"` : text;
}

export function csvLine(fields: readonly (string | number | bigint | null | undefined)[]): string {
  return `${fields.map(csvField).join(",")}\r\n`;
}

export const CSV_COLUMNS = [
  "seq",
  "occurredAt",
  "chain",
  "chainSeq",
  "actorKind",
  "actorId",
  "actorName",
  "actorRole",
  "action",
  "patientId",
  "patientMrn",
  "outcome",
  "purpose",
  "ip",
  "requestId",
  "details",
  "hash",
] as const;

/** A refused export: the reason is missing or too short. */
export class ExportRefusedError extends Error {
  override name = "ExportRefusedError";
  constructor(readonly code: "reason_too_short" | "too_long") {
    super(code);
  }
}

/**
 * The access log under the filters as CSV (UTF-8 with a BOM, for Excel): logged as `access_log.exported` (purpose
 * AUDIT, with the reason and the filters) BEFORE any row is read, then streamed in keyset pages of
 * ACCESS_LOG_EXPORT_PAGE rows up to and including the export's own event, so the whole log is never in memory.
 */
export async function exportAccessLog(caller: Caller, filters: AccessLogFilters, reason: string): Promise<{ stream: ReadableStream<Uint8Array>; exportSeq: string }> {
  const officer = requireOfficer(caller, "access_log.export");
  const trimmed = reason.trim();
  if (trimmed.length < 5) throw new ExportRefusedError("reason_too_short");
  if (trimmed.length > 500) throw new ExportRefusedError("too_long");
  const { where, patientId, unknownMrn, order } = await filterWhere(filters);
  const exportSeq = await appendAccessEvent(
    { actor: officer, action: "access_log.exported", outcome: "ALLOWED", purpose: "AUDIT", details: { reason: trimmed, filters: loggedFilters(filters, patientId), format: "csv" } },
    caller.context,
  );
  const encoder = new TextEncoder();
  let cursor = 0n;
  let finished = unknownMrn;
  const stream = new ReadableStream<Uint8Array>({
    start(controller) {
      controller.enqueue(encoder.encode(`\uFEFF${csvLine(CSV_COLUMNS)}`));
    },
    async pull(controller) {
      if (finished) {
        controller.close();
        return;
      }
      try {
        const rows = await db().accessEvent.findMany({
          where: { AND: [where, { seq: { gt: cursor, lte: exportSeq } }] },
          select: { ...rowSelect, chain: true, chainSeq: true, requestId: true, details: true, hash: true },
          orderBy: order("asc"),
          take: ACCESS_LOG_EXPORT_PAGE,
        });
        if (rows.length === 0) {
          controller.close();
          return;
        }
        cursor = rows.at(-1)!.seq;
        if (rows.length < ACCESS_LOG_EXPORT_PAGE) finished = true;
        const labels = await labelsFor(rows);
        const text = rows
          .map((e) => {
            const dto = toRowDto(e, labels);
            return csvLine([
              dto.seq,
              dto.occurredAt,
              e.chain,
              e.chainSeq,
              e.actorKind,
              e.actorId,
              e.actorKind === "STAFF" && e.actorId ? (labels.staffName.get(e.actorId) ?? null) : e.actorKind === "PATIENT" ? dto.actorLabel : null,
              e.actorRole,
              e.action,
              e.patientId,
              dto.patientMrn,
              e.outcome,
              e.purpose,
              e.ip,
              e.requestId,
              JSON.stringify(e.details ?? {}),
              e.hash,
            ]);
          })
          .join("");
        controller.enqueue(encoder.encode(text));
      } catch (error) {
        controller.error(error);
      }
    },
  });
  return { stream, exportSeq: exportSeq.toString() };
}

/**
 * What compliance must look at now: open integrity and anchoring alerts (ids and counts only) and records still
 * pending past the anchoring window. Viewing it is itself logged.
 */
export async function getIntegrityOverview(caller: Caller): Promise<IntegrityOverviewDto> {
  const officer = requireOfficer(caller);
  const overdueBefore = new Date(Date.now() - env().PENDING_WARN_MINUTES * 60_000);
  const [alerts, overduePending, standing] = await Promise.all([
    db().alert.findMany({ where: { resolvedAt: null }, orderBy: { createdAt: "desc" }, take: 50, select: { id: true, kind: true, severity: true, createdAt: true, details: true } }),
    db().medicalRecord.count({ where: { status: "PENDING", createdAt: { lt: overdueBefore } } }),
    databaseRoleStanding(),
  ]);
  await appendAccessEvent(
    { actor: officer, action: "integrity.reviewed", outcome: "ALLOWED", purpose: "AUDIT", details: { openAlerts: alerts.length, overduePending } },
    caller.context,
  );
  return {
    overduePending,
    databaseRole: { user: standing.user, unrestricted: runsUnrestricted(standing) },
    sealIntervalSeconds: env().AUDIT_SEAL_SECONDS,
    alerts: alerts.map((a) => {
      const details = (a.details ?? {}) as Record<string, unknown>;
      return {
        id: a.id,
        kind: a.kind,
        severity: a.severity,
        createdAt: a.createdAt.toISOString(),
        recordId: typeof details.recordId === "string" ? details.recordId : null,
        batchNumber: typeof details.batchNumber === "string" ? details.batchNumber : null,
      };
    }),
  };
}
