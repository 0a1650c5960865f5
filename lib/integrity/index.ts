export { canonicalize } from "./canonical-json";
export {
  canonicalBytes,
  commitmentFrame,
  commitmentOf,
  commitmentPreimage,
  computeCommitment,
  CURRENT_RECIPE,
  type CommittedFields,
  type CommittedRecord,
  type RecipeVersion,
} from "./commitment";
export { isHex32, newSalt, type Hex32 } from "./hash";
export { buildMerkleTree, merkleRoot, rootFromProof, type MerkleProof, type MerkleTree, type ProofStep } from "./merkle";
export { prepareRecord, type NewRecordInput, type PreparedRecord } from "./new-record";
export {
  contradictedBeyondCreation,
  judgeLevels,
  judgeRecord,
  levelsPass,
  verdictOf,
  type Answers,
  type ChainRoot,
  type CheckpointLevel,
  type JudgedRecord,
  type Judgement,
  type LeafCaches,
  type LevelResult,
  type Verification,
  type VerificationLevels,
} from "./judge";
export { anchorKey, GENERATION_CHARS, proofFingerprint, ProvenLeafCache } from "./proven-leaf-cache";
