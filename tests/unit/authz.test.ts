import { describe, expect, it } from "vitest";
import {
  PERMISSIONS,
  ROLE_PERMISSIONS,
  can,
  consentCoversRecord,
  consentIsActive,
  homePath,
  mfaRequired,
  navItems,
  treatmentConsentCovers,
  type Actor,
  type ActorRole,
  type ConsentFacts,
  type Permission,
} from "@/lib/authz";

const actors: Record<ActorRole, Actor> = {
  DOCTOR: { kind: "STAFF", id: "d", role: "DOCTOR", departmentId: "dept-im", name: "D", email: "d@x" },
  ADMIN: { kind: "STAFF", id: "a", role: "ADMIN", departmentId: null, name: "A", email: "a@x" },
  COMPLIANCE: { kind: "STAFF", id: "c", role: "COMPLIANCE", departmentId: null, name: "C", email: "c@x" },
  RESEARCHER: { kind: "STAFF", id: "r", role: "RESEARCHER", departmentId: null, name: "R", email: "r@x" },
  REGISTRAR: { kind: "STAFF", id: "g", role: "REGISTRAR", departmentId: null, name: "G", email: "g@x" },
  PATIENT: { kind: "PATIENT", id: "p", patientId: "p", name: "P", email: "p@x" },
};

// The expected matrix, written out by hand so that a change to the table must change this test too.
const expected: Record<ActorRole, Permission[]> = {
  DOCTOR: ["patient.list", "chart.view", "break_glass.open", "account.security"],
  ADMIN: ["staff.list", "staff.manage", "department.manage", "service_credential.manage", "record.erase.approve", "account.security"],
  COMPLIANCE: ["access_log.read", "access_log.export", "access_log.sign_off", "alerts.review", "break_glass.review", "record.erase.request", "account.security"],
  RESEARCHER: ["research.cohort", "research.export", "account.security"],
  REGISTRAR: ["patient_account.manage", "account.security"],
  PATIENT: ["own_records.view", "own_records.upload", "own_consents.manage"],
};

describe("role permissions", () => {
  for (const role of Object.keys(actors) as ActorRole[]) {
    for (const permission of PERMISSIONS) {
      const allowed = expected[role].includes(permission);
      it(`${role} ${allowed ? "may" : "may not"} ${permission}`, () => {
        expect(can(actors[role], permission)).toBe(allowed);
      });
    }
  }
  it("keeps separation of duties: no role both manages staff and reads charts or the log", () => {
    for (const perms of Object.values(ROLE_PERMISSIONS)) {
      if (perms.some((p) => p === "staff.list" || p === "staff.manage" || p === "department.manage")) {
        expect(perms.some((p) => p === "chart.view" || p === "patient.list" || p === "access_log.read")).toBe(false);
        // Nor opens patients' portal accounts (issue 21: an admin read a chart "as the patient").
        expect(perms.includes("patient_account.manage")).toBe(false);
      }
      if (perms.includes("access_log.read")) expect(perms.some((p) => p === "staff.manage" || p === "department.manage")).toBe(false);
    }
  });
  it("requires a second factor for administrators and compliance officers, not for doctors", () => {
    expect(mfaRequired("ADMIN")).toBe(true);
    expect(mfaRequired("COMPLIANCE")).toBe(true);
    expect(mfaRequired("DOCTOR")).toBe(false);
  });
  it("sends each role home to a page it may open", () => {
    expect(homePath(actors.DOCTOR)).toBe("/patients");
    expect(homePath(actors.ADMIN)).toBe("/admin/staff");
    expect(homePath(actors.COMPLIANCE)).toBe("/compliance/access-log");
    expect(homePath(actors.PATIENT)).toBe("/me");
    expect(homePath(actors.RESEARCHER)).toBe("/research");
    expect(homePath(actors.REGISTRAR)).toBe("/admin/patient-accounts");
    expect(navItems(actors.ADMIN).map((n) => n.href)).toEqual(["/admin/staff", "/admin/approvals", "/admin/departments", "/admin/service-credentials", "/account/security"]);
  });
});

const now = new Date("2026-06-01T00:00:00Z");
const consent = (over: Partial<ConsentFacts> = {}): ConsentFacts => ({
  scope: "TREATMENT",
  granteeStaffId: "d",
  granteeDepartmentId: null,
  recordClasses: [],
  dataFrom: null,
  dataUntil: null,
  validFrom: new Date("2026-01-01T00:00:00Z"),
  validUntil: null,
  revokedAt: null,
  ...over,
});
const doctor = { staffId: "d", departmentId: "dept-im" };

describe("consent decisions", () => {
  it("covers the named doctor, or the doctor's department", () => {
    expect(treatmentConsentCovers(consent(), doctor, now)).toBe(true);
    expect(treatmentConsentCovers(consent({ granteeStaffId: "other" }), doctor, now)).toBe(false);
    expect(treatmentConsentCovers(consent({ granteeStaffId: null, granteeDepartmentId: "dept-im" }), doctor, now)).toBe(true);
    expect(treatmentConsentCovers(consent({ granteeStaffId: null, granteeDepartmentId: "dept-card" }), doctor, now)).toBe(false);
    expect(treatmentConsentCovers(consent({ granteeStaffId: null, granteeDepartmentId: "dept-im" }), { staffId: "d", departmentId: null }, now)).toBe(false);
    expect(treatmentConsentCovers(consent({ granteeStaffId: null }), doctor, now)).toBe(false);
  });
  it("does not let a RESEARCH consent open a chart", () => {
    expect(treatmentConsentCovers(consent({ scope: "RESEARCH" }), doctor, now)).toBe(false);
  });
  it("respects validity and revocation at the instant they take effect", () => {
    expect(consentIsActive(consent({ validFrom: new Date("2026-06-02T00:00:00Z") }), now)).toBe(false);
    expect(consentIsActive(consent({ validUntil: now }), now)).toBe(false);
    expect(consentIsActive(consent({ validUntil: new Date("2026-06-01T00:00:01Z") }), now)).toBe(true);
    expect(consentIsActive(consent({ revokedAt: now }), now)).toBe(false);
    expect(consentIsActive(consent({ revokedAt: new Date("2026-06-02T00:00:00Z") }), now)).toBe(true);
  });
  it("limits records by class and clinical period", () => {
    const record = { resourceType: "Observation", recordedAt: new Date("2025-05-05T00:00:00Z") };
    expect(consentCoversRecord(consent(), record)).toBe(true);
    expect(consentCoversRecord(consent({ recordClasses: ["Condition"] }), record)).toBe(false);
    expect(consentCoversRecord(consent({ recordClasses: ["Observation"] }), record)).toBe(true);
    expect(consentCoversRecord(consent({ dataFrom: new Date("2025-06-01T00:00:00Z") }), record)).toBe(false);
    expect(consentCoversRecord(consent({ dataUntil: new Date("2025-01-01T00:00:00Z") }), record)).toBe(false);
  });
});
