import { spawn } from "node:child_process";
import net from "node:net";
import path from "node:path";
import { parseEther, type Address, type Hex } from "viem";
import { generatePrivateKey, privateKeyToAccount } from "viem/accounts";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import {
  AnchorUnauthorizedError,
  LedgerConfigError,
  LedgerUnavailableError,
  RecordAnchorNotFoundError,
  RoleAdminRequiredError,
  WRITER_ROLE,
  anchorRoot,
  createLedgerClients,
  deployRecordAnchor,
  grantWriterRole,
  hasWriterRole,
  installMulticall3,
  readRoots,
  recordAnchorAbi,
  revokeWriterRole,
  writerBalance,
  type LedgerClients,
} from "@/lib/ledger";
import { ANVIL_DEV_ACCOUNTS, startAnvil, type RunningAnvil } from "@/scripts/embedded/anvil";

const { admin, writer: oldWriter, outsider } = ANVIL_DEV_ACCOUNTS;
const root = (n: number) => `0x${n.toString(16).padStart(64, "0")}` as const;

/** A fresh writer key, as an operator would generate in the worker's secret store, funded by the admin for gas. */
async function newFundedWriter(adminClients: LedgerClients): Promise<{ address: Address; privateKey: Hex }> {
  const privateKey = generatePrivateKey();
  const { address } = privateKeyToAccount(privateKey);
  const hash = await adminClients.walletClient!.sendTransaction({ to: address, value: parseEther("1") });
  await adminClients.publicClient.waitForTransactionReceipt({ hash });
  return { address, privateKey };
}

async function setUp(anvil: RunningAnvil) {
  const config = { rpcUrl: anvil.rpcUrl, chainId: anvil.chainId };
  const deployer = createLedgerClients(config);
  const contractAddress = await deployRecordAnchor(deployer, {
    adminPrivateKey: admin.privateKey,
    writer: oldWriter.address,
  });
  const as = (privateKey?: Hex): LedgerClients => createLedgerClients({ ...config, contractAddress, writerPrivateKey: privateKey });
  return { contractAddress, reader: as(), admin: as(admin.privateKey), as };
}

describe("writer key rotation against a real anvil", () => {
  let anvil: RunningAnvil;
  let ledger: Awaited<ReturnType<typeof setUp>>;

  beforeAll(async () => {
    anvil = await startAnvil({ blockTimeSeconds: 0, silent: true });
    ledger = await setUp(anvil);
  });
  afterAll(() => anvil?.stop());

  it("uses the contract's WRITER_ROLE", async () => {
    await installMulticall3(ledger.reader); // readContract goes through Multicall3 on the ledger's public client
    const onChain = await ledger.reader.publicClient.readContract({
      address: ledger.contractAddress,
      abi: recordAnchorAbi,
      functionName: "WRITER_ROLE",
    });
    expect(WRITER_ROLE).toBe(onChain);
    expect(await hasWriterRole(ledger.reader, oldWriter.address)).toBe(true);
    expect(await hasWriterRole(ledger.reader, admin.address)).toBe(false);
  });

  it("rotates the writer: grant the new key, anchor with it, revoke the old; old roots stay readable", async () => {
    const oldClients = ledger.as(oldWriter.privateKey);
    const first = await anchorRoot(oldClients, { batchId: 1n, root: root(0xa1) });

    const newWriter = await newFundedWriter(ledger.admin);
    const newClients = ledger.as(newWriter.privateKey);
    expect(await writerBalance(ledger.reader, newWriter.address)).toBe(parseEther("1"));
    // Not a writer yet.
    await expect(anchorRoot(newClients, { batchId: 2n, root: root(0xa2) })).rejects.toBeInstanceOf(AnchorUnauthorizedError);

    // The grant is signed by the admin key handed in for the call; the reader clients hold no key at all.
    const granted = await grantWriterRole(ledger.reader, { adminPrivateKey: admin.privateKey, account: newWriter.address });
    expect(granted.changed).toBe(true);
    expect(granted.transaction?.txHash).toMatch(/^0x[0-9a-f]{64}$/);
    expect(await hasWriterRole(ledger.reader, newWriter.address)).toBe(true);

    // Both keys can anchor during the switch-over.
    const second = await anchorRoot(newClients, { batchId: 2n, root: root(0xa2) });
    await anchorRoot(oldClients, { batchId: 3n, root: root(0xa3) });
    // The new writer paid for its gas.
    expect(await writerBalance(ledger.reader, newWriter.address)).toBeLessThan(parseEther("1"));

    const revoked = await revokeWriterRole(ledger.reader, { adminPrivateKey: admin.privateKey, account: oldWriter.address });
    expect(revoked.changed).toBe(true);
    expect(await hasWriterRole(ledger.reader, oldWriter.address)).toBe(false);

    const refused = await anchorRoot(oldClients, { batchId: 4n, root: root(0xa4) }).catch((e: unknown) => e);
    expect(refused).toBeInstanceOf(AnchorUnauthorizedError);
    expect(refused).toMatchObject({ account: oldWriter.address });
    await anchorRoot(newClients, { batchId: 4n, root: root(0xb4) });

    // Roots are write-once: what the revoked key anchored is still there, and verifiable from the logs by writer.
    expect(await readRoots(ledger.reader, [1n, 2n, 3n, 4n])).toEqual(
      new Map([
        [1n, root(0xa1)],
        [2n, root(0xa2)],
        [3n, root(0xa3)],
        [4n, root(0xb4)],
      ]),
    );
    const events = await ledger.reader.publicClient.getContractEvents({
      address: ledger.contractAddress,
      abi: recordAnchorAbi,
      eventName: "RootAnchored",
      fromBlock: first.blockNumber,
      toBlock: second.blockNumber,
    });
    expect(events.map((e) => [e.args.batchId, e.args.writer])).toEqual([
      [1n, oldWriter.address],
      [2n, newWriter.address],
    ]);
  });

  it("lets no one but the admin grant or revoke", async () => {
    const newWriter = privateKeyToAccount(generatePrivateKey()).address;
    // A writer cannot add writers (nor itself), an outsider cannot either.
    for (const key of [oldWriter.privateKey, outsider.privateKey]) {
      const error = await grantWriterRole(ledger.reader, { adminPrivateKey: key, account: newWriter }).catch((e: unknown) => e);
      expect(error).toBeInstanceOf(RoleAdminRequiredError);
      expect(error).toMatchObject({ account: privateKeyToAccount(key).address });
    }
    expect(await hasWriterRole(ledger.reader, newWriter)).toBe(false);
    expect(await hasWriterRole(ledger.reader, outsider.address)).toBe(false);

    // Nor remove one: grant a writer, then try to revoke it with a non-admin key.
    await grantWriterRole(ledger.reader, { adminPrivateKey: admin.privateKey, account: newWriter });
    await expect(
      revokeWriterRole(ledger.reader, { adminPrivateKey: outsider.privateKey, account: newWriter }),
    ).rejects.toBeInstanceOf(RoleAdminRequiredError);
    expect(await hasWriterRole(ledger.reader, newWriter)).toBe(true);
  });

  it("sends nothing when the role is already as asked", async () => {
    const account = privateKeyToAccount(generatePrivateKey()).address;
    const { publicClient } = ledger.reader;
    const nonce = () => publicClient.getTransactionCount({ address: admin.address });

    const before = await nonce();
    expect(await revokeWriterRole(ledger.reader, { adminPrivateKey: admin.privateKey, account })).toEqual({
      changed: false,
      transaction: null,
    });
    expect((await grantWriterRole(ledger.reader, { adminPrivateKey: admin.privateKey, account })).changed).toBe(true);
    expect(await grantWriterRole(ledger.reader, { adminPrivateKey: admin.privateKey, account })).toEqual({
      changed: false,
      transaction: null,
    });
    expect(await nonce()).toBe(before + 1);
  });

  it("keeps the admin and the writer apart, and rejects malformed input without echoing it", async () => {
    await expect(
      grantWriterRole(ledger.reader, { adminPrivateKey: admin.privateKey, account: admin.address }),
    ).rejects.toBeInstanceOf(LedgerConfigError);
    expect(await hasWriterRole(ledger.reader, admin.address)).toBe(false);

    // A key pasted where an address belongs must not end up in an error message (and so in a log).
    const pasted = outsider.privateKey as unknown as Address;
    const error = await grantWriterRole(ledger.reader, { adminPrivateKey: admin.privateKey, account: pasted }).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(LedgerConfigError);
    expect(String((error as Error).message)).not.toContain(outsider.privateKey.slice(2));
    await expect(writerBalance(ledger.reader, pasted)).rejects.toBeInstanceOf(LedgerConfigError);

    const badKey = await grantWriterRole(ledger.reader, { adminPrivateKey: "0x1234", account: outsider.address }).catch((e: unknown) => e);
    expect(badKey).toBeInstanceOf(LedgerConfigError);
  });

  it("reports a missing contract before signing anything, and an unreachable chain as unavailable", async () => {
    const nowhere = createLedgerClients({ rpcUrl: anvil.rpcUrl, chainId: anvil.chainId, contractAddress: outsider.address });
    const before = await ledger.reader.publicClient.getTransactionCount({ address: admin.address });
    await expect(hasWriterRole(nowhere, oldWriter.address)).rejects.toBeInstanceOf(RecordAnchorNotFoundError);
    await expect(
      grantWriterRole(nowhere, { adminPrivateKey: admin.privateKey, account: oldWriter.address }),
    ).rejects.toBeInstanceOf(RecordAnchorNotFoundError);
    expect(await ledger.reader.publicClient.getTransactionCount({ address: admin.address })).toBe(before);

    const port = await closedPort();
    const down = createLedgerClients({ rpcUrl: `http://127.0.0.1:${port}`, chainId: anvil.chainId, contractAddress: ledger.contractAddress });
    await expect(hasWriterRole(down, oldWriter.address)).rejects.toBeInstanceOf(LedgerUnavailableError);
    await expect(writerBalance(down, oldWriter.address)).rejects.toBeInstanceOf(LedgerUnavailableError);
  });
});

/** A port nothing listens on (bound, then released). */
function closedPort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = net.createServer();
    server.once("error", reject);
    server.listen(0, "127.0.0.1", () => {
      const { port } = server.address() as net.AddressInfo;
      server.close(() => resolve(port));
    });
  });
}

type CliResult = { code: number | null; stdout: string; stderr: string };

describe("scripts/ledger-admin.ts", () => {
  const tsx = path.join(process.cwd(), "node_modules", ".bin", "tsx");
  const script = path.join(process.cwd(), "scripts", "ledger-admin.ts");
  let anvil: RunningAnvil;
  let baseEnv: NodeJS.ProcessEnv;
  let chainEnv: Record<string, string>;

  beforeAll(async () => {
    anvil = await startAnvil({ blockTimeSeconds: 0, silent: true });
    // Nothing of the suite's own ledger configuration leaks into the CLI's environment.
    baseEnv = { ...process.env };
    for (const name of Object.keys(baseEnv)) if (/^(PUBLIC_)?LEDGER_/.test(name)) delete baseEnv[name];
    chainEnv = { LEDGER_RPC_URL: anvil.rpcUrl, LEDGER_CHAIN_ID: String(anvil.chainId) };
  });
  afterAll(() => anvil?.stop());

  function cli(args: string[], { env = {}, stdin = "" }: { env?: Record<string, string>; stdin?: string } = {}) {
    return new Promise<CliResult>((resolve, reject) => {
      const child = spawn(tsx, [script, ...args], { env: { ...baseEnv, ...env }, stdio: ["pipe", "pipe", "pipe"] });
      let stdout = "";
      let stderr = "";
      child.stdout.on("data", (chunk: Buffer) => (stdout += chunk.toString()));
      child.stderr.on("data", (chunk: Buffer) => (stderr += chunk.toString()));
      child.on("error", reject);
      child.on("close", (code) => resolve({ code, stdout: stdout.trim(), stderr }));
      child.stdin.end(stdin);
    });
  }

  const leaks = (run: CliResult, key: string) => `${run.stdout}\n${run.stderr}`.toLowerCase().includes(key.slice(2).toLowerCase());

  it("deploys, grants, checks and revokes; the admin key never appears in its output", async () => {
    // Key piped on stdin, as from a secret manager.
    const deployed = await cli(["deploy", oldWriter.address, "--yes"], { env: chainEnv, stdin: `${admin.privateKey}\n` });
    expect(deployed.stderr).not.toMatch(/error/i);
    expect(deployed.code).toBe(0);
    expect(deployed.stdout).toMatch(/^0x[0-9a-fA-F]{40}$/);
    expect(leaks(deployed, admin.privateKey)).toBe(false);
    const env = { ...chainEnv, LEDGER_CONTRACT_ADDRESS: deployed.stdout };

    expect(await cli(["has-writer", oldWriter.address], { env })).toMatchObject({ code: 0, stdout: "true" });
    expect(await cli(["has-writer", outsider.address], { env })).toMatchObject({ code: 0, stdout: "false" });

    // Key from the environment this time.
    const granted = await cli(["grant-writer", outsider.address, "--yes"], { env: { ...env, LEDGER_ADMIN_KEY: admin.privateKey } });
    expect(granted.code).toBe(0);
    expect(granted.stdout).toMatch(/^0x[0-9a-f]{64}$/);
    expect(leaks(granted, admin.privateKey)).toBe(false);
    expect(await cli(["has-writer", outsider.address], { env })).toMatchObject({ code: 0, stdout: "true" });
    // Already a writer: no key asked for, nothing sent.
    expect(await cli(["grant-writer", outsider.address, "--yes"], { env })).toMatchObject({ code: 0, stdout: "unchanged" });

    const revoked = await cli(["revoke-writer", oldWriter.address, "--yes"], { env, stdin: `${admin.privateKey}\n` });
    expect(revoked.code).toBe(0);
    expect(revoked.stdout).toMatch(/^0x[0-9a-f]{64}$/);
    expect(await cli(["has-writer", oldWriter.address], { env })).toMatchObject({ code: 0, stdout: "false" });

    // --public reads the PUBLIC_LEDGER_* variables instead.
    const publicEnv = {
      PUBLIC_LEDGER_RPC_URL: anvil.rpcUrl,
      PUBLIC_LEDGER_CHAIN_ID: String(anvil.chainId),
      PUBLIC_LEDGER_CONTRACT_ADDRESS: deployed.stdout,
    };
    expect(await cli(["--public", "has-writer", outsider.address], { env: publicEnv })).toMatchObject({ code: 0, stdout: "true" });
    expect((await cli(["has-writer", outsider.address], { env: publicEnv })).code).toBe(2);
    // Ten CLI processes, each a cold tsx start: a minute or more on a loaded 2-core machine.
  }, 240_000);

  it("refuses a non-admin key, a key on the command line, a wrong chain and an unconfirmed change", async () => {
    const deployed = await cli(["deploy", oldWriter.address, "--yes"], { env: chainEnv, stdin: `${admin.privateKey}\n` });
    const env = { ...chainEnv, LEDGER_CONTRACT_ADDRESS: deployed.stdout };

    const notAdmin = await cli(["grant-writer", outsider.address, "--yes"], { env, stdin: `${oldWriter.privateKey}\n` });
    expect(notAdmin.code).toBe(1);
    expect(notAdmin.stderr).toContain("DEFAULT_ADMIN_ROLE");
    expect(leaks(notAdmin, oldWriter.privateKey)).toBe(false);

    const inArgv = await cli(["grant-writer", admin.privateKey, "--yes"], { env });
    expect(inArgv.code).toBe(2);
    expect(inArgv.stderr).toMatch(/looks like a private key/);
    expect(leaks(inArgv, admin.privateKey)).toBe(false);

    const wrongChain = await cli(["has-writer", outsider.address], { env: { ...env, LEDGER_CHAIN_ID: "1" } });
    expect(wrongChain.code).toBe(2);
    expect(wrongChain.stderr).toMatch(/chain id/);

    // Not a terminal and no --yes: nothing is sent.
    const unconfirmed = await cli(["grant-writer", outsider.address], { env, stdin: `${admin.privateKey}\n` });
    expect(unconfirmed.code).toBe(2);
    expect(await cli(["has-writer", outsider.address], { env })).toMatchObject({ stdout: "false" });
  }, 240_000);
});
