/**
 * What a download of a `tampered` record carries instead of the record (issue #15, "withheld means withheld"): its
 * id, the verdict and the level that failed — no resource, no salt, no proof. A tampered body is untrusted data; it
 * must not leave the portal looking like a record. Pure: no I/O.
 */
export const WITHHELD_FORMAT = "chartproof-withheld/1";

/** The first level that failed (proof-bundle.ts's levels), or `creation_event` when the chain agrees with the row but
 * the row is not what its id was created as (or was anchored before). */
export type FailingLevel = "commitment" | "batchPath" | "batchAnchor" | "checkpointPath" | "checkpointAnchor" | "creation_event";

export type WithheldProof = {
  format: typeof WITHHELD_FORMAT;
  recordId: string;
  verification: "tampered";
  failingLevel: FailingLevel;
};

/** The verification breakdown's level names (lib/integrity/judge.ts), in the order they are checked. */
type Levels = Record<Exclude<FailingLevel, "creation_event"> | "creation", string>;

export function withheldProof(recordId: string, levels: Levels | null): WithheldProof {
  const failed = levels ? Object.entries(levels).find(([, result]) => result !== "ok" && result !== "skipped")?.[0] : undefined;
  return { format: WITHHELD_FORMAT, recordId, verification: "tampered", failingLevel: failed === undefined || failed === "creation" ? "creation_event" : (failed as FailingLevel) };
}

export function isWithheldProof(json: unknown): json is WithheldProof {
  const value = json as Partial<WithheldProof> | null;
  return typeof value === "object" && value !== null && value.format === WITHHELD_FORMAT && typeof value.recordId === "string" && value.verification === "tampered";
}
