// Server-side verification against the chains: used by the DAL (pages, exports), the jobs (sweep, anchoring,
// backfill), the bench and the CLIs. One entry point: verifyRecords.
export { chainRootsFor, type AnchorRef } from "./chain-roots";
export { forgetCachedRoots, newVerificationCaches, processCaches, provenLeavesStats, type VerificationCaches } from "./caches";
export { isOnLedger, ledgers, type Ledger } from "./ledgers";
export { RECORDED_TAMPERED_KINDS, recordedTampered, resourceOf, verifiableRecordSelect, verifyRecords, type RecordVerdict, type VerifiableRow, type VerifyOptions } from "./verify-records";
export { type CreationContradiction } from "./creation-events";
export { recordedVerdictCounts, type RecordedCounts } from "./recorded-verdicts";
export { serverTimingEntry, withVerificationTiming, type VerificationTiming } from "./timing";
