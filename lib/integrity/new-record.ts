import { randomUUID } from "node:crypto";
import { computeCommitment } from "./commitment";
import { newSalt, type Hex32 } from "./hash";

export type NewRecordInput = {
  patientId: string;
  resourceType: string;
  resource: unknown;
  recordedAt: Date;
  source: string;
  /** A correction names the record it replaces (history, outside the commitment). */
  supersedesId?: string | null;
  /** Fixed by the caller when other records must reference this one before it is created (intake); else random. */
  id?: string;
};

export type PreparedRecord = NewRecordInput & { id: string; salt: Hex32; commitment: Hex32 };

/** Fixes a new record's identity, salt and commitment at creation; nothing may change them afterwards. */
export function prepareRecord(input: NewRecordInput): PreparedRecord {
  const id = input.id ?? randomUUID();
  const salt = newSalt();
  return { ...input, id, salt, commitment: computeCommitment({ ...input, recordId: id }, salt) };
}
