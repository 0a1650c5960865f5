import type { Address, Chain, HttpTransport, PrivateKeyAccount, WalletClient } from "viem";
import type { LedgerClients } from "./chain-config";
import { LedgerConfigError } from "./errors";

/** @internal */
export function requireContractAddress(clients: LedgerClients): Address {
  if (!clients.contractAddress) throw new LedgerConfigError("No RecordAnchor contract address configured.");
  return clients.contractAddress;
}

/** @internal */
export function requireWriter(clients: LedgerClients): WalletClient<HttpTransport, Chain, PrivateKeyAccount> {
  if (!clients.walletClient) throw new LedgerConfigError("No writer key configured; this process cannot anchor.");
  return clients.walletClient;
}
