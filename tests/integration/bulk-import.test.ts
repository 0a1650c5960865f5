import { spawn } from "node:child_process";
import { randomBytes } from "node:crypto";
import { mkdtemp, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { inject } from "vitest";
import { POST as importPost } from "@/app/api/fhir/$import/route";
import { readFile } from "node:fs/promises";
import { db } from "@/lib/db";
import { MRN_SYSTEM } from "@/lib/fhir/ingest";
import { dispositionOf } from "@/lib/fhir/intake/resource-types";
import { syntheaNdjson } from "../fixtures/fhir/synthea-ndjson";
import { callerFor, credentialParams, ensureDemo, requestApproved } from "./helpers";

// Issue #24, part 3: `npm run import -- <folder>` — a Bulk Data NDJSON export through the same intake, as a service
// credential on the web tier's restricted role. Run as the real script in a child process (the way an operator runs
// it), so that it can be killed half-way like a crashed import.

const run = randomBytes(3).toString("hex");
const stack = inject("stack");
const people = [
  { family: "Gerlach374", given: "Lindsay928", birthDate: "1950-10-24", mrn: { system: MRN_SYSTEM, value: `B${run}1` } },
  { family: "Kuhn96", given: "Rosita34", birthDate: "1972-03-05", mrn: { system: MRN_SYSTEM, value: `B${run}2` } },
];
let folder: string;
let token: string;
let patientIds: string[];
let expectedRecords: number;
const BAD_JSON_LINE = 3;
let badStatusLine: number;

type Result = { code: number | null; stdout: string; stderr: string; killedAt: string | null };

/** The import as an operator runs it; `killAtPercent`: SIGKILL once its progress passes that. */
function importRun(databaseUrl: string, extra: string[] = [], killAtPercent: number | null = null): Promise<Result> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, ["--conditions=react-server", "--import", "tsx", "scripts/import.ts", folder, "--chunk", "40", ...extra], {
      env: { ...process.env, DATABASE_URL: databaseUrl, CHARTPROOF_IMPORT_TOKEN: token, LOG_LEVEL: "silent" },
      stdio: ["ignore", "pipe", "pipe"],
    });
    let stdout = "";
    let stderr = "";
    let killedAt: string | null = null;
    child.stdout.on("data", (d: Buffer) => (stdout += d.toString()));
    child.stderr.on("data", (d: Buffer) => {
      stderr += d.toString();
      const percents = [...stderr.matchAll(/^progress (\d+)%/gm)].map((m) => Number(m[1]));
      if (killAtPercent !== null && killedAt === null && percents.some((p) => p >= killAtPercent && p < 100)) {
        killedAt = `${Math.max(...percents)}%`;
        child.kill("SIGKILL");
      }
    });
    child.on("error", reject);
    child.on("close", (code) => resolve({ code, stdout, stderr, killedAt }));
  });
}

const recordCount = () => db().medicalRecord.count({ where: { patientId: { in: patientIds } } });

beforeAll(async () => {
  await ensureDemo();
  patientIds = [];
  for (const p of people) {
    patientIds.push((await db().patient.create({ data: { mrn: p.mrn.value, name: `${p.family} ${p.given}`, birthDate: new Date(`${p.birthDate}T00:00:00Z`), sex: "FEMALE" }, select: { id: true } })).id);
  }
  const admin = await callerFor("admin@demo.chartproof.local");
  token = (await requestApproved(admin, credentialParams(`Backfill ${run}`))).credential.token;
  const files = syntheaNdjson(24, people, 8);
  // Two bad lines: broken JSON, and an Observation that breaks R4 (a status outside its required value set).
  const observations = files.get("Observation.ndjson")!;
  observations.splice(BAD_JSON_LINE - 1, 0, '{"resourceType": "Observation", "status": ');
  const bad = JSON.parse(observations[10]!) as Record<string, unknown>;
  observations.push(JSON.stringify({ ...bad, id: `bad-${run}`, status: "bogus" }));
  badStatusLine = observations.length;
  expectedRecords = 0;
  for (const [name, lines] of files) {
    if (dispositionOf(name.replace(".ndjson", "")) === "record") expectedRecords += lines.length;
  }
  expectedRecords -= 2;
  folder = await mkdtemp(join(tmpdir(), `chartproof-import-${run}-`));
  for (const [name, lines] of files) await writeFile(join(folder, name), `${lines.join("\n")}\n`);
}, 60_000);

afterAll(async () => {
  await rm(folder, { recursive: true, force: true });
});

describe("npm run import", () => {
  it("refuses the database owner's connection, before storing anything", async () => {
    const result = await importRun(stack.ownerDatabaseUrl);
    expect(result.code).toBe(1);
    expect(result.stderr).toMatch(/Refused: this connection is the database (owner|superuser)/);
    expect(await recordCount()).toBe(0);
  }, 60_000);

  it("killed half-way, then run again: resumes and stores nothing twice; bad lines are named by file and line", async () => {
    const killed = await importRun(stack.webDatabaseUrl, [], 50);
    expect(killed.killedAt).not.toBeNull();
    expect(killed.code).toBeNull();
    const midway = await recordCount();
    expect(midway).toBeGreaterThan(0);
    expect(midway).toBeLessThan(expectedRecords);

    const resumed = await importRun(stack.webDatabaseUrl);
    expect(resumed.stderr).toContain("Resuming the import");
    expect(resumed.code).toBe(2);
    expect(resumed.stdout).toMatch(/resumed past \d+ lines/);
    // The lines refused before the crash still count: the state file kept them.
    expect(resumed.stdout).toMatch(/, 2 lines refused/);
    const reported = killed.stderr + resumed.stderr;
    expect(reported).toContain(`Observation.ndjson:${BAD_JSON_LINE}:`);
    expect(reported).toMatch(new RegExp(`Observation\\.ndjson:${badStatusLine}: .*status`));

    // Every record line once: one record, one intake key, one creation event each.
    expect(await recordCount()).toBe(expectedRecords);
    const keys = await db().intakeEntry.findMany({ where: { patientId: { in: patientIds } }, select: { recordId: true } });
    expect(keys).toHaveLength(expectedRecords);
    const created = await db().accessEvent.count({ where: { action: "record.created", patientId: { in: patientIds } } });
    expect(created).toBe(expectedRecords);
    // References across files resolved to the stored records: an Observation names its stored Encounter.
    const observation = await db().medicalRecord.findFirstOrThrow({ where: { patientId: patientIds[0], resourceType: "Observation" }, select: { resource: true } });
    const encounterRef = String((observation.resource as { encounter: { reference: string } }).encounter.reference);
    const encounterId = encounterRef.replace("Encounter/", "");
    expect(await db().medicalRecord.count({ where: { id: encounterId, patientId: patientIds[0], resourceType: "Encounter" } })).toBe(1);
  }, 240_000);

  it("run again once finished: every line already stored, nothing created", async () => {
    const again = await importRun(stack.webDatabaseUrl);
    expect(again.code).toBe(2);
    expect(again.stdout).toMatch(/: 0 records created, 0 corrected, (\d+) already stored/);
    expect(Number(/(\d+) already stored/.exec(again.stdout)![1])).toBe(expectedRecords);
    expect(await recordCount()).toBe(expectedRecords);
  }, 120_000);
});

describe("POST /api/fhir/$import", () => {
  async function post(lines: string[]) {
    const response = await importPost(
      new Request("http://localhost/api/fhir/$import", { method: "POST", body: `${lines.join("\n")}\n`, headers: { Authorization: `Bearer ${token}`, "Content-Type": "application/fhir+ndjson" } }),
    );
    return { status: response.status, body: (await response.json()) as { issue: { severity: string; diagnostics: string }[] } };
  }

  it("streams a body of NDJSON lines through the same intake: patients first, bad lines named, a re-send stores nothing", async () => {
    const patients = (await readFile(join(folder, "Patient.ndjson"), "utf8")).trim().split("\n");
    const observations = (await readFile(join(folder, "Observation.ndjson"), "utf8")).trim().split("\n").slice(0, 20);
    const fresh = JSON.parse(observations[5]!) as Record<string, unknown>;
    const added = JSON.stringify({ ...fresh, id: `new-${run}`, effectiveDateTime: "2024-05-01T09:00:00+09:00" });
    const before = await recordCount();
    const first = await post([...patients, ...observations, added]);
    expect(first.status).toBe(200);
    // Line 3 of Observation.ndjson is the broken one; here it is line patients + 3.
    expect(first.body.issue.find((i) => i.severity === "error")?.diagnostics).toMatch(new RegExp(`^line ${patients.length + BAD_JSON_LINE}:`));
    expect(first.body.issue[0]!.diagnostics).toMatch(/^1 created, 0 corrected, 19 already stored/);
    expect(await recordCount()).toBe(before + 1);
    const again = await post([...patients, added]);
    expect(again.body.issue[0]!.diagnostics).toMatch(/^0 created, 0 corrected, 1 already stored/);
    expect(await recordCount()).toBe(before + 1);
  }, 60_000);
});
