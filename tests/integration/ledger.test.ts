import { mkdtempSync, rmSync } from "node:fs";
import net from "node:net";
import { tmpdir } from "node:os";
import path from "node:path";
import { afterAll, afterEach, beforeAll, describe, expect, it, vi } from "vitest";
import {
  AnchorUnauthorizedError,
  InvalidRootError,
  LedgerConfigError,
  LedgerUnavailableError,
  MULTICALL3_ADDRESS,
  RecordAnchorNotFoundError,
  RootAlreadyAnchoredError,
  anchorRoot,
  createLedgerClients,
  deployRecordAnchor,
  installMulticall3,
  multicall3Abi,
  readRoots,
  recordAnchorAbi,
  type LedgerClients,
} from "@/lib/ledger";
import { ANVIL_DEV_ACCOUNTS, startAnvil, type RunningAnvil } from "@/scripts/embedded/anvil";

const { admin, writer, outsider } = ANVIL_DEV_ACCOUNTS;
const root = (n: number) => `0x${n.toString(16).padStart(64, "0")}` as const;

type RpcRequest = { method: string; params?: unknown[] };

/** The targets of the eth_calls sent over HTTP from now on (the real fetch still runs: nothing is mocked). */
function recordEthCalls(): () => string[] {
  const spy = vi.spyOn(globalThis, "fetch");
  return () =>
    spy.mock.calls.flatMap(([, init]) => {
      const body = JSON.parse(String(init?.body)) as RpcRequest | RpcRequest[];
      return (Array.isArray(body) ? body : [body])
        .filter((request) => request.method === "eth_call")
        .map((request) => (request.params?.[0] as { to: string }).to.toLowerCase());
    });
}

async function setUp(anvil: RunningAnvil) {
  const config = { rpcUrl: anvil.rpcUrl, chainId: anvil.chainId };
  const deployer = createLedgerClients({ ...config, writerPrivateKey: writer.privateKey });
  const contractAddress = await deployRecordAnchor(deployer, { adminPrivateKey: admin.privateKey });
  // Before any batched read: the public client sends concurrent reads through Multicall3.
  const multicall3 = await installMulticall3(deployer);
  const as = (privateKey?: `0x${string}`): LedgerClients =>
    createLedgerClients({ ...config, contractAddress, writerPrivateKey: privateKey });
  return { contractAddress, multicall3, reader: as(), writer: as(writer.privateKey), admin: as(admin.privateKey), as };
}

describe("ledger against a real anvil", () => {
  let anvil: RunningAnvil;
  let ledger: Awaited<ReturnType<typeof setUp>>;

  beforeAll(async () => {
    anvil = await startAnvil({ blockTimeSeconds: 0, silent: true });
    ledger = await setUp(anvil);
  });
  afterAll(() => anvil?.stop());
  afterEach(() => {
    vi.restoreAllMocks();
  });

  it("deploys with the admin and the writer in separate roles", async () => {
    const { publicClient } = ledger.reader;
    const address = ledger.contractAddress;
    const [adminRole, writerRole] = await Promise.all([
      publicClient.readContract({ address, abi: recordAnchorAbi, functionName: "DEFAULT_ADMIN_ROLE" }),
      publicClient.readContract({ address, abi: recordAnchorAbi, functionName: "WRITER_ROLE" }),
    ]);
    const hasRole = (role: `0x${string}`, account: `0x${string}`) =>
      publicClient.readContract({ address, abi: recordAnchorAbi, functionName: "hasRole", args: [role, account] });
    expect(await hasRole(adminRole, admin.address)).toBe(true);
    expect(await hasRole(writerRole, writer.address)).toBe(true);
    expect(await hasRole(writerRole, admin.address)).toBe(false);
    expect(await hasRole(adminRole, writer.address)).toBe(false);
  });

  it("refuses to deploy with the admin as writer", async () => {
    await expect(
      deployRecordAnchor(ledger.reader, { adminPrivateKey: admin.privateKey, writer: admin.address }),
    ).rejects.toBeInstanceOf(LedgerConfigError);
  });

  it("installs Multicall3 idempotently and viem batches reads through it", async () => {
    expect(ledger.multicall3).toEqual({ address: MULTICALL3_ADDRESS, installed: true });
    expect(await installMulticall3(ledger.reader)).toEqual({ address: MULTICALL3_ADDRESS, installed: false });

    const { publicClient } = ledger.reader;
    const [chainId, blockNumber] = await publicClient.multicall({
      contracts: [
        { address: MULTICALL3_ADDRESS, abi: multicall3Abi, functionName: "getChainId" },
        { address: MULTICALL3_ADDRESS, abi: multicall3Abi, functionName: "getBlockNumber" },
      ],
      allowFailure: false,
    });
    expect(chainId).toBe(BigInt(anvil.chainId));
    expect(blockNumber).toBe(await publicClient.getBlockNumber());

    // Concurrent reads on the ledger's public client go out as one aggregate3 call.
    const ethCalls = recordEthCalls();
    const address = ledger.contractAddress;
    await Promise.all([
      publicClient.readContract({ address, abi: recordAnchorAbi, functionName: "WRITER_ROLE" }),
      publicClient.readContract({ address, abi: recordAnchorAbi, functionName: "rootOf", args: [424242n] }),
    ]);
    expect(ethCalls()).toEqual([MULTICALL3_ADDRESS.toLowerCase()]);
  });

  it("anchors a root, records when, and emits RootAnchored", async () => {
    const anchored = await anchorRoot(ledger.writer, { batchId: 1n, root: root(0xa1) });
    const { publicClient } = ledger.reader;
    const block = await publicClient.getBlock({ blockNumber: anchored.blockNumber });
    expect(block.hash).toBe(anchored.blockHash);

    const [stored, anchoredAt] = await publicClient.readContract({
      address: ledger.contractAddress,
      abi: recordAnchorAbi,
      functionName: "rootOf",
      args: [1n],
    });
    expect(stored).toBe(root(0xa1));
    expect(anchoredAt).toBe(block.timestamp);

    const events = await publicClient.getContractEvents({
      address: ledger.contractAddress,
      abi: recordAnchorAbi,
      eventName: "RootAnchored",
      fromBlock: anchored.blockNumber,
      toBlock: anchored.blockNumber,
    });
    expect(events).toHaveLength(1);
    expect(events[0]?.transactionHash).toBe(anchored.txHash);
    expect(events[0]?.args).toEqual({ batchId: 1n, root: root(0xa1), writer: writer.address });
  });

  it("reads a page of roots in one eth_call, null for a batch without a root", async () => {
    await anchorRoot(ledger.writer, { batchId: 2n, root: root(0xa2) });
    const ethCalls = recordEthCalls();
    const roots = await readRoots(ledger.reader, [1n, 2n, 999n]);
    expect(roots).toEqual(
      new Map([
        [1n, root(0xa1)],
        [2n, root(0xa2)],
        [999n, null],
      ]),
    );
    // Straight to the contract, not through Multicall3.
    expect(ethCalls()).toEqual([ledger.contractAddress.toLowerCase()]);
    expect(await readRoots(ledger.reader, [])).toEqual(new Map());
  });

  it("never overwrites a root: not the writer, not even the admin holding WRITER_ROLE", async () => {
    await anchorRoot(ledger.writer, { batchId: 3n, root: root(0xa3) });

    const again = anchorRoot(ledger.writer, { batchId: 3n, root: root(0xb3) });
    await expect(again).rejects.toBeInstanceOf(RootAlreadyAnchoredError);
    await expect(again).rejects.toMatchObject({ batchId: 3n, root: root(0xa3) });
    // The same root again is refused too, and reported so that a retrying writer knows it already succeeded.
    await expect(anchorRoot(ledger.writer, { batchId: 3n, root: root(0xa3) })).rejects.toMatchObject({
      name: "RootAlreadyAnchoredError",
      root: root(0xa3),
    });

    // The admin cannot anchor at all without the role...
    await expect(anchorRoot(ledger.admin, { batchId: 3n, root: root(0xc3) })).rejects.toBeInstanceOf(
      AnchorUnauthorizedError,
    );
    // ...and granting itself the role does not let it rewrite history either.
    const { walletClient, publicClient } = ledger.admin;
    const writerRole = await publicClient.readContract({
      address: ledger.contractAddress,
      abi: recordAnchorAbi,
      functionName: "WRITER_ROLE",
    });
    const grant = await walletClient!.writeContract({
      address: ledger.contractAddress,
      abi: recordAnchorAbi,
      functionName: "grantRole",
      args: [writerRole, admin.address],
    });
    await publicClient.waitForTransactionReceipt({ hash: grant });
    await expect(anchorRoot(ledger.admin, { batchId: 3n, root: root(0xc3) })).rejects.toBeInstanceOf(
      RootAlreadyAnchoredError,
    );

    expect((await readRoots(ledger.reader, [3n])).get(3n)).toBe(root(0xa3));
  });

  it("refuses an account without WRITER_ROLE, the zero root, and a missing key or contract", async () => {
    const error = await anchorRoot(ledger.as(outsider.privateKey), { batchId: 4n, root: root(0xa4) }).catch((e) => e);
    expect(error).toBeInstanceOf(AnchorUnauthorizedError);
    expect(error).toMatchObject({ account: outsider.address });

    await expect(anchorRoot(ledger.writer, { batchId: 4n, root: root(0) })).rejects.toBeInstanceOf(InvalidRootError);
    await expect(anchorRoot(ledger.writer, { batchId: 4n, root: "0x1234" })).rejects.toBeInstanceOf(InvalidRootError);
    await expect(anchorRoot(ledger.reader, { batchId: 4n, root: root(0xa4) })).rejects.toBeInstanceOf(LedgerConfigError);
    expect((await readRoots(ledger.reader, [4n])).get(4n)).toBeNull();

    const nowhere = createLedgerClients({ rpcUrl: anvil.rpcUrl, chainId: anvil.chainId, contractAddress: outsider.address });
    await expect(readRoots(nowhere, [1n])).rejects.toBeInstanceOf(RecordAnchorNotFoundError);
  });
});

describe("ledger with interval mining", () => {
  it("lets exactly one of two racing writers anchor a batch", async () => {
    const anvil = await startAnvil({ silent: true });
    try {
      const ledger = await setUp(anvil);
      const writerRole = await ledger.reader.publicClient.readContract({
        address: ledger.contractAddress,
        abi: recordAnchorAbi,
        functionName: "WRITER_ROLE",
      });
      const grant = await ledger.admin.walletClient!.writeContract({
        address: ledger.contractAddress,
        abi: recordAnchorAbi,
        functionName: "grantRole",
        args: [writerRole, outsider.address],
      });
      await ledger.reader.publicClient.waitForTransactionReceipt({ hash: grant });

      // Both may pass gas estimation before either is mined: the loser's reverted receipt must still be reported
      // as RootAlreadyAnchoredError, carrying the winner's root.
      const results = await Promise.allSettled([
        anchorRoot(ledger.writer, { batchId: 9n, root: root(0xa9) }),
        anchorRoot(ledger.as(outsider.privateKey), { batchId: 9n, root: root(0xb9) }),
      ]);
      const won = results.filter((r) => r.status === "fulfilled");
      const lost = results.flatMap((r) => (r.status === "rejected" ? [r.reason] : []));
      expect(won).toHaveLength(1);
      expect(lost).toHaveLength(1);
      expect(lost[0]).toBeInstanceOf(RootAlreadyAnchoredError);
      const onChain = (await readRoots(ledger.reader, [9n])).get(9n);
      expect(lost[0]).toMatchObject({ root: onChain });
    } finally {
      await anvil.stop();
    }
  });
});

describe("ledger when the chain is gone", () => {
  it("fails fast with LedgerUnavailableError once the chain has stopped", async () => {
    const anvil = await startAnvil({ blockTimeSeconds: 0, silent: true });
    const { reader } = await setUp(anvil);
    expect((await readRoots(reader, [1n])).get(1n)).toBeNull();
    await anvil.stop();

    const started = performance.now();
    const error = await readRoots(reader, [1n]).catch((e) => e);
    expect(error).toBeInstanceOf(LedgerUnavailableError);
    expect(error.message).toBe("Ledger unavailable: the chain did not answer.");
    expect(error.cause).toBeDefined();
    expect(performance.now() - started).toBeLessThan(5_000);
  });

  it("fails within ~5 s when the node accepts connections but never answers", async () => {
    const sockets = new Set<net.Socket>();
    const hung = net.createServer((socket) => sockets.add(socket));
    await new Promise<void>((resolve) => hung.listen(0, "127.0.0.1", resolve));
    const { port } = hung.address() as net.AddressInfo;
    try {
      const reader = createLedgerClients({
        rpcUrl: `http://127.0.0.1:${port}`,
        chainId: 31337,
        contractAddress: writer.address,
      });
      const started = performance.now();
      await expect(readRoots(reader, [1n])).rejects.toBeInstanceOf(LedgerUnavailableError);
      expect(performance.now() - started).toBeLessThan(5_000);
    } finally {
      for (const socket of sockets) socket.destroy();
      await new Promise((resolve) => hung.close(resolve));
    }
  }, 10_000);
});

describe("embedded anvil state", () => {
  const dir = mkdtempSync(path.join(tmpdir(), "chartproof-anvil-"));
  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  it("keeps contracts, roots and Multicall3 across a stop and a start", async () => {
    const stateFile = path.join(dir, "state.json");
    // Interval mining (the default) here, as in the embedded stack.
    const first = await startAnvil({ stateFile, silent: true });
    let contractAddress: `0x${string}`;
    let anchoredIn: bigint;
    try {
      const ledger = await setUp(first);
      contractAddress = ledger.contractAddress;
      ({ blockNumber: anchoredIn } = await anchorRoot(ledger.writer, { batchId: 7n, root: root(0xa7) }));
    } finally {
      await first.stop();
    }

    const second = await startAnvil({ stateFile, silent: true });
    try {
      const clients = createLedgerClients({ rpcUrl: second.rpcUrl, chainId: second.chainId, contractAddress });
      expect(await readRoots(clients, [7n, 8n])).toEqual(
        new Map([
          [7n, root(0xa7)],
          [8n, null],
        ]),
      );
      expect(await installMulticall3(clients)).toMatchObject({ installed: false });
      expect(await clients.publicClient.getBlockNumber()).toBeGreaterThanOrEqual(anchoredIn);
    } finally {
      await second.stop();
    }
  });
});
