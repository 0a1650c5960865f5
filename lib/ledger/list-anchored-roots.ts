import type { Hash, Hex } from "viem";
import { recordAnchorAbi } from "./artifacts";
import type { LedgerClients } from "./chain-config";
import { toLedgerError } from "./errors";
import { requireContractAddress } from "./require";

export type AnchoredRoot = { batchId: bigint; root: Hex; blockNumber: bigint; txHash: Hash };

// Many RPC providers refuse eth_getLogs over wide block ranges; a private QBFT node answers this in one go.
const BLOCK_SPAN = 50_000n;

/**
 * Every root the contract anchored in blocks [fromBlock, toBlock], from its RootAnchored events, oldest first: what
 * the chain says exists, read without asking the database which numbers to look for. `batchIdAtLeast` is an
 * off-chain filter (the batch id is indexed, but topics filter equality only).
 */
export async function listAnchoredRoots(
  clients: LedgerClients,
  opts: { fromBlock: bigint; toBlock: bigint; batchIdAtLeast?: bigint },
): Promise<AnchoredRoot[]> {
  const address = requireContractAddress(clients);
  const out: AnchoredRoot[] = [];
  try {
    for (let from = opts.fromBlock; from <= opts.toBlock; from += BLOCK_SPAN) {
      const to = from + BLOCK_SPAN - 1n < opts.toBlock ? from + BLOCK_SPAN - 1n : opts.toBlock;
      const logs = await clients.publicClient.getContractEvents({ address, abi: recordAnchorAbi, eventName: "RootAnchored", fromBlock: from, toBlock: to, strict: true });
      for (const log of logs) {
        if (log.blockNumber === null || !log.transactionHash) continue;
        if (opts.batchIdAtLeast !== undefined && log.args.batchId < opts.batchIdAtLeast) continue;
        out.push({ batchId: log.args.batchId, root: log.args.root, blockNumber: log.blockNumber, txHash: log.transactionHash });
      }
    }
  } catch (error) {
    throw toLedgerError(error, "Reading anchoring events from the ledger failed.");
  }
  return out;
}

/** The chain's current block number. */
export async function headBlock(clients: LedgerClients): Promise<bigint> {
  try {
    return await clients.publicClient.getBlockNumber({ cacheTime: 0 });
  } catch (error) {
    throw toLedgerError(error, "Reading the chain head failed.");
  }
}
