// The compliance officer's screens: access-log queries parsed from URL search params (no PHI: ids, MRNs, codes and
// days only), action inputs, and the shapes the DAL hands to pages and components. Pure: no I/O.
import { z } from "zod";

export const ACCESS_LOG_PAGE_SIZE = 50;
/** Rows per keyset page read by the CSV export (never the whole log in memory). */
export const ACCESS_LOG_EXPORT_PAGE = 1_000;

export const ACCESS_OUTCOMES = ["ALLOWED", "DENIED"] as const;
export const ACCESS_PURPOSES = ["TREATMENT", "EMERGENCY", "OPERATIONS", "AUDIT", "SELF_ACCESS", "RESEARCH"] as const;
export const ACCESS_ROLES = ["DOCTOR", "ADMIN", "COMPLIANCE", "RESEARCHER", "REGISTRAR", "PATIENT"] as const;

const blankToUndefined = (v: unknown) => (typeof v === "string" && v.trim() === "" ? undefined : v);
const optional = <T extends z.ZodType>(schema: T) => z.preprocess(blankToUndefined, schema.optional()).catch(undefined);
const seqString = z.string().regex(/^[0-9]{1,19}$/);

/** The access log's filters. Unknown or malformed parameters are dropped instead of failing: a URL is user input. */
export const accessLogFiltersSchema = z.object({
  /** Calendar days (YYYY-MM-DD) in the hospital's zone, inclusive. */
  from: optional(z.iso.date()),
  to: optional(z.iso.date()),
  /** A staff member's id (chosen from a list of names). */
  staff: optional(z.uuid()),
  role: optional(z.enum(ACCESS_ROLES)),
  /** The patient's MRN (an identifier, not a name); resolved to the patient id on the server. */
  mrn: optional(z.string().trim().regex(/^[A-Za-z0-9-]{1,32}$/)),
  action: optional(z.string().trim().regex(/^[a-z0-9_]{1,40}(\.[a-z0-9_]{1,40}){0,3}$/)),
  outcome: optional(z.enum(ACCESS_OUTCOMES)),
  purpose: optional(z.enum(ACCESS_PURPOSES)),
  /** "1" shows the viewing officer's own audit reading, hidden by default so that it does not drown the log. */
  mine: optional(z.literal("1")),
});

export type AccessLogFilters = z.infer<typeof accessLogFiltersSchema>;

export const accessLogQuerySchema = accessLogFiltersSchema.extend({
  /** Time order: newest first (desc, the default) or oldest first. */
  dir: z.enum(["asc", "desc"]).catch("desc").default("desc"),
  /** Keyset cursors: events with seq above `after`, or below `before` (never an offset). */
  after: optional(seqString),
  before: optional(seqString),
});

export type AccessLogQuery = z.infer<typeof accessLogQuerySchema>;

export const exportReasonSchema = z.string().trim().min(5, "reason_too_short").max(500, "too_long");

export const FILTER_KEYS = ["from", "to", "staff", "role", "mrn", "action", "outcome", "purpose", "mine"] as const satisfies readonly (keyof AccessLogFilters)[];

/** The filters that are set, for links, logs and the export: nothing else, never a name. */
export function activeFilters(filters: AccessLogFilters): Partial<Record<(typeof FILTER_KEYS)[number], string>> {
  return Object.fromEntries(FILTER_KEYS.flatMap((k) => (filters[k] ? [[k, filters[k]]] : [])));
}

/** The access-log URL for a query, dropping defaults so links stay short and shareable. */
export function accessLogHref(query: Partial<AccessLogQuery>, base = "/compliance/access-log"): string {
  const params = new URLSearchParams(activeFilters(query as AccessLogFilters));
  if (query.dir === "asc") params.set("dir", "asc");
  if (query.after) params.set("after", query.after);
  if (query.before) params.set("before", query.before);
  const text = params.toString();
  return text ? `${base}?${text}` : base;
}

/** The instant a calendar day (YYYY-MM-DD) begins in a time zone. */
export function startOfDayInZone(day: string, timeZone: string): Date {
  const [y, m, d] = day.split("-").map(Number) as [number, number, number];
  const guess = Date.UTC(y, m - 1, d);
  // The zone's offset at the guess, then once more at the corrected instant (a DST change near midnight).
  let instant = guess - zoneOffsetMs(new Date(guess), timeZone);
  instant = guess - zoneOffsetMs(new Date(instant), timeZone);
  return new Date(instant);
}

function zoneOffsetMs(at: Date, timeZone: string): number {
  const parts = new Intl.DateTimeFormat("en-US", {
    timeZone,
    hourCycle: "h23",
    year: "numeric",
    month: "2-digit",
    day: "2-digit",
    hour: "2-digit",
    minute: "2-digit",
    second: "2-digit",
  }).formatToParts(at);
  const get = (type: string) => Number(parts.find((p) => p.type === type)?.value ?? 0);
  const asUtc = Date.UTC(get("year"), get("month") - 1, get("day"), get("hour"), get("minute"), get("second"));
  return asUtc - Math.floor(at.getTime() / 1000) * 1000;
}

/** The day after a calendar day (YYYY-MM-DD). */
export function nextDay(day: string): string {
  const [y, m, d] = day.split("-").map(Number) as [number, number, number];
  return new Date(Date.UTC(y, m - 1, d + 1)).toISOString().slice(0, 10);
}

/** The month (YYYY-MM) before a month. */
export function previousMonth(period: string): string {
  const [y, m] = period.split("-").map(Number) as [number, number];
  return new Date(Date.UTC(y, m - 2, 1)).toISOString().slice(0, 7);
}

/** The instants a month (YYYY-MM) starts and ends (exclusive) in a time zone. */
export function monthRange(period: string, timeZone: string): { start: Date; end: Date } {
  const [y, m] = period.split("-").map(Number) as [number, number];
  const next = new Date(Date.UTC(y, m, 1)).toISOString().slice(0, 10);
  return { start: startOfDayInZone(`${period}-01`, timeZone), end: startOfDayInZone(next, timeZone) };
}

// ——— Action inputs ———

export const alertReviewSchema = z.object({
  alertId: z.uuid({ error: "invalid" }),
  note: z.string().trim().min(5, "note_too_short").max(2000, "too_long"),
});

export const signOffSchema = z.object({
  period: z.string().trim().regex(/^[0-9]{4}-(0[1-9]|1[0-2])$/, "period_invalid"),
  note: z.string().trim().min(5, "note_too_short").max(2000, "too_long"),
});

/** The integrity check's form carries one fixed field, so that an empty or forged submission runs nothing. */
export const integrityCheckSchema = z.object({ run: z.literal("all", { error: "invalid" }) });

// ——— Shapes for pages and components ———

/** One access event as compliance sees it: metadata only, never the records' contents. */
export type AccessLogRowDto = {
  seq: string;
  occurredAt: string;
  actorKind: string;
  actorId: string | null;
  actorRole: string | null;
  /** The staff member's name, or the patient's MRN for a patient's own access. */
  actorLabel: string | null;
  action: string;
  patientId: string | null;
  patientMrn: string | null;
  patientName: string | null;
  outcome: string;
  purpose: string | null;
  ip: string | null;
};

export type AccessLogPageDto = {
  rows: AccessLogRowDto[];
  dir: "asc" | "desc";
  /** Whether events newer than the newest row (or older than the oldest) match the filters. */
  hasNewer: boolean;
  hasOlder: boolean;
  newestSeq: string | null;
  oldestSeq: string | null;
  /** The MRN filter named no patient. */
  unknownMrn: boolean;
};

export type StaffOptionDto = { id: string; name: string; role: string };

export type EventIntegrityDto = {
  /** The stored hash recomputes from the stored fields. */
  hashValid: boolean;
  /** The previous event of its chain exists and its hash is this event's prevHash (or this is the chain's first). */
  link: "holds" | "broken" | "previous_missing" | "genesis";
  previousSeq: string | null;
  seal: null | {
    sealedAt: string;
    eventCount: string;
    batch: null | { number: string; status: string; txHash: string | null; blockNumber: string | null; anchoredAt: string | null };
  };
};

export type AccessEventDetailDto = {
  seq: string;
  chain: number;
  chainSeq: string;
  occurredAt: string;
  actorKind: string;
  actor: null | { id: string; name: string | null; role: string | null; department: string | null };
  action: string;
  outcome: string;
  purpose: string | null;
  ip: string | null;
  requestId: string | null;
  patient: null | { id: string; mrn: string | null };
  /** The event's details flattened to readable key/value pairs (ids and counts; never record content). */
  details: DetailPairDto[];
  hash: string;
  prevHash: string;
  integrity: EventIntegrityDto;
};

export type LogBreakDto = {
  kind: "edited" | "deleted" | "reordered" | "seal_missing" | "seal_mismatch" | "unsealed_tail";
  chain: number | null;
  chainSeq: string | null;
  seq: string | null;
  occurredAt: string | null;
  sealNumber: string | null;
};

export type LogCheckDto = {
  checkedAt: string;
  /** False when the chain could not be read: then nothing was checked. */
  checked: boolean;
  checkedEvents: number;
  chains: number;
  firstBreak: LogBreakDto | null;
  breaks: number;
  sealsOnChain: number;
  newestSeal: { number: string; blockNumber: string; sealedAt: string | null; eventCount: string | null } | null;
  unsealedEvents: number;
  unsealedSince: string | null;
  sealIntervalSeconds: number;
};

/**
 * One readable detail of an alert or event: `key` is a message key under compliance.detailKeys (a path such as
 * `filters.type` for nested details); ids come already named (staff name, patient name and MRN, record type and date),
 * with `href` where the officer can look next.
 */
export type DetailPairDto = { key: string; value: string; href?: string; mono?: boolean };

export type AlertRowDto = {
  id: string;
  kind: string;
  severity: "INFO" | "WARNING" | "CRITICAL";
  createdAt: string;
  /** Ids and counts from the alert's details, as readable pairs. */
  summary: DetailPairDto[];
  /** Access events the alert points at (details.eventSeqs). */
  eventSeqs: string[];
  resolvedAt: string | null;
  reviewedAt: string | null;
  reviewedBy: string | null;
  reviewNote: string | null;
};

export type AuditReviewDto = {
  id: string;
  period: string;
  signedBy: string;
  signedAt: string;
  note: string;
  summary: { events: number; alertsRaised: number; alertsOpen: number };
};

export type SignOffPageDto = { reviews: AuditReviewDto[]; defaultPeriod: string; currentPeriod: string };

export type ChartPointDto = { label: string; value: number };

export type ComplianceDashboardDto = {
  days: number;
  /** Patient-data accesses per calendar day (hospital zone), oldest first, every day present. */
  accessesPerDay: ChartPointDto[];
  alertsByKind: ChartPointDto[];
  /** Staff with the most patient-data views (name as label). */
  topAccessors: (ChartPointDto & { staffId: string })[];
  openAlerts: number;
  emergencyAccesses: number;
  deniedAccesses: number;
};

/** One lawful-erasure request and, once approved, its tombstone (the compliance officer's erasures page). */
export type RecordErasureDto = {
  requestId: string;
  recordId: string;
  legalBasis: string;
  reason: string;
  status: "PENDING" | "APPROVED" | "REJECTED" | "CANCELLED" | "EXPIRED";
  requestedBy: string | null;
  decidedBy: string | null;
  createdAt: string;
  decidedAt: string | null;
  /** What identifies the record without its content. */
  record: { resourceType: string; recordedAt: string; mrn: string } | null;
  tombstone: { erasedAt: string; statementHash: string; unit: { number: string; status: string; txHash: string | null } | null } | null;
  own: boolean;
};
