// The demo's research population: outpatients who consented to the hospital's research use in general and to no
// doctor (no chart list shows them), in three clinics of 12 — diabetes, asthma, lipids — each with a coded
// diagnosis, a coded result and a coded medication. It makes the research screens real: a condition, an observation
// and a medication query (type 2 diabetes, LDL cholesterol, salbutamol) each return a released count, and the code
// look-up has codes to list. The three groups are disjoint, so the differencing control (a count within
// RESEARCH_MIN_CELL patients of an earlier release is suppressed) never hides one query behind another.
// Deterministic, so demos look the same each time.
import { observation, type DemoPatient } from "./demo-data";

const SNOMED = "http://snomed.info/sct";
const RXNORM = "http://www.nlm.nih.gov/research/umls/rxnorm";
const SIZE = 36;

const FAMILY = ["권", "신", "송", "안", "류", "전", "홍", "문"];
const FAMILY_EN = ["Kwon", "Shin", "Song", "Ahn", "Ryu", "Jeon", "Hong", "Moon"];
const GIVEN = ["민서", "준호", "서연", "태윤", "유나", "성민"];
const GIVEN_EN = ["Min-seo", "Jun-ho", "Seo-yeon", "Tae-yun", "Yu-na", "Seong-min"];
const PROVINCES = ["부산광역시 해운대구 센텀로", "대구광역시 수성구 동대구로", "경기도 수원시 팔달구 효원로", "광주광역시 서구 상무대로", "충청남도 천안시 동남구 충절로", "제주특별자치도 제주시 연북로"];

export const DEMO_RESEARCH_PATIENTS: DemoPatient[] = Array.from({ length: SIZE }, (_, i) => {
  const f = i % FAMILY.length;
  const g = (i * 5 + Math.floor(i / FAMILY.length)) % GIVEN.length;
  return {
    mrn: String(10000901 + i),
    name: `${FAMILY[f]}${GIVEN[g]} ${FAMILY_EN[f]} ${GIVEN_EN[g]}`,
    birthDate: `${1948 + ((i * 7) % 45)}-${String(1 + ((i * 7) % 12)).padStart(2, "0")}-${String(1 + ((i * 13) % 28)).padStart(2, "0")}`,
    sex: i % 2 === 0 ? "MALE" : "FEMALE",
    address: `${PROVINCES[i % PROVINCES.length]} ${200 + i}`,
    phone: `010-0000-${String(3000 + i)}`,
    consent: "none",
    research: { kind: "general" },
  };
});

type Resource = Record<string, unknown>;

type Clinic = { condition: [code: string, display: string]; result: [code: string, display: string, base: number, step: number, unit: string, low?: number, high?: number]; medication: [code: string, display: string] };

const CLINICS: readonly Clinic[] = [
  {
    condition: ["44054006", "Type 2 diabetes mellitus"],
    result: ["4548-4", "Hemoglobin A1c", 6.2, 0.45, "%", undefined, 5.6],
    medication: ["860975", "24 HR metformin hydrochloride 500 MG Extended Release Oral Tablet"],
  },
  {
    condition: ["195967001", "Asthma"],
    result: ["20150-9", "FEV1", 2.1, 0.2, "L", 2.5],
    medication: ["745679", "200 ACTUAT salbutamol 0.09 MG/ACTUAT Metered Dose Inhaler"],
  },
  {
    condition: ["55822004", "Hyperlipidemia"],
    result: ["2089-1", "Cholesterol in LDL [Mass/volume] in Serum or Plasma", 128, 9, "mg/dL", undefined, 129],
    medication: ["617312", "atorvastatin 20 MG Oral Tablet"],
  },
];

/** The patient's clinic: the diagnosis, the result twice (a trend), and the medication. */
export function researchRecords(patientIndex: number, now: Date): { resourceType: string; resource: Resource; recordedAt: Date }[] {
  const day = 24 * 60 * 60 * 1000;
  const at = (daysAgo: number) => new Date(now.getTime() - (daysAgo + (patientIndex % 11) * 3) * day);
  const clinic = CLINICS[patientIndex % CLINICS.length]!;
  const [resultCode, resultName, base, step, unit, low, high] = clinic.result;
  const value = base + (patientIndex % 7) * step;
  const list: { resource: Resource; recordedAt: Date }[] = [
    {
      recordedAt: at(900),
      resource: {
        resourceType: "Condition",
        clinicalStatus: { coding: [{ system: "http://terminology.hl7.org/CodeSystem/condition-clinical", code: "active" }] },
        code: { coding: [{ system: SNOMED, code: clinic.condition[0], display: clinic.condition[1] }], text: clinic.condition[1] },
        onsetDateTime: at(900).toISOString().slice(0, 10),
      },
    },
    { recordedAt: at(400), resource: observation(resultCode, resultName, value * 1.08, unit, low, high) },
    { recordedAt: at(60), resource: observation(resultCode, resultName, value, unit, low, high) },
    {
      recordedAt: at(380),
      resource: {
        resourceType: "MedicationStatement",
        status: "active",
        medicationCodeableConcept: { coding: [{ system: RXNORM, code: clinic.medication[0], display: clinic.medication[1] }] },
        effectivePeriod: { start: at(380).toISOString() },
      },
    },
  ];
  return list.map((entry) => ({ ...entry, resourceType: entry.resource.resourceType as string }));
}
