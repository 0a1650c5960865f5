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
import { callerFor, ensureDemo } from "./helpers";

const run = Date.now().toString(36);
const ctx = { ip: "198.51.100.23", requestId: "patient-accounts-test" };
const PASSWORD = "a long patient passphrase 7";
let admin: Caller;

async function newPatient(tag: string) {
  return db().patient.create({
    data: { mrn: `PA${run}${tag}`.slice(0, 20), name: `환자 ${tag}`, birthDate: new Date("1984-03-09"), sex: "FEMALE" },
    select: { id: true, mrn: true },
  });
}

async function lastEvent(action: string, patientId: string) {
  return db().accessEvent.findFirst({ where: { action, patientId }, orderBy: { seq: "desc" }, select: { outcome: true, actorId: true, details: true } });
}

beforeAll(async () => {
  await ensureDemo();
  admin = await callerFor("admin@demo.chartproof.local");
});

describe("patient portal accounts at the desk", () => {
  it("finds a patient only when MRN and birth date both match, and logs the look-up either way", async () => {
    const patient = await newPatient("a");
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
    for (const email of ["doctor@demo.chartproof.local", "compliance@demo.chartproof.local"]) {
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
});
