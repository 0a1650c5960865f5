import { env } from "@/lib/env";
import { createLedgerClients, type LedgerClients } from "@/lib/ledger";

export type Ledger = { name: "private" | "public"; clients: LedgerClients; chainId: number; contractAddress: string; confirmations: number };

let cached: { private: Ledger; public: Ledger | null } | undefined;

/**
 * The two ledgers this process reads (and, where a writer key is configured, writes): the private chain with the
 * batch roots, and the public chain with the checkpoints (optional). One set of viem clients per process.
 */
export function ledgers(): { private: Ledger; public: Ledger | null } {
  if (cached) return cached;
  const e = env();
  const privateLedger: Ledger = {
    name: "private",
    chainId: e.LEDGER_CHAIN_ID,
    contractAddress: e.LEDGER_CONTRACT_ADDRESS,
    confirmations: e.LEDGER_CONFIRMATIONS,
    clients: createLedgerClients({
      rpcUrl: e.LEDGER_RPC_URL,
      chainId: e.LEDGER_CHAIN_ID,
      contractAddress: e.LEDGER_CONTRACT_ADDRESS as `0x${string}`,
      writerPrivateKey: e.LEDGER_WRITER_KEY as `0x${string}` | undefined,
    }),
  };
  const publicLedger: Ledger | null =
    e.PUBLIC_LEDGER_RPC_URL && e.PUBLIC_LEDGER_CHAIN_ID && e.PUBLIC_LEDGER_CONTRACT_ADDRESS
      ? {
          name: "public",
          chainId: e.PUBLIC_LEDGER_CHAIN_ID,
          contractAddress: e.PUBLIC_LEDGER_CONTRACT_ADDRESS,
          confirmations: e.PUBLIC_LEDGER_CONFIRMATIONS,
          clients: createLedgerClients({
            rpcUrl: e.PUBLIC_LEDGER_RPC_URL,
            chainId: e.PUBLIC_LEDGER_CHAIN_ID,
            contractAddress: e.PUBLIC_LEDGER_CONTRACT_ADDRESS as `0x${string}`,
            writerPrivateKey: e.PUBLIC_LEDGER_WRITER_KEY as `0x${string}` | undefined,
          }),
        }
      : null;
  cached = { private: privateLedger, public: publicLedger };
  return cached;
}

/** True when a row's anchor was made on this ledger (and so may be checked against it). */
export function isOnLedger(ledger: Ledger, anchor: { chainId: number; contractAddress: string }): boolean {
  return anchor.chainId === ledger.chainId && anchor.contractAddress.toLowerCase() === ledger.contractAddress.toLowerCase();
}
