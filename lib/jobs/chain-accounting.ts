import { createHash } from "node:crypto";
import { db } from "@/lib/db";
import { env } from "@/lib/env";
import { log } from "@/lib/log";
import { merkleRoot, rootFromProof, type Hex32 } from "@/lib/integrity";
import { blockTimes, type OnChainRoot } from "@/lib/ledger";
import { appendAccessEvent } from "@/lib/audit";
import { isSealNumber, onChainRootsOf } from "@/lib/audit/on-chain-seals";
import { rebuilds, sealRowsFor } from "@/lib/audit/sealed-heads";
import { manifestHash } from "@/lib/research/manifest";
import type { Ledger } from "@/lib/verification";
import type { AlertKind } from "@/lib/alerts/kinds";
import { raiseAlert } from "./alerts";

/*
 * Chain-first accounting (docs/decisions/022-chain-first-accounting.md). What exists is what the contract's
 * RootAnchored events say exists; the database must account for every root, in full, on every run:
 *   - a record batch: its rows' commitments, in leaf order, rebuild the root; every leaf has exactly one live row
 *     (an erased record keeps its row, commitment and leaf), and the anchored-leaf registry agrees with the rows;
 *   - a tombstone or an export manifest: its statement or manifest hashes to the root;
 *   - a seal: its row's heads rebuild the root (rows missing or with another root are the access-log check's, which
 *     compares every seal with its row on the same schedule).
 * Then the other way: every unit the database says is confirmed is on chain with its root. And creation events:
 * every `record.created` event has its record (or tombstone), every record exactly one creation event (its earliest),
 * every superseded record an anchored successor that names it.
 *
 * Set-based throughout: one statement per group of batches for the leaves, one for the creation events, one for
 * supersession; no per-row round trips (1,000,000 records: docs/performance.md).
 */

export type ChainBreakKind =
  /** A root on chain with no unit in the database (a restore from an older backup, or a leaked writer key). */
  | "root_unaccounted"
  /** The unit's rows do not rebuild its on-chain root, and no single leaf explains why. */
  | "root_unreproduced"
  /** A leaf of an on-chain batch that no live record row holds. */
  | "leaf_without_row"
  /** Two rows claim the same leaf. */
  | "leaf_claimed_twice"
  /** A row (or the anchored-leaf registry) claims a leaf whose commitment it does not match. */
  | "leaf_mismatch"
  /** One record (by id, or by its commitment) sits at two leaves. */
  | "record_in_two_leaves"
  /** A unit the database says is confirmed, which its chain does not hold, or holds with another root. */
  | "unit_not_on_chain"
  | "unit_root_differs"
  /** A seal row whose heads do not rebuild the root the chain holds for it. */
  | "seal_unreproduced";

export type CreationBreakKind =
  /** A `record.created` event whose record is gone, with no tombstone. */
  | "creation_without_record"
  /** A record with no creation event, several, or one that is not its earliest. */
  | "record_creation_count"
  /** A record marked superseded that no anchored successor names. */
  | "supersession_unaccounted";

export type ChainBreak = {
  break: ChainBreakKind;
  batchNumber: string;
  leafIndex?: number;
  recordId?: string;
  patientId?: string;
  /** For a leaf at two places: the other one. */
  otherBatchNumber?: string;
  otherLeafIndex?: number;
  /** When the chain anchored the root: what the database has been missing since. */
  missingSince?: string;
  unitKind?: string;
  /** A lost leaf's commitment, recovered from its sibling's proof: how its record is named when no row is left. */
  commitment?: string;
};

export type CreationBreak = { break: CreationBreakKind; recordId: string; patientId?: string; events?: number; since?: string };

export type AccountingReport = {
  rootsOnChain: number;
  recordBatches: number;
  leaves: number;
  tombstones: number;
  manifests: number;
  seals: number;
  creationEvents: number;
  chainBreaks: ChainBreak[];
  creationBreaks: CreationBreak[];
  alertsRaised: number;
  ms: number;
};

type Unit = { id: string; number: bigint; kind: string; root: string; status: string; recordCount: number };

// One statement per group of batches: the leaves of ~64 batches of 1,024 (one page of the sweep's rebuild).
const LEAVES_PER_GROUP = 65_536;
const SEALS_PER_READ = 5_000;
/** At most this many breaks of one kind are reported per run (the first ones; the next run reports the rest). */
const MAX_BREAKS = 1_000;

const lower = (s: string) => s.toLowerCase();

/**
 * Accounts for every root the private chain holds, and for every creation event. Each break is a critical alert
 * (deduplicated per batch and leaf, or per record) naming the batch and leaf, and the record and patient wherever a row
 * or event still names them. Ends with an access event `integrity.accounted`.
 * @throws LedgerError when the chain cannot be read: nothing was checked.
 */
export async function accountForChain(ledger: Ledger): Promise<AccountingReport> {
  const started = performance.now();
  const roots = await onChainRootsOf(ledger);
  const chainBreaks: ChainBreak[] = [];
  const report: AccountingReport = {
    rootsOnChain: roots.length,
    recordBatches: 0,
    leaves: 0,
    tombstones: 0,
    manifests: 0,
    seals: 0,
    creationEvents: 0,
    chainBreaks,
    creationBreaks: [],
    alertsRaised: 0,
    ms: 0,
  };

  const units = await db().$queryRaw<{ id: string; number: bigint; kind: string; root: string; status: string; recordCount: number }[]>`
    SELECT id::text, "batchNumber" AS number, kind::text, root, status::text, "recordCount"
    FROM "AnchorBatch"
    WHERE "chainId" = ${ledger.chainId} AND lower("contractAddress") = ${lower(ledger.contractAddress)}`;
  const unitByNumber = new Map<bigint, Unit>(units.map((u) => [u.number, u]));
  const chainByNumber = new Map<bigint, OnChainRoot>(roots.map((r) => [r.number, r]));

  const recordBatches: { unit: Unit; chain: OnChainRoot }[] = [];
  const tombstoneUnits: { unit: Unit; chain: OnChainRoot }[] = [];
  const manifestUnits: { unit: Unit; chain: OnChainRoot }[] = [];
  const unaccounted: OnChainRoot[] = [];
  for (const root of roots) {
    const unit = unitByNumber.get(root.number);
    // A seal's missing row is the access-log check's break (seal_missing); its heads are rebuilt below.
    if (!unit) {
      if (!isSealNumber(root.number)) unaccounted.push(root);
      continue;
    }
    // A FAILED unit lost its number to another root (its anchoring conflict alert said so): nothing of ours is there.
    if (unit.status === "FAILED") continue;
    if (lower(unit.root) !== root.root) chainBreaks.push({ break: "unit_root_differs", batchNumber: root.number.toString(), unitKind: unit.kind });
    if (unit.kind === "RECORDS") recordBatches.push({ unit, chain: root });
    else if (unit.kind === "TOMBSTONE") tombstoneUnits.push({ unit, chain: root });
    else if (unit.kind === "EXPORT_MANIFEST") manifestUnits.push({ unit, chain: root });
  }
  // The other way: what the database says the chain holds.
  for (const unit of units) {
    if (unit.status === "CONFIRMED" && !chainByNumber.has(unit.number)) chainBreaks.push({ break: "unit_not_on_chain", batchNumber: unit.number.toString(), unitKind: unit.kind });
  }
  if (unaccounted.length > 0) {
    const times = await blockTimes(ledger.clients, unaccounted.slice(0, MAX_BREAKS).map((r) => r.blockNumber));
    for (const root of unaccounted.slice(0, MAX_BREAKS)) {
      chainBreaks.push({ break: "root_unaccounted", batchNumber: root.number.toString(), missingSince: times.get(root.blockNumber)?.toISOString() });
    }
  }

  await accountForRecordBatches(recordBatches, chainBreaks, report);
  report.tombstones = await accountForHashedUnits(tombstoneUnits, "TOMBSTONE", chainBreaks);
  report.manifests = await accountForHashedUnits(manifestUnits, "EXPORT_MANIFEST", chainBreaks);
  report.seals = await accountForSeals(ledger, roots.filter((r) => isSealNumber(r.number)), chainBreaks);
  await nameTheRecords(chainBreaks);
  const creation = await accountForCreationEvents();
  report.creationEvents = creation.events;
  report.creationBreaks = creation.breaks;

  const alerts: { kind: AlertKind; details: ChainBreak | CreationBreak; dedupeKey: string }[] = [
    ...chainBreaks.map((b) => ({ kind: CHAIN_ALERT, details: b, dedupeKey: `${b.break}:${b.leafIndex === undefined ? b.batchNumber : `${b.batchNumber}:${b.leafIndex}`}` })),
    ...creation.breaks.map((b) => ({ kind: CREATION_ALERT, details: b, dedupeKey: `${b.break}:${b.recordId}` })),
  ];
  // A mass deletion is a million lost leaves: the first MAX_BREAKS are alerts, the rest are counted in the report and
  // the log line (every run reports the next ones as the earlier are closed).
  const raising = alerts.slice(0, MAX_BREAKS);
  const closed = await closedBreaks(raising.map((a) => a.dedupeKey));
  for (const a of raising) {
    if (closed.has(`${a.kind}|${a.dedupeKey}`)) continue;
    if (await raiseAlert({ kind: a.kind, severity: "CRITICAL", details: stripUndefined(a.details), dedupeKey: a.dedupeKey })) report.alertsRaised += 1;
  }
  report.ms = Math.round(performance.now() - started);
  if (chainBreaks.length + creation.breaks.length > 0) log.error({ chainBreaks: chainBreaks.length, creationBreaks: creation.breaks.length }, "chain accounting found breaks");
  await appendAccessEvent(
    {
      actor: "SYSTEM",
      action: "integrity.accounted",
      outcome: "ALLOWED",
      purpose: "OPERATIONS",
      details: {
        rootsOnChain: report.rootsOnChain,
        recordBatches: report.recordBatches,
        leaves: report.leaves,
        seals: report.seals,
        creationEvents: report.creationEvents,
        chainBreaks: chainBreaks.length,
        creationBreaks: creation.breaks.length,
        ms: report.ms,
      },
    },
    { ip: null, requestId: null },
  );
  return report;
}

export const CHAIN_ALERT: AlertKind = "integrity.chain_unaccounted";
export const CREATION_ALERT: AlertKind = "integrity.creation_unaccounted";

/**
 * Breaks an officer has closed with a note (docs/operations/restore-and-incident.md): the same break is not raised
 * again, so that a root the hospital did not write (a leaked key's), once investigated, is one alert, not one a run.
 */
async function closedBreaks(keys: string[]): Promise<Set<string>> {
  if (keys.length === 0) return new Set();
  const rows = await db().$queryRaw<{ kind: string; key: string }[]>`
    SELECT kind, details ->> 'dedupeKey' AS key FROM "Alert"
    WHERE kind IN (${CHAIN_ALERT}, ${CREATION_ALERT}) AND "reviewedAt" IS NOT NULL AND details ->> 'dedupeKey' = ANY(${keys}::text[])`;
  return new Set(rows.map((r) => `${r.kind}|${r.key}`));
}

function stripUndefined<T extends object>(value: T): Record<string, unknown> {
  return Object.fromEntries(Object.entries(value).filter(([, v]) => v !== undefined));
}

type LeafRow = {
  n: bigint;
  leaf: number;
  rowId: string | null;
  rowCommitment: string | null;
  patientId: string | null;
  leafRecordId: string | null;
  leafCommitment: string | null;
};

/**
 * Every on-chain record batch rebuilt from its rows, a group of batches per statement: the rows and the anchored-leaf
 * registry of each leaf side by side (a full join on batch and leaf), in leaf order.
 */
async function accountForRecordBatches(batches: { unit: Unit; chain: OnChainRoot }[], breaks: ChainBreak[], report: AccountingReport): Promise<void> {
  report.recordBatches = batches.length;
  // A commitment that is some leaf's, and where: to find one record at two leaves, and to name a leaf with no row.
  const lostLeaves: { batchNumber: string; leafIndex: number; commitment: string | null }[] = [];
  const rowLeaf = new Map<string, { batchNumber: string; leafIndex: number; recordId: string; patientId: string | null }>();
  const siblingsWanted: { batchId: string; leafIndex: number; lost: (typeof lostLeaves)[number] }[] = [];
  for (let start = 0; start < batches.length; ) {
    const group: typeof batches = [];
    let leaves = 0;
    while (start < batches.length && (group.length === 0 || leaves + batches[start]!.unit.recordCount <= LEAVES_PER_GROUP)) {
      leaves += batches[start]!.unit.recordCount;
      group.push(batches[start++]!);
    }
    const ids = group.map((g) => g.unit.id);
    const rows = await db().$queryRaw<LeafRow[]>`
      WITH r AS (SELECT "batchId", "leafIndex", id, commitment, "patientId" FROM "MedicalRecord" WHERE "batchId" = ANY(${ids}::uuid[])),
           l AS (SELECT "batchId", "leafIndex", "recordId", commitment FROM "AnchoredLeaf" WHERE "batchId" = ANY(${ids}::uuid[]))
      SELECT b."batchNumber" AS n, coalesce(r."leafIndex", l."leafIndex") AS leaf, r.id::text AS "rowId", r.commitment AS "rowCommitment",
        r."patientId"::text AS "patientId", l."recordId"::text AS "leafRecordId", l.commitment AS "leafCommitment"
      FROM r FULL JOIN l ON l."batchId" = r."batchId" AND l."leafIndex" = r."leafIndex"
      JOIN "AnchorBatch" b ON b.id = coalesce(r."batchId", l."batchId")
      ORDER BY b."batchNumber", leaf`;
    const byBatch = new Map<bigint, LeafRow[]>();
    for (const row of rows) {
      const list = byBatch.get(row.n);
      if (list) list.push(row);
      else byBatch.set(row.n, [row]);
    }
    for (const { unit, chain } of group) {
      const batchNumber = unit.number.toString();
      const entries = byBatch.get(unit.number) ?? [];
      const maxLeaf = entries.reduce((m, e) => Math.max(m, e.leaf ?? -1), -1);
      const count = Math.max(unit.recordCount, maxLeaf + 1);
      const at: LeafRow[][] = Array.from({ length: count }, () => []);
      for (const e of entries) if (e.leaf !== null && e.leaf >= 0) at[e.leaf]!.push(e);
      report.leaves += count;
      const commitments: (string | null)[] = new Array(count).fill(null);
      let leafBreaks = 0;
      const lostHere: (typeof lostLeaves)[number][] = [];
      for (let i = 0; i < count; i++) {
        const claims = at[i]!;
        const rowClaims = claims.filter((c) => c.rowId !== null);
        const named = claims.find((c) => c.leafRecordId !== null);
        if (rowClaims.length === 0) {
          // Named by the registry if it still has the leaf; else by its commitment, recovered below.
          lostHere.push({ batchNumber, leafIndex: i, commitment: named?.leafCommitment ?? null });
          if (named) breaks.push({ break: "leaf_without_row", batchNumber, leafIndex: i, recordId: named.leafRecordId! });
          leafBreaks += 1;
          continue;
        }
        for (const c of rowClaims) rowLeaf.set(c.rowId!, { batchNumber, leafIndex: i, recordId: c.rowId!, patientId: c.patientId });
        if (new Set(rowClaims.map((c) => c.rowId)).size > 1) {
          for (const c of rowClaims) breaks.push({ break: "leaf_claimed_twice", batchNumber, leafIndex: i, recordId: c.rowId!, patientId: c.patientId ?? undefined });
          leafBreaks += 1;
          continue;
        }
        const row = rowClaims[0]!;
        commitments[i] = row.rowCommitment;
        if (named && (named.leafRecordId !== row.rowId || lower(named.leafCommitment ?? "") !== lower(row.rowCommitment ?? ""))) {
          breaks.push({ break: "leaf_mismatch", batchNumber, leafIndex: i, recordId: row.rowId!, patientId: row.patientId ?? undefined });
          leafBreaks += 1;
        }
      }
      // A leaf with no row: for a one-leaf batch its commitment is the root itself (else its sibling's proof, below).
      for (const lost of lostHere) lostLeaves.push(lost);
      for (const lost of lostHere) {
        if (lost.commitment !== null) continue;
        if (count === 1) lost.commitment = chain.root;
        else if (at[lost.leafIndex ^ 1]?.some((c) => c.rowId !== null)) siblingsWanted.push({ batchId: unit.id, leafIndex: lost.leafIndex ^ 1, lost });
      }
      if (leafBreaks > 0 || commitments.some((c) => c === null)) continue;
      const rebuilt = safeRoot(commitments as string[]);
      if (rebuilt === chain.root) continue;
      // The rows do not rebuild the root: the leaves whose own proofs do not reach the chain's root are the ones.
      const wrong = await leavesOffRoot(unit.id, chain.root as Hex32);
      if (wrong.length === 0) breaks.push({ break: "root_unreproduced", batchNumber, unitKind: "RECORDS" });
      for (const w of wrong) breaks.push({ break: "leaf_mismatch", batchNumber, leafIndex: w.leafIndex, recordId: w.id, patientId: w.patientId });
    }
  }

  // A lost leaf's commitment is the first step of its sibling's stored proof (level 0): read for those rows only.
  siblingsWanted.splice(MAX_BREAKS);
  if (siblingsWanted.length > 0) {
    const proofs = await db().$queryRaw<{ batchId: string; leafIndex: number; sibling: string | null }[]>`
      SELECT r."batchId"::text AS "batchId", r."leafIndex", r.proof -> 0 ->> 'h' AS sibling
      FROM "MedicalRecord" r JOIN unnest(${siblingsWanted.map((w) => w.batchId)}::uuid[], ${siblingsWanted.map((w) => w.leafIndex)}::int[]) AS w(b, i)
        ON r."batchId" = w.b AND r."leafIndex" = w.i`;
    const byPlace = new Map(proofs.map((p) => [`${p.batchId}:${p.leafIndex}`, p.sibling]));
    for (const w of siblingsWanted) {
      const sibling = byPlace.get(`${w.batchId}:${w.leafIndex}`);
      if (sibling) w.lost.commitment = lower(sibling);
    }
  }

  // One record at two leaves: a row elsewhere holds a lost leaf's commitment, or the registry and the row disagree.
  const lostByCommitment = new Map(lostLeaves.filter((l) => l.commitment).slice(0, MAX_BREAKS).map((l) => [lower(l.commitment!), l]));
  if (lostByCommitment.size > 0) {
    const holders = await db().$queryRaw<{ id: string; patientId: string; commitment: string }[]>`
      SELECT id::text, "patientId"::text AS "patientId", lower(commitment) AS commitment FROM "MedicalRecord" WHERE lower(commitment) = ANY(${[...lostByCommitment.keys()]}::text[])`;
    for (const h of holders) {
      const lost = lostByCommitment.get(h.commitment)!;
      const now = rowLeaf.get(h.id);
      breaks.push({
        break: "record_in_two_leaves",
        batchNumber: lost.batchNumber,
        leafIndex: lost.leafIndex,
        recordId: h.id,
        patientId: h.patientId,
        otherBatchNumber: now?.batchNumber,
        otherLeafIndex: now?.leafIndex,
      });
      lostByCommitment.delete(h.commitment);
    }
  }
  const moved = await db().$queryRaw<{ id: string; patientId: string; rowBatch: bigint | null; rowLeaf: number | null; leafBatch: bigint | null; leafLeaf: number }[]>`
    SELECT r.id::text, r."patientId"::text AS "patientId", rb."batchNumber" AS "rowBatch", r."leafIndex" AS "rowLeaf", lb."batchNumber" AS "leafBatch", l."leafIndex" AS "leafLeaf"
    FROM "AnchoredLeaf" l JOIN "MedicalRecord" r ON r.id = l."recordId"
    LEFT JOIN "AnchorBatch" rb ON rb.id = r."batchId" LEFT JOIN "AnchorBatch" lb ON lb.id = l."batchId"
    WHERE r."batchId" IS NOT NULL AND (r."batchId" <> l."batchId" OR r."leafIndex" <> l."leafIndex")
    LIMIT ${MAX_BREAKS}`;
  for (const m of moved) {
    if (breaks.some((b) => b.break === "record_in_two_leaves" && b.recordId === m.id)) continue;
    breaks.push({
      break: "record_in_two_leaves",
      batchNumber: String(m.leafBatch ?? "?"),
      leafIndex: m.leafLeaf,
      recordId: m.id,
      patientId: m.patientId,
      otherBatchNumber: m.rowBatch?.toString(),
      otherLeafIndex: m.rowLeaf ?? undefined,
    });
  }
  // Lost leaves nobody holds any more: named by whatever still names their commitment.
  const reported = new Set(breaks.map((b) => `${b.batchNumber}:${b.leafIndex}`));
  for (const lost of lostLeaves) {
    if (!reported.has(`${lost.batchNumber}:${lost.leafIndex}`)) breaks.push({ break: "leaf_without_row", batchNumber: lost.batchNumber, leafIndex: lost.leafIndex, commitment: lost.commitment ?? undefined });
  }
}

function safeRoot(commitments: string[]): string | null {
  try {
    return merkleRoot(commitments.map(lower) as Hex32[]);
  } catch {
    return null;
  }
}

/** The rows of a batch whose commitment and stored proof do not lead to the chain's root (read only for a failed batch). */
async function leavesOffRoot(batchId: string, root: Hex32): Promise<{ id: string; patientId: string; leafIndex: number }[]> {
  const rows = await db().medicalRecord.findMany({ where: { batchId }, select: { id: true, patientId: true, leafIndex: true, commitment: true, proof: true } });
  return rows
    .filter((r) => {
      try {
        return rootFromProof(lower(r.commitment) as Hex32, r.proof)?.toLowerCase() !== root;
      } catch {
        return true;
      }
    })
    .map((r) => ({ id: r.id, patientId: r.patientId, leafIndex: r.leafIndex ?? -1 }));
}

/** Tombstones and export manifests: the stored statement or manifest hashes to the root the chain holds. */
async function accountForHashedUnits(units: { unit: Unit; chain: OnChainRoot }[], kind: "TOMBSTONE" | "EXPORT_MANIFEST", breaks: ChainBreak[]): Promise<number> {
  if (units.length === 0) return 0;
  const ids = units.map((u) => u.unit.id);
  const hashes = new Map<string, string>();
  if (kind === "TOMBSTONE") {
    for (const t of await db().recordTombstone.findMany({ where: { batchId: { in: ids } }, select: { batchId: true, statement: true } })) {
      hashes.set(t.batchId!, `0x${createHash("sha256").update(t.statement).digest("hex")}`);
    }
  } else {
    for (const e of await db().researchExport.findMany({ where: { batchId: { in: ids } }, select: { batchId: true, manifest: true } })) {
      hashes.set(e.batchId!, manifestHash(e.manifest).hash);
    }
  }
  for (const { unit, chain } of units) {
    if (hashes.get(unit.id)?.toLowerCase() !== chain.root) breaks.push({ break: "root_unreproduced", batchNumber: unit.number.toString(), unitKind: kind });
  }
  return units.length;
}

/** Every seal on chain whose row has the chain's root: its heads rebuild that root. */
async function accountForSeals(ledger: Ledger, seals: OnChainRoot[], breaks: ChainBreak[]): Promise<number> {
  for (let i = 0; i < seals.length; i += SEALS_PER_READ) {
    const page = seals.slice(i, i + SEALS_PER_READ);
    const rows = await sealRowsFor(ledger, page.map((s) => s.number));
    for (const seal of page) {
      const row = rows.get(seal.number);
      // A missing row, or one with another root, is the access-log check's break (seal_missing, seal_mismatch).
      if (row && lower(row.root) === seal.root && !rebuilds(row, seal)) breaks.push({ break: "seal_unreproduced", batchNumber: seal.number.toString(), unitKind: "AUDIT_SEAL" });
    }
  }
  return seals.length;
}

/** Names the record and patient of breaks that lack them, from whatever row or event still names the record. */
async function nameTheRecords(all: ChainBreak[]): Promise<void> {
  // Only those that will be alerts this run.
  const breaks = all.slice(0, MAX_BREAKS);
  const byCommitment = breaks.filter((b) => !b.recordId && b.commitment);
  if (byCommitment.length > 0) {
    const commitments = byCommitment.map((b) => lower(b.commitment!));
    const named = await db().$queryRaw<{ commitment: string; recordId: string; patientId: string | null }[]>`
      SELECT lower(t.commitment) AS commitment, t."recordId"::text AS "recordId", NULL::text AS "patientId" FROM "RecordTombstone" t WHERE lower(t.commitment) = ANY(${commitments}::text[])
      UNION ALL
      SELECT lower(e.details ->> 'commitment'), e.details ->> 'recordId', e."patientId"::text FROM "AccessEvent" e
      WHERE e.action = 'record.created' AND lower(e.details ->> 'commitment') = ANY(${commitments}::text[])`;
    const found = new Map(named.map((n) => [n.commitment, n]));
    for (const b of byCommitment) {
      const n = found.get(lower(b.commitment!));
      if (n) {
        b.recordId = n.recordId;
        if (n.patientId) b.patientId = n.patientId;
      }
    }
  }
  const needPatient = breaks.filter((b) => b.recordId && !b.patientId);
  if (needPatient.length > 0) {
    const ids = [...new Set(needPatient.map((b) => b.recordId!))];
    const named = await db().$queryRaw<{ recordId: string; patientId: string }[]>`
      SELECT "recordId"::text AS "recordId", "patientId"::text AS "patientId" FROM "RecordCheck" WHERE "recordId"::text = ANY(${ids}::text[])
      UNION ALL
      SELECT details ->> 'recordId', "patientId"::text FROM "AccessEvent"
      WHERE action = 'record.created' AND details ->> 'recordId' = ANY(${ids}::text[]) AND "patientId" IS NOT NULL`;
    const found = new Map(named.map((n) => [n.recordId, n.patientId]));
    for (const b of needPatient) {
      const patientId = found.get(b.recordId!);
      if (patientId) b.patientId = patientId;
    }
  }
}

/**
 * Creation events accounted for, in two statements over the whole tables: every `record.created` event's record (or
 * tombstone) exists; every record has exactly one creation event, and its own is the earliest (a row anchored before
 * creation events existed, recipe v2, is left to its leaf as verification leaves it); every superseded record has a
 * successor that names it in what it committed (recipe v2 commits `supersedesId`; v1 names it in its creation event),
 * anchored — or still within the anchoring window.
 */
async function accountForCreationEvents(): Promise<{ events: number; breaks: CreationBreak[] }> {
  const breaks: CreationBreak[] = [];
  const [counted] = await db().$queryRaw<{ events: bigint }[]>`SELECT count(*) AS events FROM "AccessEvent" WHERE action = 'record.created'`;
  const rows = await db().$queryRaw<{ recordId: string; patientId: string | null; events: number; noRow: boolean; since: Date | null }[]>`
    WITH e AS (
      SELECT details ->> 'recordId' AS id, count(*)::int AS n, min(seq) AS first, min("occurredAt") AS at,
        (array_agg("patientId"::text ORDER BY seq))[1] AS patient
      FROM "AccessEvent" WHERE action = 'record.created' GROUP BY 1
    ),
    r AS (SELECT id::text AS id, "patientId"::text AS patient, "creationEventSeq" AS seq, status, "recipeVersion" FROM "MedicalRecord")
    SELECT coalesce(r.id, e.id) AS "recordId", coalesce(r.patient, e.patient) AS "patientId", coalesce(e.n, 0) AS events,
      (r.id IS NULL) AS "noRow", e.at AS since
    FROM e FULL JOIN r ON r.id = e.id
    WHERE (r.id IS NULL AND NOT EXISTS (SELECT 1 FROM "RecordTombstone" t WHERE t."recordId"::text = e.id))
       OR (r.id IS NOT NULL AND e.id IS NULL AND NOT (r.seq IS NULL AND r.status = 'ANCHORED' AND r."recipeVersion" <> 1))
       OR (r.id IS NOT NULL AND e.n > 1)
       OR (r.id IS NOT NULL AND r.seq IS NOT NULL AND e.first IS DISTINCT FROM r.seq)
    LIMIT ${MAX_BREAKS}`;
  for (const row of rows) {
    breaks.push({
      break: row.noRow ? "creation_without_record" : "record_creation_count",
      recordId: row.recordId,
      ...(row.patientId ? { patientId: row.patientId } : {}),
      events: row.events,
      ...(row.since ? { since: row.since.toISOString() } : {}),
    });
  }
  const windowMinutes = env().PENDING_WARN_MINUTES;
  const superseded = await db().$queryRaw<{ recordId: string; patientId: string; since: Date }[]>`
    SELECT o.id::text AS "recordId", o."patientId"::text AS "patientId", o."supersededAt" AS since
    FROM "MedicalRecord" o
    WHERE o."supersededAt" IS NOT NULL AND NOT EXISTS (
      SELECT 1 FROM "MedicalRecord" s
      WHERE s."supersedesId" = o.id
        AND (s.status = 'ANCHORED' OR s."createdAt" > now() - make_interval(mins => ${windowMinutes}::int))
        AND (s."recipeVersion" >= 2 OR EXISTS (
          SELECT 1 FROM "AccessEvent" e WHERE e.action = 'record.created' AND e.details ->> 'recordId' = s.id::text AND e.details ->> 'supersedes' = o.id::text)))
    LIMIT ${MAX_BREAKS}`;
  for (const s of superseded) breaks.push({ break: "supersession_unaccounted", recordId: s.recordId, patientId: s.patientId, since: s.since.toISOString() });
  return { events: Number(counted?.events ?? 0n), breaks };
}
