import { beforeAll, describe, expect, it } from "vitest";
import { db } from "@/lib/db";
import { redeemOneTimeCode, verifyCredentials } from "@/lib/dal/actors";
import type { Caller } from "@/lib/dal/caller";
import { readOutbox } from "@/lib/dal/code-outbox";
import { createPatientAccount, findPatientForAccount } from "@/lib/dal/patient-accounts";
import { reviewAlert } from "@/lib/dal/compliance";
import { approvePrivilegedRequest, listPrivilegedRequests, rejectPrivilegedRequest, requestPrivileged } from "@/lib/dal/privileged-requests";
import { suspendStaff, reactivateStaff } from "@/lib/dal/staff";
import { totpCode } from "@/lib/auth/totp";
import { DEMO_PASSWORD, DEMO_TOTP_SECRETS } from "@/lib/jobs/demo-data";
import { asOwner, callerFor, credentialParams, ensureDemo } from "./helpers";

// The penetration test's escalation paths (issue 21): with only the admin's session, each one now stops at a request
// that a second administrator — neither the requester nor the account concerned — must approve.

const ctx = { ip: "198.51.100.21", requestId: "four-eyes-test" };
const run = Date.now().toString(36);
const PASSWORD = "a long phrase of my own choosing";
let admin: Caller;
let admin2: Caller;
let imId: string;

beforeAll(async () => {
  await ensureDemo();
  admin = await callerFor("admin@demo.chartproof.local");
  admin2 = await callerFor("admin2@demo.chartproof.local");
  imId = (await db().department.findUniqueOrThrow({ where: { code: "IM" }, select: { id: true } })).id;
});

async function pending(params: Parameters<typeof requestPrivileged>[1], requester = admin): Promise<string> {
  const outcome = await requestPrivileged(requester, params);
  expect(outcome.status).toBe("pending");
  return outcome.requestId;
}

describe("the admin's own escalation paths need a second admin", () => {
  it("a doctor in Internal Medicine: nothing exists until another admin approves, and the requester cannot approve", async () => {
    const email = `self.doctor.${run}@admin-controls.example`;
    const requestId = await pending({ kind: "STAFF_CREATE", staff: { name: "Dr Me", email, role: "DOCTOR", departmentId: imId, licenceNumber: "LIC-ME" } });
    expect(await db().staff.findUnique({ where: { email }, select: { id: true } })).toBeNull();
    expect(await db().oneTimeCode.count({ where: { staff: { email } } })).toBe(0);

    await expect(approvePrivilegedRequest(admin, requestId)).rejects.toMatchObject({ code: "request_own" });
    expect(await db().staff.findUnique({ where: { email }, select: { id: true } })).toBeNull();
    const refused = await db().accessEvent.findFirstOrThrow({ where: { action: "privileged_request.approved", outcome: "DENIED" }, orderBy: { seq: "desc" }, select: { details: true } });
    expect(refused.details).toMatchObject({ requestId, reason: "request_own" });

    const listed = (await listPrivilegedRequests(admin2)).find((r) => r.id === requestId);
    expect(listed).toMatchObject({ kind: "STAFF_CREATE", status: "PENDING", canApprove: true, newStaff: { email, role: "DOCTOR" } });
    expect((await listPrivilegedRequests(admin)).find((r) => r.id === requestId)).toMatchObject({ own: true, canApprove: false });

    const result = await approvePrivilegedRequest(admin2, requestId);
    if (result.kind !== "STAFF_CREATE") throw new Error("unexpected result");
    expect(result.code.purpose).toBe("ACTIVATION");
    // Approved once: a second approval (or a race) executes nothing more.
    await expect(approvePrivilegedRequest(admin2, requestId)).rejects.toMatchObject({ code: "request_decided" });
    expect(await db().staff.count({ where: { email } })).toBe(1);
    const alert = await db().alert.findFirstOrThrow({ where: { kind: "admin.privileged_step_approved" }, orderBy: { createdAt: "desc" }, select: { details: true } });
    expect(alert.details).toMatchObject({ requestId, stepKind: "STAFF_CREATE", adminIds: [admin.actor.id, admin2.actor.id], subjectStaffId: result.staffId });
  });

  it("a compliance officer made by an admin cannot review alerts about that admin", async () => {
    const email = `self.compliance.${run}@admin-controls.example`;
    const requestId = await pending({ kind: "STAFF_CREATE", staff: { name: "Officer Me", email, role: "COMPLIANCE", departmentId: null, licenceNumber: null } });
    const result = await approvePrivilegedRequest(admin2, requestId);
    if (result.kind !== "STAFF_CREATE") throw new Error("unexpected result");
    await redeemOneTimeCode(result.code.code, PASSWORD, ctx);
    const officer = await callerFor(email);
    const alert = await db().alert.findFirstOrThrow({ where: { kind: "admin.privileged_step_approved", details: { path: ["requestId"], equals: requestId } }, select: { id: true } });
    await expect(reviewAlert(officer, alert.id, "nothing to see")).rejects.toMatchObject({ code: "conflict_of_interest" });
    // An officer the admins did not make may review it.
    await reviewAlert(await callerFor("compliance@demo.chartproof.local"), alert.id, "checked with both admins");
  });

  it("a role grant (doctor → admin) needs another admin; the account concerned cannot approve its own", async () => {
    const email = `promote.${run}@hospital.example`;
    const made = await approvePrivilegedRequest(admin2, await pending({ kind: "STAFF_CREATE", staff: { name: "Dr Promote", email, role: "DOCTOR", departmentId: null, licenceNumber: "LIC-P" } }));
    if (made.kind !== "STAFF_CREATE") throw new Error("unexpected result");
    const requestId = await pending({ kind: "ROLE_CHANGE", staffId: made.staffId, role: "ADMIN" });
    expect((await db().staff.findUniqueOrThrow({ where: { id: made.staffId }, select: { role: true } })).role).toBe("DOCTOR");
    await approvePrivilegedRequest(admin2, requestId);
    expect((await db().staff.findUniqueOrThrow({ where: { id: made.staffId }, select: { role: true } })).role).toBe("ADMIN");

    // Demoting admin2: admin2 is the subject and may not decide it; the requester may not either.
    await redeemOneTimeCode(made.code.code, PASSWORD, ctx);
    const third = await callerFor(email);
    const demote = await pending({ kind: "ROLE_CHANGE", staffId: admin2.actor.id, role: "RESEARCHER" });
    await expect(approvePrivilegedRequest(admin2, demote)).rejects.toMatchObject({ code: "request_subject" });
    await expect(rejectPrivilegedRequest(admin2, demote)).rejects.toMatchObject({ code: "request_subject" });
    await rejectPrivilegedRequest(third, demote);
    await expect(approvePrivilegedRequest(third, demote)).rejects.toMatchObject({ code: "request_decided" });
    expect((await db().staff.findUniqueOrThrow({ where: { id: admin2.actor.id }, select: { role: true } })).role).toBe("ADMIN");
    await suspendStaff(admin, third.actor.id);
  });

  it("a password reset of an MFA-enrolled doctor: the code goes to the outbox, never to the admin, and only after approval", async () => {
    const email = `mfa.doctor.${run}@hospital.example`;
    const made = await approvePrivilegedRequest(admin2, await pending({ kind: "STAFF_CREATE", staff: { name: "Dr Mfa", email, role: "DOCTOR", departmentId: imId, licenceNumber: "LIC-M" } }));
    if (made.kind !== "STAFF_CREATE") throw new Error("unexpected result");
    await redeemOneTimeCode(made.code.code, PASSWORD, ctx);
    await db().staff.update({ where: { id: made.staffId }, data: { totpEnabledAt: new Date() } });

    const mfaRequest = await pending({ kind: "MFA_RESET", staffId: made.staffId });
    const resetRequest = await pending({ kind: "PASSWORD_RESET", staffId: made.staffId });
    // Nothing has happened yet: the password still works and no code exists.
    expect((await db().staff.findUniqueOrThrow({ where: { id: made.staffId }, select: { totpEnabledAt: true } })).totpEnabledAt).not.toBeNull();
    expect((await readOutbox()).filter((e) => e.to === email)).toHaveLength(0);
    await expect(approvePrivilegedRequest(admin, mfaRequest)).rejects.toMatchObject({ code: "request_own" });
    await expect(approvePrivilegedRequest(admin, resetRequest)).rejects.toMatchObject({ code: "request_own" });

    expect(await approvePrivilegedRequest(admin2, mfaRequest)).toEqual({ kind: "MFA_RESET", staffId: made.staffId });
    const reset = await approvePrivilegedRequest(admin2, resetRequest);
    // The approver's result says a code was sent — it carries no code.
    expect(reset).toMatchObject({ kind: "PASSWORD_RESET", codeSent: { purpose: "PASSWORD_RESET" } });
    expect(JSON.stringify(reset)).not.toMatch(/"code"/);
    const sent = (await readOutbox()).filter((e) => e.to === email);
    expect(sent).toHaveLength(1);
    expect(await verifyCredentials("STAFF", email, PASSWORD, ctx)).toEqual({ ok: false, reason: "invalid" });
    expect(await redeemOneTimeCode(sent[0]!.code, "the owner's own new phrase", ctx)).toEqual({ ok: true, purpose: "PASSWORD_RESET" });
  });

  it("a patient's portal account: the admin holds no desk power; a desk account needs the second admin, and the patient is told", async () => {
    const patient = await db().patient.create({
      data: { mrn: `FE${run}`.slice(0, 20), name: "환자 Four Eyes", birthDate: new Date("1966-05-17"), sex: "FEMALE" },
      select: { id: true, mrn: true },
    });
    await expect(findPatientForAccount(admin, patient.mrn, "1966-05-17")).rejects.toMatchObject({ name: "AccessDeniedError" });
    await expect(createPatientAccount(admin, patient.id, { email: `mine.${run}@admin-controls.example`, idDocument: "PASSPORT" })).rejects.toMatchObject({ name: "AccessDeniedError" });

    const email = `self.desk.${run}@admin-controls.example`;
    const requestId = await pending({ kind: "STAFF_CREATE", staff: { name: "Desk Me", email, role: "REGISTRAR", departmentId: null, licenceNumber: null } });
    expect(await db().staff.findUnique({ where: { email }, select: { id: true } })).toBeNull();
    await expect(approvePrivilegedRequest(admin, requestId)).rejects.toMatchObject({ code: "request_own" });
    const made = await approvePrivilegedRequest(admin2, requestId);
    if (made.kind !== "STAFF_CREATE") throw new Error("unexpected result");
    await redeemOneTimeCode(made.code.code, PASSWORD, ctx);
    // Even then, whatever the desk account does to the portal account, the patient hears of it.
    const desk = await callerFor(email);
    expect(await findPatientForAccount(desk, patient.mrn, "1966-05-17")).toBe(patient.id);
    await createPatientAccount(desk, patient.id, { email: `mine.${run}@admin-controls.example`, idDocument: "PASSPORT" });
    expect(await db().patientNotice.findMany({ where: { patientId: patient.id }, select: { kind: true } })).toEqual([{ kind: "ACCOUNT_OPENED" }]);
  });

  it("a service credential: none exists until approved; it expires within a year", async () => {
    const before = await db().serviceCredential.count();
    const requestId = await pending(credentialParams(`EHR ${run}`));
    expect(await db().serviceCredential.count()).toBe(before);
    await expect(approvePrivilegedRequest(admin, requestId)).rejects.toMatchObject({ code: "request_own" });
    const result = await approvePrivilegedRequest(admin2, requestId);
    if (result.kind !== "SERVICE_CREDENTIAL") throw new Error("unexpected result");
    const stored = await db().serviceCredential.findUniqueOrThrow({ where: { id: result.credential.id }, select: { expiresAt: true, createdById: true } });
    expect(stored.expiresAt.getTime() - Date.now()).toBeLessThanOrEqual(365 * 24 * 3600_000);
    const tooLong = { kind: "SERVICE_CREDENTIAL" as const, credential: { name: "Forever", expiresAt: new Date(Date.now() + 400 * 24 * 3600_000).toISOString(), scopeMrn: null, scopeDepartmentId: null } };
    await expect(requestPrivileged(admin, tooLong)).rejects.toMatchObject({ code: "expiry_invalid" });
  });
});

describe("the approval executes exactly what was requested", () => {
  it("the app's database role cannot rewrite a request's parameters", async () => {
    const requestId = await pending({ kind: "STAFF_CREATE", staff: { name: "Dr Fixed", email: `fixed.${run}@hospital.example`, role: "RESEARCHER", departmentId: null, licenceNumber: null } });
    await expect(db().privilegedRequest.update({ where: { id: requestId }, data: { params: { kind: "STAFF_CREATE", staff: { role: "ADMIN" } } } })).rejects.toThrow();
    await rejectPrivilegedRequest(admin, requestId);
  });

  it("refuses (and alerts on) parameters changed in the database after the request", async () => {
    const requestId = await pending({ kind: "STAFF_CREATE", staff: { name: "Dr Honest", email: `honest.${run}@hospital.example`, role: "RESEARCHER", departmentId: null, licenceNumber: null } });
    await asOwner(`UPDATE "PrivilegedRequest" SET params = jsonb_set(params, '{staff,role}', '"ADMIN"') WHERE id = $1`, [requestId]);
    await expect(approvePrivilegedRequest(admin2, requestId)).rejects.toMatchObject({ code: "request_tampered" });
    expect(await db().staff.count({ where: { email: `honest.${run}@hospital.example` } })).toBe(0);
    expect(await db().alert.count({ where: { kind: "admin.privileged_request_tampered", details: { path: ["requestId"], equals: requestId } } })).toBe(1);
    expect((await db().privilegedRequest.findUniqueOrThrow({ where: { id: requestId }, select: { status: true } })).status).toBe("PENDING");
  });

  it("a request lapses after 24 hours", async () => {
    const requestId = await pending({ kind: "STAFF_CREATE", staff: { name: "Dr Late", email: `late.${run}@hospital.example`, role: "RESEARCHER", departmentId: null, licenceNumber: null } });
    const row = await db().privilegedRequest.findUniqueOrThrow({ where: { id: requestId }, select: { createdAt: true, expiresAt: true } });
    expect(row.expiresAt.getTime() - row.createdAt.getTime()).toBe(24 * 3600_000);
    // Time passes (as the owner: the app's role cannot rewrite what was requested, nor when).
    await asOwner(`UPDATE "PrivilegedRequest" SET "expiresAt" = now() - interval '1 second' WHERE id = $1`, [requestId]);
    await expect(approvePrivilegedRequest(admin2, requestId)).rejects.toMatchObject({ code: "request_expired" });
    expect((await listPrivilegedRequests(admin2)).find((r) => r.id === requestId)).toMatchObject({ status: "EXPIRED", canApprove: false });
  });

  it("while no other admin is active, privileged steps are refused with an explanation", async () => {
    await suspendStaff(admin, admin2.actor.id);
    const others = await db().staff.findMany({ where: { role: "ADMIN", status: "ACTIVE", id: { not: admin.actor.id } }, select: { id: true } });
    for (const o of others) await suspendStaff(admin, o.id);
    try {
      await expect(requestPrivileged(admin, { kind: "STAFF_CREATE", staff: { name: "Dr Alone", email: `alone.${run}@hospital.example`, role: "DOCTOR", departmentId: null, licenceNumber: "L" } })).rejects.toMatchObject({
        code: "second_admin_needed",
      });
      await expect(requestPrivileged(admin, credentialParams("Alone"))).rejects.toMatchObject({ code: "second_admin_needed" });
    } finally {
      await reactivateStaff(admin, admin2.actor.id);
      for (const o of others) await reactivateStaff(admin, o.id);
    }
  });

  it("the second admin signs in with the demo's published TOTP secret", async () => {
    const email = "admin2@demo.chartproof.local";
    expect((await verifyCredentials("STAFF", email, DEMO_PASSWORD, { ip: "198.51.100.22", requestId: "admin2" }, totpCode(DEMO_TOTP_SECRETS[email]!))).ok).toBe(true);
  });
});
