import {
  createPublicClient,
  createWalletClient,
  defineChain,
  http,
  type Address,
  type Chain,
  type Hex,
  type HttpTransport,
  type PrivateKeyAccount,
  type PublicClient,
  type WalletClient,
} from "viem";
import { privateKeyToAccount } from "viem/accounts";

/** Where Multicall3 lives on every EVM chain that has it; install-multicall3.ts puts it there on anvil. */
export const MULTICALL3_ADDRESS: Address = "0xcA11bde05977b3631167028862bE2a173976CA11";

export type LedgerConfig = {
  rpcUrl: string;
  chainId: number;
  /** The RecordAnchor contract. Optional only so that deployment can run before it exists. */
  contractAddress?: Address;
  /** Only the anchoring side (seed, worker) holds it; the web tier reads without. */
  writerPrivateKey?: Hex;
};

export type LedgerClients = {
  chain: Chain;
  /** Kept so that other viem clients (deployer, anvil test client) share the same endpoint and timeouts. */
  transport: HttpTransport;
  publicClient: PublicClient<HttpTransport, Chain>;
  /** Present when a writer key was configured. */
  walletClient?: WalletClient<HttpTransport, Chain, PrivateKeyAccount>;
  contractAddress?: Address;
};

// A page render waits on the chain, so a dead or hung node must fail fast and the page show "unavailable":
// 2 s per attempt and one retry bound the worst case (a node that accepts connections but never answers) to
// about 4 s; a refused connection fails in ~150 ms.
const REQUEST_TIMEOUT_MS = 2_000;
// Private chains mine every few seconds at most; viem's 4 s default would make every write wait a block more.
const POLLING_INTERVAL_MS = 500;

/** Creates the viem clients for one ledger. The only place in the app where viem clients are made. */
export function createLedgerClients(config: LedgerConfig): LedgerClients {
  const chain = defineChain({
    id: config.chainId,
    name: `Chartproof ledger ${config.chainId}`,
    nativeCurrency: { name: "Ether", symbol: "ETH", decimals: 18 },
    rpcUrls: { default: { http: [config.rpcUrl] } },
    contracts: { multicall3: { address: MULTICALL3_ADDRESS } },
  });
  const transport = http(config.rpcUrl, { timeout: REQUEST_TIMEOUT_MS, retryCount: 1 });
  // Concurrent readContract calls share one aggregate3 eth_call. That needs Multicall3 on the chain (anvil:
  // installMulticall3); readRoots and anchorRoot do not go through it.
  const publicClient = createPublicClient({
    chain,
    transport,
    batch: { multicall: true },
    pollingInterval: POLLING_INTERVAL_MS,
  });
  const walletClient = config.writerPrivateKey
    ? createWalletClient({
        account: privateKeyToAccount(config.writerPrivateKey),
        chain,
        transport,
        pollingInterval: POLLING_INTERVAL_MS,
      })
    : undefined;
  return { chain, transport, publicClient, walletClient, contractAddress: config.contractAddress };
}
