import { beforeAll, describe, expect, it } from "vitest";
import { db } from "@/lib/db";
import { findActiveActor, redeemOneTimeCode, verifyCredentials } from "@/lib/dal/actors";
import { createDepartment, setDepartmentActive } from "@/lib/dal/departments";
import { listStaff, moveStaffDepartment, previewAccessChange, reactivateStaff, suspendStaff, type NewStaff } from "@/lib/dal/staff";
import { readOutbox } from "@/lib/dal/code-outbox";
import { requestPrivileged } from "@/lib/dal/privileged-requests";
import type { Caller } from "@/lib/dal/caller";
import { staffListQuerySchema } from "@/lib/dto/admin";
import { totpCode } from "@/lib/auth/totp";
import { DEMO_PASSWORD, DEMO_TOTP_SECRETS } from "@/lib/jobs/demo-data";
import { callerFor, ensureDemo, requestApproved } from "./helpers";

const ctx = { ip: "198.51.100.7", requestId: "staff-admin-test" };
const run = Date.now().toString(36);
let admin: Caller;
let imId: string;
let cardId: string;

async function departmentId(code: string) {
  return (await db().department.findUniqueOrThrow({ where: { code }, select: { id: true } })).id;
}

async function events(action: string, staffId: string) {
  const rows = await db().accessEvent.findMany({ where: { action }, orderBy: { seq: "desc" }, take: 20, select: { details: true, outcome: true } });
  return rows.filter((r) => (r.details as { staffId?: string }).staffId === staffId);
}

/** Four eyes: the demo admin requests, the demo's second admin approves (and receives the activation code). */
function createStaff(requester: Caller, staff: NewStaff) {
  return requestApproved(requester, { kind: "STAFF_CREATE", staff });
}

/** A password reset: the code goes to the operator's outbox, never to an admin's screen. */
async function issueStaffCode(requester: Caller, staffId: string) {
  const done = await requestApproved(requester, { kind: "PASSWORD_RESET", staffId });
  const staff = await db().staff.findUniqueOrThrow({ where: { id: staffId }, select: { email: true } });
  const sent = (await readOutbox()).filter((e) => e.to === staff.email).at(-1);
  if (!sent) throw new Error("no code in the outbox");
  return { ...done.codeSent, code: sent.code };
}

async function newDoctor(tag: string, department: string | null = null) {
  const created = await createStaff(admin, { name: `Dr ${tag}`, email: `${tag}.${run}@Hospital.Example`, role: "DOCTOR", departmentId: department, licenceNumber: `LIC-${tag}` });
  return created;
}

beforeAll(async () => {
  await ensureDemo();
  admin = await callerFor("admin@demo.chartproof.local");
  imId = await departmentId("IM");
  cardId = await departmentId("CARD");
});

describe("staff lifecycle", () => {
  it("creates a pending doctor with a one-time code that sets the password once", async () => {
    const { staffId, code } = await newDoctor("activate", imId);
    const row = await db().staff.findUniqueOrThrow({ where: { id: staffId }, select: { status: true, email: true, passwordHash: true } });
    expect(row).toMatchObject({ status: "PENDING", email: `activate.${run}@hospital.example`, passwordHash: "" });
    const stored = await db().oneTimeCode.findFirstOrThrow({ where: { staffId }, select: { codeHash: true } });
    expect(stored.codeHash).not.toContain(code.code.replace(/-/g, ""));
    expect((await events("staff.created", staffId))[0]?.details).toMatchObject({ before: null, after: { role: "DOCTOR", status: "PENDING" } });

    // Weak passwords are refused and the code stays usable.
    expect(await redeemOneTimeCode(code.code, "short", ctx)).toEqual({ ok: false, error: "too_short" });
    expect(await redeemOneTimeCode(code.code, "password1234", ctx)).toEqual({ ok: false, error: "common" });
    expect((await db().staff.findUniqueOrThrow({ where: { id: staffId }, select: { status: true } })).status).toBe("PENDING");

    expect(await redeemOneTimeCode(code.code.toLowerCase(), "a long phrase of my own choosing", ctx)).toEqual({ ok: true, purpose: "ACTIVATION" });
    expect(await redeemOneTimeCode(code.code, "another long phrase entirely", ctx)).toEqual({ ok: false, error: "invalid_code" });
    const signIn = await verifyCredentials("STAFF", `ACTIVATE.${run}@hospital.example`, "a long phrase of my own choosing", ctx);
    expect(signIn.ok).toBe(true);
  });

  it("refuses an expired or replaced code", async () => {
    const { staffId, code } = await newDoctor("expired");
    const replacement = await issueStaffCode(admin, staffId);
    expect(replacement.purpose).toBe("ACTIVATION");
    expect(await redeemOneTimeCode(code.code, "a long phrase of my own choosing", ctx)).toEqual({ ok: false, error: "invalid_code" });
    await db().oneTimeCode.updateMany({ where: { staffId, usedAt: null, revokedAt: null }, data: { expiresAt: new Date(Date.now() - 1000) } });
    expect(await redeemOneTimeCode(replacement.code, "a long phrase of my own choosing", ctx)).toEqual({ ok: false, error: "invalid_code" });
  });

  it("rejects a duplicate email whatever its case, and an unknown or inactive department, changing nothing", async () => {
    await newDoctor("dup");
    const before = await db().staff.count();
    await expect(newDoctor("DUP")).rejects.toMatchObject({ code: "email_taken" });
    await expect(newDoctor("nodept", "00000000-0000-4000-8000-000000000000")).rejects.toMatchObject({ code: "department_unknown" });
    const closed = await createDepartment(admin, { code: `X${run.slice(-6).toUpperCase()}`, name: "Closed ward" });
    await setDepartmentActive(admin, closed.id, false);
    await expect(newDoctor("closed", closed.id)).rejects.toMatchObject({ code: "department_inactive" });
    expect(await db().staff.count()).toBe(before);
  });

  it("suspension ends the open session on its next request; reactivation does not revive it", async () => {
    const { staffId, code } = await newDoctor("suspend", imId);
    await redeemOneTimeCode(code.code, "a long phrase of my own choosing", ctx);
    const signIn = await verifyCredentials("STAFF", `suspend.${run}@hospital.example`, "a long phrase of my own choosing", ctx);
    if (!signIn.ok) throw new Error("sign-in failed");
    expect(await findActiveActor("STAFF", staffId, { version: signIn.sessionVersion })).not.toBeNull();
    await suspendStaff(admin, staffId);
    expect(await findActiveActor("STAFF", staffId, { version: signIn.sessionVersion })).toBeNull();
    await reactivateStaff(admin, staffId);
    expect(await findActiveActor("STAFF", staffId, { version: signIn.sessionVersion })).toBeNull();
    const again = await verifyCredentials("STAFF", `suspend.${run}@hospital.example`, "a long phrase of my own choosing", ctx);
    expect(again.ok).toBe(true);
    expect((await events("staff.suspended", staffId))[0]?.details).toMatchObject({ before: { status: "ACTIVE" }, after: { status: "SUSPENDED" } });
  });

  it("a password reset voids the old password and every session", async () => {
    const { staffId, code } = await newDoctor("reset");
    await redeemOneTimeCode(code.code, "a long phrase of my own choosing", ctx);
    const first = await verifyCredentials("STAFF", `reset.${run}@hospital.example`, "a long phrase of my own choosing", ctx);
    if (!first.ok) throw new Error("sign-in failed");
    const reset = await issueStaffCode(admin, staffId);
    expect(reset.purpose).toBe("PASSWORD_RESET");
    expect(await findActiveActor("STAFF", staffId, { version: first.sessionVersion })).toBeNull();
    expect((await verifyCredentials("STAFF", `reset.${run}@hospital.example`, "a long phrase of my own choosing", ctx)).ok).toBe(false);
    expect(await redeemOneTimeCode(reset.code, "a brand new phrase for me", ctx)).toEqual({ ok: true, purpose: "PASSWORD_RESET" });
  });
});

describe("guards", () => {
  it("an admin cannot change their own role or suspend themselves, and the refusal is logged", async () => {
    await expect(requestPrivileged(admin, { kind: "ROLE_CHANGE", staffId: admin.actor.id, role: "DOCTOR" })).rejects.toMatchObject({ code: "self_role" });
    await expect(suspendStaff(admin, admin.actor.id)).rejects.toMatchObject({ code: "self_suspend" });
    const refused = await db().accessEvent.findFirstOrThrow({ where: { action: "privileged_request.created", outcome: "DENIED" }, orderBy: { seq: "desc" }, select: { details: true } });
    expect(refused.details).toMatchObject({ kind: "ROLE_CHANGE", subjectStaffId: admin.actor.id, reason: "self_role" });
  });

  it("the last active administrator cannot be demoted or suspended, even by a stale session of another admin", async () => {
    const demoSecond = await callerFor("admin2@demo.chartproof.local");
    const created = await createStaff(admin, { name: "Third Admin", email: `admin3.${run}@hospital.example`, role: "ADMIN", departmentId: null, licenceNumber: null });
    await redeemOneTimeCode(created.code.code, "a long phrase of my own choosing", ctx);
    const third = await callerFor(`admin3.${run}@hospital.example`);
    // While other admins are active, one may suspend another…
    await suspendStaff(third, demoSecond.actor.id);
    await suspendStaff(third, admin.actor.id);
    // …but the remaining one is now the last: a request on the first admin's stale caller cannot remove it, and with
    // nobody left to approve, no privileged step can even be asked for.
    await expect(requestPrivileged(admin, { kind: "ROLE_CHANGE", staffId: third.actor.id, role: "COMPLIANCE" })).rejects.toMatchObject({ code: "second_admin_needed" });
    await expect(suspendStaff(admin, third.actor.id)).rejects.toMatchObject({ code: "last_admin" });
    await reactivateStaff(third, admin.actor.id);
    await reactivateStaff(third, demoSecond.actor.id);
    await suspendStaff(admin, third.actor.id);
  });

  it("a role or department change previews who gains and loses chart access", async () => {
    const { staffId } = await newDoctor("preview", imId);
    const asAdmin = await previewAccessChange(admin, staffId, { role: "ADMIN" });
    expect(asAdmin.gained).toEqual([]);
    expect(asAdmin.lost.length).toBe(37); // the demo patient and the ward consented to the IM department
    const toCardiology = await previewAccessChange(admin, staffId, { departmentId: cardId });
    expect(toCardiology.lost.map((p) => p.id)).toEqual(asAdmin.lost.map((p) => p.id));
    await moveStaffDepartment(admin, staffId, cardId);
    expect((await events("staff.department_changed", staffId))[0]?.details).toMatchObject({ before: { departmentId: imId }, after: { departmentId: cardId } });
  });

  it("a department cannot be deactivated while staff or consents depend on it", async () => {
    await expect(setDepartmentActive(admin, imId, false)).rejects.toMatchObject({ code: "in_use" });
  });

  it("only administrators manage staff; a compliance officer cannot", async () => {
    const compliance = await callerFor("compliance@demo.chartproof.local");
    await expect(requestPrivileged(compliance, { kind: "STAFF_CREATE", staff: { name: "x", email: "x@y.z", role: "DOCTOR", departmentId: null, licenceNumber: "1" } })).rejects.toMatchObject({ name: "AccessDeniedError" });
    await expect(listStaff(await callerFor("doctor@demo.chartproof.local"), staffListQuerySchema.parse({}))).rejects.toMatchObject({ name: "AccessDeniedError" });
  });
});

describe("the directory", () => {
  it("searches, filters, sorts and pages in the database", async () => {
    const page = await listStaff(admin, staffListQuerySchema.parse({ q: run, role: "DOCTOR", sort: "email", dir: "desc", size: "10" }));
    expect(page.rows.length).toBeGreaterThan(2);
    expect(page.rows.every((r) => r.role === "DOCTOR" && r.email.includes(run))).toBe(true);
    expect(page.rows.map((r) => r.email)).toEqual([...page.rows.map((r) => r.email)].sort().reverse());
    const second = await listStaff(admin, staffListQuerySchema.parse({ q: run, size: "10", page: "99" }));
    expect(second.page).toBe(Math.max(1, Math.ceil(second.total / 10)));
    expect(staffListQuerySchema.parse({ sort: "passwordHash", role: "ROOT", size: "7" })).toMatchObject({ sort: "name", size: 25 });
    expect(staffListQuerySchema.parse({ sort: "passwordHash", role: "ROOT" }).role).toBeUndefined();
  });
});

describe("sign-in security", () => {
  it("asks privileged roles for a second factor and accepts the demo's TOTP once", async () => {
    const email = "compliance@demo.chartproof.local";
    expect(await verifyCredentials("STAFF", email, DEMO_PASSWORD, ctx)).toEqual({ ok: false, reason: "mfa_required" });
    const code = totpCode(DEMO_TOTP_SECRETS[email]!);
    expect((await verifyCredentials("STAFF", email, DEMO_PASSWORD, ctx, code)).ok).toBe(true);
    expect(await verifyCredentials("STAFF", email, DEMO_PASSWORD, ctx, code)).toEqual({ ok: false, reason: "mfa_invalid" });
  });

  it("locks an account after repeated failures, logs them, and refuses even the right password", async () => {
    const { code } = await newDoctor("lockout");
    await redeemOneTimeCode(code.code, "a long phrase of my own choosing", ctx);
    const email = `lockout.${run}@hospital.example`;
    const other = { ip: "203.0.113.9", requestId: "lockout" };
    for (let i = 0; i < 5; i++) expect((await verifyCredentials("STAFF", email, "wrong guess number " + i, other)).ok).toBe(false);
    expect(await verifyCredentials("STAFF", email, "a long phrase of my own choosing", other)).toEqual({ ok: false, reason: "throttled", retryAfter: expect.any(Number) });
    const failures = await db().accessEvent.count({ where: { action: "auth.sign_in_failed", ip: "203.0.113.9" } });
    expect(failures).toBe(5);
  });
});
