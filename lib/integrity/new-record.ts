import { randomUUID } from "node:crypto";
import { canonicalBytes, commitmentOf, CURRENT_RECIPE, type RecipeVersion } from "./commitment";
import { newSalt, type Hex32 } from "./hash";

export type NewRecordInput = {
  patientId: string;
  resourceType: string;
  resource: unknown;
  recordedAt: Date;
  source: string;
  /** A correction names the record it replaces (bound by the commitment since recipe v2). */
  supersedesId?: string | null;
  /** Fixed by the caller when other records must reference this one before it is created (intake); else random. */
  id?: string;
};

export type PreparedRecord = Omit<NewRecordInput, "supersedesId"> & {
  id: string;
  salt: Hex32;
  commitment: Hex32;
  recipeVersion: RecipeVersion;
  supersedesId: string | null;
  identityVersion: number;
  /** The resource's RFC 8785 bytes: stored, hashed and shown from ever after. */
  canonical: Buffer<ArrayBuffer>;
};

/**
 * Fixes a new record's identity, salt, canonical bytes and commitment (recipe v2) at creation; nothing may change
 * them afterwards. `identityVersion`: the patient identity version the record is filed under.
 */
export function prepareRecord(input: NewRecordInput & { identityVersion: number }): PreparedRecord {
  const id = input.id ?? randomUUID();
  const salt = newSalt();
  const canonical = canonicalBytes(input.resource);
  const supersedesId = input.supersedesId ?? null;
  const fields = { ...input, recipe: CURRENT_RECIPE, recordId: id, supersedesId };
  return { ...input, supersedesId, id, salt, canonical, recipeVersion: CURRENT_RECIPE, commitment: commitmentOf(fields, canonical, salt) };
}
