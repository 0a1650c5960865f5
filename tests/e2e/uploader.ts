/** A patient with a portal account of their own for the upload tests (seeded by server-fixtures), so that what they upload is seen by no other test. */
export const UPLOADER = { mrn: "10000950", email: "uploader@e2e.chartproof.local", name: "한지민 Han Ji-min", birthDate: "1984-07-21" } as const;

/**
 * A patient whose Synthea-sized history (tests/e2e/chart-summary.spec.ts) is uploaded through the portal: seeded with a
 * portal account and no consent, so that no other test's counts see her until a test grants and then revokes one.
 */
export const LONG_HISTORY = { mrn: "10000960", email: "long-history@e2e.chartproof.local", name: "오하늘 Oh Ha-neul", birthDate: "1961-02-11" } as const;

/** A patient (consented to doctor2) with two anchored records that the erasure spec erases, one per language. */
export const ERASURE_MRN = "10000970";
