/**
 * `npm run bench -- --large`, the access log at hospital scale (issue #6): 10,000,000 access events spread over a
 * year, 100 doctors and 100,000 patients, then the compliance officer's filtered pages (listAccessLog in-process,
 * its own `access_log.viewed` append included), p50/p95 per filter. Bulk SQL: the secondary indexes are dropped for
 * the load and rebuilt after, exactly as the migrations define them.
 */
import { ms, stats, type Stats } from "./stats";

export const LARGE = { events: 10_000_000, chunk: 1_000_000, secondsApart: 3, rounds: 30 } as const;

export type LargeAccessLogResult = {
  events: number;
  seedSeconds: number;
  indexSeconds: number;
  queries: { name: string; rows: number; stats: Stats; plan?: string }[];
};

/** When the synthetic log will begin if seeded now: its newest event is now, the others LARGE.secondsApart before. */
export const syntheticLogBeginsAt = (events: number = LARGE.events) => new Date(Date.now() - events * LARGE.secondsApart * 1000);

/** `events`: LARGE.events unless the run is scaled down (`--scale`). */
export async function measureLargeAccessLog(say: (line: string) => void, events: number = LARGE.events): Promise<LargeAccessLogResult> {
  const { db } = await import("@/lib/db");
  const { findActiveActor } = await import("@/lib/dal/actors");
  const { listAccessLog } = await import("@/lib/dal/access-log");
  const { accessLogQuerySchema } = await import("@/lib/dto/compliance");

  const officerRow = await db().staff.create({
    data: { email: "bench-compliance@bench.invalid", name: "Bench compliance", passwordHash: "", role: "COMPLIANCE", status: "ACTIVE" },
    select: { id: true },
  });
  const officer = await findActiveActor("STAFF", officerRow.id);
  if (!officer) throw new Error("the bench compliance officer is not active");
  const caller = { actor: officer, context: { ip: "127.0.0.1", requestId: "bench-large" } };

  // The secondary indexes of AccessEvent, as the migrations made them, to rebuild after the load.
  const indexes = await db().$queryRaw<{ indexname: string; indexdef: string }[]>`
    SELECT indexname, indexdef FROM pg_indexes WHERE tablename = 'AccessEvent' AND indexname NOT IN ('AccessEvent_pkey')`;
  for (const i of indexes) await db().$executeRawUnsafe(`DROP INDEX "${i.indexname}"`);
  const base = (await db().accessEvent.aggregate({ _max: { seq: true } }))._max.seq ?? 0n;
  const seedStart = process.hrtime.bigint();
  for (let from = 1; from <= events; from += LARGE.chunk) {
    const to = Math.min(events, from + LARGE.chunk - 1);
    await db().$executeRawUnsafe(`
      WITH staff AS (SELECT array_agg(id::text ORDER BY email) AS ids FROM "Staff" WHERE role = 'DOCTOR'),
           patients AS (SELECT array_agg(id ORDER BY mrn) AS ids FROM "Patient")
      INSERT INTO "AccessEvent" (seq, chain, "chainSeq", "occurredAt", "actorKind", "actorId", "actorRole", action, "patientId", outcome, purpose, ip, "requestId", details, "prevHash", hash)
      SELECT ${base} + g, (100 + g % 16)::int, g / 16 + 1,
             now() - ((${events} - g)::float8 * ${LARGE.secondsApart}) * interval '1 second',
             'STAFF', staff.ids[1 + ((g * 31) % array_length(staff.ids, 1))::int], 'DOCTOR',
             CASE WHEN g % 20 < 10 THEN 'patient.viewed' WHEN g % 20 < 15 THEN 'record.viewed' WHEN g % 20 < 18 THEN 'patients.searched'
                  WHEN g % 20 = 18 THEN 'auth.signed_in' ELSE 'record.proof_exported' END,
             CASE WHEN g % 20 < 15 OR g % 20 = 19 THEN patients.ids[1 + ((g * 7919) % array_length(patients.ids, 1))::int] END,
             CASE WHEN g % 97 = 0 THEN 'DENIED' ELSE 'ALLOWED' END::"AccessOutcome",
             CASE WHEN g % 20 = 18 THEN NULL WHEN g % 1000 = 0 THEN 'EMERGENCY' ELSE 'TREATMENT' END::"AccessPurpose",
             '10.0.' || (g % 250) || '.' || (g % 200), NULL, '{}'::jsonb, 'bench', 'bench-' || g
      FROM generate_series(${from}::bigint, ${to}::bigint) AS g, staff, patients`);
    say(`  ${(to / 1e6).toFixed(0)} M events…`);
  }
  const seedSeconds = ms(seedStart) / 1000;
  await db().$executeRawUnsafe(`SELECT setval('accessevent_seq_seq', (SELECT max(seq) FROM "AccessEvent") + 1, false)`);
  const indexStart = process.hrtime.bigint();
  await db().$executeRawUnsafe(`SET maintenance_work_mem = '512MB'`);
  for (const i of indexes) await db().$executeRawUnsafe(i.indexdef);
  await db().$executeRawUnsafe(`ANALYZE "AccessEvent"`);
  const indexSeconds = ms(indexStart) / 1000;
  say(`seeded ${events.toLocaleString("en-US")} events in ${seedSeconds.toFixed(0)} s, indexes rebuilt in ${indexSeconds.toFixed(0)} s`);

  const doctor = (await db().staff.findFirstOrThrow({ where: { role: "DOCTOR" }, orderBy: { email: "asc" }, select: { id: true } })).id;
  // A patient the log actually mentions (the synthetic spread leaves some patients without events).
  const mentioned = await db().accessEvent.findFirstOrThrow({ where: { patientId: { not: null } }, orderBy: { seq: "desc" }, select: { patientId: true } });
  const patientMrn = (await db().patient.findUniqueOrThrow({ where: { id: mentioned.patientId! }, select: { mrn: true } })).mrn;
  const day = (daysAgo: number) => new Date(Date.now() - daysAgo * 86_400_000).toISOString().slice(0, 10);
  const middle = (base + BigInt(events / 2)).toString();
  const cases: { name: string; query: Record<string, string> }[] = [
    { name: "newest page, no filter", query: {} },
    { name: "purpose EMERGENCY", query: { purpose: "EMERGENCY" } },
    { name: "one staff member", query: { staff: doctor } },
    { name: "one patient (by MRN)", query: { mrn: patientMrn } },
    { name: "outcome DENIED", query: { outcome: "DENIED" } },
    { name: "action record.viewed, last 7 days", query: { action: "record.viewed", from: day(7), to: day(0) } },
    { name: "one day, six months ago", query: { from: day(180), to: day(180) } },
    { name: "role COMPLIANCE (rare)", query: { role: "COMPLIANCE" } },
    { name: "keyset deep: action patient.viewed before the middle", query: { action: "patient.viewed", before: middle } },
    { name: "staff + DENIED, oldest first", query: { staff: doctor, outcome: "DENIED", dir: "asc" } },
    // The records' creation events (scripts/bench/records-large.ts), all older than the synthetic log: when the bulk
    // records were seeded first, a filter whose newest match lies a year back.
    { name: "action record.created (the records' creation events)", query: { action: "record.created" } },
  ];
  const queries: LargeAccessLogResult["queries"] = [];
  for (const c of cases) {
    const query = accessLogQuerySchema.parse(c.query);
    const first = await listAccessLog(caller, query); // warm the plan and the cache once
    const samples: number[] = [];
    const caseStart = process.hrtime.bigint();
    // LARGE.rounds calls, or fewer when a slow filter has taken a minute (the number of samples is reported).
    for (let i = 0; i < LARGE.rounds && (i < 5 || ms(caseStart) < 60_000); i++) {
      const start = process.hrtime.bigint();
      await listAccessLog(caller, query);
      samples.push(ms(start));
    }
    const result: LargeAccessLogResult["queries"][number] = { name: c.name, rows: first.rows.length, stats: stats(samples) };
    say(`  ${c.name}: p50 ${result.stats.p50.toFixed(1)} ms, p95 ${result.stats.p95.toFixed(1)} ms (${first.rows.length} rows, ${samples.length} calls)`);
    if (result.stats.p95 > 50) {
      // A miss: which of the page's statements is slow (Prisma's query log, one call), and how the planner runs it.
      const slowest = await slowestStatement(() => listAccessLog(caller, query));
      if (slowest) {
        const plan = await db().$queryRawUnsafe<{ "QUERY PLAN": string }[]>(`EXPLAIN (ANALYZE, BUFFERS) ${slowest.query}`, ...(JSON.parse(slowest.params) as unknown[]));
        result.plan = `${slowest.duration} ms: ${slowest.query}\n${plan.map((r) => r["QUERY PLAN"]).join("\n")}`;
        say(`  its slowest statement (${slowest.duration} ms), EXPLAIN ANALYZE:\n${result.plan}`);
      }
    }
    queries.push(result);
  }
  return { events, seedSeconds, indexSeconds, queries };
}

/** The slowest statement one call of `run` issues, from a query-logging Prisma client swapped in for lib/db's. */
async function slowestStatement(run: () => Promise<unknown>): Promise<{ query: string; params: string; duration: number } | null> {
  const { db } = await import("@/lib/db");
  const { env } = await import("@/lib/env");
  const { PrismaClient } = await import("@/lib/generated/prisma/client");
  const { PrismaPg } = await import("@prisma/adapter-pg");
  const logging = new PrismaClient({ adapter: new PrismaPg({ connectionString: env().DATABASE_URL, max: 2 }), log: [{ emit: "event", level: "query" }] });
  const logged: { query: string; params: string; duration: number }[] = [];
  logging.$on("query", (e) => logged.push({ query: e.query, params: e.params, duration: e.duration }));
  const slot = globalThis as unknown as { chartproofPrisma?: unknown };
  const normal = db();
  slot.chartproofPrisma = logging;
  try {
    await run();
  } finally {
    slot.chartproofPrisma = normal;
    await logging.$disconnect();
  }
  return logged.reduce<(typeof logged)[number] | null>((a, b) => (a === null || b.duration > a.duration ? b : a), null);
}
