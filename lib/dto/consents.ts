// A patient's consents: the shapes /me/consents shows and the grant form's input.
import { z } from "zod";

/** Record classes a consent may be limited to (FHIR resource types the record index holds). */
export const CONSENT_RECORD_CLASSES = [
  "Observation",
  "Condition",
  "AllergyIntolerance",
  "MedicationStatement",
  "MedicationRequest",
  "Immunization",
  "Procedure",
  "DiagnosticReport",
  "Encounter",
  "DocumentReference",
] as const;

export type ConsentState = "ACTIVE" | "SCHEDULED" | "EXPIRED" | "REVOKED";

export type ConsentDto = {
  id: string;
  scope: "TREATMENT" | "RESEARCH";
  /** Who may read: a doctor (with department), a department, or for research the hospital or one study. */
  grantee: { kind: "staff"; name: string; department: string | null } | { kind: "department"; name: string } | { kind: "research"; study: string | null };
  recordClasses: string[];
  dataFrom: string | null;
  dataUntil: string | null;
  validFrom: string;
  validUntil: string | null;
  revokedAt: string | null;
  createdAt: string;
  state: ConsentState;
};

/** One line of the consent history: a grant or a revocation, newest first. */
export type ConsentHistoryDto = { at: string; kind: "granted" | "revoked"; consentId: string; scope: ConsentDto["scope"]; grantee: ConsentDto["grantee"] };

export type ConsentTargetsDto = {
  doctors: { id: string; name: string; department: string | null }[];
  departments: { id: string; name: string }[];
  studies: { id: string; code: string; title: string }[];
};

export type OwnConsentsDto = { consents: ConsentDto[]; history: ConsentHistoryDto[] };

const optionalDate = z.preprocess((v) => (v === "" || v === undefined ? null : v), z.iso.date({ error: "date_invalid" }).nullable());

/** The grant form. Dates are calendar days; the DAL turns them into instants in the hospital's zone. */
export const grantConsentSchema = z
  .object({
    scope: z.enum(["TREATMENT", "RESEARCH"], { error: "scope_invalid" }),
    /** "staff:<uuid>" or "department:<uuid>" for TREATMENT; "" or "study:<uuid>" for RESEARCH. */
    grantee: z.string().trim().max(100).default(""),
    recordClasses: z.array(z.enum(CONSENT_RECORD_CLASSES, { error: "class_invalid" })).max(CONSENT_RECORD_CLASSES.length).default([]),
    dataFrom: optionalDate,
    dataUntil: optionalDate,
    validUntil: optionalDate,
  })
  .superRefine((v, ctx) => {
    const ref = /^(staff|department|study):([0-9a-f-]{36})$/i.exec(v.grantee);
    if (v.scope === "TREATMENT" && (!ref || ref[1] === "study")) ctx.addIssue({ code: "custom", path: ["grantee"], message: "grantee_required" });
    if (v.scope === "RESEARCH" && v.grantee !== "" && ref?.[1] !== "study") ctx.addIssue({ code: "custom", path: ["grantee"], message: "grantee_invalid" });
    if (v.dataFrom && v.dataUntil && v.dataFrom > v.dataUntil) ctx.addIssue({ code: "custom", path: ["dataUntil"], message: "period_reversed" });
  });

export type GrantConsentInput = z.infer<typeof grantConsentSchema>;
