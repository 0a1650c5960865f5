import { BaseError, ContractFunctionRevertedError, isHex, size, zeroHash, type Address, type Hash, type Hex } from "viem";
import { recordAnchorAbi } from "./artifacts";
import type { LedgerClients } from "./chain-config";
import {
  AnchorUnauthorizedError,
  InvalidRootError,
  LedgerError,
  RootAlreadyAnchoredError,
  toLedgerError,
} from "./errors";
import { readRoots } from "./read-roots";
import { requireContractAddress, requireWriter } from "./require";

export type AnchorRootParameters = {
  batchId: bigint;
  root: Hex;
  /** Blocks to wait for before returning; on a chain with reorgs, raise it so a returned anchor stays. Default 1. */
  confirmations?: number;
};

export type AnchorRootReturnType = { txHash: Hash; blockNumber: bigint; blockHash: Hash };

/**
 * Anchors `root` for `batchId` with the configured writer key and waits for the receipt.
 *
 * @throws RootAlreadyAnchoredError when the batch already has a root (compare `error.root` with yours: equal means
 * an earlier attempt of yours got through); AnchorUnauthorizedError when the writer lacks WRITER_ROLE;
 * InvalidRootError; LedgerUnavailableError when the chain cannot be reached.
 */
export async function anchorRoot(
  clients: LedgerClients,
  { batchId, root, confirmations = 1 }: AnchorRootParameters,
): Promise<AnchorRootReturnType> {
  const txHash = await sendAnchorRoot(clients, { batchId, root });

  let receipt;
  try {
    receipt = await clients.publicClient.waitForTransactionReceipt({ hash: txHash, confirmations });
  } catch (error) {
    throw toLedgerError(error, "Waiting for the anchoring transaction failed.");
  }
  if (receipt.status === "reverted") {
    // Another writer anchored this batch between our estimate and our block: report it as such.
    const existing = (await readRoots(clients, [batchId])).get(batchId);
    if (existing) throw new RootAlreadyAnchoredError({ batchId, root: existing });
    throw new LedgerError("The anchoring transaction reverted.", { metaMessages: [`Transaction: ${txHash}`] });
  }
  return { txHash, blockNumber: receipt.blockNumber, blockHash: receipt.blockHash };
}

/**
 * Sends the anchoring transaction and returns its hash without waiting for it to be mined: the worker records the
 * hash before waiting, so a crash in between leaves a trail. Same errors as anchorRoot for a doomed anchor.
 */
export async function sendAnchorRoot(clients: LedgerClients, { batchId, root }: { batchId: bigint; root: Hex }): Promise<Hash> {
  // Checked here too so that a bad root costs no round trip; the contract rejects zero anyway.
  if (!isHex(root, { strict: true }) || size(root) !== 32 || BigInt(root) === 0n) throw new InvalidRootError({ root });
  const address = requireContractAddress(clients);
  const writer = requireWriter(clients);
  try {
    // Gas estimation simulates the call, so a doomed anchor fails here, with the contract's error, unsent.
    return await writer.writeContract({ address, abi: recordAnchorAbi, functionName: "anchorRoot", args: [batchId, root] });
  } catch (error) {
    throw fromContractError(error, writer.account.address);
  }
}

function fromContractError(error: unknown, account: Address): LedgerError {
  const revert =
    error instanceof BaseError ? error.walk((cause) => cause instanceof ContractFunctionRevertedError) : null;
  if (revert instanceof ContractFunctionRevertedError && revert.data) {
    const { errorName, args } = revert.data;
    if (errorName === "RecordAnchorRootExists") {
      const [batchId, root] = args as readonly [bigint, Hex];
      return new RootAlreadyAnchoredError({ batchId, root, cause: error });
    }
    if (errorName === "AccessControlUnauthorizedAccount") return new AnchorUnauthorizedError({ account, cause: error });
    if (errorName === "RecordAnchorZeroRoot") return new InvalidRootError({ root: zeroHash, cause: error });
  }
  return toLedgerError(error, "Sending the anchoring transaction failed.");
}
