import { beforeAll, describe, expect, it } from "vitest";
import { db } from "@/lib/db";
import { AccessDeniedError, type Caller } from "@/lib/dal/caller";
import { findActiveActor, redeemOneTimeCode, verifyCredentials } from "@/lib/dal/actors";
import {
  PatientAccountRuleError,
  createPatientAccount,
  disablePatientAccount,
  findPatientForAccount,
  getPatientAccount,
  reissuePatientCode,
} from "@/lib/dal/patient-accounts";
import { callerFor, ensureDemo, requestApproved } from "./helpers";

const run = Date.now().toString(36);
const ctx = { ip: "198.51.100.23", requestId: "patient-accounts-test" };
const PASSWORD = "a long patient passphrase 7";
let admin: Caller;

async function newPatient(tag: string, lookUp = true) {
  const patient = await db().patient.create({
    data: { mrn: `PA${run}${tag}`.slice(0, 20), name: `환자 ${tag}`, birthDate: new Date("1984-03-09"), sex: "FEMALE" },
    select: { id: true, mrn: true },
  });
  // The desk reaches a patient's account only through a successful look-up (MRN and birth date).
  if (lookUp) expect(await findPatientForAccount(admin, patient.mrn, "1984-03-09")).toBe(patient.id);
  return patient;
}

/** Another desk account: a four-eyes grant (the demo admin requests, the second admin approves). */
async function deskClerk(tag: string): Promise<Caller> {
  const email = `desk.${tag}.${run}@hospital.example`;
  const made = await requestApproved(await callerFor("admin@demo.chartproof.local"), {
    kind: "STAFF_CREATE",
    staff: { name: `Desk ${tag}`, email, role: "REGISTRAR", departmentId: null, licenceNumber: null },
  });
  await redeemOneTimeCode(made.code.code, "a long phrase of my own choosing", { ip: "192.0.2.44", requestId: "desk" });
  return callerFor(email);
}

async function lastEvent(action: string, patientId: string) {
  return db().accessEvent.findFirst({ where: { action, patientId }, orderBy: { seq: "desc" }, select: { outcome: true, actorId: true, details: true } });
}

beforeAll(async () => {
  await ensureDemo();
  // The registration desk, a role apart from staff administration.
  admin = await callerFor("desk@demo.chartproof.local");
});

describe("patient portal accounts at the desk", () => {
  it("finds a patient only when MRN and birth date both match, and logs the look-up either way", async () => {
    const patient = await newPatient("a", false);
    expect(await findPatientForAccount(admin, patient.mrn, "1984-03-10")).toBeNull();
    expect(await findPatientForAccount(admin, `${patient.mrn}9`, "1984-03-09")).toBeNull();
    expect(await findPatientForAccount(admin, patient.mrn, "1984-03-09")).toBe(patient.id);
    expect((await lastEvent("patient_account.looked_up", patient.id))?.outcome).toBe("ALLOWED");
    const denied = await db().accessEvent.count({ where: { action: "patient_account.looked_up", outcome: "DENIED", actorId: admin.actor.id } });
    expect(denied).toBeGreaterThanOrEqual(2);
  });

  it("creates an account, activates it with the one-time code, and the patient signs in", async () => {
    const patient = await newPatient("b");
    const email = `p.${run}.b@patients.example`;
    const code = await createPatientAccount(admin, patient.id, { email: email.toUpperCase(), idDocument: "RESIDENT_CARD" });
    expect(code.purpose).toBe("ACTIVATION");
    expect((await getPatientAccount(admin, patient.id))?.status).toBe("PENDING");
    // Not usable before activation: no password matches.
    expect((await verifyCredentials("PATIENT", email, PASSWORD, ctx)).ok).toBe(false);

    expect(await redeemOneTimeCode(code.code, "short", ctx)).toMatchObject({ ok: false });
    expect(await redeemOneTimeCode(code.code, PASSWORD, ctx)).toEqual({ ok: true, purpose: "ACTIVATION" });
    // Single use.
    expect(await redeemOneTimeCode(code.code, PASSWORD, ctx)).toEqual({ ok: false, error: "invalid_code" });
    const signedIn = await verifyCredentials("PATIENT", email, PASSWORD, ctx);
    expect(signedIn.ok).toBe(true);
    expect((await getPatientAccount(admin, patient.id))?.status).toBe("ACTIVE");
    expect((await lastEvent("patient_account.activated", patient.id))?.actorId).toBe(patient.id);
    expect((await lastEvent("patient_account.created", patient.id))?.details).toMatchObject({ idDocument: "RESIDENT_CARD" });

    await expect(createPatientAccount(admin, patient.id, { email: `other.${run}@x.example`, idDocument: "PASSPORT" })).rejects.toMatchObject({ code: "already_exists" });
  });

  it("refuses an email another patient already signs in with", async () => {
    const first = await newPatient("c");
    const second = await newPatient("d");
    const email = `shared.${run}@patients.example`;
    await createPatientAccount(admin, first.id, { email, idDocument: "PASSPORT" });
    await expect(createPatientAccount(admin, second.id, { email, idDocument: "PASSPORT" })).rejects.toBeInstanceOf(PatientAccountRuleError);
    expect((await getPatientAccount(admin, second.id))?.status).toBe("NONE");
  });

  it("disabling ends open sessions at once; a reset code re-enables with a new password and ends old sessions", async () => {
    const patient = await newPatient("e");
    const email = `p.${run}.e@patients.example`;
    const code = await createPatientAccount(admin, patient.id, { email, idDocument: "DRIVER_LICENCE" });
    await redeemOneTimeCode(code.code, PASSWORD, ctx);
    const session = await verifyCredentials("PATIENT", email, PASSWORD, ctx);
    if (!session.ok) throw new Error("sign-in failed");
    expect(await findActiveActor("PATIENT", patient.id, { version: session.sessionVersion })).not.toBeNull();

    await disablePatientAccount(admin, patient.id);
    expect(await findActiveActor("PATIENT", patient.id, { version: session.sessionVersion })).toBeNull();
    expect((await verifyCredentials("PATIENT", email, PASSWORD, ctx)).ok).toBe(false);
    expect((await getPatientAccount(admin, patient.id))?.status).toBe("DISABLED");

    const reset = await reissuePatientCode(admin, patient.id, "RESIDENT_CARD");
    expect(reset.purpose).toBe("PASSWORD_RESET");
    expect((await getPatientAccount(admin, patient.id))?.status).toBe("RESET_PENDING");
    expect(await redeemOneTimeCode(reset.code, `${PASSWORD} new`, ctx)).toEqual({ ok: true, purpose: "PASSWORD_RESET" });
    expect((await verifyCredentials("PATIENT", email, PASSWORD, ctx)).ok).toBe(false);
    const again = await verifyCredentials("PATIENT", email, `${PASSWORD} new`, ctx);
    expect(again.ok).toBe(true);
    // The session from before the reset stays ended.
    expect(await findActiveActor("PATIENT", patient.id, { version: session.sessionVersion })).toBeNull();
  });

  it("a newer code replaces the earlier slip", async () => {
    const patient = await newPatient("f");
    const first = await createPatientAccount(admin, patient.id, { email: `p.${run}.f@patients.example`, idDocument: "PASSPORT" });
    const second = await reissuePatientCode(admin, patient.id, "PASSPORT");
    expect(second.purpose).toBe("ACTIVATION");
    expect(await redeemOneTimeCode(first.code, PASSWORD, ctx)).toEqual({ ok: false, error: "invalid_code" });
    expect(await redeemOneTimeCode(second.code, PASSWORD, ctx)).toEqual({ ok: true, purpose: "ACTIVATION" });
  });

  it("only the desk permission may do any of it, and never for one's own chart", async () => {
    const patient = await newPatient("g");
    for (const email of ["doctor@demo.chartproof.local", "compliance@demo.chartproof.local", "admin@demo.chartproof.local"]) {
      const other = await callerFor(email);
      await expect(findPatientForAccount(other, patient.mrn, "1984-03-09")).rejects.toBeInstanceOf(AccessDeniedError);
      await expect(createPatientAccount(other, patient.id, { email: `x.${run}@x.example`, idDocument: "PASSPORT" })).rejects.toBeInstanceOf(AccessDeniedError);
    }
    await db().staff.update({ where: { id: admin.actor.id }, data: { patientId: patient.id } });
    try {
      await expect(createPatientAccount(admin, patient.id, { email: `self.${run}@x.example`, idDocument: "PASSPORT" })).rejects.toMatchObject({ code: "self" });
    } finally {
      await db().staff.update({ where: { id: admin.actor.id }, data: { patientId: null } });
    }
  });

  it("the account page and its actions need a successful look-up by the same desk account", async () => {
    const patient = await newPatient("h", false);
    expect(await getPatientAccount(admin, patient.id)).toBeNull();
    await expect(createPatientAccount(admin, patient.id, { email: `h.${run}@patients.example`, idDocument: "PASSPORT" })).rejects.toMatchObject({ code: "lookup_required" });
    const other = await deskClerk("other");
    expect(await findPatientForAccount(admin, patient.mrn, "1984-03-09")).toBe(patient.id);
    expect((await getPatientAccount(admin, patient.id))?.mrn).toBe(patient.mrn);
    // Another desk account's look-up opens nothing for this one.
    expect(await getPatientAccount(other, patient.id)).toBeNull();
  });

  it("repeated misses pause the look-up and alert: no birth-date oracle", async () => {
    const desk = await deskClerk("misses");
    const patient = await newPatient("i", false);
    const results: (string | null)[] = [];
    for (let day = 1; day <= 5; day++) results.push(await findPatientForAccount(desk, patient.mrn, `1984-03-${String(day).padStart(2, "0")}`));
    expect(results.every((r) => r === null)).toBe(true);
    // Even the right birth date is now refused, for the rest of the window.
    await expect(findPatientForAccount(desk, patient.mrn, "1984-03-09")).rejects.toMatchObject({ code: "lookup_throttled" });
    expect(await db().alert.count({ where: { kind: "patient_account.lookup_misses", resolvedAt: null, details: { path: ["staffId"], equals: desk.actor.id } } })).toBe(1);
  });

  it("an account activated from the opener's own session or address raises a critical alert", async () => {
    const patient = await newPatient("j");
    const code = await createPatientAccount(admin, patient.id, { email: `j.${run}@patients.example`, idDocument: "PASSPORT" });
    // The opener's own address (the desk's requests came from admin.context.ip).
    expect(await redeemOneTimeCode(code.code, PASSWORD, { ip: admin.context.ip, requestId: "self-activation" })).toEqual({ ok: true, purpose: "ACTIVATION" });
    const alert = await db().alert.findFirstOrThrow({ where: { kind: "patient_account.activated_by_opener", details: { path: ["patientId"], equals: patient.id } }, select: { severity: true, details: true } });
    expect(alert).toMatchObject({ severity: "CRITICAL", details: { staffId: admin.actor.id, adminIds: [admin.actor.id], sameAddress: true } });

    // From the patient's own address and no staff session: nothing to alert.
    const honest = await newPatient("k");
    const slip = await createPatientAccount(admin, honest.id, { email: `k.${run}@patients.example`, idDocument: "PASSPORT" });
    await redeemOneTimeCode(slip.code, PASSWORD, { ip: "203.0.113.200", requestId: "patient-at-home" });
    expect(await db().alert.count({ where: { kind: "patient_account.activated_by_opener", details: { path: ["patientId"], equals: honest.id } } })).toBe(0);
  });
});
