import { beforeAll, describe, expect, it } from "vitest";
import { db } from "@/lib/db";
import { AccessDeniedError, type Caller } from "@/lib/dal/caller";
import { redeemOneTimeCode } from "@/lib/dal/actors";
import { createPatientAccount, findPatientForAccount, reissuePatientCode } from "@/lib/dal/patient-accounts";
import { dismissOwnNotice, getOwnNotices } from "@/lib/dal/patient-notices";
import { asTier, callerFor, ensureDemo } from "./helpers";

// Issue 21: the patient is told, on their next sign-in, when the desk opened or reset their portal account — whoever
// did it (a desk clerk, or an administrator who got the desk role through four eyes).

const run = Date.now().toString(36);
const ctx = { ip: "198.51.100.77", requestId: "patient-notices-test" };
let desk: Caller;

async function openedAccount(tag: string) {
  const patient = await db().patient.create({
    data: { mrn: `PN${run}${tag}`.slice(0, 20), name: `환자 ${tag}`, birthDate: new Date("1979-11-02"), sex: "MALE" },
    select: { id: true, mrn: true },
  });
  expect(await findPatientForAccount(desk, patient.mrn, "1979-11-02")).toBe(patient.id);
  const email = `notice.${tag}.${run}@patients.example`;
  const code = await createPatientAccount(desk, patient.id, { email, idDocument: "PASSPORT" });
  expect(await redeemOneTimeCode(code.code, "a long patient passphrase 9", ctx)).toMatchObject({ ok: true });
  return { ...patient, email };
}

beforeAll(async () => {
  await ensureDemo();
  desk = await callerFor("desk@demo.chartproof.local");
});

describe("the patient hears of changes to their portal account", () => {
  it("an account opened at the desk is announced at the first sign-in, until dismissed", async () => {
    const patient = await openedAccount("a");
    const me = await callerFor(patient.email, "PATIENT");
    const notices = await getOwnNotices(me);
    expect(notices.map((n) => n.kind)).toEqual(["ACCOUNT_OPENED"]);

    // Shown again (a page view or a prefetch does not clear it) until the patient dismisses it.
    expect(await getOwnNotices(me)).toHaveLength(1);
    expect(await dismissOwnNotice(me, notices[0]!.id)).toBe(true);
    expect(await getOwnNotices(me)).toEqual([]);
    const event = await db().accessEvent.findFirst({ where: { action: "patient_notice.dismissed", patientId: patient.id }, orderBy: { seq: "desc" }, select: { outcome: true } });
    expect(event?.outcome).toBe("ALLOWED");
  });

  it("a reset at the desk is announced too, beside any notice not yet dismissed", async () => {
    const patient = await openedAccount("b");
    await reissuePatientCode(desk, patient.id, "RESIDENT_CARD");
    const rows = await db().patientNotice.findMany({ where: { patientId: patient.id }, orderBy: { createdAt: "asc" }, select: { kind: true, dismissedAt: true } });
    expect(rows).toEqual([
      { kind: "ACCOUNT_OPENED", dismissedAt: null },
      { kind: "ACCOUNT_RESET", dismissedAt: null },
    ]);
  });

  it("one patient cannot see or dismiss another's notice; staff cannot read them at all", async () => {
    const a = await openedAccount("c");
    const b = await openedAccount("d");
    const asA = await callerFor(a.email, "PATIENT");
    const asB = await callerFor(b.email, "PATIENT");
    const [notice] = await getOwnNotices(asB);
    expect(await dismissOwnNotice(asA, notice!.id)).toBe(false);
    expect(await getOwnNotices(asB)).toHaveLength(1);
    await expect(getOwnNotices(desk)).rejects.toBeInstanceOf(AccessDeniedError);
  });

  it("the web tier files and dismisses notices, and cannot rewrite one", async () => {
    const patient = await openedAccount("e");
    await expect(asTier("web", `UPDATE "PatientNotice" SET kind = 'ACCOUNT_RESET' WHERE "patientId" = $1::uuid`, [patient.id])).rejects.toThrow(/permission denied/);
    await expect(asTier("web", `DELETE FROM "PatientNotice" WHERE "patientId" = $1::uuid`, [patient.id])).rejects.toThrow(/permission denied/);
  });
});
