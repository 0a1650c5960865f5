// Server-side verification against the chains: used by the DAL (pages) and by the jobs (sweep, anchoring).
export { chainRootsFor, forgetCachedRoots, type AnchorRef } from "./chain-roots";
export { isOnLedger, ledgers, type Ledger } from "./ledgers";
export { verifiableRecordSelect, verifyRows, type RowVerdict, type VerifiableRow } from "./verify-rows";
export { creationContradictions, rowsContradictingCreation, type CreationContradiction } from "./creation-events";
