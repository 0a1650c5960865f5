// What free text may leave in a de-identified export: nothing, except the words on these lists. An allow-list, never
// a deny-list: a name or a phone number typed into a text field is not recognised and removed, it is simply never
// copied. Extend the lists (a reviewed change) when a new coded vocabulary or phrase is needed.

/** Terminology systems whose codes and displays are copied. A coding from any other system keeps its code only. */
export const SAFE_SYSTEMS: ReadonlySet<string> = new Set([
  "http://loinc.org",
  "http://snomed.info/sct",
  "http://unitsofmeasure.org",
  "http://www.nlm.nih.gov/research/umls/rxnorm",
  "http://hl7.org/fhir/sid/icd-10",
  "http://terminology.hl7.org/CodeSystem/observation-category",
  "http://terminology.hl7.org/CodeSystem/v3-ObservationInterpretation",
  "http://terminology.hl7.org/CodeSystem/condition-clinical",
  "http://terminology.hl7.org/CodeSystem/condition-ver-status",
  "http://terminology.hl7.org/CodeSystem/allergyintolerance-clinical",
  "http://terminology.hl7.org/CodeSystem/v3-ActCode",
  "http://terminology.hl7.org/CodeSystem/diagnostic-service-sections",
]);

/**
 * Clinical phrases (compared case-insensitively) that may be copied from a CodeableConcept's or Coding's text: the
 * hospital's order catalogue and problem list wording. A text equal to the display of a kept coding passes too.
 */
export const SAFE_TEXTS: ReadonlySet<string> = new Set(
  [
    "active",
    "resolved",
    "inactive",
    "Low",
    "High",
    "Normal",
    "ambulatory",
    "inpatient encounter",
    "emergency",
    "Annual check-up",
    "Admission, internal medicine",
    "Hypertension",
    "Type 2 diabetes mellitus",
    "Uncontrolled type 2 diabetes",
    "Community-acquired pneumonia",
    "Asthma",
    "Amlodipine 5 mg tablet",
    "Metformin 500 mg tablet",
    "Amoxicillin-clavulanate 875/125 mg tablet",
    "Penicillin",
    "Iodinated contrast",
    "Hives",
    "Anaphylaxis",
    "Influenza vaccine 2025-2026",
    "Upper GI endoscopy",
    "No abnormal findings",
    "Chest X-ray",
    "Discharge summary",
    "Clinical photograph",
    "Glucose meter",
    "Fingerprint scan",
  ].map((s) => s.toLowerCase()),
);

/**
 * Korea's first-level divisions (시·도), the only part of an address kept: the counterpart of a US state, which is
 * the finest geography Safe Harbor keeps (Korean postcodes are five-digit areas far smaller than a 3-digit ZIP).
 */
export const KOREAN_PROVINCES: readonly string[] = [
  "서울특별시",
  "부산광역시",
  "대구광역시",
  "인천광역시",
  "광주광역시",
  "대전광역시",
  "울산광역시",
  "세종특별자치시",
  "경기도",
  "강원특별자치도",
  "강원도",
  "충청북도",
  "충청남도",
  "전북특별자치도",
  "전라북도",
  "전라남도",
  "경상북도",
  "경상남도",
  "제주특별자치도",
];

/** The province an address starts with, or null (then no geography at all is exported). */
export function provinceOf(address: string | null | undefined): string | null {
  if (!address) return null;
  const head = address.trim().split(/\s+/)[0] ?? "";
  return KOREAN_PROVINCES.includes(head) ? head : null;
}
