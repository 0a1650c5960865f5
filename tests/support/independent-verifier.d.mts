// Types for the independent verifier (plain JavaScript on purpose: it shares nothing with the product).
export type Step = { s: "L" | "R"; h: string };
export function canonicalJson(value: unknown): string;
export function commitmentOf(record: Record<string, unknown>, salt: string): { canonicalResource: string; preimage: string; commitment: string };
export function node(left: string, right: string): string;
export function walk(leaf: string, proof: readonly Step[]): string;
export function levels(leaves: readonly string[]): string[][];
export function verifyBundleOffline(bundle: unknown): { commitment: boolean; batchPath: boolean; checkpointPath: boolean | null };
export function authorised(anchors: unknown, role: "private" | "public", writer: string, block: string): boolean;
export function checkVectors(vectors: unknown): { failures: string[] };
