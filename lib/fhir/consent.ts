// A consent row as a FHIR R4 Consent resource (docs/decisions/015-patients-accounts-consents-corrections.md). Pure. The columns are the
// authority (the access decisions in lib/authz read them); every column has its element here, so an export loses
// nothing and a re-import could rebuild the row.

export const CHARTPROOF_FHIR = "https://chartproof.example/fhir";
export const RESEARCH_STUDY_EXTENSION = `${CHARTPROOF_FHIR}/StructureDefinition/consent-research-study`;

export type ConsentForFhir = {
  id: string;
  patientId: string;
  scope: "TREATMENT" | "RESEARCH";
  grantee: { kind: "staff"; id: string; name: string } | { kind: "department"; id: string; name: string } | null;
  study: { id: string; code: string; title: string } | null;
  recordClasses: readonly string[];
  dataFrom: Date | null;
  dataUntil: Date | null;
  validFrom: Date;
  validUntil: Date | null;
  revokedAt: Date | null;
  createdAt: Date;
};

type Period = { start?: string; end?: string };

function period(start: Date | null, end: Date | null): Period | undefined {
  if (!start && !end) return undefined;
  return { ...(start ? { start: start.toISOString() } : {}), ...(end ? { end: end.toISOString() } : {}) };
}

function earliest(a: Date | null, b: Date | null): Date | null {
  if (!a) return b;
  if (!b) return a;
  return a < b ? a : b;
}

/** R4 Consent.status: a revoked or lapsed consent is `inactive`; one in force (or starting later) is `active`. */
export function consentStatus(c: Pick<ConsentForFhir, "validUntil" | "revokedAt">, now: Date): "active" | "inactive" {
  if (c.revokedAt && c.revokedAt <= now) return "inactive";
  if (c.validUntil && c.validUntil <= now) return "inactive";
  return "active";
}

export function toFhirConsent(c: ConsentForFhir, now: Date): Record<string, unknown> {
  const treatment = c.scope === "TREATMENT";
  const actor = c.grantee
    ? [
        {
          role: { coding: [{ system: "http://terminology.hl7.org/CodeSystem/v3-ParticipationType", code: "PRCP", display: "primary information recipient" }] },
          reference: { reference: `${c.grantee.kind === "staff" ? "Practitioner" : "Organization"}/${c.grantee.id}`, display: c.grantee.name },
        },
      ]
    : undefined;
  return {
    resourceType: "Consent",
    id: c.id,
    meta: { lastUpdated: (c.revokedAt ?? c.createdAt).toISOString() },
    ...(c.study
      ? { extension: [{ url: RESEARCH_STUDY_EXTENSION, valueReference: { reference: `ResearchStudy/${c.study.id}`, display: `${c.study.code} ${c.study.title}` } }] }
      : {}),
    status: consentStatus(c, now),
    scope: {
      coding: [{ system: "http://terminology.hl7.org/CodeSystem/consentscope", code: treatment ? "treatment" : "research", display: treatment ? "Treatment" : "Research" }],
    },
    category: [{ coding: [{ system: "http://loinc.org", code: "59284-0", display: "Patient Consent" }] }],
    patient: { reference: `Patient/${c.patientId}` },
    dateTime: c.createdAt.toISOString(),
    policyRule: { coding: [{ system: "http://terminology.hl7.org/CodeSystem/v3-ActCode", code: "OPTIN", display: "opt-in" }] },
    provision: {
      type: "permit",
      // In force from validFrom until it expires or is revoked, whichever comes first.
      period: period(c.validFrom, earliest(c.validUntil, c.revokedAt)),
      ...(actor ? { actor } : {}),
      purpose: [
        treatment
          ? { system: "http://terminology.hl7.org/CodeSystem/v3-ActReason", code: "TREAT", display: "treatment" }
          : { system: "http://terminology.hl7.org/CodeSystem/v3-ActReason", code: "HRESCH", display: "healthcare research" },
      ],
      ...(c.recordClasses.length > 0 ? { class: c.recordClasses.map((code) => ({ system: "http://hl7.org/fhir/resource-types", code })) } : {}),
      ...(period(c.dataFrom, c.dataUntil) ? { dataPeriod: period(c.dataFrom, c.dataUntil) } : {}),
    },
  };
}

/** The patient's consents as one FHIR `collection` Bundle, for download. */
export function consentBundle(consents: readonly ConsentForFhir[], now: Date): Record<string, unknown> {
  return {
    resourceType: "Bundle",
    type: "collection",
    timestamp: now.toISOString(),
    entry: consents.map((c) => ({ fullUrl: `urn:uuid:${c.id}`, resource: toFhirConsent(c, now) })),
  };
}
