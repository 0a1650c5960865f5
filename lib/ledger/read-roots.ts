import { decodeFunctionResult, encodeFunctionData, zeroHash, type Hex } from "viem";
import { recordAnchorAbi } from "./artifacts";
import type { LedgerClients } from "./chain-config";
import { LedgerError, RecordAnchorNotFoundError, toLedgerError } from "./errors";
import { requireContractAddress } from "./require";

/**
 * The roots the chain holds for `batchIds`, read with ONE eth_call to `rootsOf`: null where a batch has no root.
 *
 * The call goes straight to the contract (`batch: false`), not through Multicall3: it is already one call per
 * page, and the verification path should not depend on a helper contract being installed.
 *
 * @throws LedgerUnavailableError when the chain cannot be reached; RecordAnchorNotFoundError when nothing is
 * deployed at the configured address.
 */
export async function readRoots(clients: LedgerClients, batchIds: readonly bigint[]): Promise<Map<bigint, Hex | null>> {
  if (batchIds.length === 0) return new Map();
  const address = requireContractAddress(clients);
  const data = encodeFunctionData({ abi: recordAnchorAbi, functionName: "rootsOf", args: [batchIds] });

  let result: Hex | undefined;
  try {
    ({ data: result } = await clients.publicClient.call({ to: address, data, batch: false }));
  } catch (error) {
    throw toLedgerError(error, "Reading roots from the ledger failed.");
  }
  // An account without code answers every call with empty data.
  if (result === undefined || result === "0x") throw new RecordAnchorNotFoundError({ address });

  let roots: readonly Hex[];
  try {
    roots = decodeFunctionResult({ abi: recordAnchorAbi, functionName: "rootsOf", data: result });
  } catch (error) {
    throw new LedgerError("The ledger answered with data that is not a list of roots.", { cause: error });
  }
  if (roots.length !== batchIds.length) throw new LedgerError("The ledger answered with the wrong number of roots.");

  return new Map(batchIds.map((batchId, i) => [batchId, roots[i] === zeroHash ? null : (roots[i] ?? null)]));
}
