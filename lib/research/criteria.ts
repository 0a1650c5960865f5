// The cohort builder's criteria: parsed from URL search params (a URL is user input: malformed parts are dropped, never
// fatal) and evaluated against research-covered records. Pure: no I/O.
import { z } from "zod";

export const COHORT_SEXES = ["FEMALE", "MALE", "OTHER", "UNKNOWN"] as const;

/** Record types a cohort may be built from (and the only ones an export can carry: see safe-harbor.ts). */
export const COHORT_RECORD_TYPES = [
  "Condition",
  "Observation",
  "MedicationStatement",
  "MedicationRequest",
  "Encounter",
  "Procedure",
  "AllergyIntolerance",
  "Immunization",
  "DiagnosticReport",
  "DocumentReference",
  "Device",
] as const;

const term = z.string().trim().min(1).max(80);
const code = z.string().trim().regex(/^[A-Za-z0-9.\-]{1,32}$/);
const isoDay = z.iso.date();

export const observationCriterionSchema = z
  .object({ code, min: z.number().finite().optional(), max: z.number().finite().optional() })
  .refine((o) => o.min === undefined || o.max === undefined || o.min <= o.max, "range_inverted");

export const cohortCriteriaSchema = z
  .object({
    /** Any of: a Condition whose code (any coding) equals the term, or whose text/display contains it. */
    conditions: z.array(term).max(10).default([]),
    /** Any of: an Observation with this code whose numeric value lies within [min, max] (open bounds allowed). */
    observations: z.array(observationCriterionSchema).max(10).default([]),
    /** Any of: a MedicationStatement/MedicationRequest whose medication code equals, or text contains, the term. */
    medications: z.array(term).max(10).default([]),
    /** Age in whole years at the time of the query, inclusive. */
    ageMin: z.number().int().min(0).max(130).optional(),
    ageMax: z.number().int().min(0).max(130).optional(),
    sex: z.enum(COHORT_SEXES).optional(),
    /** Records dated within these days (UTC), inclusive. */
    from: isoDay.optional(),
    to: isoDay.optional(),
    /** Only these record types count (and are exported); empty: all cohort types. */
    types: z.array(z.enum(COHORT_RECORD_TYPES)).max(COHORT_RECORD_TYPES.length).default([]),
  })
  .refine((c) => c.ageMin === undefined || c.ageMax === undefined || c.ageMin <= c.ageMax, { message: "age_inverted", path: ["ageMax"] })
  .refine((c) => c.from === undefined || c.to === undefined || c.from <= c.to, { message: "range_inverted", path: ["to"] });

export type CohortCriteria = z.infer<typeof cohortCriteriaSchema>;

type Params = Record<string, string | string[] | undefined>;

const list = (value: string | string[] | undefined): string[] =>
  (Array.isArray(value) ? value : value === undefined ? [] : [value])
    .flatMap((v) => v.split(","))
    .map((v) => v.trim())
    .filter(Boolean);

const num = (value: string | undefined): number | undefined => {
  if (value === undefined || value.trim() === "") return undefined;
  const n = Number(value);
  return Number.isFinite(n) ? n : undefined;
};

const first = (value: string | string[] | undefined) => (Array.isArray(value) ? value[0] : value);

/**
 * Criteria from the builder's URL (`cond`, `obs=code:min:max`, `med`, `ageMin`, `ageMax`, `sex`, `from`, `to`, `type`).
 * Each malformed part is dropped on its own, so one bad parameter does not lose the others.
 */
export function criteriaFromSearchParams(params: Params): CohortCriteria {
  const keep = <T>(schema: z.ZodType<T>, values: unknown[]): T[] => values.flatMap((v) => {
    const parsed = schema.safeParse(v);
    return parsed.success ? [parsed.data] : [];
  });
  const observations = list(params.obs).map((part) => {
    const [c, min, max] = part.split(":");
    return { code: c, ...(num(min) !== undefined ? { min: num(min) } : {}), ...(num(max) !== undefined ? { max: num(max) } : {}) };
  });
  const candidate = {
    conditions: keep(term, list(params.cond)).slice(0, 10),
    observations: keep(observationCriterionSchema, observations).slice(0, 10),
    medications: keep(term, list(params.med)).slice(0, 10),
    ageMin: keep(z.number().int().min(0).max(130), [num(first(params.ageMin))])[0],
    ageMax: keep(z.number().int().min(0).max(130), [num(first(params.ageMax))])[0],
    sex: keep(z.enum(COHORT_SEXES), [first(params.sex)])[0],
    from: keep(isoDay, [first(params.from)])[0],
    to: keep(isoDay, [first(params.to)])[0],
    types: [...new Set(keep(z.enum(COHORT_RECORD_TYPES), list(params.type)))],
  };
  const parsed = cohortCriteriaSchema.safeParse(candidate);
  if (parsed.success) return parsed.data;
  // Only the cross-field checks can fail here: drop the inverted pairs rather than the whole query.
  return cohortCriteriaSchema.parse({ ...candidate, ageMin: undefined, ageMax: undefined, from: undefined, to: undefined });
}

/** The builder URL's query string for criteria (the inverse of criteriaFromSearchParams). */
export function criteriaToSearchParams(criteria: CohortCriteria): URLSearchParams {
  const params = new URLSearchParams();
  for (const c of criteria.conditions) params.append("cond", c);
  for (const o of criteria.observations) params.append("obs", `${o.code}:${o.min ?? ""}:${o.max ?? ""}`);
  for (const m of criteria.medications) params.append("med", m);
  if (criteria.ageMin !== undefined) params.set("ageMin", String(criteria.ageMin));
  if (criteria.ageMax !== undefined) params.set("ageMax", String(criteria.ageMax));
  if (criteria.sex) params.set("sex", criteria.sex);
  if (criteria.from) params.set("from", criteria.from);
  if (criteria.to) params.set("to", criteria.to);
  for (const t of criteria.types) params.append("type", t);
  return params;
}

export function criteriaIsEmpty(criteria: CohortCriteria): boolean {
  return criteriaToSearchParams(criteria).toString() === "";
}
