/**
 * The bulk NDJSON import (issue #24, part 3/4) for `npm run bench -- --import`: a Bulk Data export of Synthea-shaped
 * patients (tests/fixtures/fhir/synthea-ndjson.ts) written to a folder, imported by `npm run import` as a child
 * process on the web tier's role, timed to its exit and then until every record is anchored by the running worker.
 */
import { readFileSync } from "node:fs";
import { writeFile } from "node:fs/promises";
import { join } from "node:path";
import { syntheaNdjson } from "../../tests/fixtures/fhir/synthea-ndjson";
import { dispositionOf } from "../../lib/fhir/intake/resource-types";

export const IMPORT_BENCH = { records: 100_000, quickRecords: 10_000, patients: 100 } as const;

export type ImportPerson = { family: string; given: string; birthDate: string; mrn: { system: string; value: string } };

/** Writes the export; returns how many record lines (those stored as records) it holds. */
export async function writeExport(folder: string, people: ImportPerson[], records: number): Promise<{ recordLines: number; lines: number; bytes: number }> {
  // Records per encounter of one patient's bundle, measured on a small one, to reach `records` in all.
  const probe = syntheaNdjson(1, people.slice(0, 1), 4);
  const perEncounter = [...probe].filter(([name]) => dispositionOf(name.replace(".ndjson", "")) === "record").reduce((n, [, lines]) => n + lines.length, 0) / 4;
  const encounters = Math.max(1, Math.round(records / people.length / perEncounter));
  const files = syntheaNdjson(7, people, encounters);
  let recordLines = 0;
  let lines = 0;
  let bytes = 0;
  for (const [name, content] of files) {
    const text = `${content.join("\n")}\n`;
    await writeFile(join(folder, name), text);
    lines += content.length;
    bytes += Buffer.byteLength(text);
    if (dispositionOf(name.replace(".ndjson", "")) === "record") recordLines += content.length;
  }
  return { recordLines, lines, bytes };
}

type ProfileNode = { id: number; callFrame: { functionName: string; url: string; lineNumber: number }; hitCount?: number; children?: number[] };

/**
 * Where the import's CPU time went (a V8 .cpuprofile from `--cpu-prof`): self time by package or source file, the
 * largest first — enough to tell validation from canonicalization from the database driver.
 */
export function profileSummary(path: string, top = 12): { where: string; share: number }[] {
  const profile = JSON.parse(readFileSync(path, "utf8")) as { nodes: ProfileNode[]; samples: number[] };
  const hits = new Map<number, number>();
  for (const s of profile.samples) hits.set(s, (hits.get(s) ?? 0) + 1);
  const byPlace = new Map<string, number>();
  for (const node of profile.nodes) {
    const n = hits.get(node.id) ?? 0;
    if (!n) continue;
    const url = node.callFrame.url;
    const pkg = /node_modules\/((?:@[^/]+\/)?[^/]+)/.exec(url)?.[1];
    // By package (or our own file): which part of the work, not which minified function.
    const place = pkg ?? (url ? url.replace(/^file:\/\//, "").replace(`${process.cwd()}/`, "") : `(${node.callFrame.functionName || "program"})`);
    byPlace.set(place, (byPlace.get(place) ?? 0) + n);
  }
  const total = profile.samples.length;
  return [...byPlace].sort((a, b) => b[1] - a[1]).slice(0, top).map(([where, n]) => ({ where, share: n / total }));
}
