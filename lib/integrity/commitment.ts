import { createHash } from "node:crypto";
import { canonicalize } from "./canonical-json";
import { LEAF_TAG, fromHex32, toHex, type Hex32 } from "./hash";

/** What a commitment binds: the content and where it belongs, so a resource cannot be moved to another patient. */
export type CommittedRecord = {
  recordId: string;
  patientId: string;
  resourceType: string;
  recordedAt: Date;
  resource: unknown;
};

const RECIPE_VERSION = 1;

export function commitmentPreimage(record: CommittedRecord): string {
  return canonicalize({
    v: RECIPE_VERSION,
    recordId: record.recordId,
    patientId: record.patientId,
    resourceType: record.resourceType,
    recordedAt: record.recordedAt.toISOString(),
    resource: record.resource,
  });
}

export function computeCommitment(record: CommittedRecord, salt: string): Hex32 {
  return toHex(
    createHash("sha256")
      .update(Uint8Array.of(LEAF_TAG))
      .update(fromHex32(salt))
      .update(commitmentPreimage(record), "utf8")
      .digest(),
  );
}
