import { createHash } from "node:crypto";
// The demo hospital: fictional people only. Every account shares the public password DEMO_PASSWORD.

export const DEMO_PASSWORD = "chartproof-demo";

export const DEMO_DEPARTMENTS = [
  { code: "IM", name: "내과 Internal Medicine" },
  { code: "CARD", name: "순환기내과 Cardiology" },
  { code: "ADMIN", name: "의료정보팀 Health Information" },
  { code: "EM", name: "응급의학과 Emergency Medicine" },
] as const;

export type DemoStaff = {
  email: string;
  name: string;
  role: "DOCTOR" | "ADMIN" | "COMPLIANCE" | "RESEARCHER" | "REGISTRAR";
  department: string | null;
  licenceNumber?: string;
  /** ACTIVE unless stated: a suspended account and one awaiting activation make the directory's filters real. */
  status?: "SUSPENDED" | "PENDING";
};

export const DEMO_STAFF: DemoStaff[] = [
  { email: "doctor@demo.chartproof.local", name: "김민준 Kim Min-jun", role: "DOCTOR", department: "IM" },
  { email: "doctor2@demo.chartproof.local", name: "이서연 Lee Seo-yeon", role: "DOCTOR", department: "CARD" },
  { email: "admin@demo.chartproof.local", name: "박지훈 Park Ji-hoon", role: "ADMIN", department: "ADMIN" },
  // The second administrator four eyes needs: privileged steps one admin requests, the other approves.
  { email: "admin2@demo.chartproof.local", name: "정하은 Jung Ha-eun", role: "ADMIN", department: "ADMIN" },
  { email: "compliance@demo.chartproof.local", name: "최수아 Choi Su-a", role: "COMPLIANCE", department: "ADMIN" },
  { email: "researcher@demo.chartproof.local", name: "한지우 Han Ji-woo", role: "RESEARCHER", department: null },
  // The registration desk opens patients' portal accounts; administrators do not.
  { email: "desk@demo.chartproof.local", name: "오지민 Oh Ji-min", role: "REGISTRAR", department: "ADMIN" },
  // The rest of a small hospital's directory (none of them is in a patient's consent, so no chart list changes).
  { email: "park.seojun@demo.chartproof.local", name: "박서준 Park Seo-jun", role: "DOCTOR", department: "IM", licenceNumber: "KR-MD-20418" },
  { email: "choi.yujin@demo.chartproof.local", name: "최유진 Choi Yu-jin", role: "DOCTOR", department: "IM", licenceNumber: "KR-MD-31207" },
  { email: "yoon.dohyun@demo.chartproof.local", name: "윤도현 Yoon Do-hyun", role: "DOCTOR", department: "CARD", licenceNumber: "KR-MD-18852" },
  { email: "kang.minji@demo.chartproof.local", name: "강민지 Kang Min-ji", role: "DOCTOR", department: "EM", licenceNumber: "KR-MD-40913" },
  { email: "lim.hajun@demo.chartproof.local", name: "임하준 Lim Ha-jun", role: "DOCTOR", department: "EM", licenceNumber: "KR-MD-42277" },
  // A second officer: an alert about one officer's own act (a lawful erasure they requested) is reviewed by the other.
  { email: "compliance2@demo.chartproof.local", name: "배준서 Bae Jun-seo", role: "COMPLIANCE", department: "ADMIN" },
  { email: "song.jia@demo.chartproof.local", name: "송지아 Song Ji-a", role: "REGISTRAR", department: "ADMIN" },
  { email: "cho.eunwoo@demo.chartproof.local", name: "조은우 Cho Eun-woo", role: "DOCTOR", department: "IM", licenceNumber: "KR-MD-27730", status: "SUSPENDED" },
  { email: "han.seoyoon@demo.chartproof.local", name: "한서윤 Han Seo-yoon", role: "DOCTOR", department: "CARD", licenceNumber: "KR-MD-45106", status: "PENDING" },
];

/** Research studies a RESEARCH consent may be limited to. */
export const DEMO_STUDIES = [
  { code: "CP-DM-2026", title: "Type 2 diabetes outcomes in internal medicine" },
  { code: "CP-PNA-2026", title: "Community-acquired pneumonia and readmission" },
] as const;

/**
 * A patient's research consent in the demo: for the hospital's research use in general, for one study only, limited
 * to some record classes, revoked (so every later export leaves the patient out), or none.
 */
export type DemoResearchConsent =
  | { kind: "general"; recordClasses?: string[] }
  | { kind: "study"; study: (typeof DEMO_STUDIES)[number]["code"] }
  | { kind: "revoked" }
  | { kind: "none" };

/**
 * TOTP secrets of the demo accounts whose role requires a second factor (base32, for any authenticator app). Public,
 * like DEMO_PASSWORD: `npm start` prints them next to the demo logins, and the e2e fixture computes codes from them.
 */
export const DEMO_TOTP_SECRETS: Readonly<Record<string, string>> = {
  "admin@demo.chartproof.local": "DEMOADMINCHARTPROOFTOTPSECRETAAA",
  "admin2@demo.chartproof.local": "DEMOADMINTWOCHARTPROOFTOTPSECRET",
  "compliance@demo.chartproof.local": "DEMOCOMPLIANCECHARTPROOFTOTPXYZW",
  "compliance2@demo.chartproof.local": "DEMOCOMPLIANCETWOCHARTPROOFTOTPQ",
};

export type DemoPatient = {
  mrn: string;
  name: string;
  birthDate: string;
  sex: "FEMALE" | "MALE";
  address: string;
  phone: string;
  portalEmail?: string;
  /** How the demo doctor is covered: directly, via the IM department, or not at all. */
  consent: "doctor" | "department" | "none";
  /** Research use; none when omitted. */
  research?: DemoResearchConsent;
};

export const DEMO_PATIENTS: DemoPatient[] = [
  { mrn: "10000001", name: "정하은 Jung Ha-eun", birthDate: "1958-03-14", sex: "FEMALE", address: "서울특별시 종로구 세종대로 1", phone: "010-0000-1001", portalEmail: "patient@demo.chartproof.local", consent: "doctor", research: { kind: "general" } },
  { mrn: "10000002", name: "강도윤 Kang Do-yun", birthDate: "1971-11-02", sex: "MALE", address: "서울특별시 마포구 월드컵로 2", phone: "010-0000-1002", consent: "doctor", research: { kind: "revoked" } },
  { mrn: "10000003", name: "윤지아 Yoon Ji-a", birthDate: "1989-06-21", sex: "FEMALE", address: "경기도 성남시 분당구 판교로 3", phone: "010-0000-1003", consent: "doctor", research: { kind: "general", recordClasses: ["Observation"] } },
  { mrn: "10000004", name: "장우진 Jang Woo-jin", birthDate: "1944-01-30", sex: "MALE", address: "인천광역시 연수구 송도동 4", phone: "010-0000-1004", consent: "department", research: { kind: "general" } },
  { mrn: "10000005", name: "임서윤 Lim Seo-yun", birthDate: "2001-09-09", sex: "FEMALE", address: "부산광역시 해운대구 우동 5", phone: "010-0000-1005", consent: "none" },
];

type Resource = Record<string, unknown>;

const FAMILY = ["김", "이", "박", "최", "정", "강", "조", "윤", "장", "임", "한", "오"];
const FAMILY_EN = ["Kim", "Lee", "Park", "Choi", "Jung", "Kang", "Cho", "Yoon", "Jang", "Lim", "Han", "Oh"];
const GIVEN = ["서준", "하윤", "도현", "지우", "예준", "수빈", "시우", "지민", "건우", "채원", "현우", "다은"];
const GIVEN_EN = ["Seo-jun", "Ha-yun", "Do-hyun", "Ji-woo", "Ye-jun", "Su-bin", "Si-woo", "Ji-min", "Geon-woo", "Chae-won", "Hyun-woo", "Da-eun"];

/**
 * The internal-medicine ward: patients who consented to the IM department (so the demo doctor sees them through
 * the department), enough of them for the patient list to page, search and sort like a real one.
 */
export const DEMO_WARD_PATIENTS: DemoPatient[] = Array.from({ length: 36 }, (_, i) => {
  // Every (family, given) pair once: i and i + 12 share a family name but never a given name.
  const f = i % FAMILY.length;
  const g = (i * 5 + Math.floor(i / FAMILY.length)) % GIVEN.length;
  const year = 1940 + ((i * 13) % 60);
  const month = String(1 + ((i * 5) % 12)).padStart(2, "0");
  const day = String(1 + ((i * 11) % 28)).padStart(2, "0");
  return {
    mrn: String(10000101 + i),
    name: `${FAMILY[f]}${GIVEN[g]} ${FAMILY_EN[f]} ${GIVEN_EN[g]}`,
    birthDate: `${year}-${month}-${day}`,
    sex: i % 2 === 0 ? "FEMALE" : "MALE",
    address: `서울특별시 강남구 테헤란로 ${100 + i}`,
    phone: `010-0000-${String(2000 + i)}`,
    consent: "department",
    // Most of the ward consented to research in general, every sixth to the diabetes study only, a few not at all.
    research: i % 6 === 5 ? { kind: "study", study: "CP-DM-2026" } : i % 7 === 6 ? { kind: "none" } : { kind: "general" },
  };
});

/**
 * A research-consented patient (no treatment consent: no doctor's list shows her) whose data carries every one of
 * the 18 HIPAA identifier kinds, in the places real data hides them: the patient row, identifiers, notes, narrative,
 * performers, devices, attachments, contained resources. The de-identification tests scan exports for every value.
 */
export const DEMO_IDENTIFIER_PATIENT: DemoPatient & { portalEmail: string } = {
  mrn: "10000801",
  name: "홍길순 Hong Gil-soon",
  birthDate: "1931-03-14",
  sex: "FEMALE",
  address: "서울특별시 종로구 율곡로 99, 101동 1203호 (03154)",
  phone: "010-9876-5432",
  portalEmail: "gilsoon.hong@example.kr",
  consent: "none",
  research: { kind: "general" },
};

/** Every identifying value seeded for DEMO_IDENTIFIER_PATIENT, by HIPAA Safe Harbor identifier kind (§164.514(b)(2)). */
export const DEMO_IDENTIFIERS = {
  names: ["홍길순", "Hong Gil-soon", "Gil-soon", "김민준", "박영희"],
  geography: ["종로구", "율곡로", "101동", "1203호", "03154"],
  dates: ["1931-03-14", "1931", "2019-07-23", "2025-03-14", "2025-03-20", "20250314"],
  phones: ["010-9876-5432", "01098765432"],
  fax: ["02-555-0199"],
  email: ["gilsoon.hong@example.kr"],
  ssn: ["310314-2345678"],
  mrn: ["10000801"],
  healthPlan: ["NHIS-1234567890"],
  account: ["ACCT-8812-3345"],
  licence: ["LIC-KR-55123", "LIC-KR-10987"],
  vehicle: ["12가 3456", "KMHD141GPMU123456"],
  device: ["SN-PUMP-20250314-7781", "SN-GM-8842-A1", "08806012345678"],
  urls: ["https://gilsoon-hong.example.kr", "https://pacs.example.kr/photos/face-88123.jpg", "https://devices.example.kr/pump/7781"],
  ip: ["192.168.45.67", "10.20.30.40"],
  biometric: ["BIO-FP-9F3A-77C1"],
  photo: ["face-88123", "/9j/4AAQSkZJRgABAQ"],
  other: ["LAB-ACC-2025-000981", "VISIT-2025-55120", "PRB-7731-0042"],
} as const;

const LOINC = "http://loinc.org";
const SNOMED = "http://snomed.info/sct";

export function observation(code: string, display: string, measured: number, unit: string, low?: number, high?: number): Resource {
  const value = Math.round(measured * 10) / 10;
  const flag = low !== undefined && value < low ? "L" : high !== undefined && value > high ? "H" : "N";
  return {
    resourceType: "Observation",
    status: "final",
    category: [{ coding: [{ system: "http://terminology.hl7.org/CodeSystem/observation-category", code: "laboratory" }] }],
    code: { coding: [{ system: LOINC, code, display }], text: display },
    valueQuantity: { value, unit, system: "http://unitsofmeasure.org", code: unit },
    ...(low !== undefined || high !== undefined
      ? { referenceRange: [{ ...(low !== undefined ? { low: { value: low, unit } } : {}), ...(high !== undefined ? { high: { value: high, unit } } : {}) }] }
      : {}),
    interpretation: [{ coding: [{ system: "http://terminology.hl7.org/CodeSystem/v3-ObservationInterpretation", code: flag }], text: { L: "Low", H: "High", N: "Normal" }[flag] }],
  };
}

/** A varied, plausible history per patient (deterministic, so demos look the same each time). */
export function demoRecords(patientIndex: number, now: Date): { resourceType: string; resource: Resource; recordedAt: Date }[] {
  const day = 24 * 60 * 60 * 1000;
  const at = (daysAgo: number) => new Date(now.getTime() - (daysAgo + patientIndex) * day);
  const glucose = 95 + patientIndex * 17;
  const list: { resource: Resource; recordedAt: Date }[] = [
    { recordedAt: at(400), resource: { resourceType: "Encounter", status: "finished", class: { code: "AMB", display: "ambulatory" }, type: [{ text: "Annual check-up" }] } },
    { recordedAt: at(400), resource: observation("2345-7", "Glucose [Mass/volume] in Serum or Plasma", glucose, "mg/dL", 70, 99) },
    { recordedAt: at(380), resource: observation("4548-4", "Hemoglobin A1c", 5.4 + patientIndex * 0.4, "%", undefined, 5.6) },
    { recordedAt: at(300), resource: { resourceType: "Condition", clinicalStatus: { coding: [{ code: "active" }], text: "active" }, code: { coding: [{ system: SNOMED, code: "38341003", display: "Hypertension" }], text: "Hypertension" } } },
    { recordedAt: at(300), resource: { resourceType: "MedicationStatement", status: "active", medicationCodeableConcept: { text: "Amlodipine 5 mg tablet" }, dosage: [{ text: "1 tablet by mouth once daily" }] } },
    { recordedAt: at(200), resource: observation("8480-6", "Systolic blood pressure", 128 + patientIndex * 4, "mm[Hg]", 90, 130) },
    { recordedAt: at(120), resource: { resourceType: "AllergyIntolerance", criticality: "high", code: { text: patientIndex % 2 === 0 ? "Penicillin" : "Iodinated contrast" }, reaction: [{ manifestation: [{ text: patientIndex % 2 === 0 ? "Hives" : "Anaphylaxis" }] }] } },
    { recordedAt: at(90), resource: { resourceType: "Immunization", status: "completed", vaccineCode: { text: "Influenza vaccine 2025-2026" }, occurrenceDateTime: at(90).toISOString() } },
    { recordedAt: at(30), resource: observation("718-7", "Hemoglobin [Mass/volume] in Blood", 13.1 - patientIndex * 0.3, "g/dL", 12, 17) },
    { recordedAt: at(10), resource: { resourceType: "Procedure", status: "completed", code: { text: "Upper GI endoscopy" }, outcome: { text: "No abnormal findings" } } },
  ];
  if (patientIndex === 0) {
    // The demo patient: a chronic history a doctor recognises (see chronicHistory); her HbA1c and glucose agree with it.
    list[1] = { recordedAt: at(400), resource: observation("2345-7", "Glucose [Mass/volume] in Serum or Plasma", 138, "mg/dL", 70, 99) };
    list[2] = { recordedAt: at(380), resource: observation("4548-4", "Hemoglobin A1c", 6.9, "%", undefined, 5.6) };
    list.push(...chronicHistory(now));
  }
  return list.map((entry) => ({ ...entry, resourceType: entry.resource.resourceType as string }));
}

/**
 * The demo patient's two-year history (issue #19): type 2 diabetes, hypertension and hyperlipidemia on the problem
 * list with the medications that treat them; quarterly visits with blood pressure, heart rate and weight; HbA1c every
 * three months, lipids and creatinine every six; a lipid panel DiagnosticReport with its result Observations; a
 * pneumonia admission with its discharge summary note; vaccinations. Deterministic, relative to `now`.
 */
function chronicHistory(now: Date): { resource: Resource; recordedAt: Date }[] {
  const day = 24 * 60 * 60 * 1000;
  const at = (daysAgo: number) => new Date(now.getTime() - daysAgo * day);
  const out: { resource: Resource; recordedAt: Date }[] = [];
  const lab = (daysAgo: number, id: string, code: string, display: string, value: number, unit: string, low?: number, high?: number) => {
    const resource = { id, ...observation(code, display, value, unit, low, high), effectiveDateTime: at(daysAgo).toISOString() };
    out.push({ recordedAt: at(daysAgo), resource });
    return resource;
  };
  const vitalSign = (daysAgo: number, code: string, display: string, value: number, unit: string) => ({
    resourceType: "Observation",
    status: "final",
    category: [{ coding: [{ system: "http://terminology.hl7.org/CodeSystem/observation-category", code: "vital-signs" }] }],
    code: { coding: [{ system: LOINC, code, display }], text: display },
    effectiveDateTime: at(daysAgo).toISOString(),
    valueQuantity: { value, unit, system: "http://unitsofmeasure.org", code: unit },
  });

  // A panel carries its values in components only.
  const panelOf = ({ valueQuantity: _unused, ...rest }: Resource) => rest;
  out.push(
    {
      recordedAt: at(760),
      resource: {
        resourceType: "Condition",
        clinicalStatus: { coding: [{ system: "http://terminology.hl7.org/CodeSystem/condition-clinical", code: "active" }] },
        verificationStatus: { coding: [{ system: "http://terminology.hl7.org/CodeSystem/condition-ver-status", code: "confirmed" }] },
        code: { coding: [{ system: SNOMED, code: "44054006", display: "Type 2 diabetes mellitus" }], text: "Type 2 diabetes mellitus" },
        onsetDateTime: "2019-05",
      },
    },
    {
      recordedAt: at(740),
      resource: {
        resourceType: "Condition",
        clinicalStatus: { coding: [{ system: "http://terminology.hl7.org/CodeSystem/condition-clinical", code: "active" }] },
        code: { coding: [{ system: SNOMED, code: "55822004", display: "Hyperlipidemia" }], text: "Hyperlipidemia" },
        onsetDateTime: "2021",
      },
    },
    {
      recordedAt: at(760),
      resource: { resourceType: "MedicationRequest", status: "active", intent: "order", medicationCodeableConcept: { text: "Metformin 1000 mg tablet" }, authoredOn: at(760).toISOString().slice(0, 10), dosageInstruction: [{ text: "1 tablet by mouth twice daily with meals" }] },
    },
    {
      recordedAt: at(740),
      resource: {
        resourceType: "MedicationRequest",
        status: "active",
        intent: "order",
        contained: [{ resourceType: "Medication", id: "statin", code: { coding: [{ system: "http://www.whocc.no/atc", code: "C10AA05", display: "Atorvastatin" }], text: "Atorvastatin 20 mg tablet" } }],
        medicationReference: { reference: "#statin" },
        authoredOn: at(740).toISOString().slice(0, 10),
        dosageInstruction: [{ text: "1 tablet by mouth at bedtime" }],
      },
    },
    {
      recordedAt: at(580),
      resource: { resourceType: "MedicationRequest", status: "stopped", intent: "order", medicationCodeableConcept: { text: "Glimepiride 1 mg tablet" }, authoredOn: at(580).toISOString().slice(0, 10), dosageInstruction: [{ text: "1 tablet before breakfast (stopped: hypoglycaemia)" }] },
    },
  );

  // Quarterly visits: blood pressure (a panel), heart rate, weight; HbA1c each time, lipids and creatinine every other.
  const visits = [
    { d: 760, sys: 152, dia: 94, hr: 84, kg: 74.2, a1c: 6.2 },
    { d: 670, sys: 146, dia: 90, hr: 80, kg: 73.6, a1c: 6.8 },
    { d: 580, sys: 141, dia: 88, hr: 78, kg: 73.1, a1c: 7.4 },
    { d: 490, sys: 138, dia: 86, hr: 76, kg: 72.4, a1c: 7.1 },
    { d: 290, sys: 134, dia: 84, hr: 74, kg: 71.8, a1c: 6.7 },
    { d: 200, sys: 131, dia: 82, hr: 72, kg: 71.0, a1c: 6.6 },
    { d: 110, sys: 136, dia: 85, hr: 75, kg: 71.5, a1c: 6.9 },
    { d: 20, sys: 142, dia: 88, hr: 78, kg: 72.3, a1c: 7.2 },
  ];
  visits.forEach((v, i) => {
    out.push({ recordedAt: at(v.d), resource: { resourceType: "Encounter", status: "finished", class: { code: "AMB", display: "ambulatory" }, type: [{ text: "Diabetes and hypertension follow-up" }], period: { start: at(v.d).toISOString(), end: at(v.d).toISOString() } } });
    out.push({
      recordedAt: at(v.d),
      resource: {
        ...panelOf(vitalSign(v.d, "85354-9", "Blood pressure panel", 0, "mm[Hg]")),
        component: [
          { code: { coding: [{ system: LOINC, code: "8480-6", display: "Systolic blood pressure" }] }, valueQuantity: { value: v.sys, unit: "mm[Hg]", system: "http://unitsofmeasure.org", code: "mm[Hg]" } },
          { code: { coding: [{ system: LOINC, code: "8462-4", display: "Diastolic blood pressure" }] }, valueQuantity: { value: v.dia, unit: "mm[Hg]", system: "http://unitsofmeasure.org", code: "mm[Hg]" } },
        ],
      },
    });
    out.push({ recordedAt: at(v.d), resource: vitalSign(v.d, "8867-4", "Heart rate", v.hr, "/min") });
    out.push({ recordedAt: at(v.d), resource: vitalSign(v.d, "29463-7", "Body weight", v.kg, "kg") });
    out.push({ recordedAt: at(v.d), resource: vitalSign(v.d, "39156-5", "Body mass index", Math.round((v.kg / 1.58 / 1.58) * 10) / 10, "kg/m2") });
    lab(v.d, `a1c-${i}`, "4548-4", "Hemoglobin A1c/Hemoglobin.total in Blood", v.a1c, "%", undefined, 5.6);
    if (i % 2 === 1 || i === visits.length - 1) {
      const n = Math.floor(i / 2);
      lab(v.d, `cr-${i}`, "2160-0", "Creatinine [Mass/volume] in Serum or Plasma", [0.8, 0.9, 0.9, 1.1, 1.2][n] ?? 1.2, "mg/dL", 0.5, 1.1);
      const ids = [`tc-${i}`, `ldl-${i}`, `hdl-${i}`, `tg-${i}`];
      lab(v.d, ids[0]!, "2093-3", "Cholesterol [Mass/volume] in Serum or Plasma", [232, 204, 188, 176, 181][n] ?? 181, "mg/dL", undefined, 199);
      lab(v.d, ids[1]!, "13457-7", "Cholesterol in LDL [Mass/volume] in Serum or Plasma by calculation", [148, 121, 104, 92, 98][n] ?? 98, "mg/dL", undefined, 99);
      lab(v.d, ids[2]!, "2085-9", "Cholesterol in HDL [Mass/volume] in Serum or Plasma", [44, 46, 48, 49, 47][n] ?? 47, "mg/dL", 40);
      lab(v.d, ids[3]!, "2571-8", "Triglyceride [Mass/volume] in Serum or Plasma", [210, 188, 172, 160, 168][n] ?? 168, "mg/dL", undefined, 149);
      out.push({
        recordedAt: at(v.d),
        resource: {
          resourceType: "DiagnosticReport",
          status: "final",
          category: [{ coding: [{ system: "http://terminology.hl7.org/CodeSystem/v2-0074", code: "CH", display: "Chemistry" }] }],
          code: { coding: [{ system: LOINC, code: "57698-3", display: "Lipid panel with direct LDL - Serum or Plasma" }], text: "Lipid panel" },
          effectiveDateTime: at(v.d).toISOString(),
          issued: at(v.d).toISOString(),
          result: ids.map((id) => ({ reference: `Observation/${id}` })),
          conclusion: n >= 2 ? "LDL near goal on atorvastatin 20 mg; triglycerides mildly raised." : "LDL above goal: start or intensify statin.",
        },
      });
    }
  });
  lab(20, "egfr-20", "33914-3", "Glomerular filtration rate/1.73 sq M.predicted [Volume Rate/Area] in Serum or Plasma by Creatinine-based formula (MDRD)", 52, "mL/min/{1.73_m2}", 60);
  lab(20, "alb-20", "14959-1", "Microalbumin/Creatinine [Mass Ratio] in Urine", 38, "mg/g", undefined, 30);
  out.push({ recordedAt: at(760), resource: vitalSign(760, "8302-2", "Body height", 158, "cm") });

  // A pneumonia admission, with its discharge summary note (text, so a doctor can read it on the record page).
  const summary = [
    "Discharge summary — Internal Medicine",
    "Admitted with community-acquired pneumonia (right lower lobe); treated with IV ceftriaxone then oral amoxicillin-clavulanate.",
    "Known type 2 diabetes, hypertension, hyperlipidemia; penicillin allergy (hives) noted — no reaction to the cephalosporin.",
    "Discharged afebrile, SpO2 96% on room air. Continue metformin, amlodipine, atorvastatin. Follow-up chest X-ray in 6 weeks.",
  ].join("\n");
  const note = Buffer.from(summary, "utf8");
  out.push(
    { recordedAt: at(430), resource: { resourceType: "Encounter", status: "finished", class: { code: "IMP", display: "inpatient encounter" }, type: [{ text: "Admission, internal medicine" }], period: { start: at(434).toISOString(), end: at(430).toISOString() }, reasonCode: [{ text: "Community-acquired pneumonia" }] } },
    {
      recordedAt: at(430),
      resource: {
        resourceType: "Condition",
        clinicalStatus: { coding: [{ system: "http://terminology.hl7.org/CodeSystem/condition-clinical", code: "resolved" }] },
        code: { coding: [{ system: SNOMED, code: "385093006", display: "Community acquired pneumonia" }], text: "Community-acquired pneumonia" },
        onsetDateTime: at(434).toISOString().slice(0, 10),
        abatementDateTime: at(430).toISOString().slice(0, 10),
      },
    },
    { recordedAt: at(433), resource: vitalSign(433, "8310-5", "Body temperature", 38.6, "Cel") },
    { recordedAt: at(430), resource: vitalSign(430, "59408-5", "Oxygen saturation in Arterial blood by Pulse oximetry", 96, "%") },
    { recordedAt: at(430), resource: vitalSign(430, "8310-5", "Body temperature", 36.8, "Cel") },
    {
      recordedAt: at(430),
      resource: {
        resourceType: "DocumentReference",
        status: "current",
        type: { coding: [{ system: LOINC, code: "18842-5", display: "Discharge summary" }], text: "Discharge summary" },
        date: at(430).toISOString(),
        description: "Discharge summary, community-acquired pneumonia",
        content: [{ attachment: { contentType: "text/plain; charset=utf-8", title: "discharge-summary.txt", data: note.toString("base64"), hash: createHash("sha1").update(note).digest("base64"), size: note.length } }],
      },
    },
    { recordedAt: at(60), resource: { resourceType: "Immunization", status: "completed", vaccineCode: { text: "Pneumococcal conjugate vaccine (PCV20)" }, occurrenceDateTime: at(60).toISOString().slice(0, 10) } },
    { recordedAt: at(420), resource: { resourceType: "Immunization", status: "completed", vaccineCode: { text: "COVID-19 mRNA vaccine" }, occurrenceString: "2024" } },
  );
  return out;
}

/** A minimal one-page PDF, so the demo's documents carry a real attachment with its FHIR hash. */
function demoPdf(title: string): { data: string; hash: string; size: number } {
  const bytes = Buffer.from(
    `%PDF-1.4\n1 0 obj<</Type/Catalog/Pages 2 0 R>>endobj\n2 0 obj<</Type/Pages/Kids[3 0 R]/Count 1>>endobj\n3 0 obj<</Type/Page/Parent 2 0 R/MediaBox[0 0 595 842]>>endobj\n% ${title}\ntrailer<</Root 1 0 R>>\n%%EOF\n`,
    "latin1",
  );
  return { data: bytes.toString("base64"), hash: createHash("sha1").update(bytes).digest("base64"), size: bytes.length };
}

/** A short inpatient history for a ward patient: admission, labs, imaging, a prescription, a discharge summary. */
export function wardRecords(patientIndex: number, now: Date): { resourceType: string; resource: Resource; recordedAt: Date }[] {
  const day = 24 * 60 * 60 * 1000;
  const at = (daysAgo: number) => new Date(now.getTime() - (daysAgo + (patientIndex % 9)) * day);
  const pdf = demoPdf(`Discharge summary ${patientIndex}`);
  const list: { resource: Resource; recordedAt: Date }[] = [
    {
      recordedAt: at(20),
      resource: {
        resourceType: "Encounter",
        status: "finished",
        class: { code: "IMP", display: "inpatient encounter" },
        type: [{ text: "Admission, internal medicine" }],
        period: { start: at(20).toISOString(), end: at(14).toISOString() },
        reasonCode: [{ text: patientIndex % 3 === 0 ? "Community-acquired pneumonia" : "Uncontrolled type 2 diabetes" }],
      },
    },
    { recordedAt: at(19), resource: observation("2160-0", "Creatinine [Mass/volume] in Serum or Plasma", 0.7 + (patientIndex % 5) * 0.2, "mg/dL", 0.6, 1.2) },
    {
      recordedAt: at(19),
      resource: {
        resourceType: "DiagnosticReport",
        status: "final",
        code: { coding: [{ system: LOINC, code: "36643-5", display: "Chest X-ray 2 views" }], text: "Chest X-ray" },
        issued: at(19).toISOString(),
        conclusion: patientIndex % 3 === 0 ? "Right lower lobe consolidation." : "No acute cardiopulmonary abnormality.",
      },
    },
    {
      recordedAt: at(18),
      resource: {
        resourceType: "MedicationRequest",
        status: "active",
        intent: "order",
        medicationCodeableConcept: { text: patientIndex % 3 === 0 ? "Amoxicillin-clavulanate 875/125 mg tablet" : "Metformin 500 mg tablet" },
        authoredOn: at(18).toISOString(),
        dosageInstruction: [{ text: patientIndex % 3 === 0 ? "1 tablet by mouth twice daily for 7 days" : "1 tablet by mouth twice daily with meals" }],
      },
    },
    {
      recordedAt: at(14),
      resource: {
        resourceType: "DocumentReference",
        status: "current",
        type: { coding: [{ system: LOINC, code: "18842-5", display: "Discharge summary" }], text: "Discharge summary" },
        date: at(14).toISOString(),
        description: "Discharge summary, internal medicine",
        content: [{ attachment: { contentType: "application/pdf", title: "discharge-summary.pdf", data: pdf.data, hash: pdf.hash, size: pdf.size } }],
      },
    },
  ];
  return list.map((entry) => ({ ...entry, resourceType: entry.resource.resourceType as string }));
}

/** The identifier patient's records (see DEMO_IDENTIFIER_PATIENT): clinically plain, identifiers everywhere else. */
export function identifierPatientRecords(): { resourceType: string; resource: Resource; recordedAt: Date }[] {
  const narrative = (text: string) => ({ status: "generated", div: `<div xmlns="http://www.w3.org/1999/xhtml"><p>${text}</p></div>` });
  const photo = "/9j/4AAQSkZJRgABAQAAAQABAAD/2wBDAAgGBgcGBQgHBwcJCQgKDBQNDAsLDBkSEw8UHRofHh0aHBwgJC4nICIsIxwcKDcpLDAxNDQ0Hyc5PTgyPC4zNDL/wAALCAABAAEBAREA/8QAFAABAAAAAAAAAAAAAAAAAAAACf/EABQQAQAAAAAAAAAAAAAAAAAAAAD/2gAIAQEAAD8AKp//2Q==";
  const list: { resource: Resource; recordedAt: string }[] = [
    {
      recordedAt: "2019-07-23T01:00:00Z",
      resource: {
        resourceType: "Condition",
        identifier: [{ system: "urn:oid:1.2.410.200.1.7", value: "PRB-7731-0042" }],
        clinicalStatus: { coding: [{ system: "http://terminology.hl7.org/CodeSystem/condition-clinical", code: "active" }], text: "active" },
        code: { coding: [{ system: SNOMED, code: "44054006", display: "Type 2 diabetes mellitus" }], text: "Type 2 diabetes mellitus" },
        onsetDateTime: "2019-07-23",
        recordedDate: "2019-07-23T10:00:00+09:00",
        asserter: { display: "김민준 (LIC-KR-10987)" },
        note: [{ text: "홍길순 (주민등록번호 310314-2345678) reports polyuria since 2019-07-23; call 010-9876-5432 or fax 02-555-0199." }],
        text: narrative("Hong Gil-soon, MRN 10000801, born 1931-03-14"),
      },
    },
    {
      recordedAt: "2025-03-14T00:30:00Z",
      resource: {
        resourceType: "Observation",
        identifier: [{ system: "urn:oid:1.2.410.200.1.9", value: "LAB-ACC-2025-000981" }],
        status: "final",
        category: [{ coding: [{ system: "http://terminology.hl7.org/CodeSystem/observation-category", code: "laboratory" }] }],
        code: { coding: [{ system: LOINC, code: "2345-7", display: "Glucose [Mass/volume] in Serum or Plasma" }], text: "Glucose" },
        valueQuantity: { value: 182, unit: "mg/dL", system: "http://unitsofmeasure.org", code: "mg/dL" },
        effectiveDateTime: "2025-03-14T09:30:00+09:00",
        issued: "2025-03-14T10:02:00+09:00",
        performer: [{ display: "박영희 임상병리사", identifier: { value: "LIC-KR-55123" } }],
        device: { display: "Glucose meter SN-GM-8842-A1 at 10.20.30.40" },
        note: [{ text: "Drawn at home visit, 서울특별시 종로구 율곡로 99; patient email gilsoon.hong@example.kr" }],
      },
    },
    {
      recordedAt: "2025-03-14T01:00:00Z",
      resource: {
        resourceType: "Observation",
        status: "final",
        code: { coding: [{ system: "urn:oid:1.2.410.200.1.11", code: "BIO-FP-9F3A-77C1" }], text: "Fingerprint scan" },
        valueString: "template BIO-FP-9F3A-77C1",
        identifier: [{ value: "BIO-FP-9F3A-77C1" }],
        effectiveDateTime: "2025-03-14",
      },
    },
    {
      recordedAt: "2025-03-14T02:00:00Z",
      resource: {
        resourceType: "Encounter",
        identifier: [{ system: "urn:oid:1.2.410.200.1.3", value: "VISIT-2025-55120" }],
        status: "finished",
        class: { system: "http://terminology.hl7.org/CodeSystem/v3-ActCode", code: "IMP", display: "inpatient encounter" },
        type: [{ text: "Admission, internal medicine" }],
        period: { start: "2025-03-14T11:00:00+09:00", end: "2025-03-20T10:00:00+09:00" },
        account: [{ reference: "Account/ACCT-8812-3345", display: "ACCT-8812-3345" }],
        participant: [{ individual: { display: "김민준" } }],
        location: [{ location: { display: "서울특별시 종로구 율곡로 99, 5병동" } }],
        hospitalization: { origin: { display: "Ambulance 12가 3456 (VIN KMHD141GPMU123456)" } },
        contained: [
          {
            resourceType: "Organization",
            id: "home",
            telecom: [
              { system: "fax", value: "02-555-0199" },
              { system: "url", value: "https://gilsoon-hong.example.kr" },
              { system: "phone", value: "01098765432" },
            ],
          },
        ],
        serviceProvider: { reference: "#home" },
        text: narrative("Admitted 20250314, discharged 2025-03-20"),
      },
    },
    {
      recordedAt: "2025-03-14T03:00:00Z",
      resource: {
        resourceType: "Device",
        identifier: [{ value: "SN-PUMP-20250314-7781" }],
        udiCarrier: [{ deviceIdentifier: "08806012345678", carrierHRF: "(01)08806012345678(21)SN-PUMP-20250314-7781" }],
        status: "active",
        serialNumber: "SN-PUMP-20250314-7781",
        type: { text: "Glucose meter" },
        url: "https://devices.example.kr/pump/7781",
        note: [{ text: "Paired from IP 192.168.45.67" }],
        owner: { display: "홍길순" },
      },
    },
    {
      recordedAt: "2025-03-15T00:00:00Z",
      resource: {
        resourceType: "DocumentReference",
        masterIdentifier: { value: "face-88123" },
        status: "current",
        type: { text: "Clinical photograph" },
        date: "2025-03-15T09:00:00+09:00",
        author: [{ display: "김민준" }],
        description: "Full-face photograph of Hong Gil-soon",
        content: [{ attachment: { contentType: "image/jpeg", data: photo, url: "https://pacs.example.kr/photos/face-88123.jpg", title: "face-88123.jpg" } }],
      },
    },
    {
      recordedAt: "2025-03-15T01:00:00Z",
      resource: {
        resourceType: "MedicationRequest",
        status: "active",
        intent: "order",
        medicationCodeableConcept: { text: "Metformin 500 mg tablet" },
        authoredOn: "2025-03-15",
        requester: { display: "김민준", identifier: { value: "LIC-KR-10987" } },
        insurance: [{ display: "NHIS-1234567890" }],
        dosageInstruction: [{ text: "1 tablet twice daily; pharmacy account ACCT-8812-3345" }],
        note: [{ text: "Beneficiary NHIS-1234567890, RRN 310314-2345678" }],
      },
    },
    {
      recordedAt: "2025-03-20T01:00:00Z",
      resource: {
        resourceType: "Coverage",
        status: "active",
        subscriberId: "NHIS-1234567890",
        identifier: [{ value: "ACCT-8812-3345" }],
        beneficiary: { display: "홍길순 310314-2345678" },
        payor: [{ display: "국민건강보험공단" }],
      },
    },
  ];
  return list.map((entry) => ({ resource: entry.resource, recordedAt: new Date(entry.recordedAt), resourceType: entry.resource.resourceType as string }));
}
