// A patient's "who looked", grouped into visits: one person's views of the chart with no pause longer than
// VISIT_GAP_MINUTES between them. A doctor who opens the chart, three records and a proof in five minutes made one
// visit, not five entries. Pure.
import type { OwnAccessEventDto } from "./index";

export const VISIT_GAP_MINUTES = 30;

export type AccessVisitDto = {
  key: string;
  staffName: string | null;
  staffRole: string | null;
  department: string | null;
  /** First and last view of the visit (ISO). */
  from: string;
  to: string;
  /** Any view under an emergency (break-glass) grant makes the visit an emergency one. */
  emergency: boolean;
  reasons: string[];
  purposes: string[];
  recordCount: number;
  recordTypes: Record<string, number>;
  /** The visit's views, newest first. */
  events: OwnAccessEventDto[];
};

const who = (e: OwnAccessEventDto) => JSON.stringify([e.staffName, e.staffRole, e.department]);

/** Visits, newest first. */
export function groupIntoVisits(events: readonly OwnAccessEventDto[], gapMinutes = VISIT_GAP_MINUTES): AccessVisitDto[] {
  const gap = gapMinutes * 60_000;
  const byPerson = new Map<string, OwnAccessEventDto[]>();
  for (const e of events) byPerson.set(who(e), [...(byPerson.get(who(e)) ?? []), e]);
  const visits: AccessVisitDto[] = [];
  for (const list of byPerson.values()) {
    const oldestFirst = [...list].sort((a, b) => Date.parse(a.occurredAt) - Date.parse(b.occurredAt) || Number(BigInt(a.seq) - BigInt(b.seq)));
    let current: OwnAccessEventDto[] = [];
    for (const e of oldestFirst) {
      const last = current.at(-1);
      if (last && Date.parse(e.occurredAt) - Date.parse(last.occurredAt) > gap) {
        visits.push(visitOf(current));
        current = [];
      }
      current.push(e);
    }
    if (current.length > 0) visits.push(visitOf(current));
  }
  return visits.sort((a, b) => Date.parse(b.to) - Date.parse(a.to));
}

function visitOf(oldestFirst: OwnAccessEventDto[]): AccessVisitDto {
  const first = oldestFirst[0]!;
  const last = oldestFirst.at(-1)!;
  const recordTypes: Record<string, number> = {};
  let recordCount = 0;
  for (const e of oldestFirst) {
    recordCount += e.recordCount;
    for (const [type, n] of Object.entries(e.recordTypes)) recordTypes[type] = (recordTypes[type] ?? 0) + n;
  }
  const distinct = (values: (string | null)[]) => [...new Set(values.filter((v): v is string => v !== null))];
  return {
    key: `${first.seq}-${last.seq}`,
    staffName: first.staffName,
    staffRole: first.staffRole,
    department: first.department,
    from: first.occurredAt,
    to: last.occurredAt,
    emergency: oldestFirst.some((e) => e.emergency),
    reasons: distinct(oldestFirst.map((e) => e.reason)),
    purposes: distinct(oldestFirst.map((e) => e.purpose)),
    recordCount,
    recordTypes,
    events: [...oldestFirst].reverse(),
  };
}
