// Published trust anchors and pinned verifiers (ADR 027, docs/proof-format.md § Trust anchors): an outsider verifies a
// download against the hospital's anchors, never against the chain and contract the file names.
import { createHash, randomUUID } from "node:crypto";
import { createServer, type Server } from "node:http";
import { execFile } from "node:child_process";
import { mkdtemp, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { Writable } from "node:stream";
import { promisify } from "node:util";
import { concat, parseEther, type Address, type Hex } from "viem";
import { generatePrivateKey, privateKeyToAccount } from "viem/accounts";
import { afterAll, beforeAll, describe, expect, inject, it } from "vitest";
import { GET as anchorsRoute } from "@/app/.well-known/chartproof/anchors.json/route";
import { db } from "@/lib/db";
import { exportOwnRecords } from "@/lib/dal/own-records";
import { getRecordProof } from "@/lib/dal/record-proof";
import { computeCommitment, canonicalize, newSalt, type Hex32 } from "@/lib/integrity";
import { PROOF_BUNDLE_EXTENSION, RECORD_STATE_EXTENSION, parseRecordExport } from "@/lib/integrity/record-export";
import type { ProofBundle } from "@/lib/integrity/proof-bundle";
import { parseTrustAnchors, type TrustAnchors } from "@/lib/integrity/trust-anchors";
import {
  anchorRoot,
  createLedgerClients,
  deployRecordAnchor,
  grantWriterRole,
  readChainAnchor,
  revokeWriterRole,
  trustAnchorsOf,
  type LedgerClients,
} from "@/lib/ledger";
import { forgetCachedRoots } from "@/lib/verification";
import { ANVIL_DEV_ACCOUNTS, startAnvil, type RunningAnvil } from "@/scripts/embedded/anvil";
import { loadAnchors } from "@/scripts/trust-pins";
import { main as verifyProof, verifyProofBundle, verifyRecordExport } from "@/scripts/verify-proof";
import { asInsider, callerFor, ensureDemo } from "./helpers";

const stack = inject("stack");
const { admin, writer, outsider } = ANVIL_DEV_ACCOUNTS;
let tmp: string;
let server: Server;
let anchorsUrl: string;
let served: string;
let exported: { entry: { fullUrl: string; extension?: { url: string; valueCode?: string; valueAttachment?: { data: string } }[]; resource?: unknown }[] } & Record<string, unknown>;
let patientId: string;

/** Runs the verify-proof command in this process; returns its exit status and what it printed. */
async function cli(args: string[]): Promise<{ code: number; out: string; err: string }> {
  let out = "";
  let err = "";
  const sink = (append: (s: string) => void) => new Writable({ write: (chunk, _e, done) => (append(String(chunk)), done()) });
  const code = await verifyProof(args, sink((s) => (out += s)) as unknown as typeof process.stdout, sink((s) => (err += s)) as unknown as typeof process.stderr);
  return { code, out, err };
}

/** A forged "HIV 1 Ab: Positive" for the demo patient, as a one-leaf batch (its root is its commitment). */
function forgedRecord() {
  const record = {
    recordId: randomUUID(),
    patientId,
    resourceType: "Observation",
    recordedAt: "2026-03-04T05:06:07.000Z",
    resource: { resourceType: "Observation", status: "final", code: { text: "HIV 1 Ab" }, valueString: "Positive" },
    source: "HOSPITAL_SYSTEM",
    supersedes: null,
    identityVersion: 1,
  };
  const salt = newSalt();
  const commitment = computeCommitment({ ...record, recipe: 2, supersedesId: null, recordedAt: new Date(record.recordedAt) }, salt);
  return { record, salt, commitment };
}

function bundleOf(forged: ReturnType<typeof forgedRecord>, batch: { chainId: number; contract: string; batchNumber: bigint; txHash: string; blockNumber: bigint }): ProofBundle {
  return {
    format: "chartproof.record-proof",
    recipeVersion: 2,
    record: forged.record,
    salt: forged.salt,
    commitment: forged.commitment,
    leafIndex: 0,
    proof: [],
    batch: { chainId: batch.chainId, contract: batch.contract, batchNumber: batch.batchNumber.toString(), root: forged.commitment, txHash: batch.txHash, blockNumber: batch.blockNumber.toString() },
    checkpoint: null,
  };
}

async function fundedKey(funder: LedgerClients): Promise<{ address: Address; privateKey: Hex }> {
  const privateKey = generatePrivateKey();
  const { address } = privateKeyToAccount(privateKey);
  await funder.publicClient.waitForTransactionReceipt({ hash: await funder.walletClient!.sendTransaction({ to: address, value: parseEther("1") }) });
  return { address, privateKey };
}

function anchoredEntries(): { recordId: string; bundle: ProofBundle }[] {
  const parsed = parseRecordExport(exported);
  if (!parsed.ok) throw new Error(parsed.problem);
  return parsed.entries.flatMap((e) => (e.state === "anchored" || e.state === "superseded" ? [{ recordId: e.recordId, bundle: e.proof }] : []));
}

beforeAll(async () => {
  await ensureDemo();
  const patient = await callerFor("patient@demo.chartproof.local", "PATIENT");
  patientId = patient.actor.id;
  exported = (await exportOwnRecords(patient)) as typeof exported;
  tmp = await mkdtemp(join(tmpdir(), "chartproof-anchors-"));
  // The portal's route handler behind a plain HTTP server: the verifier fetches the anchors by URL, as an outsider would.
  server = createServer((req, res) => {
    if (req.url !== "/.well-known/chartproof/anchors.json") return void res.writeHead(404).end();
    void anchorsRoute().then(async (response) => {
      res.writeHead(response.status, Object.fromEntries(response.headers));
      res.end(Buffer.from(await response.arrayBuffer()));
    });
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  const address = server.address();
  anchorsUrl = `http://127.0.0.1:${typeof address === "object" && address ? address.port : 0}/.well-known/chartproof/anchors.json`;
  served = await (await fetch(anchorsUrl)).text();
});

afterAll(async () => {
  await new Promise((resolve) => server?.close(resolve));
  await rm(tmp, { recursive: true, force: true });
});

describe("the published trust anchors", () => {
  it("name both chains' contracts, deployments, code hashes and writers; ledger-admin anchors prints the same bytes", async () => {
    const parsed = parseTrustAnchors(JSON.parse(served));
    if (!parsed.ok) throw new Error(parsed.problems.join("; "));
    const anchors = parsed.anchors;
    expect(served).toBe(canonicalize(anchors));
    expect(anchors.version).toBe(1);
    for (const [role, chain] of [["private", stack.private], ["public", stack.public]] as const) {
      const anchor = anchors.chains.find((c) => c.role === role)!;
      expect(anchor).toMatchObject({ chainId: chain.chainId, contract: chain.contractAddress.toLowerCase() });
      expect(anchor.writers).toEqual([{ address: writer.address.toLowerCase(), from: anchor.deployment, until: null }]);
      expect(anchor.runtimeCodeHash).toMatch(/^0x[0-9a-f]{64}$/);
    }
    const { stdout } = await promisify(execFile)(join("node_modules", ".bin", "tsx"), ["scripts/ledger-admin.ts", "anchors"], { timeout: 60_000 });
    expect(stdout).toBe(served);
  });
});

describe("verify-proof pinned to the anchors", () => {
  it("verifies the untouched export with --anchors at the portal's URL, printing the pinned addresses and the file's sha256", async () => {
    const file = join(tmp, "export.json");
    await writeFile(file, JSON.stringify(exported));
    const run = await cli([file, "--anchors", anchorsUrl, "--rpc", stack.private.rpcUrl, "--public-rpc", stack.public.rpcUrl]);
    expect(run.code, run.out + run.err).toBe(0);
    expect(run.out).toContain(`sha256 ${createHash("sha256").update(served).digest("hex")}`);
    expect(run.out).toContain(`contract ${stack.private.contractAddress.toLowerCase()}`);
    expect(run.out).toContain(`contract ${stack.public.contractAddress.toLowerCase()}`);
    expect(run.out).toContain("VERIFIED: every record in this export matches what was anchored.");

    // Nothing pinned: refused as bad input, never VERIFIED.
    const unpinned = await cli([file, "--rpc", stack.private.rpcUrl]);
    expect(unpinned.code).toBe(2);
    expect(unpinned.err).toContain("Nothing is pinned");
  });

  it("fails an export with one added record whose proof names a contract anyone deployed, naming the record and the contract", async () => {
    // The forger: an ordinary account deploys its own RecordAnchor on the same chain and anchors the forged record.
    const reader = createLedgerClients({ rpcUrl: stack.private.rpcUrl, chainId: stack.private.chainId, writerPrivateKey: outsider.privateKey });
    const forgerWriter = await fundedKey(reader);
    const contract = await deployRecordAnchor(reader, { adminPrivateKey: outsider.privateKey, writer: forgerWriter.address });
    const forgerClients = createLedgerClients({ rpcUrl: stack.private.rpcUrl, chainId: stack.private.chainId, contractAddress: contract, writerPrivateKey: forgerWriter.privateKey });
    const forged = forgedRecord();
    const tx = await anchorRoot(forgerClients, { batchId: 1n, root: forged.commitment as Hex32 });
    const bundle = bundleOf(forged, { chainId: stack.private.chainId, contract, batchNumber: 1n, ...tx });
    const withForgery = {
      ...exported,
      entry: [
        ...exported.entry,
        {
          fullUrl: `urn:uuid:${forged.record.recordId}`,
          extension: [
            { url: RECORD_STATE_EXTENSION, valueCode: "anchored" },
            { url: PROOF_BUNDLE_EXTENSION, valueAttachment: { contentType: "application/json", data: Buffer.from(JSON.stringify(bundle)).toString("base64") } },
          ],
          resource: forged.record.resource,
        },
      ],
    };
    // What the unpinned verifier did: every level passes, because the forger's contract does hold the root.
    const parsed = parseRecordExport(withForgery);
    if (!parsed.ok) throw new Error(parsed.problem);
    expect((await verifyRecordExport(parsed.entries, { rpcUrl: stack.private.rpcUrl })).ok).toBe(true);

    const file = join(tmp, "forged-export.json");
    await writeFile(file, JSON.stringify(withForgery));
    const run = await cli([file, "--anchors", anchorsUrl, "--rpc", stack.private.rpcUrl]);
    expect(run.code).toBe(1);
    expect(run.out).toContain(`FAILED record ${forged.record.recordId}: chain ${stack.private.chainId} contract ${contract.toLowerCase()} is not the anchored private contract`);
    expect(run.out).not.toContain("VERIFIED: every record");
    expect(run.out).toContain("NOT VERIFIED");
  });

  it("verifies a checkpointed record with only the public chain's RPC, and says which chain it trusted either way", async () => {
    const { recordId, bundle } = anchoredEntries().find((e) => e.bundle.checkpoint !== null)!;
    const file = join(tmp, "record.json");
    await writeFile(file, JSON.stringify(bundle));
    const publicOnly = await cli([file, "--anchors", anchorsUrl, "--public-rpc", stack.public.rpcUrl]);
    expect(publicOnly.code, publicOnly.out).toBe(0);
    expect(publicOnly.out).toContain(`record ${recordId}`);
    expect(publicOnly.out).toMatch(/SKIP\s+3\. Batch root on the private chain/);
    expect(publicOnly.out).toMatch(/PASS\s+5\. Checkpoint root on the public chain/);
    expect(publicOnly.out).toContain(`Trusted: the public chain ${stack.public.chainId} (contract ${bundle.checkpoint!.contract}, checkpoint ${bundle.checkpoint!.checkpointNumber}); the private chain was not asked.`);
    expect(publicOnly.out).toContain(`VERIFIED: the record is exactly what was anchored in public checkpoint ${bundle.checkpoint!.checkpointNumber}`);

    const privateOnly = await cli([file, "--anchors", anchorsUrl, "--rpc", stack.private.rpcUrl]);
    expect(privateOnly.code).toBe(0);
    expect(privateOnly.out).toContain(`Trusted: the private chain ${stack.private.chainId} (contract ${bundle.batch.contract}, batch ${bundle.batch.batchNumber}); the public checkpoint was not checked.`);

    // The public chain's answer is pinned too: a checkpoint claimed on another contract is not trusted.
    const elsewhere = await verifyProofBundle({ ...bundle, checkpoint: { ...bundle.checkpoint!, contract: outsider.address } }, { publicRpcUrl: stack.public.rpcUrl, pins: await loadAnchors(anchorsUrl) });
    expect(elsewhere.ok).toBe(false);
    expect(elsewhere.pins.checkpoint?.problem).toContain(`contract ${outsider.address} is not the anchored public contract`);
  });

  it("the portal never follows a contract address from the database that differs from its configuration", async () => {
    const doctor = await callerFor("doctor@demo.chartproof.local");
    const { recordId, bundle } = anchoredEntries()[0]!;
    const batch = await db().medicalRecord.findUniqueOrThrow({ where: { id: recordId }, select: { batchId: true } });
    const set = `UPDATE "AnchorBatch" SET "contractAddress" = $2 WHERE id = $1`;
    await asInsider(set, [batch.batchId, outsider.address]);
    try {
      forgetCachedRoots();
      const proof = await getRecordProof(doctor, patientId, recordId);
      expect(proof.record.verification).not.toBe("verified");
    } finally {
      await asInsider(set, [batch.batchId, bundle.batch.contract]);
      forgetCachedRoots();
    }
  });
});

describe("pins checked on the chain itself (a chain of this test's own)", () => {
  let chainA: RunningAnvil;
  let chainB: RunningAnvil;
  let contract: Address;
  let clients: (key?: Hex) => LedgerClients;
  let anchorsFile: string;
  let before: TrustAnchors;

  beforeAll(async () => {
    [chainA, chainB] = await Promise.all([startAnvil({ blockTimeSeconds: 0, silent: true }), startAnvil({ blockTimeSeconds: 0, silent: true })]);
    contract = await deployRecordAnchor(createLedgerClients({ rpcUrl: chainA.rpcUrl, chainId: chainA.chainId }), { adminPrivateKey: admin.privateKey, writer: writer.address });
    clients = (key) => createLedgerClients({ rpcUrl: chainA.rpcUrl, chainId: chainA.chainId, contractAddress: contract, writerPrivateKey: key });
    before = trustAnchorsOf([await readChainAnchor(clients(), "private")]);
    anchorsFile = join(tmp, "anchors-a.json");
    await writeFile(anchorsFile, canonicalize(before));
  });
  afterAll(async () => {
    await chainA?.stop();
    await chainB?.stop();
  });

  const pinned = async (bundle: ProofBundle, rpcUrl: string) => verifyProofBundle(bundle, { rpcUrl, pins: await loadAnchors(anchorsFile) });

  it("accepts a root written by the anchored writer, and fails one written by a key the anchors do not list", async () => {
    const genuine = forgedRecord();
    const tx = await anchorRoot(clients(writer.privateKey), { batchId: 1n, root: genuine.commitment as Hex32 });
    const good = await pinned(bundleOf(genuine, { chainId: chainA.chainId, contract, batchNumber: 1n, ...tx }), chainA.rpcUrl);
    expect(good).toMatchObject({ ok: true, trusted: ["private"], pins: { batch: { result: "ok", writer: { address: writer.address.toLowerCase() } } } });

    // An insider with the admin key adds a writer, anchors, and removes it again: the contract accepted the root.
    const rogue = await fundedKey(clients(admin.privateKey));
    await grantWriterRole(clients(), { adminPrivateKey: admin.privateKey, account: rogue.address });
    const forged = forgedRecord();
    const rogueTx = await anchorRoot(clients(rogue.privateKey), { batchId: 2n, root: forged.commitment as Hex32 });
    await revokeWriterRole(clients(), { adminPrivateKey: admin.privateKey, account: rogue.address });

    const report = await pinned(bundleOf(forged, { chainId: chainA.chainId, contract, batchNumber: 2n, ...rogueTx }), chainA.rpcUrl);
    expect(report.ok).toBe(false);
    expect(report.levels.batchAnchor).toBe("ok");
    expect(report.pins.batch).toMatchObject({ result: "mismatch", writer: { address: rogue.address.toLowerCase(), block: rogueTx.blockNumber.toString() } });
    expect(report.pins.batch!.problem).toContain(`contract ${contract.toLowerCase()}: the root of batch 2 was written by ${rogue.address.toLowerCase()}`);
    expect(report.pins.batch!.problem).toContain("not an authorised writer");

    // The anchors read now show the rotation: a new version, with the rogue key's period in it for all to see.
    const after = trustAnchorsOf([await readChainAnchor(clients(), "private")]);
    expect(after.version).toBe(before.version + 2);
    expect(after.chains[0]!.writers.map((w) => w.address)).toEqual([writer.address.toLowerCase(), rogue.address.toLowerCase()]);
    expect(after.chains[0]!.writers[1]!.until).toMatchObject({ block: expect.any(String) });
  });

  it("fails a contract at the anchored address and chain id that runs other code (a deployment elsewhere)", async () => {
    // Another chain with the same id: the same deployer's first transaction puts a contract at the same address.
    const elsewhere = createLedgerClients({ rpcUrl: chainB.rpcUrl, chainId: chainB.chainId });
    expect(await deployRecordAnchor(elsewhere, { adminPrivateKey: admin.privateKey, writer: writer.address })).toBe(contract);
    const code = await elsewhere.publicClient.getCode({ address: contract });
    await elsewhere.publicClient.request({ method: "anvil_setCode" as never, params: [contract, concat([code!, "0x00"])] as never });
    const forged = forgedRecord();
    const tx = await anchorRoot(createLedgerClients({ rpcUrl: chainB.rpcUrl, chainId: chainB.chainId, contractAddress: contract, writerPrivateKey: writer.privateKey }), {
      batchId: 1n,
      root: forged.commitment as Hex32,
    });
    const report = await pinned(bundleOf(forged, { chainId: chainB.chainId, contract, batchNumber: 1n, ...tx }), chainB.rpcUrl);
    expect(report.ok).toBe(false);
    expect(report.levels.batchAnchor).toBe("ok");
    expect(report.pins.batch!.result).toBe("mismatch");
    expect(report.pins.batch!.problem).toContain(`chain ${chainB.chainId} contract ${contract.toLowerCase()} runs code`);
    expect(report.pins.batch!.problem).toContain(`not the anchored ${before.chains[0]!.runtimeCodeHash}`);
  });
});
