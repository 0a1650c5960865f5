/**
 * Verifies a record's proof bundle (exported from its verification page) against the chains, with no access to the
 * Chartproof database: anyone holding the bundle, the hospital's published trust anchors and an RPC endpoint of
 * either chain can run it (docs/proof-format.md).
 *
 *   npm run verify-proof -- <bundle.json> --anchors <file-or-url> [--rpc <private-rpc>] [--public-rpc <public-rpc>]
 *
 * Levels, each checked on its own (docs/decisions/002-commitment-and-hash-recipe.md):
 *   1. the commitment, recomputed from the record and its salt, equals the bundle's commitment;
 *   2. the Merkle proof leads from the commitment to the batch root;
 *   3. RecordAnchor.rootsOf([batchNumber]) on the private chain (whose chain id must be the bundle's) is that root
 *      (only with --rpc);
 *   4. the checkpoint proof leads from the batch root to the checkpoint root (when the bundle has a checkpoint);
 *   5. the public chain holds that checkpoint root (only with --public-rpc).
 * and, for every chain asked, the pins (ADR 027, scripts/trust-pins.ts): the proof's chain and contract are the
 * anchored ones, the contract runs the anchored code, and its RootAnchored event was emitted by a writer authorised
 * in that block. Nothing is VERIFIED without a pin (--anchors, or --contract/--public-contract by hand), and at least
 * one chain must have been asked and trusted: the private chain (level 3), or the public one (levels 4 and 5) alone.
 *
 * Exit status: 0 when every level checked passes; 1 when a level fails or cannot be checked; 2 for bad input (usage,
 * unreadable file, not a proof bundle, nothing pinned). The report goes to stdout, usage errors to stderr. The record's
 * content is never printed, nor the RPC URLs (they may embed API keys).
 */
import { readFile, stat } from "node:fs/promises";
import { pathToFileURL } from "node:url";
import { parseArgs } from "node:util";
import { computeCommitment, rootFromProof, type Hex32 } from "@/lib/integrity";
import { checkProofBundle, parseProofBundle, type LevelResult, type ProofBundle, type ProofLevels } from "@/lib/integrity/proof-bundle";
import { isRecordExport, parseRecordExport, type ParsedExportEntry } from "@/lib/integrity/record-export";
import { isWithheldProof, type WithheldProof } from "@/lib/integrity/withheld";
import { checkErasedProof, isErasedProof, parseErasedProof, type ErasedProof } from "@/lib/integrity/tombstone";
import {
  describePins,
  PinInputError,
  pinsFromOptions,
  readPinnedRoot,
  type AnchoredUnit,
  type ChainReading,
  type ChainRole,
  type PinCheck,
  type Pins,
} from "./trust-pins";

export type { ChainReading, Pins };

const USAGE = `Usage: npm run verify-proof -- <bundle.json or export.json> --anchors <file-or-url> [--rpc <url>] [--public-rpc <url>]

  <bundle.json>        a proof bundle downloaded from a record's verification page, or a patient's
                       record export (every record, each with its proof bundle) from "My records"
  --anchors <f-or-url> the hospital's published trust anchors (https://<portal>/.well-known/chartproof/anchors.json,
                       or a saved copy); compare the sha256 printed with the one the hospital publishes
  --contract <addr>    instead of --anchors: pin the private chain's contract by hand (no code or writer check)
  --public-contract <addr>  likewise for the public chain's contract
  --rpc <url>          JSON-RPC endpoint of the private chain that holds the batch roots
  --public-rpc <url>   JSON-RPC endpoint of the public chain that holds the checkpoints; alone, it verifies a
                       checkpointed record from the public chain only

Exit status: 0 verified, 1 not verified, 2 bad input.`;

/** A record export carries every record with its documents, so it may be far larger than one proof bundle. */
const MAX_BUNDLE_BYTES = 512 * 1024 * 1024;

export class BadInputError extends Error {
  override name = "BadInputError";
}

export type VerifyProofReport = {
  ok: boolean;
  /** False when nothing was pinned: then the report is never VERIFIED, whatever `ok` says. */
  pinned: boolean;
  levels: ProofLevels;
  batchChain: ChainReading;
  checkpointChain: ChainReading | null;
  pins: { batch: PinCheck | null; checkpoint: PinCheck | null };
  /** The chains whose answer the verdict rests on. */
  trusted: ChainRole[];
};

export type VerifyProofOptions = { rpcUrl?: string; publicRpcUrl?: string; pins?: Pins | null };

/** Reads the root `contract` holds for `number` on the chain at `rpcUrl`, after checking the node's chain id (unpinned). */
export async function readAnchoredRoot(rpcUrl: string, anchor: AnchoredUnit): Promise<ChainReading> {
  return (await readPinnedRoot(rpcUrl, anchor, { pins: null, role: "private", claimedRoot: "", what: "unit" })).reading;
}

const pinOk = (pin: PinCheck | null, pins: Pins | null) => pins === null || pin?.result === "ok";

/** The CLI's core: every level of `bundle`, with the roots read from the given chains. */
export async function verifyProofBundle(bundle: ProofBundle, options: VerifyProofOptions): Promise<VerifyProofReport> {
  const pins = options.pins ?? null;
  const cp = bundle.checkpoint;
  const [batch, checkpoint] = await Promise.all([
    options.rpcUrl
      ? readPinnedRoot(options.rpcUrl, { chainId: bundle.batch.chainId, contract: bundle.batch.contract, number: bundle.batch.batchNumber }, { pins, role: "private", claimedRoot: bundle.batch.root, what: "batch" })
      : null,
    cp && options.publicRpcUrl
      ? readPinnedRoot(options.publicRpcUrl, { chainId: cp.chainId, contract: cp.contract, number: cp.checkpointNumber }, { pins, role: "public", claimedRoot: cp.root, what: "checkpoint" })
      : null,
  ]);
  const levels = checkProofBundle(bundle, { batchRoot: batch ? batch.reading.root : "not_checked", checkpointRoot: checkpoint ? checkpoint.reading.root : "not_checked" });
  // A chain asked must agree and pass its pins; at least one must have been asked. The public chain alone suffices
  // for a checkpointed record: the bundle carries the batch root's proof into the checkpoint root.
  const privateTrusted = batch !== null && levels.batchAnchor === "ok" && pinOk(batch.pin, pins);
  const publicTrusted = checkpoint !== null && levels.checkpointPath === "ok" && levels.checkpointAnchor === "ok" && pinOk(checkpoint.pin, pins);
  const trusted: ChainRole[] = [...(privateTrusted ? (["private"] as const) : []), ...(publicTrusted ? (["public"] as const) : [])];
  const ok =
    levels.commitment === "ok" &&
    levels.batchPath === "ok" &&
    (cp === null || levels.checkpointPath === "ok") &&
    (batch === null || privateTrusted) &&
    (checkpoint === null || publicTrusted) &&
    trusted.length > 0;
  return {
    ok,
    pinned: pins !== null,
    levels,
    batchChain: batch?.reading ?? { root: "not_checked", problem: null },
    checkpointChain: checkpoint?.reading ?? null,
    pins: { batch: batch?.pin ?? null, checkpoint: checkpoint?.pin ?? null },
    trusted,
  };
}

const LABELS: Record<LevelResult, string> = { ok: "PASS", mismatch: "FAIL", missing: "FAIL", unavailable: "ERROR", skipped: "SKIP" };

const plural = (n: number, word: string) => `${n} ${word}${n === 1 ? "" : "s"}`;

/** Which chain the verdict rests on, said outright: an outsider must know whether the public chain was involved. */
function trustedLine(report: VerifyProofReport, bundle: ProofBundle): string {
  const cp = bundle.checkpoint;
  const parts = report.trusted.map((role) =>
    role === "private"
      ? `the private chain ${bundle.batch.chainId} (contract ${bundle.batch.contract}, batch ${bundle.batch.batchNumber})`
      : `the public chain ${cp!.chainId} (contract ${cp!.contract}, checkpoint ${cp!.checkpointNumber})`,
  );
  if (parts.length === 0) return "Trusted: no chain.";
  const note = !report.trusted.includes("public")
    ? cp === null ? "; the record is in no public checkpoint yet" : "; the public checkpoint was not checked"
    : !report.trusted.includes("private") ? "; the private chain was not asked" : "";
  return `Trusted: ${parts.join(" and ")}${note}.`;
}

/** The human-readable verdict, one line per level and a conclusion. */
export function formatReport(bundle: ProofBundle, report: VerifyProofReport, options: { publicRpcGiven: boolean; pins?: Pins | null }): string {
  const { levels } = report;
  const record = { ...bundle.record, recipe: bundle.recipeVersion, supersedesId: bundle.record.supersedes, recordedAt: new Date(bundle.record.recordedAt) };
  let recomputed: string;
  try {
    recomputed = computeCommitment(record, bundle.salt);
  } catch {
    recomputed = "nothing (the record cannot be canonicalized)";
  }
  const batchProven = rootFromProof(bundle.commitment as Hex32, bundle.proof);
  const cp = bundle.checkpoint;
  const lines: string[] = [];
  const line = (result: LevelResult, title: string, detail: string[]) => {
    lines.push(`  ${LABELS[result].padEnd(5)} ${title}`);
    for (const d of detail) lines.push(`        ${d}`);
  };
  const chainDetail = (reading: ChainReading, what: string, claimed: string, chainId: number, contract: string, number: string): string[] => {
    const where = `chain ${chainId}, contract ${contract}: root of ${what} ${number}`;
    if (reading.root === undefined) return [`${where} could not be read: ${reading.problem ?? "unknown error"}`];
    if (reading.root === null) return [`${where}: none. The chain holds no root for this ${what}.`];
    if (reading.root === "not_checked") return [`${where}: not checked`];
    return reading.root === claimed
      ? [`${where} = ${reading.root}`, `matches the bundle's ${what} root`]
      : [`${where} = ${reading.root}`, `but the bundle's ${what} root is ${claimed}`];
  };

  const pinLine = (pin: PinCheck | null) => {
    if (!pin || pin.result === "skipped") return;
    const detail = pin.result === "ok"
      ? [`${pin.checked.join(", ")}: as pinned`, ...(pin.writer ? [`written by ${pin.writer.address} in block ${pin.writer.block} (transaction ${pin.writer.txHash})`] : [])]
      : [pin.problem ?? "unknown problem"];
    line(pin.result === "ok" ? "ok" : pin.result === "unavailable" ? "unavailable" : "mismatch", "   Pinned contract, code and writer", detail);
  };

  if (options.pins) lines.push(...describePins(options.pins), "");
  lines.push(`Chartproof proof bundle: record ${bundle.record.recordId} (${bundle.record.resourceType}, recorded ${bundle.record.recordedAt})`);
  lines.push(
    `Recipe v${bundle.recipeVersion}: commitment = sha256(0x00 ‖ salt ‖ JCS(record${bundle.recipeVersion === 2 ? " with source, supersedes, identityVersion" : ""})); node = sha256(0x01 ‖ left ‖ right)`,
  );
  lines.push("");

  line(levels.commitment, "1. Commitment (record + salt)", levels.commitment === "ok"
    ? [`recomputed ${recomputed}`, "matches the bundle's commitment"]
    : [`recomputed ${recomputed}`, `but the bundle's commitment is ${bundle.commitment}: the record, its salt or the commitment was changed`]);

  line(levels.batchPath, "2. Merkle proof to the batch root", [
    `${plural(bundle.proof.length, "step")} from leaf ${bundle.leafIndex} lead to ${batchProven ?? "nothing (malformed proof)"}`,
    levels.batchPath === "ok" ? "matches the batch root" : `but the bundle's batch root is ${bundle.batch.root}`,
  ]);

  const batchAsked = report.pins.batch !== null;
  line(report.pins.batch?.result === "mismatch" && levels.batchAnchor === "skipped" ? "mismatch" : levels.batchAnchor, "3. Batch root on the private chain", batchAsked
    ? [
        ...chainDetail(report.batchChain, "batch", bundle.batch.root, bundle.batch.chainId, bundle.batch.contract, bundle.batch.batchNumber),
        ...(bundle.batch.txHash ? [`anchored by transaction ${bundle.batch.txHash}${bundle.batch.blockNumber ? ` in block ${bundle.batch.blockNumber}` : ""}`] : []),
      ]
    : ["not checked: no --rpc for the private chain"]);
  pinLine(report.pins.batch);

  if (cp === null) {
    line("skipped", "4. Checkpoint proof", ["the bundle has no public checkpoint (the batch was not yet checkpointed)"]);
    line("skipped", "5. Checkpoint root on the public chain", [options.publicRpcGiven ? "nothing to check on the public chain" : "not checked"]);
  } else {
    const cpProven = rootFromProof(bundle.batch.root as Hex32, cp.proof);
    line(levels.checkpointPath, "4. Checkpoint proof to the checkpoint root", [
      `${plural(cp.proof.length, "step")} from the batch root lead to ${cpProven ?? "nothing (malformed proof)"}`,
      levels.checkpointPath === "ok" ? "matches the checkpoint root" : `but the bundle's checkpoint root is ${cp.root}`,
    ]);
    line(
      report.pins.checkpoint?.result === "mismatch" && levels.checkpointAnchor === "skipped" ? "mismatch" : levels.checkpointAnchor,
      "5. Checkpoint root on the public chain",
      report.checkpointChain === null
        ? ["not checked: pass --public-rpc <url> to check the public chain"]
        : [
            ...chainDetail(report.checkpointChain, "checkpoint", cp.root, cp.chainId, cp.contract, cp.checkpointNumber),
            ...(cp.txHash ? [`anchored by transaction ${cp.txHash}${cp.blockNumber ? ` in block ${cp.blockNumber}` : ""}`] : []),
          ],
    );
    pinLine(report.pins.checkpoint);
  }

  lines.push("");
  lines.push(trustedLine(report, bundle));
  if (report.ok && report.pinned) {
    const publicPart =
      cp === null
        ? " It is not yet in a public checkpoint."
        : report.checkpointChain === null
          ? ` Its public checkpoint ${cp.checkpointNumber} was not checked (no --public-rpc).`
          : ` Batch ${bundle.batch.batchNumber} is in public checkpoint ${cp.checkpointNumber} on chain ${cp.chainId}.`;
    const where = report.trusted.includes("private") ? `in batch ${bundle.batch.batchNumber} on chain ${bundle.batch.chainId}` : `in public checkpoint ${cp!.checkpointNumber} on chain ${cp!.chainId}`;
    lines.push(`VERIFIED: the record is exactly what was anchored ${where}.${report.trusted.includes("private") ? publicPart : ""}`);
  } else if (!report.pinned) {
    lines.push("NOT VERIFIED: nothing was pinned. Give --anchors <file-or-url> (or --contract <address>): a proof names its own contract, and anyone can deploy one.");
  } else {
    const failed = Object.values(levels).some((r) => r === "mismatch" || r === "missing") || [report.pins.batch, report.pins.checkpoint].some((p) => p?.result === "mismatch");
    lines.push(
      failed
        ? `NOT VERIFIED: at least one level FAILED for record ${bundle.record.recordId}. The record, its proof or its anchor does not match; do not rely on this record.`
        : report.trusted.length === 0 && report.pins.batch === null && report.pins.checkpoint === null
          ? "NOT VERIFIED: no chain was asked. Give --rpc (private chain), or --public-rpc for a checkpointed record."
          : "NOT VERIFIED: at least one level could not be checked (ERROR). Try again, or check the RPC endpoints.",
    );
  }
  return `${lines.join("\n")}\n`;
}

function rpcUrlOption(value: string | undefined, name: string): string | undefined {
  if (value === undefined) return undefined;
  let url: URL;
  try {
    url = new URL(value);
  } catch {
    throw new BadInputError(`${name} must be an http(s) URL.`);
  }
  if (url.protocol !== "http:" && url.protocol !== "https:") throw new BadInputError(`${name} must be an http(s) URL.`);
  return value;
}

type Input =
  | { kind: "bundle"; bundle: ProofBundle; options: VerifyProofOptions }
  | { kind: "export"; entries: ParsedExportEntry[]; options: VerifyProofOptions }
  | { kind: "withheld"; withheld: WithheldProof }
  | { kind: "erased"; erased: ErasedProof; options: VerifyProofOptions };

/** Parses argv, reads and validates the bundle or record export; BadInputError for anything the user must fix. */
export async function loadInput(argv: readonly string[]): Promise<Input> {
  let parsed;
  try {
    parsed = parseArgs({
      args: [...argv],
      allowPositionals: true,
      strict: true,
      options: {
        rpc: { type: "string" },
        "public-rpc": { type: "string" },
        anchors: { type: "string" },
        contract: { type: "string" },
        "public-contract": { type: "string" },
        help: { type: "boolean", short: "h" },
      },
    });
  } catch (error) {
    throw new BadInputError(error instanceof Error ? error.message : "invalid arguments");
  }
  if (parsed.positionals.length !== 1) throw new BadInputError("Give exactly one bundle file.");
  const rpcUrl = rpcUrlOption(parsed.values.rpc, "--rpc");
  const publicRpcUrl = rpcUrlOption(parsed.values["public-rpc"], "--public-rpc");
  if (!rpcUrl && !publicRpcUrl) throw new BadInputError("Give --rpc <url> (the private chain's JSON-RPC endpoint) or --public-rpc <url> (the public chain's).");
  let pins: Pins;
  try {
    pins = await pinsFromOptions(parsed.values);
  } catch (error) {
    if (error instanceof PinInputError) throw new BadInputError(error.message);
    throw error;
  }

  const file = parsed.positionals[0]!;
  let text: string;
  try {
    const info = await stat(file);
    if (!info.isFile()) throw new BadInputError(`${file} is not a file.`);
    if (info.size > MAX_BUNDLE_BYTES) throw new BadInputError(`${file} is too large to be a proof bundle.`);
    text = await readFile(file, "utf8");
  } catch (error) {
    if (error instanceof BadInputError) throw error;
    throw new BadInputError(`Cannot read ${file}: ${(error as NodeJS.ErrnoException).code ?? "read error"}.`);
  }
  let json: unknown;
  try {
    json = JSON.parse(text);
  } catch {
    throw new BadInputError(`${file} is not valid JSON.`);
  }
  if (isRecordExport(json)) {
    const parsedExport = parseRecordExport(json);
    if (!parsedExport.ok) throw new BadInputError(`${file}: ${parsedExport.problem}.`);
    return { kind: "export", entries: parsedExport.entries, options: { rpcUrl, publicRpcUrl, pins } };
  }
  if (isWithheldProof(json)) return { kind: "withheld", withheld: json };
  if (isErasedProof(json)) {
    const erased = parseErasedProof(json);
    if (!erased.ok) throw new BadInputError(`${file} is not a Chartproof erasure proof:\n  ${erased.problems.join("\n  ")}`);
    return { kind: "erased", erased: erased.proof, options: { rpcUrl, publicRpcUrl, pins } };
  }
  const bundle = parseProofBundle(json);
  if (!bundle.ok) throw new BadInputError(`${file} is not a Chartproof proof bundle:\n  ${bundle.problems.join("\n  ")}`);
  return { kind: "bundle", bundle: bundle.bundle, options: { rpcUrl, publicRpcUrl, pins } };
}

export type ExportReport = {
  verified: number;
  pending: number;
  erased: number;
  failed: { recordId: string; problem: string }[];
  ok: boolean;
  pinned: boolean;
  /** How many records each chain vouched for. */
  trusted: { private: number; public: number };
};

/**
 * A lawfully erased record (lib/integrity/tombstone.ts): its commitment's leaf must still be in a batch root the
 * private chain holds, and its tombstone statement's hash must be anchored under the tombstone's unit. Then the record
 * existed with that commitment and was erased as the statement says; there is no content left to verify.
 */
export async function verifyErasedProof(proof: ErasedProof, options: VerifyProofOptions) {
  const pins = options.pins ?? null;
  const read = (unit: AnchoredUnit, claimedRoot: string, what: string) =>
    options.rpcUrl
      ? readPinnedRoot(options.rpcUrl, unit, { pins, role: "private", claimedRoot, what })
      : Promise.resolve({ reading: { root: undefined, problem: "an erasure is proven on the private chain only: give --rpc" } as ChainReading, pin: null });
  const [leaf, tombstone] = await Promise.all([
    read({ chainId: proof.batch.chainId, contract: proof.batch.contract, number: proof.batch.batchNumber }, proof.batch.root, "batch"),
    proof.tombstone.unit
      ? read({ chainId: proof.tombstone.unit.chainId, contract: proof.tombstone.unit.contract, number: proof.tombstone.unit.batchNumber }, proof.tombstone.statementHash, "tombstone unit")
      : Promise.resolve({ reading: { root: null, problem: "the tombstone is not anchored yet" } as ChainReading, pin: null }),
  ]);
  const checked = checkErasedProof(proof, { batchRoot: leaf.reading.root, tombstoneRoot: tombstone.reading.root });
  const pinProblems = [leaf.pin, tombstone.pin].filter((p) => p !== null && p.result !== "ok" && p.result !== "skipped").map((p) => p!.problem!);
  return {
    ...checked,
    ok: checked.ok && pinProblems.length === 0,
    pinned: pins !== null,
    problems: [...pinProblems, ...[leaf.reading.problem, tombstone.reading.problem].filter((p): p is string => p !== null)],
  };
}

export function formatErasedReport(proof: ErasedProof, report: Awaited<ReturnType<typeof verifyErasedProof>>): string {
  const s = proof.tombstone.statement;
  const lines = [
    `Chartproof record ${proof.recordId}: ERASED under ${s.legalBasis} at ${s.erasedAt}`,
    `  requested by ${s.requestedById}, approved by ${s.approvedById} (request ${s.requestId})`,
    ...Object.entries(report.levels).map(([level, result]) => `  ${level.padEnd(16)} ${result}`),
    ...report.problems.map((p) => `  note: ${p}`),
    report.ok && report.pinned
      ? "ERASED LAWFULLY: the record existed with this commitment, and its erasure is anchored. There is no content left to verify."
      : report.pinned ? "NOT PROVEN: see above." : "NOT PROVEN: nothing was pinned (--anchors or --contract).",
  ];
  return `${lines.join("\n")}\n`;
}

/**
 * Every entry of a patient's record export: each anchored record through all the levels of its proof bundle. The
 * export verifies only when every record does; a pending record (not anchored yet) has nothing to check and is
 * reported as such, so the export as a whole does not verify until it is anchored.
 */
export async function verifyRecordExport(entries: readonly ParsedExportEntry[], options: VerifyProofOptions): Promise<ExportReport> {
  const report: ExportReport = { verified: 0, pending: 0, erased: 0, failed: [], ok: false, pinned: Boolean(options.pins), trusted: { private: 0, public: 0 } };
  for (const entry of entries) {
    if (entry.state === "pending") report.pending += 1;
    else if (entry.state === "tampered") report.failed.push({ recordId: entry.recordId, problem: "tampered: its content was withheld by the hospital's own check" });
    else if (entry.state === "invalid") report.failed.push({ recordId: entry.recordId, problem: entry.problem });
    else if (entry.state === "erased") {
      const result = await verifyErasedProof(entry.erased, options);
      if (result.ok) report.erased += 1;
      else {
        const failedLevel = Object.entries(result.levels).find(([, r]) => r !== "ok");
        const why = result.problems[0] ?? (failedLevel ? `${failedLevel[0]}: ${failedLevel[1]}` : "unknown");
        report.failed.push({ recordId: entry.recordId, problem: `erasure not proven: ${why}` });
      }
    }
    else {
      const result = await verifyProofBundle(entry.proof, options);
      if (result.ok) {
        report.verified += 1;
        for (const role of result.trusted) report.trusted[role] += 1;
      } else {
        // A pin that failed says more than the level it left unchecked: it names the chain and the contract.
        const pin = [result.pins.batch, result.pins.checkpoint].find((p) => p !== null && p.result !== "ok" && p.result !== "skipped");
        const failedLevel = Object.entries(result.levels).find(([, r]) => r !== "ok" && r !== "skipped");
        report.failed.push({
          recordId: entry.recordId,
          problem: pin?.problem ?? (failedLevel ? `${failedLevel[0]}: ${failedLevel[1]}` : result.trusted.length === 0 ? "no chain was asked or trusted" : "not verified"),
        });
      }
    }
  }
  report.ok = report.failed.length === 0 && report.pending === 0 && report.verified + report.erased > 0;
  return report;
}

export function formatExportReport(report: ExportReport, pins: Pins | null = null): string {
  const lines = [...(pins ? [...describePins(pins), ""] : [])];
  lines.push(`Chartproof record export: ${report.verified} verified, ${report.erased} lawfully erased, ${report.pending} pending, ${report.failed.length} failed`);
  for (const f of report.failed) lines.push(`  FAILED record ${f.recordId}: ${f.problem}`);
  if (report.pending > 0) lines.push(`  ${report.pending} record(s) not anchored yet: export again later to verify them.`);
  if (report.verified > 0) {
    lines.push(`Trusted: the private chain for ${report.trusted.private} record(s), the public chain for ${report.trusted.public} record(s).`);
  }
  lines.push(
    report.ok && report.pinned
      ? "VERIFIED: every record in this export matches what was anchored."
      : report.pinned ? "NOT VERIFIED: see above." : "NOT VERIFIED: nothing was pinned (--anchors or --contract).",
  );
  return `${lines.join("\n")}\n`;
}

/** The whole command; returns the exit status. */
export async function main(argv: readonly string[], out = process.stdout, err = process.stderr): Promise<number> {
  if (argv.includes("--help") || argv.includes("-h")) {
    out.write(`${USAGE}\n`);
    return 0;
  }
  let input;
  try {
    input = await loadInput(argv);
  } catch (error) {
    if (!(error instanceof BadInputError)) throw error;
    err.write(`${error.message}\n\n${USAGE}\n`);
    return 2;
  }
  if (input.kind === "withheld") {
    // Nothing to check: the hospital's own verification found the record tampered and kept its content back.
    out.write(`Chartproof record ${input.withheld.recordId}: TAMPERED (failing level: ${input.withheld.failingLevel}); its content was withheld.\nNOT VERIFIED.\n`);
    return 1;
  }
  if (input.kind === "erased") {
    const erased = await verifyErasedProof(input.erased, input.options);
    out.write([...describePins(input.options.pins!), "", ""].join("\n") + formatErasedReport(input.erased, erased));
    return erased.ok && erased.pinned ? 0 : 1;
  }
  if (input.kind === "export") {
    const exported = await verifyRecordExport(input.entries, input.options);
    out.write(formatExportReport(exported, input.options.pins ?? null));
    return exported.ok && exported.pinned ? 0 : 1;
  }
  const report = await verifyProofBundle(input.bundle, input.options);
  out.write(formatReport(input.bundle, report, { publicRpcGiven: input.options.publicRpcUrl !== undefined, pins: input.options.pins }));
  return report.ok && report.pinned ? 0 : 1;
}

if (process.argv[1] && import.meta.url === pathToFileURL(process.argv[1]).href) {
  main(process.argv.slice(2)).then(
    (code) => {
      process.exitCode = code;
    },
    (error: unknown) => {
      process.stderr.write(`verify-proof failed unexpectedly: ${error instanceof Error ? error.message : String(error)}\n`);
      process.exitCode = 1;
    },
  );
}
