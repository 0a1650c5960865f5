import { z } from "zod";

// The hospital's published trust anchors (docs/proof-format.md § Trust anchors, ADR 027): which chains and which
// RecordAnchor contracts an outsider must pin, the code those contracts run, and which writer keys were authorised
// when. Pure: parsing and the checks only; reading them from a chain is lib/ledger/trust-anchors.ts.

export const TRUST_ANCHORS_FORMAT = "chartproof-trust-anchors/1";

const addressSchema = z.string().regex(/^0x[0-9a-f]{40}$/, "expected a lower-case 20-byte hex address");
const hash32Schema = z.string().regex(/^0x[0-9a-f]{64}$/, "expected 0x and 64 lower-case hex digits");
const blockSchema = z.string().regex(/^(0|[1-9][0-9]{0,30})$/, "expected a block number as a decimal string");
const eventRefSchema = z.object({ block: blockSchema, txHash: hash32Schema }).strict();

export const writerPeriodSchema = z
  .object({
    address: addressSchema,
    /** The RoleGranted(WRITER_ROLE) that made it a writer: roots from this block on. */
    from: eventRefSchema,
    /** The RoleRevoked that ended it (roots in blocks before this one only), or null while it is a writer. */
    until: eventRefSchema.nullable(),
  })
  .strict();

export const chainAnchorSchema = z
  .object({
    /** "private": the batch roots; "public": the checkpoints over them. */
    role: z.enum(["private", "public"]),
    chainId: z.number().int().positive(),
    contract: addressSchema,
    deployment: eventRefSchema,
    /** keccak256 of the contract's runtime code (eth_getCode), as the EVM's EXTCODEHASH gives it. */
    runtimeCodeHash: hash32Schema,
    writers: z.array(writerPeriodSchema).max(1000),
  })
  .strict();

export const trustAnchorsSchema = z
  .object({
    format: z.literal(TRUST_ANCHORS_FORMAT),
    /** 1 at deployment, +1 on every writer grant or revocation on any of the chains. */
    version: z.number().int().min(1),
    chains: z.array(chainAnchorSchema).min(1).max(2),
  })
  .strict()
  .refine((a) => new Set(a.chains.map((c) => c.role)).size === a.chains.length, { message: "at most one chain per role", path: ["chains"] });

export type WriterPeriod = z.infer<typeof writerPeriodSchema>;
export type ChainAnchor = z.infer<typeof chainAnchorSchema>;
export type TrustAnchors = z.infer<typeof trustAnchorsSchema>;

export function parseTrustAnchors(input: unknown): { ok: true; anchors: TrustAnchors } | { ok: false; problems: string[] } {
  const parsed = trustAnchorsSchema.safeParse(input);
  if (parsed.success) return { ok: true, anchors: parsed.data };
  return { ok: false, problems: parsed.error.issues.slice(0, 10).map((i) => `${i.path.length ? i.path.join(".") : "(anchors)"}: ${i.message}`) };
}

/** A writer-role change as read from the chain, in chain order. */
export type WriterRoleEvent = { kind: "granted" | "revoked"; account: string; block: bigint; txHash: string };

/**
 * The writers' validity periods from the contract's WRITER_ROLE grants and revocations, oldest first. A grant opens a
 * period, the revocation that follows closes it; a second grant of a revoked key opens a new one.
 */
export function writerPeriods(events: readonly WriterRoleEvent[]): WriterPeriod[] {
  const periods: WriterPeriod[] = [];
  const open = new Map<string, WriterPeriod>();
  for (const e of events) {
    const address = e.account.toLowerCase();
    const ref = { block: e.block.toString(), txHash: e.txHash.toLowerCase() };
    if (e.kind === "granted" && !open.has(address)) {
      const period = { address, from: ref, until: null };
      open.set(address, period);
      periods.push(period);
    } else if (e.kind === "revoked") {
      const period = open.get(address);
      if (period) period.until = ref;
      open.delete(address);
    }
  }
  return periods;
}

/** Whether `writer` was authorised in `block`: some period began at or before it and had not ended by it. */
export function writerAuthorisedAt(anchor: ChainAnchor, writer: string, block: bigint): boolean {
  const address = writer.toLowerCase();
  return anchor.writers.some((p) => p.address === address && BigInt(p.from.block) <= block && (p.until === null || block < BigInt(p.until.block)));
}

/** The anchor for a chain and contract, if the set has one (the address compared case-insensitively). */
export function anchorFor(anchors: TrustAnchors, chainId: number, contract: string): ChainAnchor | null {
  return anchors.chains.find((c) => c.chainId === chainId && c.contract === contract.toLowerCase()) ?? null;
}
