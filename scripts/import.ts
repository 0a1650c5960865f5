/**
 * `npm run import -- <folder>`: a hospital's backfill from a FHIR Bulk Data export (one NDJSON file per resource type)
 * through the same intake as POST /api/fhir (lib/dal/bulk-import.ts; docs/intake.md, "Backfilling a hospital").
 *
 *   CHARTPROOF_IMPORT_TOKEN=cps_…  DATABASE_URL=<the web tier's connection>  npm run import -- ./export  [--state file] [--restart] [--chunk 5000]
 *
 * The token is a service credential (Admin → Service credentials), read from the environment so that it never shows
 * in the process list. The import refuses the database owner's connection. Resumable: how far each file is stored is
 * kept in the state file (default <folder>/.chartproof-import.json) after every chunk; run the same command again after
 * a crash and it goes on from there (anything stored past that point is recognised by its intake key, not stored twice).
 * The state file is removed when the import finishes.
 * Exit status: 0 every line stored or already stored, 2 some lines refused (listed as file:line), 1 the import failed.
 */
import { createReadStream } from "node:fs";
import { readdir, readFile, rename, rm, stat, writeFile } from "node:fs/promises";
import { join, resolve } from "node:path";
import { disconnectDb } from "@/lib/db";
import { importNdjson, ImportRefusedError, type ImportCheckpoint, type ImportProgress, type ImportSource } from "@/lib/dal/bulk-import";
import { ServiceAuthError } from "@/lib/dal/uploads";
import { resourceTypeOfFile } from "@/lib/fhir/intake/ndjson";

const args = process.argv.slice(2);
const flag = (name: string) => {
  const i = args.indexOf(name);
  return i >= 0 ? args.splice(i, 2)[1] : undefined;
};
const statePath = flag("--state");
// Lines stored per chunk (and so per checkpoint); larger chunks mean fewer round trips.
const chunk = flag("--chunk");
const restart = args.includes("--restart");
const folder = args.find((a) => !a.startsWith("--"));
if (!folder) {
  console.error("usage: CHARTPROOF_IMPORT_TOKEN=cps_… npm run import -- <folder of .ndjson files> [--state <file>] [--restart]");
  process.exit(1);
}
const dir = resolve(folder);
const state = statePath ? resolve(statePath) : join(dir, ".chartproof-import.json");

/** `refused`: the lines refused so far (file:line), so a resumed import still reports them in its total. */
type State = { folder: string; files: Record<string, number>; checkpoint: ImportCheckpoint; refused: string[] };

const names = (await readdir(dir)).filter((n) => resourceTypeOfFile(n) !== null);
if (names.length === 0) {
  console.error(`${dir}: no .ndjson files (Bulk Data names them by type: Patient.ndjson, Observation.ndjson, …)`);
  process.exit(1);
}
const sizes: Record<string, number> = {};
for (const n of names) sizes[n] = (await stat(join(dir, n))).size;
const total = Object.values(sizes).reduce((a, b) => a + b, 0);

let checkpoint: ImportCheckpoint = {};
const refused = new Set<string>();
if (!restart) {
  const previous = await readFile(state, "utf8").then((t) => JSON.parse(t) as State, () => null);
  if (previous) {
    const changed = names.filter((n) => previous.files[n] !== undefined && previous.files[n] !== sizes[n]);
    if (changed.length) {
      console.error(`Files changed since the interrupted import (${changed.join(", ")}): run again with --restart (lines already stored are recognised, not stored twice).`);
      process.exit(1);
    }
    checkpoint = previous.checkpoint;
    for (const r of previous.refused ?? []) refused.add(r);
    console.error(`Resuming the import of ${dir} (state in ${state}).`);
  }
}

async function save(next: ImportCheckpoint) {
  const body: State = { folder: dir, files: sizes, checkpoint: next, refused: [...refused] };
  // Written whole then renamed: a crash mid-write leaves the previous state, never half of one.
  await writeFile(`${state}.tmp`, JSON.stringify(body, null, 2));
  await rename(`${state}.tmp`, state);
}

const tty = process.stderr.isTTY === true;
const started = Date.now();
let lastShown = -1;
function show(p: ImportProgress) {
  const fraction = total ? Math.min(1, p.bytesRead / total) : 1;
  const percent = Math.floor(fraction * 100);
  const seconds = (Date.now() - started) / 1000;
  const stored = p.created + p.corrected;
  const text = `${percent}% ${p.lines.toLocaleString("en")} lines, ${stored.toLocaleString("en")} stored, ${p.unchanged.toLocaleString("en")} already stored, ${p.refused} refused — ${Math.round(stored / Math.max(seconds, 0.001))} records/s — ${p.file}`;
  if (tty) {
    const width = 30;
    const filled = Math.round(fraction * width);
    process.stderr.write(`\r[${"#".repeat(filled)}${".".repeat(width - filled)}] ${text}\x1b[K`);
  } else if (percent >= lastShown + 5 || percent === 100) {
    // Not a terminal (a log, a test): one line per 5 %.
    lastShown = percent;
    process.stderr.write(`progress ${text}\n`);
  }
}

const sources: ImportSource[] = names.map((name) => ({ name, resourceType: resourceTypeOfFile(name), open: () => createReadStream(join(dir, name), { highWaterMark: 1 << 20 }) }));
let status = 0;
try {
  const result = await importNdjson(process.env.CHARTPROOF_IMPORT_TOKEN ?? null, sources, { ip: null, requestId: `import:${Date.now()}` }, {
    checkpoint,
    ...(chunk ? { chunkSize: Math.max(1, Number(chunk)) } : {}),
    onCheckpoint: save,
    onProgress: show,
    onBadLine: (bad) => {
      if (tty) process.stderr.write("\r\x1b[K");
      console.error(`${bad.file}:${bad.line}: ${bad.problems.join(" | ")}`);
      refused.add(`${bad.file}:${bad.line}`);
    },
  });
  if (tty) process.stderr.write("\n");
  console.log(
    `Imported ${dir}: ${result.created} records created, ${result.corrected} corrected, ${result.unchanged} already stored, ${result.directory} directory entries, ` +
      `${result.skipped} skipped (types not kept), ${result.patients} patients matched, ${refused.size} lines refused` +
      `${result.resumedPast ? `; resumed past ${result.resumedPast} lines stored before` : ""} (${((Date.now() - started) / 1000).toFixed(1)} s).`,
  );
  status = refused.size ? 2 : 0;
  // Finished: nothing to resume. Running it again checks every line anew (each already stored, nothing created).
  await rm(state, { force: true });
} catch (error) {
  if (tty) process.stderr.write("\n");
  if (error instanceof ImportRefusedError) console.error(error.message);
  else if (error instanceof ServiceAuthError) console.error("Refused: CHARTPROOF_IMPORT_TOKEN is missing, unknown, expired or revoked (Admin → Service credentials).");
  else console.error(`The import failed: ${error instanceof Error ? (error.stack ?? error.message) : String(error)}\nRun the same command again to resume.`);
  status = 1;
} finally {
  await disconnectDb();
}
process.exit(status);
