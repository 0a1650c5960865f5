/**
 * `npm run bench -- --large`, the records at hospital scale (issue #8): about ten FHIR R4 records per patient (a
 * million for the 100,000 patients of scripts/bench/patient-list.ts), written as the product writes them but in bulk.
 *
 * Each record gets what `createRecords` (lib/jobs/create-records.ts) gives it — its own id and random salt and the
 * commitment, all from the product's `prepareRecord` — and a real `record.created` access event carrying that
 * commitment, hash-chained with the product's `hashAccessEvent`. The events go on the product's own chains
 * (1..AUDIT_CHAINS), continuing each chain from its head, exactly where `createRecords` would have put them; the
 * chains' advisory locks (the ones `audit_lock_chain` takes) are held for the whole load, so that no append could
 * interleave with it. What differs from `createRecords` is only how the rows travel: the hashing is done in this
 * process, chunk by chunk, and each chunk of records and events is one INSERT … SELECT FROM jsonb_to_recordset (one
 * statement, so a chunk's records and events commit together), with the secondary indexes of both tables dropped for
 * the load and rebuilt after, exactly as the migrations define them.
 *
 * Time runs forwards as in a real hospital: the records are created over the year before the synthetic access log of
 * scripts/bench/access-log-large.ts begins, patient after patient, so the log's `seq` order is its time order.
 * Afterwards the product's own log check (`checkAccessLog`) walks every chain and must find no break, and a random
 * sample of records is checked against its creation event and commitment the way the anchoring worker checks them.
 */
import { demoRecords, wardRecords } from "@/lib/jobs/demo-data";
import { ms } from "./stats";
import { observation } from "./fhir";

export const LARGE_RECORDS = {
  perPatient: 10,
  /** Patients per INSERT statement (5,000 records and 5,000 events). */
  patientsPerChunk: 500,
  /** Records checked against their creation event and commitment after the load. */
  sample: 2_000,
  /** The creation times are spread over this many days before the synthetic log begins. */
  spreadDays: 365,
} as const;

/** The transaction-scoped advisory lock class of the access log's chains (lib/audit/append-access-event.ts). */
const APPEND_LOCK_CLASS = 0x43_50_41_45;

export type LargeRecordsResult = {
  patients: number;
  records: number;
  events: number;
  chains: number[];
  byResourceType: Record<string, number>;
  canonicalResourceBytesMean: number;
  tableBytes: { medicalRecord: number; accessEventBeforeSyntheticLog: number };
  /** Wall time of the load (hashing here and inserting there overlap), and the two parts alone. */
  seedSeconds: number;
  prepareSeconds: number;
  insertWaitSeconds: number;
  indexSeconds: number;
  recordsPerSecond: number;
  logCheck: { seconds: number; checkedEvents: number; chains: number; firstBreak: unknown; unsealedEvents: number };
  sampleCheck: { records: number; soundAgainstCreationEvent: number; commitmentRecomputed: number; verification: Record<string, number> };
};

type EventRow = { seq: string; chain: number; chainSeq: string; occurredAt: string; patientId: string; details: unknown; prevHash: string; hash: string };
type RecordRow = {
  id: string; patientId: string; resourceType: string; resource: unknown; canonical: string; recipeVersion: number; identityVersion: number; recordedAt: string;
  source: string; commitment: string; salt: string; creationEventSeq: string; createdAt: string;
};

/** Ten records of several FHIR R4 types for one patient, from the demo's generators and the bench's lab Observations. */
function recordsFor(patientIndex: number, patientId: string, createdAt: Date): { resourceType: string; resource: Record<string, unknown>; recordedAt: Date }[] {
  // Four patients in five: an outpatient history (demoRecords: Encounter, Observations, Condition, MedicationStatement,
  // AllergyIntolerance, Immunization, Procedure). The fifth: an admission (wardRecords: Encounter, Observation,
  // DiagnosticReport, MedicationRequest, DocumentReference with a PDF) and five ~1.9 KB laboratory Observations.
  // demoRecords' values grow with its index; six variants stay within plausible ranges.
  if (patientIndex % 5 !== 4) return demoRecords(patientIndex % 6, createdAt).slice(0, LARGE_RECORDS.perPatient);
  const ward = wardRecords(patientIndex, createdAt);
  const labs = Array.from({ length: LARGE_RECORDS.perPatient - ward.length }, (_, k) => {
    const recordedAt = new Date(createdAt.getTime() - (k + 1) * 6 * 3_600_000);
    return { resourceType: "Observation", resource: observation(patientIndex * 10 + k, patientId, recordedAt), recordedAt };
  });
  return [...ward, ...labs];
}

/**
 * Seeds LARGE_RECORDS.perPatient records for each of the bench population's patients (MRN order), with their creation
 * events. `logBeginsAt`: when the synthetic access log will begin (the records are all created before it).
 */
export async function seedLargeRecords(opts: { patientMrns: { from: string; to: string }; logBeginsAt: Date; say: (line: string) => void }): Promise<LargeRecordsResult> {
  const { db, pgPool } = await import("@/lib/db");
  const { prepareRecord } = await import("@/lib/integrity");
  const { hashAccessEvent, GENESIS_HASH } = await import("@/lib/audit");
  const { AUDIT_CHAINS } = await import("@/lib/audit/event-hash");
  const { checkAccessLog } = await import("@/lib/audit/check-log");
  const { ledgers, verifyRecords, verifiableRecordSelect } = await import("@/lib/verification");
  const { say } = opts;

  const patients = await db().patient.findMany({
    where: { mrn: { gte: opts.patientMrns.from, lte: opts.patientMrns.to } },
    select: { id: true },
    orderBy: { mrn: "asc" },
  });
  const total = patients.length * LARGE_RECORDS.perPatient;
  if (total === 0) throw new Error("no bench patients to give records to");

  // The secondary indexes of both tables, as the migrations made them, dropped for the load and rebuilt after.
  const indexes = await db().$queryRaw<{ tablename: string; indexname: string; indexdef: string }[]>`
    SELECT tablename, indexname, indexdef FROM pg_indexes
    WHERE tablename IN ('MedicalRecord', 'AccessEvent') AND indexname NOT IN ('MedicalRecord_pkey', 'AccessEvent_pkey')`;
  for (const i of indexes) await db().$executeRawUnsafe(`DROP INDEX "${i.indexname}"`);

  // Hold every chain's append lock for the load (session-level: the same keys audit_lock_chain takes per transaction),
  // then read the chains' heads: the load continues them.
  const locker = await pgPool().connect();
  const chains = Array.from({ length: AUDIT_CHAINS }, (_, k) => k + 1);
  const heads = new Map<number, { chainSeq: bigint; hash: string }>(chains.map((c) => [c, { chainSeq: 0n, hash: GENESIS_HASH }]));
  let first: bigint;
  try {
    await locker.query(`SELECT pg_advisory_lock($1::int, c) FROM unnest($2::int[]) AS c`, [APPEND_LOCK_CLASS, chains]);
    const { rows } = await locker.query<{ chain: number; chainSeq: string; hash: string }>(
      `SELECT DISTINCT ON (chain) chain, "chainSeq"::text AS "chainSeq", hash FROM "AccessEvent" WHERE chain = ANY($1::int[]) ORDER BY chain, "chainSeq" DESC`,
      [chains],
    );
    for (const r of rows) heads.set(r.chain, { chainSeq: BigInt(r.chainSeq), hash: r.hash });
    // The global seqs of the creation events, reserved from the log's own sequence in one step.
    const reserved = await locker.query<{ first: string }>(
      `SELECT (setval('accessevent_seq_seq', nextval('accessevent_seq_seq') + $1::bigint - 1) - $1::bigint + 1)::text AS first`,
      [total],
    );
    first = BigInt(reserved.rows[0]!.first);
  } catch (error) {
    locker.release();
    throw error;
  }

  const byResourceType: Record<string, number> = {};
  let canonicalBytes = 0;
  let prepareMs = 0;
  let insertWaitMs = 0;
  let written = 0;
  let nextSeq = first;
  let nextChain = 0;
  const spreadMs = LARGE_RECORDS.spreadDays * 86_400_000;
  const createdAtOf = (patientIndex: number) =>
    new Date(Math.floor(opts.logBeginsAt.getTime() - spreadMs + (patientIndex * spreadMs) / patients.length));

  const insert = async (events: EventRow[], records: RecordRow[]) => {
    await pgPool().query(
      `WITH e AS (
         INSERT INTO "AccessEvent" (seq, chain, "chainSeq", "occurredAt", "actorKind", "actorId", "actorRole", action, "patientId", outcome, purpose, ip, "requestId", details, "prevHash", hash)
         SELECT x.seq, x.chain, x."chainSeq", x."occurredAt", 'SYSTEM', NULL, NULL, 'record.created', x."patientId", 'ALLOWED', 'OPERATIONS', NULL, NULL, x.details, x."prevHash", x.hash
         FROM jsonb_to_recordset($1::jsonb) AS x(seq bigint, chain int, "chainSeq" bigint, "occurredAt" timestamptz, "patientId" uuid, details jsonb, "prevHash" text, hash text)
       )
       INSERT INTO "MedicalRecord" (id, "patientId", "resourceType", resource, canonical, "recipeVersion", "identityVersion", "recordedAt", source, commitment, salt, status, "creationEventSeq", "createdAt")
       SELECT x.id, x."patientId", x."resourceType", x.resource, decode(x.canonical, 'base64'), x."recipeVersion", x."identityVersion", x."recordedAt", x.source, x.commitment, x.salt, 'PENDING', x."creationEventSeq", x."createdAt"
       FROM jsonb_to_recordset($2::jsonb) AS x(id uuid, "patientId" uuid, "resourceType" text, resource jsonb, canonical text, "recipeVersion" int, "identityVersion" int, "recordedAt" timestamptz, source text, commitment text, salt text, "creationEventSeq" bigint, "createdAt" timestamptz)`,
      [JSON.stringify(events), JSON.stringify(records)],
    );
  };

  const seedStart = process.hrtime.bigint();
  let inFlight: Promise<void> = Promise.resolve();
  let lastReport = Date.now();
  try {
    for (let from = 0; from < patients.length; from += LARGE_RECORDS.patientsPerChunk) {
      // Hashing the next chunk here while the previous one is inserted there: the two cores work side by side.
      const prepStart = process.hrtime.bigint();
      const events: EventRow[] = [];
      const records: RecordRow[] = [];
      for (let p = from; p < Math.min(patients.length, from + LARGE_RECORDS.patientsPerChunk); p++) {
        const patientId = patients[p]!.id;
        const createdAt = createdAtOf(p);
        for (const [k, input] of recordsFor(p, patientId, createdAt).entries()) {
          // The product's own preparation: id, salt and commitment fixed now (lib/integrity/new-record.ts).
          const record = prepareRecord({ patientId, resourceType: input.resourceType, resource: input.resource, recordedAt: input.recordedAt, source: "HOSPITAL_SYSTEM", identityVersion: 1 });
          const at = new Date(createdAt.getTime() + k); // one upload per patient, its records a millisecond apart
          const chain = chains[nextChain++ % chains.length]!;
          const head = heads.get(chain)!;
          const fields = {
            seq: nextSeq++,
            chain,
            chainSeq: head.chainSeq + 1n,
            occurredAt: at,
            actorKind: "SYSTEM" as const,
            actorId: null,
            actorRole: null,
            action: "record.created",
            patientId,
            outcome: "ALLOWED" as const,
            purpose: "OPERATIONS",
            ip: null,
            requestId: null,
            // What createRecords writes for a record without upload or predecessor.
            details: { recordId: record.id, commitment: record.commitment, resourceType: record.resourceType, source: record.source },
            prevHash: head.hash,
          };
          const hash = hashAccessEvent(fields);
          heads.set(chain, { chainSeq: fields.chainSeq, hash });
          events.push({
            seq: fields.seq.toString(), chain, chainSeq: fields.chainSeq.toString(), occurredAt: at.toISOString(), patientId,
            details: fields.details, prevHash: fields.prevHash, hash,
          });
          records.push({
            id: record.id, patientId, resourceType: record.resourceType, resource: record.resource, canonical: record.canonical.toString("base64"),
            recipeVersion: record.recipeVersion, identityVersion: record.identityVersion, recordedAt: record.recordedAt.toISOString(),
            source: record.source, commitment: record.commitment, salt: record.salt, creationEventSeq: fields.seq.toString(), createdAt: at.toISOString(),
          });
          byResourceType[record.resourceType] = (byResourceType[record.resourceType] ?? 0) + 1;
          if (written + records.length <= LARGE_RECORDS.sample) canonicalBytes += record.canonical.byteLength;
        }
      }
      prepareMs += ms(prepStart);
      const waitStart = process.hrtime.bigint();
      await inFlight;
      insertWaitMs += ms(waitStart);
      inFlight = insert(events, records);
      inFlight.catch(() => {}); // awaited on the next turn or after the loop
      written += records.length;
      if (Date.now() - lastReport > 15_000) {
        lastReport = Date.now();
        const seconds = ms(seedStart) / 1000;
        say(`  ${written.toLocaleString("en-US")} of ${total.toLocaleString("en-US")} records (${(written / seconds).toFixed(0)} records/s)…`);
      }
    }
    const waitStart = process.hrtime.bigint();
    await inFlight;
    insertWaitMs += ms(waitStart);
  } finally {
    await inFlight.catch(() => {});
    await locker.query(`SELECT pg_advisory_unlock_all()`).catch(() => {});
    locker.release();
  }
  if (nextSeq !== first + BigInt(total)) throw new Error(`${nextSeq - first} creation events for ${total} records`);
  const seedSeconds = ms(seedStart) / 1000;
  say(`seeded ${total.toLocaleString("en-US")} records and their creation events in ${seedSeconds.toFixed(0)} s (${(total / seedSeconds).toFixed(0)} records/s); rebuilding indexes…`);

  const indexStart = process.hrtime.bigint();
  await db().$executeRawUnsafe(`SET maintenance_work_mem = '512MB'`);
  for (const i of indexes) await db().$executeRawUnsafe(i.indexdef);
  await db().$executeRawUnsafe(`ANALYZE "MedicalRecord", "AccessEvent"`);
  const indexSeconds = ms(indexStart) / 1000;
  const [sizes] = await db().$queryRaw<{ records: bigint; events: bigint }[]>`
    SELECT pg_total_relation_size('"MedicalRecord"') AS records, pg_total_relation_size('"AccessEvent"') AS events`;

  // The product's own log check walks every chain from its genesis: it must find no break (the seal is not the
  // point here: unsealed events are counted, not reported as a tail).
  say(`indexes rebuilt in ${indexSeconds.toFixed(0)} s; checking the access log (checkAccessLog, every chain from its genesis)…`);
  const checkStart = process.hrtime.bigint();
  const check = await checkAccessLog({ ledger: ledgers().private, unsealedGraceSeconds: 10 * 366 * 24 * 3600 });
  const logCheck = { seconds: ms(checkStart) / 1000, checkedEvents: check.checkedEvents, chains: check.chains, firstBreak: check.firstBreak, unsealedEvents: check.unsealedEvents };
  if (check.firstBreak) throw new Error(`the access log does not check clean after the load: ${JSON.stringify(check.firstBreak)}`);
  if (check.checkedEvents < total) throw new Error(`the log check saw ${check.checkedEvents} events, fewer than the ${total} written`);
  say(`access log checked clean: ${check.checkedEvents.toLocaleString("en-US")} events on ${check.chains} chains in ${logCheck.seconds.toFixed(0)} s`);

  // A random sample, checked as the anchoring worker checks a batch: the creation event intact and agreeing, and the
  // commitment recomputed from the stored content; then the chart's verification (PENDING until anchored).
  const ids = (await db().$queryRaw<{ id: string }[]>`SELECT id::text FROM "MedicalRecord" ORDER BY random() LIMIT ${LARGE_RECORDS.sample}`).map((r) => r.id);
  const sample = await db().medicalRecord.findMany({ where: { id: { in: ids } }, select: verifiableRecordSelect });
  const verdicts = await verifyRecords(sample, { exactCopy: false });
  const verification: Record<string, number> = {};
  for (const v of verdicts) verification[v.verification] = (verification[v.verification] ?? 0) + 1;
  const sound = verdicts.filter((v) => v.levels.creation === "ok").length;
  const recomputed = verdicts.filter((v) => v.levels.commitment === "ok").length;
  const sampleCheck = { records: sample.length, soundAgainstCreationEvent: sound, commitmentRecomputed: recomputed, verification };
  if (sound !== sample.length || recomputed !== sample.length || (verification.tampered ?? 0) > 0) {
    throw new Error(`bulk records do not check as the product's own: ${JSON.stringify(sampleCheck)}`);
  }

  return {
    patients: patients.length,
    records: total,
    events: total,
    chains,
    byResourceType,
    canonicalResourceBytesMean: canonicalBytes / Math.min(total, LARGE_RECORDS.sample),
    tableBytes: { medicalRecord: Number(sizes!.records), accessEventBeforeSyntheticLog: Number(sizes!.events) },
    seedSeconds,
    prepareSeconds: prepareMs / 1000,
    insertWaitSeconds: insertWaitMs / 1000,
    indexSeconds,
    recordsPerSecond: total / seedSeconds,
    logCheck,
    sampleCheck,
  };
}

export type LargeAnchoringResult = {
  batchSize: number;
  budgetSeconds: number | null;
  records: number;
  anchored: number;
  pendingAfter: number;
  batches: number;
  checkpoints: number;
  seconds: number;
  recordsPerSecond: number;
};

/**
 * Anchors the pending records through the product's own path (anchoringTick, as anchorEverything and the worker run
 * it: prepareBatch re-checks every record against its creation event and commitment) in batches of `batchSize`, until
 * none is left or `budgetSeconds` have passed (checked between ticks; a tick closes at most 8 batches).
 */
export async function anchorLargeRecords(opts: { batchSize: number; budgetSeconds: number | null; say: (line: string) => void }): Promise<LargeAnchoringResult> {
  const { db } = await import("@/lib/db");
  const { anchoringTick } = await import("@/lib/jobs/anchoring");
  const { ledgers } = await import("@/lib/verification");
  const chains = ledgers();
  const pending = () => db().medicalRecord.count({ where: { status: "PENDING", batchId: null } });
  const before = await pending();
  const lastBatch = (await db().anchorBatch.aggregate({ _max: { batchNumber: true } }))._max.batchNumber ?? 0n;
  const lastCheckpoint = (await db().checkpoint.aggregate({ _max: { checkpointNumber: true } }))._max.checkpointNumber ?? 0n;
  const config = { batchSize: opts.batchSize, windowSeconds: 0, checkpointEveryBatches: 10, checkpointEveryMinutes: 0 };
  const start = process.hrtime.bigint();
  let left = before;
  let lastReport = Date.now();
  while (left > 0 && (opts.budgetSeconds === null || ms(start) / 1000 < opts.budgetSeconds)) {
    const report = await anchoringTick(chains, config);
    left = await pending();
    if (report.batchesConfirmed === 0 && report.waiting === 0) break; // nothing sound left to anchor
    if (Date.now() - lastReport > 15_000) {
      lastReport = Date.now();
      const done = before - left;
      opts.say(`  anchored ${done.toLocaleString("en-US")} of ${before.toLocaleString("en-US")} (${(done / (ms(start) / 1000)).toFixed(0)} records/s)…`);
    }
  }
  // Each tick confirms what it prepares (instant mining, one confirmation): nothing is left open here.
  const seconds = ms(start) / 1000;
  const anchored = await db().medicalRecord.count({ where: { status: "ANCHORED" } });
  const batches = await db().anchorBatch.count({ where: { batchNumber: { gt: lastBatch }, status: "CONFIRMED", kind: "RECORDS" } });
  const checkpoints = await db().checkpoint.count({ where: { checkpointNumber: { gt: lastCheckpoint }, status: "CONFIRMED" } });
  return { batchSize: opts.batchSize, budgetSeconds: opts.budgetSeconds, records: before, anchored, pendingAfter: await pending(), batches, checkpoints, seconds, recordsPerSecond: anchored / seconds };
}
