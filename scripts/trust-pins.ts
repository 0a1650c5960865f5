/**
 * Pinning for the outsider's verifiers (verify-proof, verify-manifest; ADR 027, docs/proof-format.md § Trust
 * anchors). A proof names its chain and contract, and anyone can deploy a contract: a verifier that believed the file
 * would accept a forged record from a forger's contract. So the verifier pins what it trusts — the hospital's
 * published anchors (--anchors <file-or-url>) or, by hand, the contract addresses (--contract, --public-contract) —
 * and checks every anchored unit against them on its chain: the chain and contract are the anchored ones, the code
 * there is the anchored code, and the root was written by an authorised writer at that block.
 */
import { createHash } from "node:crypto";
import { readFile, stat } from "node:fs/promises";
import type { Address } from "viem";
import { parseTrustAnchors, writerAuthorisedAt, type ChainAnchor, type TrustAnchors } from "@/lib/integrity/trust-anchors";
import { createLedgerClients, LedgerError, readRoots, rootAnchoredEvents, runtimeCodeHash, type LedgerClients } from "@/lib/ledger";
import { normalizeChainRoot, type ChainRoot } from "@/lib/integrity/proof-bundle";

export type ChainRole = "private" | "public";

export type Pins =
  | { kind: "anchors"; anchors: TrustAnchors; sha256: string; location: string }
  | { kind: "contracts"; private: string | null; public: string | null };

/** The outcome of the pin checks for one anchored unit on its chain. */
export type PinCheck = {
  result: "ok" | "mismatch" | "unavailable" | "skipped";
  /** Why it is not ok; names the chain and the contract. */
  problem: string | null;
  /** Who wrote the root, and where (when the event could be read). */
  writer: { address: string; block: string; txHash: string } | null;
  /** What was checked beyond the address, for the report. */
  checked: string[];
};

/** What one chain answered: the root (or null/undefined as in ChainRoot), and why it could not be asked. */
export type ChainReading = { root: ChainRoot; problem: string | null };

export type AnchoredUnit = { chainId: number; contract: string; number: string };

export class PinInputError extends Error {
  override name = "PinInputError";
}

const MAX_ANCHORS_BYTES = 1024 * 1024;
const FETCH_TIMEOUT_MS = 15_000;

/** Reads the anchors file (a path, or an http(s) URL such as https://hospital.example/.well-known/chartproof/anchors.json). */
export async function loadAnchors(location: string): Promise<Pins & { kind: "anchors" }> {
  let bytes: Buffer;
  if (/^https?:\/\//i.test(location)) {
    let response: Response;
    try {
      response = await fetch(location, { signal: AbortSignal.timeout(FETCH_TIMEOUT_MS), redirect: "error", headers: { accept: "application/json" } });
    } catch {
      // Redirects are refused: the file pinned is the one at the URL given (give the final https URL).
      throw new PinInputError("The anchors URL did not answer, or redirected elsewhere (give the final https:// URL).");
    }
    if (!response.ok) throw new PinInputError(`The anchors URL answered ${response.status}.`);
    bytes = Buffer.from(await response.arrayBuffer());
  } else {
    try {
      if ((await stat(location)).size > MAX_ANCHORS_BYTES) throw new PinInputError("The anchors file is too large.");
      bytes = await readFile(location);
    } catch (error) {
      if (error instanceof PinInputError) throw error;
      throw new PinInputError(`Cannot read the anchors file: ${(error as NodeJS.ErrnoException).code ?? "read error"}.`);
    }
  }
  if (bytes.byteLength > MAX_ANCHORS_BYTES) throw new PinInputError("The anchors file is too large.");
  let json: unknown;
  try {
    json = JSON.parse(bytes.toString("utf8"));
  } catch {
    throw new PinInputError("The anchors file is not JSON.");
  }
  const parsed = parseTrustAnchors(json);
  if (!parsed.ok) throw new PinInputError(`Not a Chartproof trust anchors file:\n  ${parsed.problems.join("\n  ")}`);
  return { kind: "anchors", anchors: parsed.anchors, sha256: createHash("sha256").update(bytes).digest("hex"), location };
}

const ADDRESS = /^0x[0-9a-fA-F]{40}$/;

/** Pins from the command line: --anchors, or --contract / --public-contract; PinInputError when there is none. */
export async function pinsFromOptions(values: { anchors?: string; contract?: string; "public-contract"?: string }): Promise<Pins> {
  const hand = [values.contract, values["public-contract"]].filter((v) => v !== undefined);
  if (values.anchors && hand.length > 0) throw new PinInputError("Give --anchors or --contract/--public-contract, not both.");
  if (values.anchors) return loadAnchors(values.anchors);
  if (hand.length === 0) {
    throw new PinInputError(
      "Nothing is pinned: give --anchors <file-or-url> (the hospital's published trust anchors) or --contract <address>.\n" +
        "A proof names its own contract, and anyone can deploy one: without a pin nothing can be VERIFIED.",
    );
  }
  for (const v of hand) if (!ADDRESS.test(v!)) throw new PinInputError("--contract and --public-contract take a 20-byte hex address.");
  return { kind: "contracts", private: values.contract?.toLowerCase() ?? null, public: values["public-contract"]?.toLowerCase() ?? null };
}

/** The lines that say what was pinned, for comparison with what the hospital publishes elsewhere. */
export function describePins(pins: Pins): string[] {
  if (pins.kind === "contracts") {
    return [
      "Pinned by hand (code hash and writers not checked; prefer --anchors):",
      ...(pins.private ? [`  private contract ${pins.private}`] : []),
      ...(pins.public ? [`  public contract  ${pins.public}`] : []),
    ];
  }
  return [
    `Pinned trust anchors: version ${pins.anchors.version}, sha256 ${pins.sha256}`,
    ...pins.anchors.chains.map(
      (c) => `  ${c.role.padEnd(7)} chain ${c.chainId} contract ${c.contract} (deployed in block ${c.deployment.block}, code ${c.runtimeCodeHash}, ${c.writers.length} writer period(s))`,
    ),
  ];
}

// An export's records share a few batches and one contract per chain: each is asked once per process. Only final
// answers are kept (the code at an address, a unit's one RootAnchored event); failures and "no event yet" are not.
const codeHashes = new Map<string, Promise<string>>();
const anchoredEvents = new Map<string, Promise<Awaited<ReturnType<typeof rootAnchoredEvents>>>>();

function cachedCodeHash(rpcUrl: string, clients: LedgerClients, address: Address): Promise<string> {
  const key = `${rpcUrl}|${address.toLowerCase()}`;
  let hit = codeHashes.get(key);
  if (!hit) {
    hit = runtimeCodeHash(clients, address);
    codeHashes.set(key, hit);
    hit.catch(() => codeHashes.delete(key));
  }
  return hit;
}

function cachedEvents(rpcUrl: string, clients: LedgerClients, unit: AnchoredUnit, fromBlock: bigint) {
  const key = `${rpcUrl}|${unit.contract.toLowerCase()}|${unit.number}|${fromBlock}`;
  let hit = anchoredEvents.get(key);
  if (!hit) {
    hit = rootAnchoredEvents(clients, BigInt(unit.number), fromBlock);
    anchoredEvents.set(key, hit);
    hit.then((events) => events.length !== 1 && anchoredEvents.delete(key), () => anchoredEvents.delete(key));
  }
  return hit;
}

const skipped = (problem: string | null = null): PinCheck => ({ result: "skipped", problem, writer: null, checked: [] });
const mismatch = (problem: string, checked: string[] = [], writer: PinCheck["writer"] = null): PinCheck => ({ result: "mismatch", problem, writer, checked });

/** The pinned anchor (or address) for `role`, or why the unit's chain and contract are not the pinned ones. */
function pinnedFor(pins: Pins, role: ChainRole, unit: AnchoredUnit): { anchor: ChainAnchor | null; problem: string | null } {
  const where = `chain ${unit.chainId} contract ${unit.contract}`;
  if (pins.kind === "contracts") {
    const pinned = pins[role];
    if (!pinned) return { anchor: null, problem: `no ${role} contract is pinned, so ${where} cannot be trusted` };
    return pinned === unit.contract.toLowerCase() ? { anchor: null, problem: null } : { anchor: null, problem: `${where} is not the pinned ${role} contract ${pinned}` };
  }
  const anchor = pins.anchors.chains.find((c) => c.role === role);
  if (!anchor) return { anchor: null, problem: `the anchors name no ${role} chain, so ${where} cannot be trusted` };
  if (anchor.chainId !== unit.chainId || anchor.contract !== unit.contract.toLowerCase()) {
    return { anchor, problem: `${where} is not the anchored ${role} contract (chain ${anchor.chainId} contract ${anchor.contract})` };
  }
  return { anchor, problem: null };
}

/**
 * Reads the root `unit` names from the chain at `rpcUrl` (after checking the node's chain id) and, with pins, checks
 * the unit against them: chain and contract anchored, runtime code hash, and the RootAnchored event's writer and block.
 */
export async function readPinnedRoot(
  rpcUrl: string,
  unit: AnchoredUnit,
  opts: { pins: Pins | null; role: ChainRole; claimedRoot: string; what: string },
): Promise<{ reading: ChainReading; pin: PinCheck }> {
  // The address is checked before the chain is asked anything: a forger's contract is never read.
  const pinned = opts.pins ? pinnedFor(opts.pins, opts.role, unit) : null;
  if (pinned?.problem) return { reading: { root: "not_checked", problem: null }, pin: mismatch(pinned.problem) };

  const clients = createLedgerClients({ rpcUrl, chainId: unit.chainId, contractAddress: unit.contract as Address });
  let served: number;
  try {
    served = await clients.publicClient.getChainId();
  } catch {
    return unavailable("the RPC endpoint did not answer");
  }
  if (served !== unit.chainId) return unavailable(`the RPC endpoint serves chain ${served}, but the ${opts.what} was anchored on chain ${unit.chainId}`);
  let reading: ChainReading;
  try {
    const id = BigInt(unit.number);
    reading = { root: normalizeChainRoot((await readRoots(clients, [id])).get(id) ?? null), problem: null };
  } catch (error) {
    return unavailable(error instanceof LedgerError ? error.shortMessage : "reading the root failed");
  }
  if (!opts.pins) return { reading, pin: skipped() };
  return { reading, pin: await checkWriter(rpcUrl, clients, unit, pinned!.anchor, opts) };

  function unavailable(problem: string) {
    return { reading: { root: undefined, problem }, pin: { result: "unavailable" as const, problem, writer: null, checked: [] } };
  }
}

async function checkWriter(
  rpcUrl: string,
  clients: LedgerClients,
  unit: AnchoredUnit,
  anchor: ChainAnchor | null,
  opts: { claimedRoot: string; what: string },
): Promise<PinCheck> {
  const where = `chain ${unit.chainId} contract ${unit.contract}`;
  const checked = ["chain and contract"];
  try {
    if (anchor) {
      const codeHash = await cachedCodeHash(rpcUrl, clients, unit.contract as Address);
      if (codeHash !== anchor.runtimeCodeHash) {
        return mismatch(`${where} runs code ${codeHash}, not the anchored ${anchor.runtimeCodeHash} (another deployment at this address)`, checked);
      }
      checked.push("runtime code hash");
    }
    const events = await cachedEvents(rpcUrl, clients, unit, anchor ? BigInt(anchor.deployment.block) : 0n);
    if (events.length === 0) return mismatch(`${where} has no RootAnchored event for ${opts.what} ${unit.number}`, checked);
    if (events.length > 1) return mismatch(`${where} has ${events.length} RootAnchored events for ${opts.what} ${unit.number}; a RecordAnchor has one`, checked);
    const event = events[0]!;
    const writer = { address: event.writer.toLowerCase(), block: event.blockNumber.toString(), txHash: event.txHash };
    if (event.root.toLowerCase() !== opts.claimedRoot.toLowerCase()) {
      return mismatch(`${where}: the RootAnchored event of ${opts.what} ${unit.number} carries another root`, checked, writer);
    }
    if (!anchor) return { result: "ok", problem: null, writer, checked };
    if (!writerAuthorisedAt(anchor, event.writer, event.blockNumber)) {
      return mismatch(
        `${where}: the root of ${opts.what} ${unit.number} was written by ${writer.address} in block ${writer.block}, which was not an authorised writer then`,
        checked,
        writer,
      );
    }
    checked.push("writer authorised at that block");
    return { result: "ok", problem: null, writer, checked };
  } catch (error) {
    const problem = error instanceof LedgerError ? error.shortMessage : "reading the contract failed";
    return { result: "unavailable", problem: `${where}: ${problem}`, writer: null, checked };
  }
}
