// The cohort builder's code look-up: the codes that research-consented records actually carry, for conditions,
// observations and medications. Only codes from known terminologies (a local code can be an identifier), and only
// codes held by at least `minPatients` different patients, so the list itself never reveals a small cell. Pure.
import type { CohortRecord } from "./cohort";
import { SAFE_SYSTEMS } from "./vocabulary";

export type CodeOption = {
  /** What goes into the criterion: the code, or for a text-only concept its text. */
  value: string;
  display: string;
  system: string | null;
};

export type CodeLookup = { conditions: CodeOption[]; observations: CodeOption[]; medications: CodeOption[] };

const MAX_OPTIONS = 200;

const KIND: Readonly<Record<string, { kind: keyof CodeLookup; field: string }>> = {
  Condition: { kind: "conditions", field: "code" },
  Observation: { kind: "observations", field: "code" },
  MedicationStatement: { kind: "medications", field: "medicationCodeableConcept" },
  MedicationRequest: { kind: "medications", field: "medicationCodeableConcept" },
};

type Candidate = CodeOption & { patients: Set<string> };

export function codeLookup(records: readonly Pick<CohortRecord, "patientId" | "resourceType" | "resource">[], minPatients: number): CodeLookup {
  const found: Record<keyof CodeLookup, Map<string, Candidate>> = { conditions: new Map(), observations: new Map(), medications: new Map() };
  const add = (kind: keyof CodeLookup, key: string, option: CodeOption, patientId: string) => {
    const existing = found[kind].get(key);
    if (existing) existing.patients.add(patientId);
    else found[kind].set(key, { ...option, patients: new Set([patientId]) });
  };
  for (const record of records) {
    const target = KIND[record.resourceType];
    const concept = target ? (record.resource as Record<string, unknown> | null)?.[target.field] : undefined;
    if (!target || !concept || typeof concept !== "object") continue;
    const { coding, text } = concept as { coding?: unknown; text?: unknown };
    let coded = false;
    for (const c of Array.isArray(coding) ? coding : []) {
      const { system, code, display } = (c ?? {}) as { system?: unknown; code?: unknown; display?: unknown };
      if (typeof system !== "string" || !SAFE_SYSTEMS.has(system) || typeof code !== "string" || !/^[A-Za-z0-9.-]{1,32}$/.test(code)) continue;
      coded = true;
      const label = typeof display === "string" ? display : typeof text === "string" ? text : code;
      add(target.kind, `${system}|${code}`, { value: code, display: label.slice(0, 120), system }, record.patientId);
    }
    // Observations are chosen by code only; a condition or medication may be matched by its text (the criteria's rule).
    if (!coded && target.kind !== "observations" && typeof text === "string" && text.trim().length > 0 && text.length <= 80) {
      add(target.kind, `text|${text.trim().toLowerCase()}`, { value: text.trim(), display: text.trim(), system: null }, record.patientId);
    }
  }
  const list = (kind: keyof CodeLookup): CodeOption[] =>
    [...found[kind].values()]
      .filter((c) => c.patients.size >= minPatients)
      .sort((a, b) => a.display.localeCompare(b.display) || a.value.localeCompare(b.value))
      .slice(0, MAX_OPTIONS)
      .map(({ value, display, system }) => ({ value, display, system }));
  return { conditions: list("conditions"), observations: list("observations"), medications: list("medications") };
}
