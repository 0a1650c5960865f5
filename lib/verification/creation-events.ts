import { pgPool } from "@/lib/db";

type Row = {
  id: string;
  commitment: string;
  creationEventSeq: bigint | null;
  status: "PENDING" | "ANCHORED";
  /** Recipe v1 does not bind source and supersession: for such rows the creation event must name them. */
  recipeVersion: number;
  source: string;
  supersedesId: string | null;
};

/**
 * Why a row cannot be trusted against its creation (docs/decisions/016-database-refuses-to-rewrite-history.md):
 *  - `creation_event_mismatch`: its commitment does not match the EARLIEST `record.created` event naming its id (or
 *    that event is missing, or not the one the row points to); for a recipe v1 row, also its source or the record it
 *    supersedes, which v1 commitments do not bind;
 *  - `second_creation_event`: more than one `record.created` event names its id (the database refuses a second one,
 *    so only an owner past the triggers and the unique index could have written it);
 *  - `already_anchored`: it is PENDING although a leaf for its id was anchored before (a reset row).
 */
export type CreationContradiction = "creation_event_mismatch" | "second_creation_event" | "already_anchored";

/*
 * ONE set-based statement for all rows (docs/decisions/021-creation-check-in-one-statement.md): the rows' own values
 * (what was just hashed, not re-read) are compared in PostgreSQL with the earliest creation event of each id, found
 * through the partial unique index on (details ->> 'recordId'); only the contradicting rows come back. The events
 * are not re-hashed here: an event's integrity is its place in the hash chain and the on-chain seals, which the
 * sealed access-log check proves (lib/audit/check-log.ts) — a per-view hash of the event alone proved nothing
 * against an insider who recomputes it, and cost one canonicalization per row.
 *
 * The earliest event is found by the id it names; a row whose creationEventSeq points elsewhere (or at nothing) is a
 * mismatch. A row anchored before creation events existed (no event, no creationEventSeq) is left to the chain alone,
 * unless it is recipe v1, whose source the chain does not bind.
 */
const CONTRADICTIONS = `
  WITH r AS (
    SELECT * FROM unnest($1::text[], $2::text[], $3::bigint[], $4::boolean[], $5::boolean[], $6::text[], $7::text[])
      AS r(id, commitment, event_seq, anchored, v1, source, supersedes)
  ),
  e AS (
    SELECT DISTINCT ON (details ->> 'recordId') details ->> 'recordId' AS id, seq, details,
      count(*) OVER (PARTITION BY details ->> 'recordId') AS n
    FROM "AccessEvent"
    WHERE action = 'record.created' AND (details ->> 'recordId') = ANY($1::text[])
    ORDER BY details ->> 'recordId', seq
  ),
  checked AS (
    SELECT r.id,
      (NOT r.anchored AND EXISTS (SELECT 1 FROM "AnchoredLeaf" l WHERE l."recordId" = r.id::uuid)) AS already_anchored,
      coalesce(e.n, 0) > 1 AS second_creation,
      CASE
        WHEN e.id IS NULL THEN NOT (r.event_seq IS NULL AND r.anchored AND NOT r.v1)
        ELSE NOT coalesce(
          (r.event_seq IS NULL OR r.event_seq = e.seq)
          AND e.details -> 'commitment' = to_jsonb(r.commitment)
          AND (NOT r.v1 OR (e.details -> 'source' = to_jsonb(r.source)
                            AND coalesce(e.details -> 'supersedes', 'null'::jsonb) = coalesce(to_jsonb(r.supersedes), 'null'::jsonb))),
          false)
      END AS mismatch
    FROM r LEFT JOIN e ON e.id = r.id
  ),
  recorded AS (
    SELECT DISTINCT a.details ->> 'recordId' AS id FROM "Alert" AS a
    WHERE a."resolvedAt" IS NULL AND a.kind = ANY($8::text[]) AND (a.details ->> 'recordId') = ANY($1::text[])
  )
  SELECT c.id, c.already_anchored, c.second_creation, c.mismatch, (c.id IN (SELECT id FROM recorded)) AS recorded FROM checked AS c
  WHERE c.already_anchored OR c.second_creation OR c.mismatch OR c.id IN (SELECT id FROM recorded)`;

/** What the database answers about a set of rows: the creation check's contradictions, and the recorded verdicts. */
export type DatabaseAnswers = {
  /** Rows that contradict their creation (only those), with why. */
  contradictions: Map<string, CreationContradiction[]>;
  /** Rows with an open alert of the kinds asked for (a `tampered` verdict recorded between views). */
  recordedTampered: Set<string>;
};

/**
 * Checks rows against their earliest creation event and the anchored-leaf registry, and (when `recordedKinds` is
 * given) finds those with an open alert of those kinds: ONE statement for both, one round trip per view (ADR 024),
 * only the rows that contradict something come back.
 */
export async function databaseAnswers(rows: readonly Row[], recordedKinds: readonly string[] | null): Promise<DatabaseAnswers> {
  const answers: DatabaseAnswers = { contradictions: new Map(), recordedTampered: new Set() };
  if (rows.length === 0) return answers;
  const { rows: contradicting } = await pgPool().query<{ id: string; already_anchored: boolean; second_creation: boolean; mismatch: boolean; recorded: boolean }>({
    // Prepared once per connection: planned once, not on every view.
    name: "chartproof_creation_contradictions",
    text: CONTRADICTIONS,
    values: [
      pgArray(rows.map((r) => r.id)),
      pgArray(rows.map((r) => r.commitment)),
      pgArray(rows.map((r) => (r.creationEventSeq === null ? null : r.creationEventSeq.toString()))),
      pgArray(rows.map((r) => r.status === "ANCHORED")),
      pgArray(rows.map((r) => r.recipeVersion === 1)),
      // Only a v1 row's source and supersession are compared (v2 binds them in its commitment).
      pgArray(rows.map((r) => (r.recipeVersion === 1 ? r.source : null))),
      pgArray(rows.map((r) => (r.recipeVersion === 1 ? r.supersedesId : null))),
      [...(recordedKinds ?? [])],
    ],
  });
  for (const c of contradicting) {
    if (c.recorded) answers.recordedTampered.add(c.id);
    const reasons: CreationContradiction[] = [];
    if (c.already_anchored) reasons.push("already_anchored");
    if (c.second_creation) reasons.push("second_creation_event");
    if (c.mismatch) reasons.push("creation_event_mismatch");
    if (reasons.length > 0) answers.contradictions.set(c.id, reasons);
  }
  return answers;
}

/** The creation check alone (databaseAnswers without recorded verdicts). */
export async function creationContradictions(rows: readonly Row[]): Promise<Map<string, CreationContradiction[]>> {
  return (await databaseAnswers(rows, null)).contradictions;
}

// A string JSON.stringify escapes only as `\"` or `\\`, which is how a PostgreSQL array literal escapes inside quotes.
const OTHER_JSON_ESCAPE = /\\[^"\\]/;

/**
 * An array parameter as PostgreSQL's array literal, written by JSON.stringify in one native call: the pg driver
 * escapes each of a page's thousands of elements in JavaScript, which cost more of a warm view than the statement
 * (ADR 024). JSON's quoting equals the literal's except for control characters and lone surrogates (JSON writes
 * `\n`, `\u…`, which the literal would read as other characters): an array with any of those is left to the driver.
 * Elements are strings (always quoted, so "null" stays text), booleans or null (unquoted: SQL NULL).
 */
export function pgArray(values: readonly (string | boolean | null)[]): string | readonly (string | boolean | null)[] {
  const json = JSON.stringify(values);
  return OTHER_JSON_ESCAPE.test(json) ? values : `{${json.slice(1, -1)}}`;
}
