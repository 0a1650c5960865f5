import { beforeAll, describe, expect, it } from "vitest";
import { db } from "@/lib/db";
import { authenticateServiceToken, credentialCovers, ServiceAuthError } from "@/lib/dal/service-credentials";
import { callerFor, credentialParams, ensureDemo, requestApproved } from "./helpers";

// Issue 21: an admin could mint a credential with no expiry and no scope and file "hospital system" records into any
// chart by MRN. Credentials now expire within a year, may be scoped, and alert on first use and on use out of scope.

const context = { ip: "198.51.100.31", requestId: "scope-test" };
const run = Date.now().toString(36);

async function patientWith(consent: "department" | "none") {
  const im = await db().department.findUniqueOrThrow({ where: { code: "IM" }, select: { id: true } });
  const consented = await db().consent.findFirst({ where: { scope: "TREATMENT", granteeDepartmentId: im.id, revokedAt: null }, select: { patient: { select: { id: true, mrn: true } } } });
  if (consent === "department") return { imId: im.id, patient: consented!.patient };
  const other = await db().patient.findFirstOrThrow({ where: { consents: { none: { granteeDepartmentId: im.id } } }, select: { id: true, mrn: true } });
  return { imId: im.id, patient: other };
}

beforeAll(async () => {
  await ensureDemo();
});

describe("service credentials", () => {
  it("alert on their first use only, and are refused once expired", async () => {
    const { credential } = await requestApproved(await callerFor("admin@demo.chartproof.local"), credentialParams(`First use ${run}`));
    await authenticateServiceToken(credential.token, context);
    await authenticateServiceToken(credential.token, context);
    const alerts = await db().alert.findMany({ where: { kind: "service_credential.first_use", details: { path: ["credentialId"], equals: credential.id } }, select: { details: true } });
    expect(alerts).toHaveLength(1);
    expect(alerts[0]!.details).toMatchObject({ adminIds: [(await callerFor("admin2@demo.chartproof.local")).actor.id] });

    await db().serviceCredential.update({ where: { id: credential.id }, data: { expiresAt: new Date(Date.now() - 1000) } });
    await expect(authenticateServiceToken(credential.token, context)).rejects.toBeInstanceOf(ServiceAuthError);
    const refused = await db().accessEvent.findFirstOrThrow({ where: { action: "service.authentication_failed" }, orderBy: { seq: "desc" }, select: { details: true } });
    expect(refused.details).toMatchObject({ credentialId: credential.id, reason: "expired" });
  });

  it("scoped to one MRN: covers that patient only, and a use outside raises a critical alert", async () => {
    const { patient } = await patientWith("department");
    const { patient: other } = await patientWith("none");
    const { credential } = await requestApproved(await callerFor("admin@demo.chartproof.local"), credentialParams(`One patient ${run}`, { scopeMrn: patient.mrn }));
    const authed = await authenticateServiceToken(credential.token, context);
    expect(await credentialCovers(authed, patient, context)).toBe(true);
    expect(await credentialCovers(authed, other, context)).toBe(false);
    expect(await db().alert.count({ where: { kind: "service_credential.out_of_scope", severity: "CRITICAL", details: { path: ["credentialId"], equals: credential.id } } })).toBe(1);
    expect(await db().accessEvent.count({ where: { action: "service.out_of_scope", patientId: other.id } })).toBeGreaterThanOrEqual(1);
  });

  it("scoped to a department: covers the patients consenting to it", async () => {
    const { imId, patient } = await patientWith("department");
    const { patient: other } = await patientWith("none");
    const { credential } = await requestApproved(await callerFor("admin@demo.chartproof.local"), credentialParams(`IM lab ${run}`, { scopeDepartmentId: imId }));
    const authed = await authenticateServiceToken(credential.token, context);
    expect(await credentialCovers(authed, patient, context)).toBe(true);
    expect(await credentialCovers(authed, other, context)).toBe(false);
  });

  it("an unknown scope is refused when requested", async () => {
    await expect(
      requestApproved(await callerFor("admin@demo.chartproof.local"), credentialParams("Nowhere", { scopeMrn: `NOPE-${run.slice(0, 6)}` })),
    ).rejects.toMatchObject({ code: "scope_unknown" });
  });
});
