import { createTestClient, type Address } from "viem";
import { multicall3DeployedBytecode } from "./artifacts";
import { MULTICALL3_ADDRESS, type LedgerClients } from "./chain-config";
import { toLedgerError } from "./errors";

/**
 * Puts Multicall3's runtime code at its canonical address with `anvil_setCode`, so that viem's multicall
 * batching works on an anvil chain (which has none). Idempotent: does nothing when the code is already there.
 * Only for anvil (and other nodes with `anvil_setCode`); a real network deploys Multicall3 the usual way.
 */
export async function installMulticall3(clients: LedgerClients): Promise<{ address: Address; installed: boolean }> {
  try {
    const current = await clients.publicClient.getCode({ address: MULTICALL3_ADDRESS });
    if (current?.toLowerCase() === multicall3DeployedBytecode.toLowerCase()) {
      return { address: MULTICALL3_ADDRESS, installed: false };
    }
    const anvil = createTestClient({ mode: "anvil", chain: clients.chain, transport: clients.transport });
    await anvil.setCode({ address: MULTICALL3_ADDRESS, bytecode: multicall3DeployedBytecode });
    return { address: MULTICALL3_ADDRESS, installed: true };
  } catch (error) {
    throw toLedgerError(error, "Installing Multicall3 failed.");
  }
}
