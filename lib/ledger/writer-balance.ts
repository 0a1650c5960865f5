import { hexToBigInt, isAddress, type Address } from "viem";
import type { LedgerClients } from "./chain-config";
import { LedgerConfigError, toLedgerError } from "./errors";

/**
 * The native balance of a writer account, in wei, at the latest block. For readiness: a public-chain writer that
 * runs out of gas stops checkpointing. Needs only the writer's address, so the web tier (which holds no key) can
 * report it.
 *
 * Sent as a plain eth_getBalance: viem's getBalance on a client with multicall batching asks Multicall3's
 * `getEthBalance` instead, which our anvil Multicall3 lacks and a private chain may not have at all.
 *
 * @throws LedgerUnavailableError when the chain cannot be reached; LedgerConfigError for a malformed address.
 */
export async function writerBalance(clients: LedgerClients, address: Address): Promise<bigint> {
  // Not echoed: a malformed "address" may be a private key pasted in the wrong place.
  if (!isAddress(address, { strict: false })) throw new LedgerConfigError("Not a 20-byte hex account address.");
  try {
    return hexToBigInt(await clients.publicClient.request({ method: "eth_getBalance", params: [address, "latest"] }));
  } catch (error) {
    throw toLedgerError(error, "Reading the writer's balance failed.");
  }
}
