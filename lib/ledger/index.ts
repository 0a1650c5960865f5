// The ledger: RecordAnchor on the private chain. The only module that creates viem clients (see ARCHITECTURE.md).
// No "server-only" here: tsx scripts and vitest import it too; lib/dal, its importer in the app, carries the marker.
export { anchorRoot, sendAnchorRoot, type AnchorRootParameters, type AnchorRootReturnType } from "./anchor-root";
export { multicall3Abi, recordAnchorAbi } from "./artifacts";
export { createLedgerClients, MULTICALL3_ADDRESS, type LedgerClients, type LedgerConfig } from "./chain-config";
export { deployRecordAnchor, type DeployRecordAnchorParameters } from "./deploy-record-anchor";
export {
  AnchorUnauthorizedError,
  InvalidRootError,
  LedgerConfigError,
  LedgerError,
  LedgerUnavailableError,
  RecordAnchorNotFoundError,
  RootAlreadyAnchoredError,
} from "./errors";
export { installMulticall3 } from "./install-multicall3";
export { readRoots } from "./read-roots";
export { confirmationsOf, findAnchorEvent, type AnchorEvent } from "./find-anchor-event";
export { headBlock, listAnchoredRoots, type AnchoredRoot } from "./list-anchored-roots";
export { blockTimes, onChainRoots, type OnChainRoot, type OnChainRootsSource } from "./on-chain-roots";
export { RoleAdminRequiredError } from "./errors";
export { writerBalance } from "./writer-balance";
export {
  grantWriterRole,
  hasWriterRole,
  revokeWriterRole,
  WRITER_ROLE,
  type WriterRoleChangeParameters,
  type WriterRoleChangeReturnType,
} from "./writer-role";
export { readChainAnchor, rootAnchoredEvents, runtimeCodeHash, trustAnchorsOf, type RootAnchoredEvent } from "./trust-anchors";
