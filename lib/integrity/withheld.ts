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

export function withheldProof(recordId: string, levels: Record<Exclude<FailingLevel, "creation_event">, string> | null): WithheldProof {
  const failed = levels ? (Object.entries(levels).find(([, result]) => result !== "ok" && result !== "skipped")?.[0] as FailingLevel | undefined) : undefined;
  return { format: WITHHELD_FORMAT, recordId, verification: "tampered", failingLevel: failed ?? "creation_event" };
}

export function isWithheldProof(json: unknown): json is WithheldProof {
  const value = json as Partial<WithheldProof> | null;
  return typeof value === "object" && value !== null && value.format === WITHHELD_FORMAT && typeof value.recordId === "string" && value.verification === "tampered";
}
