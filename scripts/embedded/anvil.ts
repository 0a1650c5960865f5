/**
 * The embedded private chain behind `npm start` and the integration tests: one anvil process, started from the
 * binary that @foundry-rs/anvil installs (never via npx, which may try the network).
 *
 * DEMO ONLY: anvil's dev accounts below come from a mnemonic printed in every Foundry tutorial, so anyone can
 * sign with them. The node is bound to 127.0.0.1; a real deployment runs its own chain with its own keys.
 */
import { spawn, type ChildProcess } from "node:child_process";
import { mkdirSync } from "node:fs";
import { createRequire } from "node:module";
import net from "node:net";
import path from "node:path";

export type StartAnvilOptions = {
  /** 0 or undefined: pick a free port, so that a node already on 8545 does not collide. */
  port?: number;
  /** --state: loaded on start if it exists, dumped on exit (and every stateIntervalSeconds). */
  stateFile?: string;
  /** --state-interval, so that a crash loses at most this much. Default 2. */
  stateIntervalSeconds?: number;
  /** --block-time: interval mining like a real chain. 0 mines each transaction at once (fast tests). Default 1. */
  blockTimeSeconds?: number;
  /** Default 31337. */
  chainId?: number;
  /** Do not forward anvil's output (it is still kept to explain a failed start). */
  silent?: boolean;
};

export type RunningAnvil = {
  rpcUrl: string;
  port: number;
  chainId: number;
  process: ChildProcess;
  /** SIGTERM (anvil dumps its state), then SIGKILL if it has not exited in time. */
  stop(): Promise<void>;
};

/** Public, well-known anvil dev keys (mnemonic "test test … junk"). Demo and tests only. */
export const ANVIL_DEV_ACCOUNTS = {
  admin: {
    address: "0xf39Fd6e51aad88F6F4ce6aB8827279cffFb92266",
    privateKey: "0xac0974bec39a17e36ba4a6b4d238ff944bacb478cbed5efcae784d7bf4f2ff80",
  },
  writer: {
    address: "0x70997970C51812dc3A010C7d01b50e0d17dc79C8",
    privateKey: "0x59c6995e998f97a5a0044966f0945389dc9e86dae88c7a8412f4603b6b78690d",
  },
  outsider: {
    address: "0x3C44CdDdB6a900fa2b585dd299e03d12FA4293BC",
    privateKey: "0x5de4111afa1a4b94908f83103eb1f1706367c2e68ca870fc3fb9a804cdab365a",
  },
} as const satisfies Record<string, { address: `0x${string}`; privateKey: `0x${string}` }>;

const READY_TIMEOUT_MS = 30_000; // loading a large state file takes a while
const STOP_TIMEOUT_MS = 10_000; // dumping it too
const PORT_ATTEMPTS = 3;

export async function startAnvil(opts: StartAnvilOptions = {}): Promise<RunningAnvil> {
  const autoPort = !opts.port;
  for (let attempt = 1; ; attempt++) {
    // Probing an explicit port too: if another node holds it, the readiness check below could reach that node.
    const port = await bindablePort(opts.port ?? 0);
    try {
      return await launch({ ...opts, port });
    } catch (error) {
      // Another process may take the free port between our probe and anvil's bind: try another one.
      if (!autoPort || attempt >= PORT_ATTEMPTS || !(error instanceof AnvilExitedError && error.portInUse)) throw error;
    }
  }
}

class AnvilExitedError extends Error {
  override name = "AnvilExitedError";
  readonly portInUse: boolean;

  constructor(message: string, portInUse: boolean) {
    super(message);
    this.portInUse = portInUse;
  }
}

async function launch(opts: StartAnvilOptions & { port: number }): Promise<RunningAnvil> {
  const { port, stateFile, stateIntervalSeconds = 2, blockTimeSeconds = 1, chainId = 31337, silent = false } = opts;
  // Explicit --host: otherwise ANVIL_IP_ADDR in the environment could expose the public dev keys' node.
  const args = ["--host", "127.0.0.1", "--port", String(port), "--chain-id", String(chainId)];
  if (blockTimeSeconds > 0) args.push("--block-time", String(blockTimeSeconds));
  if (stateFile) {
    mkdirSync(path.dirname(stateFile), { recursive: true });
    args.push("--state", stateFile, "--state-interval", String(stateIntervalSeconds));
  }

  const child = spawn(anvilBinary(), args, { stdio: ["ignore", "pipe", "pipe"] });
  let tail = "";
  const collect = (forward: NodeJS.WriteStream) => (chunk: Buffer) => {
    tail = (tail + chunk.toString()).slice(-4_000);
    if (!silent) forward.write(chunk);
  };
  child.stdout.on("data", collect(process.stdout));
  child.stderr.on("data", collect(process.stderr));

  const exited = new Promise<void>((resolve) => {
    child.once("exit", () => resolve());
    // A spawn failure (binary missing, not executable) emits "error" and never "exit".
    child.once("error", (error) => {
      tail += String(error);
      resolve();
    });
  });
  // If this process ends without stop(), do not leave an orphaned chain behind (SIGTERM still dumps state).
  const killOnExit = () => child.kill("SIGTERM");
  process.once("exit", killOnExit);

  const rpcUrl = `http://127.0.0.1:${port}`;
  const stop = async () => {
    process.off("exit", killOnExit);
    if (child.exitCode !== null || child.signalCode !== null) return;
    child.kill("SIGTERM");
    const timer = setTimeout(() => child.kill("SIGKILL"), STOP_TIMEOUT_MS);
    await exited;
    clearTimeout(timer);
  };

  try {
    await Promise.race([
      waitForRpc(rpcUrl, chainId),
      exited.then(() => {
        throw new AnvilExitedError(`anvil exited during start-up (code ${child.exitCode}):\n${tail}`, /in use/i.test(tail));
      }),
    ]);
  } catch (error) {
    await stop();
    throw error;
  }
  return { rpcUrl, port, chainId, process: child, stop };
}

/** Resolves the platform's binary from the optional dependency @foundry-rs/anvil installed for it. */
function anvilBinary(): string {
  const arch = ({ x64: "amd64", arm64: "arm64" } as Record<string, string>)[process.arch];
  const pkg = `@foundry-rs/anvil-${process.platform}-${arch ?? process.arch}`;
  const require = createRequire(import.meta.url);
  let dir: string;
  try {
    dir = path.dirname(require.resolve(`${pkg}/package.json`));
  } catch {
    throw new Error(`anvil is not installed for ${process.platform}/${process.arch} (missing ${pkg}).`);
  }
  return path.join(dir, "bin", process.platform === "win32" ? "anvil.exe" : "anvil");
}

/** `port` (or, for 0, one the OS picks) if it can be bound right now; rejects with EADDRINUSE otherwise. */
function bindablePort(port: number): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = net.createServer();
    server.once("error", reject);
    server.listen(port, "127.0.0.1", () => {
      const { port } = server.address() as net.AddressInfo;
      server.close(() => resolve(port));
    });
  });
}

async function waitForRpc(rpcUrl: string, chainId: number): Promise<void> {
  const deadline = Date.now() + READY_TIMEOUT_MS;
  for (;;) {
    const answered = await chainIdAt(rpcUrl);
    if (answered !== undefined) {
      if (answered !== chainId) throw new Error(`${rpcUrl} answers with chain id ${answered}, expected ${chainId}.`);
      return;
    }
    if (Date.now() > deadline) throw new Error(`anvil did not answer on ${rpcUrl} within ${READY_TIMEOUT_MS / 1000} s.`);
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
}

/** The chain id the node reports, or undefined while it does not answer yet. */
async function chainIdAt(rpcUrl: string): Promise<number | undefined> {
  try {
    const response = await fetch(rpcUrl, {
      method: "POST",
      headers: { "content-type": "application/json" },
      body: JSON.stringify({ jsonrpc: "2.0", id: 1, method: "eth_chainId", params: [] }),
      signal: AbortSignal.timeout(1_000),
    });
    const { result } = (await response.json()) as { result?: string };
    return result === undefined ? undefined : Number(result);
  } catch {
    return undefined;
  }
}
