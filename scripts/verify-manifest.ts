/**
 * Verifies a research export (its manifest bundle and NDJSON files, downloaded from /research/exports/[id]) against
 * the chain, with no access to the Chartproof database: a journal or sponsor holding the files and an RPC endpoint of
 * the hospital's private chain can run it.
 *
 *   npm run verify-manifest -- <manifest.json> [<File.ndjson> ...] --anchors <file-or-url> --rpc <private-chain-rpc-url>
 *
 * Checks (docs/decisions/013-research-cohorts.md):
 *   1. every file given hashes (sha256) to what the manifest lists, and every listed file is given;
 *   2. sha256 over the manifest's RFC 8785 canonical JSON equals the bundle's manifestHash;
 *   3. RecordAnchor.rootsOf([batchNumber]) on the chain named in the bundle (the RPC must serve that chain id) is
 *      exactly that hash;
 *   4. pinned (ADR 027, scripts/trust-pins.ts): that chain and contract are the hospital's anchored private ones, the
 *      contract runs the anchored code, and the hash was written by a writer authorised in that block. Without
 *      --anchors (or --contract) nothing is VERIFIED.
 *
 * Exit status: 0 verified; 1 a check fails or the chain cannot be read; 2 bad input. File contents are never
 * printed, nor the RPC URL.
 */
import { readFile, stat } from "node:fs/promises";
import { basename } from "node:path";
import { pathToFileURL } from "node:url";
import { parseArgs } from "node:util";
import { z } from "zod";
import { checkFiles, manifestHash, type FileCheck } from "@/lib/research/manifest";
import { describePins, PinInputError, pinsFromOptions, readPinnedRoot, type ChainReading, type PinCheck, type Pins } from "./trust-pins";

const USAGE = `Usage: npm run verify-manifest -- <manifest.json> [<File.ndjson> ...] --anchors <file-or-url> --rpc <url>

  <manifest.json>   the manifest bundle downloaded from the export's page
  <File.ndjson>     the export's files (all of those the manifest lists)
  --rpc <url>       JSON-RPC endpoint of the private chain that holds the manifest's hash
  --anchors <f|url> the hospital's published trust anchors (https://<portal>/.well-known/chartproof/anchors.json)
  --contract <addr> instead of --anchors: pin the private contract by hand (no code or writer check)

Exit status: 0 verified, 1 not verified, 2 bad input.`;

const MAX_FILE_BYTES = 512 * 1024 * 1024;

class BadInputError extends Error {
  override name = "BadInputError";
}

const bundleSchema = z.object({
  manifest: z.object({ format: z.string(), files: z.array(z.object({ name: z.string(), sha256: z.string() }).passthrough()) }).passthrough(),
  manifestHash: z.string().regex(/^0x[0-9a-f]{64}$/),
  anchor: z
    .object({ kind: z.literal("EXPORT_MANIFEST"), chainId: z.number().int().positive(), contractAddress: z.string().regex(/^0x[0-9a-fA-F]{40}$/), batchNumber: z.string().regex(/^[0-9]{1,30}$/) })
    .passthrough()
    .nullable(),
});

type Bundle = z.infer<typeof bundleSchema>;

export type VerifyManifestReport = {
  ok: boolean;
  files: FileCheck[];
  hash: { claimed: string; recomputed: string; ok: boolean };
  chain: ChainReading | null;
  chainOk: boolean;
  pin: PinCheck | null;
  pinned: boolean;
};

async function readBounded(path: string): Promise<Buffer> {
  try {
    if ((await stat(path)).size > MAX_FILE_BYTES) throw new BadInputError(`${basename(path)} is larger than ${MAX_FILE_BYTES} bytes`);
    return await readFile(path);
  } catch (error) {
    if (error instanceof BadInputError) throw error;
    throw new BadInputError(`cannot read ${basename(path)}`);
  }
}

export async function loadInput(argv: readonly string[]): Promise<{ bundle: Bundle; files: { name: string; content: Buffer }[]; rpcUrl: string; pins: Pins }> {
  let parsed;
  try {
    parsed = parseArgs({
      args: [...argv],
      allowPositionals: true,
      options: { rpc: { type: "string" }, anchors: { type: "string" }, contract: { type: "string" }, "public-contract": { type: "string" } },
    });
  } catch (error) {
    throw new BadInputError(error instanceof Error ? error.message : String(error));
  }
  const [manifestPath, ...filePaths] = parsed.positionals;
  if (!manifestPath) throw new BadInputError("the manifest bundle is missing");
  if (!parsed.values.rpc) throw new BadInputError("--rpc is required");
  let pins: Pins;
  try {
    pins = await pinsFromOptions(parsed.values);
  } catch (error) {
    if (error instanceof PinInputError) throw new BadInputError(error.message);
    throw error;
  }
  let json: unknown;
  try {
    json = JSON.parse((await readBounded(manifestPath)).toString("utf8"));
  } catch (error) {
    if (error instanceof BadInputError) throw error;
    throw new BadInputError(`${basename(manifestPath)} is not JSON`);
  }
  const bundle = bundleSchema.safeParse(json);
  if (!bundle.success) throw new BadInputError(`${basename(manifestPath)} is not an export manifest bundle`);
  const files = [];
  for (const path of filePaths) files.push({ name: basename(path), content: await readBounded(path) });
  return { bundle: bundle.data, files, rpcUrl: parsed.values.rpc, pins };
}

export async function verifyManifestBundle(
  bundle: Bundle,
  files: readonly { name: string; content: Uint8Array }[],
  rpcUrl: string,
  pins: Pins | null = null,
): Promise<VerifyManifestReport> {
  const fileChecks = checkFiles(bundle.manifest, files);
  const recomputed = manifestHash(bundle.manifest).hash;
  const hash = { claimed: bundle.manifestHash, recomputed, ok: recomputed === bundle.manifestHash };
  const read = bundle.anchor
    ? await readPinnedRoot(rpcUrl, { chainId: bundle.anchor.chainId, contract: bundle.anchor.contractAddress, number: bundle.anchor.batchNumber }, { pins, role: "private", claimedRoot: recomputed, what: "unit" })
    : null;
  const chain = read?.reading ?? null;
  const pin = read?.pin ?? null;
  const chainOk = typeof chain?.root === "string" && chain.root.toLowerCase() === recomputed && (pins === null || pin?.result === "ok");
  return { ok: fileChecks.every((f) => f.ok) && hash.ok && chainOk, files: fileChecks, hash, chain, chainOk, pin, pinned: pins !== null };
}

export function formatReport(bundle: Bundle, report: VerifyManifestReport, pins: Pins | null = null): string {
  const mark = (ok: boolean) => (ok ? "ok  " : "FAIL");
  const lines = [...(pins ? [...describePins(pins), ""] : []), `Research export ${String(bundle.manifest.exportId ?? "?")} (${String(bundle.manifest.mode ?? "?")})`];
  for (const f of report.files) {
    const why = f.expected === null ? "not listed in the manifest" : f.actual === null ? "not given" : f.ok ? f.actual : `sha256 ${f.actual}, manifest says ${f.expected}`;
    lines.push(`  [${mark(f.ok)}] file ${f.name}: ${why}`);
  }
  lines.push(`  [${mark(report.hash.ok)}] manifest hash ${report.hash.recomputed}${report.hash.ok ? "" : ` (bundle claims ${report.hash.claimed})`}`);
  if (!bundle.anchor) lines.push("  [FAIL] not anchored yet: the bundle names no chain unit");
  else {
    const where = `chain ${bundle.anchor.chainId}, contract ${bundle.anchor.contractAddress}, unit ${bundle.anchor.batchNumber}`;
    const detail = report.chain?.problem ?? (report.chain?.root && report.chain.root !== "not_checked" ? `root ${report.chain.root}` : report.chain?.root === "not_checked" ? "not read" : "no root on chain");
    lines.push(`  [${mark(report.chainOk)}] ${where}: ${detail}`);
    if (report.pin && report.pin.result !== "skipped") {
      const w = report.pin.writer;
      lines.push(`  [${mark(report.pin.result === "ok")}] pinned: ${report.pin.result === "ok" ? `${report.pin.checked.join(", ")}${w ? `; written by ${w.address} in block ${w.block}` : ""}` : report.pin.problem}`);
    }
  }
  lines.push(
    report.ok && report.pinned
      ? "VERIFIED: these files are exactly what was exported, as anchored."
      : report.pinned ? "NOT VERIFIED" : "NOT VERIFIED: nothing was pinned (--anchors or --contract)",
  );
  return `${lines.join("\n")}\n`;
}

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
  const report = await verifyManifestBundle(input.bundle, input.files, input.rpcUrl, input.pins);
  out.write(formatReport(input.bundle, report, input.pins));
  return report.ok && report.pinned ? 0 : 1;
}

if (process.argv[1] && import.meta.url === pathToFileURL(process.argv[1]).href) {
  main(process.argv.slice(2)).then(
    (code) => {
      process.exitCode = code;
    },
    (error: unknown) => {
      process.stderr.write(`verify-manifest failed unexpectedly: ${error instanceof Error ? error.message : String(error)}\n`);
      process.exitCode = 1;
    },
  );
}
