import type { Hash, Hex } from "viem";
import { recordAnchorAbi } from "./artifacts";
import type { LedgerClients } from "./chain-config";
import { toLedgerError } from "./errors";
import { requireContractAddress } from "./require";

export type AnchorEvent = { txHash: Hash; blockNumber: bigint; root: Hex };

/**
 * The RootAnchored event of `batchId`, if the chain has one: how a worker that died after sending learns which
 * transaction anchored its batch. The batch id is an indexed topic, so the node filters, not us.
 */
export async function findAnchorEvent(clients: LedgerClients, batchId: bigint): Promise<AnchorEvent | null> {
  const address = requireContractAddress(clients);
  try {
    const logs = await clients.publicClient.getContractEvents({
      address,
      abi: recordAnchorAbi,
      eventName: "RootAnchored",
      args: { batchId },
      fromBlock: 0n,
      toBlock: "latest",
      strict: true,
    });
    const log = logs[0];
    if (!log?.transactionHash || log.blockNumber === null) return null;
    return { txHash: log.transactionHash, blockNumber: log.blockNumber, root: log.args.root };
  } catch (error) {
    throw toLedgerError(error, "Reading anchoring events from the ledger failed.");
  }
}

/** How many blocks bury `blockNumber` (1 = it is the head). */
export async function confirmationsOf(clients: LedgerClients, blockNumber: bigint): Promise<number> {
  try {
    const head = await clients.publicClient.getBlockNumber({ cacheTime: 0 });
    return head < blockNumber ? 0 : Number(head - blockNumber) + 1;
  } catch (error) {
    throw toLedgerError(error, "Reading the chain head failed.");
  }
}
