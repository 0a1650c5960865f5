export { canonicalize } from "./canonical-json";
export { computeCommitment, commitmentPreimage, type CommittedRecord } from "./commitment";
export { isHex32, newSalt, type Hex32 } from "./hash";
export { buildMerkleTree, rootFromProof, type MerkleProof, type MerkleTree, type ProofStep } from "./merkle";
export { prepareRecord, type NewRecordInput, type PreparedRecord } from "./new-record";
export { verifyCheckpoint, verifyRecord, type CheckpointLevel, type VerifiableRecord, type Verification } from "./verify-record";
