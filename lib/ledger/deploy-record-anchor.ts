import { createWalletClient, isAddressEqual, type Address, type Hex } from "viem";
import { privateKeyToAccount } from "viem/accounts";
import { recordAnchorAbi, recordAnchorBytecode } from "./artifacts";
import type { LedgerClients } from "./chain-config";
import { LedgerConfigError, LedgerError, toLedgerError } from "./errors";

export type DeployRecordAnchorParameters = {
  /** Deploys the contract and becomes its DEFAULT_ADMIN_ROLE. Never the writer's key. */
  adminPrivateKey: Hex;
  /** Receives WRITER_ROLE. Defaults to the account of the configured writer key. */
  writer?: Address;
  confirmations?: number;
};

/** Deploys RecordAnchor, waits for the receipt and returns the contract's address. */
export async function deployRecordAnchor(
  clients: LedgerClients,
  { adminPrivateKey, writer = clients.walletClient?.account.address, confirmations = 1 }: DeployRecordAnchorParameters,
): Promise<Address> {
  if (!writer) throw new LedgerConfigError("No writer address given and no writer key configured.");
  const admin = createWalletClient({
    account: privateKeyToAccount(adminPrivateKey),
    chain: clients.chain,
    transport: clients.transport,
  });
  // The constructor refuses it too; failing here gives the reason without decoding a revert.
  if (isAddressEqual(admin.account.address, writer)) {
    throw new LedgerConfigError("The admin and the writer must be different accounts.");
  }

  try {
    const hash = await admin.deployContract({
      abi: recordAnchorAbi,
      bytecode: recordAnchorBytecode,
      args: [admin.account.address, writer],
    });
    const receipt = await clients.publicClient.waitForTransactionReceipt({ hash, confirmations });
    if (receipt.status !== "success" || !receipt.contractAddress) {
      throw new LedgerError("The RecordAnchor deployment reverted.", { metaMessages: [`Transaction: ${hash}`] });
    }
    return receipt.contractAddress;
  } catch (error) {
    throw toLedgerError(error, "Deploying RecordAnchor failed.");
  }
}
