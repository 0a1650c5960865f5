/**
 * The doctor's patient list at hospital scale, for `npm run bench` (scripts/bench.ts): 100,000 patients and their
 * consents seeded by bulk SQL into the benchmark's own database, then `searchPatients` (lib/dal/patients.ts) timed
 * in-process for one doctor, the `patients.searched` access-event append included, with the SQL Prisma runs for
 * it explained once (EXPLAIN ANALYZE, BUFFERS).
 *
 * Imported only after scripts/bench.ts has pointed the configuration at its own services.
 */
import type { Prisma } from "@/lib/generated/prisma/client";
import type { PatientListQuery } from "@/lib/dto/patients";
import { ms, stats, type Stats } from "./stats";

// Frequency-weighted Korean surnames (김, 이 and 박 are about 45% of the population) and common given-name syllables.
const SURNAMES = ["김", "김", "김", "김", "이", "이", "이", "박", "박", "최", "정", "강", "조", "윤", "장", "임", "한", "오", "서", "신", "권", "황", "안", "송", "류", "전", "홍", "고", "문", "양"];
const SYLLABLES = ["민", "서", "지", "현", "수", "영", "준", "우", "예", "하", "은", "도", "윤", "성", "진", "아", "연", "재", "혜", "경", "승", "호", "주", "희", "원", "유", "태", "동", "정", "나"];
const DEPARTMENTS = ["내과", "외과", "소아청소년과", "산부인과", "정형외과", "신경과", "신경외과", "심장내과", "호흡기내과", "소화기내과", "내분비내과", "신장내과", "감염내과", "류마티스내과", "혈액종양내과", "비뇨의학과", "안과", "이비인후과", "피부과", "정신건강의학과"];

export const POPULATION = {
  patients: 100_000,
  departments: 40,
  doctors: 100,
  /** MRNs 10000001…10100000; the rest of the benchmark uses 9xxxxxxx. */
  mrnBase: 10_000_000,
} as const;

const sqlArray = (values: readonly string[]) => `ARRAY[${values.map((v) => `'${v}'`).join(",")}]`;
/** Name from three bytes of a per-row md5 `h`, starting at byte `at`. */
const koreanName = (h: string, at: number) =>
  `(${sqlArray(SURNAMES)})[1 + get_byte(${h}, ${at}) % ${SURNAMES.length}] || ` +
  `(${sqlArray(SYLLABLES)})[1 + get_byte(${h}, ${at + 1}) % ${SYLLABLES.length}] || ` +
  `(${sqlArray(SYLLABLES)})[1 + get_byte(${h}, ${at + 2}) % ${SYLLABLES.length}]`;

export type BenchDoctor = { id: string; email: string; departmentId: string };
export type Population = { doctors: BenchDoctor[]; patients: number; consents: number; seconds: number };

/**
 * 40 departments, 100 doctors (doctor k in department k mod 40), 100,000 patients (fewer for a scaled-down
 * `--large`), and per patient (deterministic from an md5 of its number): a TREATMENT consent to a department (55%), one to a doctor directly (80%), one for
 * RESEARCH (10%, never lists). A sixth of the TREATMENT consents do not count now: revoked, expired or not yet valid;
 * a few are active but revoked or expiring later. Doctor 0 ends up covered for ~2,000 patients, as does each other.
 * INSERT … SELECT over generate_series: one statement per table, no row crosses the wire.
 */
export async function seedPopulation(patients: number = POPULATION.patients): Promise<Population> {
  const { db } = await import("@/lib/db");
  const start = process.hrtime.bigint();
  const { departments, doctors, mrnBase } = POPULATION;
  await db().$executeRawUnsafe(`
    INSERT INTO "Department" ("id", "code", "name")
    SELECT gen_random_uuid(), 'BENCH-' || lpad(d::text, 2, '0'), (${sqlArray(DEPARTMENTS)})[1 + d % ${DEPARTMENTS.length}] || ' ' || (1 + d / ${DEPARTMENTS.length}) || '팀'
    FROM generate_series(0, ${departments - 1}) AS d`);
  await db().$executeRawUnsafe(`
    WITH src AS (SELECT k, decode(md5('chartproof-bench-doctor-' || k), 'hex') AS h FROM generate_series(0, ${doctors - 1}) AS k)
    INSERT INTO "Staff" ("id", "email", "name", "passwordHash", "role", "status", "departmentId", "updatedAt", "licenceNumber")
    SELECT gen_random_uuid(), 'bench-doctor-' || lpad(k::text, 3, '0') || '@bench.invalid', ${koreanName("h", 0)}, '', 'DOCTOR', 'ACTIVE',
           (SELECT "id" FROM "Department" WHERE "code" = 'BENCH-' || lpad((k % ${departments})::text, 2, '0')), now(), 'BENCH-' || k
    FROM src`);
  await db().$executeRawUnsafe(`
    WITH src AS (SELECT i, decode(md5('chartproof-bench-patient-' || i), 'hex') AS h FROM generate_series(1, ${patients}) AS i)
    INSERT INTO "Patient" ("id", "mrn", "name", "birthDate", "sex")
    SELECT gen_random_uuid(), (${mrnBase} + i)::text, ${koreanName("h", 0)},
           DATE '1930-01-01' + (((get_byte(h, 3) << 16) | (get_byte(h, 4) << 8) | get_byte(h, 5)) % 33600),
           (CASE WHEN get_byte(h, 6) < 4 THEN 'UNKNOWN' WHEN get_byte(h, 6) < 8 THEN 'OTHER' WHEN get_byte(h, 6) % 2 = 0 THEN 'FEMALE' ELSE 'MALE' END)::"Sex"
    FROM src`);
  // state: 0 revoked, 1 expired, 3 not yet valid (these do not count); 2 revocation scheduled, 4 expires later, else open.
  const consents = await db().$executeRawUnsafe(`
    WITH deps AS (SELECT array_agg("id" ORDER BY "code") AS a FROM "Department" WHERE "code" LIKE 'BENCH-%'),
         docs AS (SELECT array_agg("id" ORDER BY "email") AS a FROM "Staff" WHERE "email" LIKE 'bench-doctor-%@bench.invalid'),
         p AS (SELECT "id", decode(md5('chartproof-bench-consent-' || "mrn"), 'hex') AS h FROM "Patient"
               WHERE "mrn" BETWEEN '${mrnBase + 1}' AND '${mrnBase + patients}')
    INSERT INTO "Consent" ("id", "patientId", "granteeStaffId", "granteeDepartmentId", "scope", "recordClasses", "validFrom", "validUntil", "revokedAt", "createdAt")
    SELECT gen_random_uuid(), p."id", c.staff, c.dept, c.scope::"ConsentScope", '{}',
           CASE WHEN c.state = 3 THEN now() + interval '7 days' ELSE now() - make_interval(days => 1 + c.age) END,
           CASE WHEN c.state = 1 THEN now() - interval '1 day' WHEN c.state = 4 THEN now() + interval '90 days' END,
           CASE WHEN c.state = 0 THEN now() - interval '2 days' WHEN c.state = 2 THEN now() + interval '30 days' END,
           now() - make_interval(days => 1 + c.age)
    FROM p, deps, docs, LATERAL (VALUES
      (get_byte(h, 0) % 100 < 55, NULL::uuid, deps.a[1 + get_byte(h, 1) % ${departments}], 'TREATMENT', get_byte(h, 2) % 20, get_byte(h, 3)),
      (get_byte(h, 4) % 100 < 80, docs.a[1 + ((get_byte(h, 5) << 8) | get_byte(h, 6)) % ${doctors}], NULL::uuid, 'TREATMENT', get_byte(h, 7) % 20, get_byte(h, 8)),
      (get_byte(h, 9) % 10 = 0, docs.a[1 + get_byte(h, 10) % ${doctors}], NULL::uuid, 'RESEARCH', 5, get_byte(h, 11))
    ) AS c(wanted, staff, dept, scope, state, age)
    WHERE c.wanted`);
  // A production database has statistics; a freshly loaded one gets them from autovacuum a little later.
  await db().$executeRawUnsafe(`ANALYZE "Department", "Staff", "Patient", "Consent"`);
  const rows = await db().staff.findMany({
    where: { email: { startsWith: "bench-doctor-", endsWith: "@bench.invalid" } },
    select: { id: true, email: true, departmentId: true },
    orderBy: { email: "asc" },
  });
  return { doctors: rows.map((d) => ({ id: d.id, email: d.email, departmentId: d.departmentId! })), patients, consents, seconds: ms(start) / 1000 };
}

/** Direct TREATMENT consents (all records, open-ended) from one patient to each of these doctors. */
export async function consentTo(patientId: string, doctors: readonly BenchDoctor[]): Promise<void> {
  const { db } = await import("@/lib/db");
  await db().consent.createMany({
    data: doctors.map((d) => ({ patientId, granteeStaffId: d.id, scope: "TREATMENT" as const, recordClasses: [], validFrom: new Date(Date.now() - 86_400_000) })),
  });
}

export async function benchCaller(doctor: BenchDoctor) {
  const { findActiveActor } = await import("@/lib/dal/actors");
  const actor = await findActiveActor("STAFF", doctor.id);
  if (!actor) throw new Error(`bench doctor ${doctor.email} is not active`);
  return { actor, context: { ip: "127.0.0.1", requestId: "bench" } };
}

type PlanSummary = { statement: "count" | "findMany"; executionMs: number; planningMs: number; sharedHit: number; sharedRead: number; seqScans: string[]; plan: string };
export type ListCase = {
  name: string;
  description: string;
  stats: Stats;
  /** WHAT-IF, not the product: covered patient ids first, then the patients by id (same rows, same event). */
  whatIfConsentIdsFirst: Stats;
  rows: number;
  total: number;
  page: number;
  /** Per statement class, ms as Prisma's query log reports it (the database round trip), over 10 logged calls. */
  parts: Record<string, Stats>;
  plans: PlanSummary[];
};
export type ListResult = {
  doctor: string;
  coveredPatients: number;
  consentRows: number;
  cases: ListCase[];
  target: { p95AtMostMs: number; worstP95: number; met: boolean };
};

const TARGET_P95_MS = 100;

/**
 * Times searchPatients for doctor 0 on six queries, interleaved round by round; then, on a second Prisma client
 * that logs its queries (swapped in for lib/db's, the timing done), breaks one call of each down by statement and
 * runs EXPLAIN (ANALYZE, BUFFERS) on the count and the page query it issued.
 */
export async function measurePatientList(doctor: BenchDoctor, rounds: number, say: (line: string) => void): Promise<ListResult> {
  const { searchPatients } = await import("@/lib/dal/patients");
  const { seal } = await import("@/lib/auth/sealed-box");
  const { env } = await import("@/lib/env");
  const { db } = await import("@/lib/db");
  const caller = await benchCaller(doctor);
  const sealed = (terms: { q?: string; born?: string }) => seal("patient-search-v1", JSON.stringify(terms), env().AUTH_SECRET);

  const first = await searchPatients(caller, { sort: "name", dir: "asc", page: 1, size: 25 });
  const pages = Math.ceil(first.total / 25);
  // Search terms a doctor would type, taken from a patient in their own list: a given name, an MRN prefix, a birth date.
  const sample = first.rows[10] ?? first.rows[0]!;
  const givenName = sample.name.slice(1);
  const mrnPrefix = sample.mrn.slice(0, 5);
  type Terms = { q?: string; born?: string };
  const cases: { name: string; description: string; terms: Terms | null; query: PatientListQuery }[] = [
    { name: "default", description: "default page (name ↑, 25)", terms: null, query: { sort: "name", dir: "asc", page: 1, size: 25 } },
    { name: "birthDateDesc", description: "sorted by birth date ↓", terms: null, query: { sort: "birthDate", dir: "desc", page: 1, size: 25 } },
    { name: "deepPage", description: `page ${pages} of ${pages} (name ↑)`, terms: null, query: { sort: "name", dir: "asc", page: pages, size: 25 } },
    { name: "nameSearch", description: `name contains "${givenName}"`, terms: { q: givenName }, query: { sort: "name", dir: "asc", page: 1, size: 25 } },
    { name: "mrnPrefix", description: `MRN starts with ${mrnPrefix}`, terms: { q: mrnPrefix }, query: { sort: "name", dir: "asc", page: 1, size: 25 } },
    { name: "birthDate", description: "born on one date", terms: { born: sample.birthDate }, query: { sort: "name", dir: "asc", page: 1, size: 25 } },
  ];
  for (const c of cases) if (c.terms) c.query.s = sealed(c.terms);

  // WHAT-IF ONLY, not what the product does: the same page with the doctor's covered patient ids fetched first (an
  // index scan of their consents), then the patients by id. Checked against searchPatients row for row below.
  const { activeTreatmentConsent } = await import("@/lib/dal/chart-access");
  const { appendAccessEvent, searchTermsDigest } = await import("@/lib/audit");
  const staff = caller.actor as Extract<typeof caller.actor, { kind: "STAFF" }>;
  const whatIfConsentIdsFirst = async (c: (typeof cases)[number]) => {
    const ids = (await db().consent.findMany({ where: activeTreatmentConsent(staff, new Date()), select: { patientId: true }, distinct: ["patientId"] })).map((r) => r.patientId);
    const search: Prisma.PatientWhereInput[] = [];
    if (c.terms?.q) search.push({ OR: [{ name: { contains: c.terms.q.normalize("NFC"), mode: "insensitive" } }, { mrn: { startsWith: c.terms.q } }] });
    if (c.terms?.born) search.push({ birthDate: new Date(`${c.terms.born}T00:00:00Z`) });
    const where: Prisma.PatientWhereInput = { AND: [{ id: { in: ids } }, ...search] };
    const total = await db().patient.count({ where });
    const page = Math.min(c.query.page, Math.max(1, Math.ceil(total / c.query.size)));
    const rows = await db().patient.findMany({
      where,
      select: { id: true, mrn: true, name: true, birthDate: true, sex: true },
      orderBy: [{ [c.query.sort]: c.query.dir }, { id: "asc" }],
      skip: (page - 1) * c.query.size,
      take: c.query.size,
    });
    await appendAccessEvent(
      {
        actor: staff, action: "patients.searched", outcome: "ALLOWED", purpose: "TREATMENT",
        details: { terms: c.terms ? searchTermsDigest(c.terms) : null, sort: c.query.sort, dir: c.query.dir, page, resultCount: total, patientIds: rows.map((p) => p.id) },
      },
      caller.context,
    );
    return { total, ids: rows.map((r) => r.id) };
  };
  for (const c of cases) {
    const [product, whatIf] = [await searchPatients(caller, c.query), await whatIfConsentIdsFirst(c)];
    if (product.total !== whatIf.total || product.rows.map((r) => r.id).join() !== whatIf.ids.join()) {
      throw new Error(`the what-if patient query differs from searchPatients for "${c.description}"`);
    }
  }
  const whatIfSamples = cases.map(() => [] as number[]);

  const samples = cases.map(() => [] as number[]);
  const shapes = cases.map(() => ({ rows: 0, total: 0, page: 0 }));
  for (const c of cases) await searchPatients(caller, c.query); // warm-up
  for (let round = 0; round < rounds; round++) {
    for (const [i, c] of cases.entries()) {
      const start = process.hrtime.bigint();
      const page = await searchPatients(caller, c.query);
      samples[i]!.push(ms(start));
      shapes[i] = { rows: page.rows.length, total: page.total, page: page.page };
      const whatIfStart = process.hrtime.bigint();
      await whatIfConsentIdsFirst(c);
      whatIfSamples[i]!.push(ms(whatIfStart));
    }
  }
  for (const [i, c] of cases.entries()) {
    if (shapes[i]!.rows === 0) throw new Error(`patient list "${c.description}" found nothing: the benchmark's search terms are wrong`);
  }

  // The statements behind one call of each case, from a logging client swapped in for lib/db's singleton.
  const { PrismaClient } = await import("@/lib/generated/prisma/client");
  const { PrismaPg } = await import("@prisma/adapter-pg");
  const logging = new PrismaClient({ adapter: new PrismaPg({ connectionString: env().DATABASE_URL, max: 2 }), log: [{ emit: "event", level: "query" }] });
  type Logged = { query: string; params: string; duration: number };
  let logged: Logged[] = [];
  logging.$on("query", (e) => logged.push({ query: e.query, params: e.params, duration: e.duration }));
  const slot = globalThis as unknown as { chartproofPrisma?: unknown };
  const normal = db();
  const classOf = (sql: string) =>
    /"AccessEvent"|pg_advisory_xact_lock/.test(sql) ? "append event" : /COUNT\(/i.test(sql) ? "count" : /FROM "public"\."Patient"/.test(sql) ? "findMany" : "other";
  const parts = cases.map(() => ({}) as Record<string, number[]>);
  const statementsOf: Logged[][] = [];
  slot.chartproofPrisma = logging;
  try {
    for (let round = 0; round < 10; round++) {
      for (const [i, c] of cases.entries()) {
        logged = [];
        await searchPatients(caller, c.query);
        if (round === 0) statementsOf[i] = logged;
        const byClass: Record<string, number> = {};
        for (const l of logged) byClass[classOf(l.query)] = (byClass[classOf(l.query)] ?? 0) + l.duration;
        for (const [k, v] of Object.entries(byClass)) (parts[i]![k] ??= []).push(v);
      }
    }
  } finally {
    slot.chartproofPrisma = normal;
  }

  const explain = async (l: Logged, statement: PlanSummary["statement"]): Promise<PlanSummary> => {
    const params = JSON.parse(l.params) as unknown[];
    const out = await logging.$queryRawUnsafe<{ "QUERY PLAN": string }[]>(`EXPLAIN (ANALYZE, BUFFERS) ${l.query}`, ...params);
    const plan = out.map((r) => r["QUERY PLAN"]).join("\n");
    const number = (re: RegExp) => Number(re.exec(plan)?.[1] ?? Number.NaN);
    const buffers = [...plan.matchAll(/shared hit=(\d+)(?: read=(\d+))?/g)][0];
    return {
      statement,
      executionMs: number(/Execution Time: ([\d.]+) ms/),
      planningMs: number(/Planning Time: ([\d.]+) ms/),
      sharedHit: Number(buffers?.[1] ?? 0),
      sharedRead: Number(buffers?.[2] ?? 0),
      seqScans: [...new Set([...plan.matchAll(/Seq Scan on "?(\w+)"?/g)].map((m) => m[1]!))],
      plan,
    };
  };
  const results: ListCase[] = [];
  try {
    for (const [i, c] of cases.entries()) {
      const statements = statementsOf[i] ?? [];
      const plans: PlanSummary[] = [];
      const count = statements.find((l) => classOf(l.query) === "count");
      const page = statements.find((l) => classOf(l.query) === "findMany");
      if (count) plans.push(await explain(count, "count"));
      if (page) plans.push(await explain(page, "findMany"));
      const logged = Object.fromEntries(Object.entries(parts[i]!).map(([k, v]) => [k, stats(v)]));
      results.push({ name: c.name, description: c.description, stats: stats(samples[i]!), whatIfConsentIdsFirst: stats(whatIfSamples[i]!), ...shapes[i]!, parts: logged, plans });
    }
  } finally {
    await logging.$disconnect();
  }

  const worstP95 = Math.max(...results.map((r) => r.stats.p95));
  const consentRows = await db().consent.count();
  for (const r of results) {
    if (r.stats.p95 <= TARGET_P95_MS) continue;
    say(`patient list "${r.description}": p95 ${r.stats.p95.toFixed(1)} ms > ${TARGET_P95_MS} ms; its plans (EXPLAIN ANALYZE, BUFFERS):`);
    for (const p of r.plans) console.log(`--- ${p.statement}\n${p.plan}`);
  }
  return {
    doctor: doctor.email,
    coveredPatients: first.total,
    consentRows,
    cases: results,
    target: { p95AtMostMs: TARGET_P95_MS, worstP95, met: worstP95 <= TARGET_P95_MS },
  };
}
