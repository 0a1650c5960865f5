import { spawn } from "node:child_process";
import { join } from "node:path";
import { beforeAll, describe, expect, it } from "vitest";
import { db } from "@/lib/db";
import { admitAttempt, redeemOneTimeCode, verifyCredentials } from "@/lib/dal/actors";
import { totpCode } from "@/lib/auth/totp";
import { FREE_ATTEMPTS, SPRAY_ALERT_FAILURES } from "@/lib/auth/throttle";
import { DEMO_PASSWORD, DEMO_TOTP_SECRETS } from "@/lib/jobs/demo-data";
import { callerFor, ensureDemo, requestApproved } from "./helpers";

// Issue 21: 40 parallel sign-ins (39 wrong, then the right one) were all evaluated and the right one signed in; 60
// parallel TOTP guesses saw 56 evaluated. Attempts are now counted in the database before they are evaluated.

const run = Date.now().toString(36);
const PASSWORD = "a long phrase of my own choosing";

async function newDoctor(tag: string): Promise<string> {
  const email = `${tag}.${run}@hospital.example`;
  const made = await requestApproved(await callerFor("admin@demo.chartproof.local"), {
    kind: "STAFF_CREATE",
    staff: { name: `Dr ${tag}`, email, role: "DOCTOR", departmentId: null, licenceNumber: `LIC-${tag}` },
  });
  await redeemOneTimeCode(made.code.code, PASSWORD, { ip: `192.0.2.${Math.floor(Math.random() * 200)}`, requestId: "activate" });
  return email;
}

const reason = (r: Awaited<ReturnType<typeof verifyCredentials>>) => (r.ok ? "ok" : r.reason);

function evaluated(requestPrefix: string) {
  return db().accessEvent.count({ where: { action: { in: ["auth.sign_in_failed", "auth.signed_in"] }, requestId: { startsWith: requestPrefix } } });
}

function burstInAnotherProcess(email: string, count: number, ip: string): Promise<string[]> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, ["--conditions=react-server", "--import", "tsx", join(import.meta.dirname, "fixtures", "sign-in-burst.ts"), email, "wrong guess ", String(count), ip], {
      env: process.env,
      stdio: ["ignore", "pipe", "pipe"],
    });
    let out = "";
    let err = "";
    child.stdout.on("data", (d: Buffer) => (out += d.toString()));
    child.stderr.on("data", (d: Buffer) => (err += d.toString()));
    child.on("exit", (code) => (code === 0 ? resolve(JSON.parse(out) as string[]) : reject(new Error(`burst failed (${code}): ${err}`))));
  });
}

beforeAll(async () => {
  await ensureDemo();
});

describe("attempts are counted before they are evaluated", () => {
  it("40 parallel sign-ins from one source: at most the limit are evaluated, and the right password after them waits", async () => {
    const email = await newDoctor("burst");
    const ctx = (i: number) => ({ ip: "203.0.113.40", requestId: `burst40-${run}-${i}` });
    const results = await Promise.all(Array.from({ length: 39 }, (_, i) => verifyCredentials("STAFF", email, `wrong guess ${i}`, ctx(i))));
    expect(results.filter((r) => reason(r) === "throttled")).toHaveLength(39 - FREE_ATTEMPTS.pair);
    expect(await evaluated(`burst40-${run}-`)).toBe(FREE_ATTEMPTS.pair);
    const right = await verifyCredentials("STAFF", email, PASSWORD, ctx(39));
    expect(right).toMatchObject({ ok: false, reason: "throttled" });
    if (right.ok || right.reason !== "throttled") throw new Error("unreachable");
    expect(right.retryAfter).toBeGreaterThan(0);
    expect(right.retryAfter).toBeLessThanOrEqual(30);
    // Nobody can lock the owner out: from their own address the right password works at once.
    expect((await verifyCredentials("STAFF", email, PASSWORD, { ip: "198.51.100.77", requestId: `owner-${run}` })).ok).toBe(true);
    // The delay is alerted, once per account.
    expect(await db().alert.count({ where: { kind: "auth.lockout", resolvedAt: null, details: { path: ["ip"], equals: "203.0.113.40" } } })).toBe(1);
  });

  it("40 concurrent wrong passwords split across two web processes evaluate at most the limit", async () => {
    const email = await newDoctor("twoproc");
    const ip = "203.0.113.41";
    const [a, b] = await Promise.all([burstInAnotherProcess(email, 20, ip), burstInAnotherProcess(email, 20, ip)]);
    const all = [...a, ...b];
    expect(all).toHaveLength(40);
    expect(all.filter((r) => r !== "throttled")).toHaveLength(FREE_ATTEMPTS.pair);
    expect(await db().accessEvent.count({ where: { action: "auth.sign_in_failed", ip, requestId: { startsWith: "burst-" } } })).toBe(FREE_ATTEMPTS.pair);
  });

  it("60 parallel TOTP guesses with the right password: at most the limit are evaluated", async () => {
    const email = "compliance@demo.chartproof.local";
    const ctx = (i: number) => ({ ip: "203.0.113.60", requestId: `totp60-${run}-${i}` });
    const good = totpCode(DEMO_TOTP_SECRETS[email]!);
    const wrong = (i: number) => String((Number(good) + 1 + i) % 1_000_000).padStart(6, "0");
    const results = await Promise.all(Array.from({ length: 60 }, (_, i) => verifyCredentials("STAFF", email, DEMO_PASSWORD, ctx(i), wrong(i))));
    expect(results.filter((r) => reason(r) === "mfa_invalid").length).toBeLessThanOrEqual(FREE_ATTEMPTS.pair);
    expect(results.filter((r) => reason(r) === "throttled").length).toBeGreaterThanOrEqual(60 - FREE_ATTEMPTS.pair);
    // Wrong second factors after a right password: someone has the password.
    expect(await db().alert.count({ where: { kind: "auth.second_factor_failures", resolvedAt: null } })).toBeGreaterThanOrEqual(1);
  });

  it("a spraying run across many accounts raises a critical alert", async () => {
    for (let i = 0; i < SPRAY_ALERT_FAILURES; i++) {
      await verifyCredentials("STAFF", `nobody${i}.${run}@hospital.example`, "Winter2026!!", { ip: `198.18.${Math.floor(i / 200)}.${i % 200}`, requestId: `spray-${run}-${i}` });
    }
    expect(await db().alert.count({ where: { kind: "auth.password_spraying", resolvedAt: null } })).toBe(1);
  });

  it("admission holds under a burst of raw admissions too (no lost updates)", async () => {
    const scope = `STAFF:raw-${run}`;
    const admitted = (await Promise.all(Array.from({ length: 25 }, () => admitAttempt(scope, "203.0.113.99")))).filter((a) => a.admitted);
    expect(admitted).toHaveLength(FREE_ATTEMPTS.pair);
  });
});
