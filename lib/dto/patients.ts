// A doctor's patient list and chart: queries parsed from URL search params, and the shapes pages hand to components.
import { z } from "zod";

export const PATIENT_SORT_COLUMNS = ["name", "mrn", "birthDate"] as const;
export const PATIENT_PAGE_SIZES = [10, 25, 50, 100] as const;

/**
 * What a doctor typed. Names and birth dates are PHI, so they never travel in a query string: the search action
 * seals them into an opaque `s` parameter (lib/auth/sealed-box) that only this server can open.
 */
export const patientSearchTermsSchema = z.object({
  q: z.string().trim().max(100, "too_long").optional().transform((v) => (v ? v : undefined)),
  born: z
    .string()
    .trim()
    .optional()
    .transform((v) => (v ? v : undefined))
    .pipe(z.iso.date({ error: "date_invalid" }).optional()),
});

export type PatientSearchTerms = z.infer<typeof patientSearchTermsSchema>;

/** Unknown or malformed parameters fall back to defaults instead of failing: a URL is user input. */
export const patientListQuerySchema = z.object({
  s: z.string().max(2000).optional().catch(undefined),
  sort: z.enum(PATIENT_SORT_COLUMNS).catch("name").default("name"),
  dir: z.enum(["asc", "desc"]).catch("asc").default("asc"),
  page: z.coerce.number().int().min(1).max(100_000).catch(1).default(1),
  size: z.coerce
    .number()
    .refine((n): n is (typeof PATIENT_PAGE_SIZES)[number] => (PATIENT_PAGE_SIZES as readonly number[]).includes(n))
    .catch(25)
    .default(25),
});

export type PatientListQuery = z.infer<typeof patientListQuerySchema>;

export type PatientRowDto = { id: string; mrn: string; name: string; birthDate: string; sex: string };

export type PatientPageDto = {
  rows: PatientRowDto[];
  total: number;
  page: number;
  pageSize: number;
  /** The opened search terms, to show back in the form; null without a search or when its link is not valid. */
  terms: PatientSearchTerms | null;
  /** The `s` parameter could not be opened (altered, or sealed under a rotated secret). */
  searchExpired: boolean;
  /** The doctor's own open emergency grants (logged with the page's one event). */
  grants: EmergencyGrantDto[];
};

/** A doctor's own open emergency grants, so a chart opened by break-glass can be found again during the shift. */
export type EmergencyGrantDto = { id: string; patientId: string; mrn: string; name: string; openedAt: string; expiresAt: string };

export const CHART_VERIFICATION_FILTERS = ["verified", "tampered", "pending", "unavailable"] as const;

export const CHART_SOURCE_FILTERS = ["hospital", "patient", "system"] as const;

/** Timeline filters, from the chart's URL (no PHI: record types, dates and states only). */
export const chartFiltersSchema = z.object({
  type: z.string().regex(/^[A-Za-z]{1,64}$/).optional().catch(undefined),
  from: z.iso.date().optional().catch(undefined),
  to: z.iso.date().optional().catch(undefined),
  status: z.enum(CHART_VERIFICATION_FILTERS).optional().catch(undefined),
  /** Where records came from (hospital, patient upload, hospital system via the API) — not whether they are verified. */
  source: z.enum(CHART_SOURCE_FILTERS).optional().catch(undefined),
});

export type ChartFilters = z.infer<typeof chartFiltersSchema>;

/** The timeline shows this many records per page (newest first); the counts always cover every record. */
export const CHART_PAGE_SIZE = 50;

/** The chart's whole query: its filters and the timeline page. */
export const chartQuerySchema = chartFiltersSchema.extend({
  page: z.coerce.number().int().min(1).max(100_000).catch(1).default(1),
  /** The whole results table instead of its first rows. */
  results: z.enum(["all"]).optional().catch(undefined),
});

export const breakGlassSchema = z.object({
  mrn: z.string().trim().min(1, "required").max(32, "too_long").regex(/^[A-Za-z0-9-]+$/, "mrn_invalid"),
  reason: z.string().trim().min(10, "reason_too_short").max(1000, "too_long"),
});

export const breakGlassReviewSchema = z.object({
  grantId: z.uuid({ error: "invalid" }),
  note: z.string().trim().min(3, "required").max(2000, "too_long"),
});
