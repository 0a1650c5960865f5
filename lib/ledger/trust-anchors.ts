import { getAddress, isAddressEqual, keccak256, type Address, type Hash, type Hex } from "viem";
import { TRUST_ANCHORS_FORMAT, writerPeriods, type ChainAnchor, type TrustAnchors, type WriterRoleEvent } from "@/lib/integrity/trust-anchors";
import { recordAnchorAbi } from "./artifacts";
import type { LedgerClients } from "./chain-config";
import { LedgerError, RecordAnchorNotFoundError, toLedgerError } from "./errors";
import { requireContractAddress } from "./require";
import { WRITER_ROLE } from "./writer-role";

// Reading the trust anchors (lib/integrity/trust-anchors.ts) from the chains themselves: what `ledger-admin anchors`
// prints and /.well-known/chartproof/anchors.json serves, and what a pinned verifier asks a chain to compare with them.

/** keccak256 of the runtime code at `address`; RecordAnchorNotFoundError when there is none. */
export async function runtimeCodeHash(clients: LedgerClients, address: Address): Promise<Hex> {
  let code: Hex | undefined;
  try {
    code = await clients.publicClient.getCode({ address });
  } catch (error) {
    throw toLedgerError(error, "Reading the contract's code failed.");
  }
  if (!code || code === "0x") throw new RecordAnchorNotFoundError({ address });
  return keccak256(code);
}

/**
 * The configured RecordAnchor's anchor: its deployment (the transaction whose constructor emitted the contract's
 * first RoleGranted events; its receipt must name the contract as created), its runtime code hash and its writers'
 * validity periods from every WRITER_ROLE grant and revocation. `fromBlock` is where to start reading logs (the
 * deployment block when known: a public chain's history is long).
 */
export async function readChainAnchor(clients: LedgerClients, role: ChainAnchor["role"], fromBlock = 0n): Promise<ChainAnchor> {
  const address = requireContractAddress(clients);
  const codeHash = await runtimeCodeHash(clients, address);
  let logs;
  try {
    const [granted, revoked] = await Promise.all(
      (["RoleGranted", "RoleRevoked"] as const).map((eventName) =>
        clients.publicClient.getContractEvents({ address, abi: recordAnchorAbi, eventName, fromBlock, toBlock: "latest", strict: true }),
      ),
    );
    logs = [...granted!, ...revoked!].sort((a, b) => (a.blockNumber === b.blockNumber ? a.logIndex - b.logIndex : a.blockNumber < b.blockNumber ? -1 : 1));
  } catch (error) {
    throw toLedgerError(error, "Reading the contract's role changes failed.");
  }
  const first = logs[0];
  if (!first) throw new LedgerError("The contract has no role events since the given block: not a RecordAnchor deployment, or the block is too late.");
  let created: Address | null | undefined;
  try {
    created = (await clients.publicClient.getTransactionReceipt({ hash: first.transactionHash })).contractAddress;
  } catch (error) {
    throw toLedgerError(error, "Reading the deployment transaction failed.");
  }
  if (!created || !isAddressEqual(created, address)) {
    throw new LedgerError("The contract's first role event is not from its deployment: start reading at or before its deployment block.");
  }
  const events: WriterRoleEvent[] = logs
    .filter((l) => l.args.role === WRITER_ROLE)
    .map((l) => ({ kind: l.eventName === "RoleGranted" ? "granted" : "revoked", account: l.args.account, block: l.blockNumber, txHash: l.transactionHash }));
  return {
    role,
    chainId: clients.chain.id,
    contract: address.toLowerCase(),
    deployment: { block: first.blockNumber.toString(), txHash: first.transactionHash.toLowerCase() },
    runtimeCodeHash: codeHash,
    writers: writerPeriods(events),
  };
}

/**
 * The published set. The version is derived from the chains, so the portal and the CLI agree without a counter
 * anywhere: 1 at deployment, +1 for every writer grant or revocation since (a rotation is two: grant, then revoke).
 */
export function trustAnchorsOf(chains: readonly ChainAnchor[]): TrustAnchors {
  const changes = chains.reduce((n, c) => n + c.writers.reduce((m, w) => m + 1 + (w.until ? 1 : 0), 0) - 1, 0);
  return { format: TRUST_ANCHORS_FORMAT, version: 1 + Math.max(0, changes), chains: [...chains] };
}

export type RootAnchoredEvent = { batchId: bigint; root: Hex; writer: Address; txHash: Hash; blockNumber: bigint };

/**
 * Every RootAnchored event of `batchId` on the configured contract (one for a genuine RecordAnchor: roots are
 * write-once). Who wrote a root and when is what a pinned verifier checks against the writers' periods.
 */
export async function rootAnchoredEvents(clients: LedgerClients, batchId: bigint, fromBlock = 0n): Promise<RootAnchoredEvent[]> {
  const address = requireContractAddress(clients);
  try {
    const logs = await clients.publicClient.getContractEvents({ address, abi: recordAnchorAbi, eventName: "RootAnchored", args: { batchId }, fromBlock, toBlock: "latest", strict: true });
    return logs.map((l) => ({ batchId: l.args.batchId, root: l.args.root, writer: getAddress(l.args.writer), txHash: l.transactionHash, blockNumber: l.blockNumber }));
  } catch (error) {
    throw toLedgerError(error, "Reading the root's anchoring event failed.");
  }
}
