import { beforeAll, describe, expect, it } from "vitest";
import { db } from "@/lib/db";
import { redeemOneTimeCode } from "@/lib/dal/actors";
import { listOwnSessions, openSession, revokeOtherSessions, revokeOwnSession, revokeSessionById, sessionIsLive } from "@/lib/dal/sessions";
import { reactivateStaff, suspendStaff } from "@/lib/dal/staff";
import { callerFor, ensureDemo, requestApproved } from "./helpers";

// Issue 21: a copy of the cookie taken before sign-out kept opening charts for up to 12 hours. Sessions are now rows;
// the caller lookup (lib/auth/require-caller.ts) refuses a revoked one.

const ctx = { ip: "198.51.100.61", requestId: "sessions-test" };
const run = Date.now().toString(36);

let doctorId: string;

beforeAll(async () => {
  await ensureDemo();
  const made = await requestApproved(await callerFor("admin@demo.chartproof.local"), {
    kind: "STAFF_CREATE",
    staff: { name: "Dr Session", email: `session.${run}@hospital.example`, role: "DOCTOR", departmentId: null, licenceNumber: "LIC-S" },
  });
  await redeemOneTimeCode(made.code.code, "a long phrase of my own choosing", ctx);
  doctorId = made.staffId;
});

describe("sessions end when they end", () => {
  it("sign-out revokes the session for every copy of its cookie", async () => {
    const sid = await openSession("STAFF", doctorId, ctx);
    expect(await sessionIsLive(sid, "STAFF", doctorId)).toBe(true);
    // A session id is only good for its own account.
    expect(await sessionIsLive(sid, "STAFF", "00000000-0000-4000-8000-000000000000")).toBe(false);
    await revokeSessionById(sid, ctx);
    expect(await sessionIsLive(sid, "STAFF", doctorId)).toBe(false);
    expect(await sessionIsLive(undefined, "STAFF", doctorId)).toBe(false);
    expect(await db().accessEvent.count({ where: { action: "auth.signed_out", details: { path: ["sessionId"], equals: sid } } })).toBe(1);
  });

  it("suspension, a password reset, a two-factor reset and a new password revoke every open session", async () => {
    const admin = await callerFor("admin@demo.chartproof.local");
    const a = await openSession("STAFF", doctorId, ctx);
    await suspendStaff(admin, doctorId);
    expect(await sessionIsLive(a, "STAFF", doctorId)).toBe(false);
    await reactivateStaff(admin, doctorId);
    expect(await sessionIsLive(a, "STAFF", doctorId)).toBe(false);

    const b = await openSession("STAFF", doctorId, ctx);
    await db().staff.update({ where: { id: doctorId }, data: { totpEnabledAt: new Date() } });
    await requestApproved(admin, { kind: "MFA_RESET", staffId: doctorId });
    expect(await sessionIsLive(b, "STAFF", doctorId)).toBe(false);

    const c = await openSession("STAFF", doctorId, ctx);
    await requestApproved(admin, { kind: "PASSWORD_RESET", staffId: doctorId });
    expect(await sessionIsLive(c, "STAFF", doctorId)).toBe(false);
  });

  it("staff list and end their own sessions, and only their own", async () => {
    const doctor = await callerFor("doctor2@demo.chartproof.local");
    const here = await openSession("STAFF", doctor.actor.id, { ...ctx, userAgent: "here" });
    const there = await openSession("STAFF", doctor.actor.id, { ...ctx, userAgent: "there" });
    const me = { ...doctor, sessionId: here };
    const listed = await listOwnSessions(me);
    expect(listed.find((s) => s.id === here)).toMatchObject({ current: true, userAgent: "here" });
    expect(listed.find((s) => s.id === there)).toMatchObject({ current: false });

    const other = await openSession("STAFF", (await callerFor("doctor@demo.chartproof.local")).actor.id, ctx);
    await expect(revokeOwnSession(me, other)).rejects.toMatchObject({ name: "AccessDeniedError" });
    expect(await sessionIsLive(other, "STAFF", (await callerFor("doctor@demo.chartproof.local")).actor.id)).toBe(true);

    await revokeOwnSession(me, there);
    expect(await sessionIsLive(there, "STAFF", doctor.actor.id)).toBe(false);
    const third = await openSession("STAFF", doctor.actor.id, ctx);
    expect(await revokeOtherSessions(me)).toBeGreaterThanOrEqual(1);
    expect(await sessionIsLive(third, "STAFF", doctor.actor.id)).toBe(false);
    expect(await sessionIsLive(here, "STAFF", doctor.actor.id)).toBe(true);
  });
});
