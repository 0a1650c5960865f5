import "server-only";
import { db } from "@/lib/db";
import { env } from "@/lib/env";
import { createLedgerClients, type LedgerClients } from "@/lib/ledger";

export type ReadinessReport = {
  ready: boolean;
  database: "up" | "down";
  ledger: { chainId: number; state: "up" | "down"; blockNumber?: string };
};

let clients: LedgerClients | undefined;

/** System health, no actor: it reveals no patient data and nothing about the configuration's secrets. */
export async function checkReadiness(): Promise<ReadinessReport> {
  const database = await db()
    .$queryRaw`SELECT 1`.then(() => "up" as const)
    .catch(() => "down" as const);
  const { LEDGER_RPC_URL, LEDGER_CHAIN_ID, LEDGER_CONTRACT_ADDRESS } = env();
  clients ??= createLedgerClients({ rpcUrl: LEDGER_RPC_URL, chainId: LEDGER_CHAIN_ID, contractAddress: LEDGER_CONTRACT_ADDRESS as `0x${string}` });
  const ledger = await clients.publicClient
    .getBlockNumber()
    .then((n) => ({ chainId: LEDGER_CHAIN_ID, state: "up" as const, blockNumber: n.toString() }))
    .catch(() => ({ chainId: LEDGER_CHAIN_ID, state: "down" as const }));
  return { ready: database === "up" && ledger.state === "up", database, ledger };
}
