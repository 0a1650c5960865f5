import "server-only";
import { appendFile, mkdir, readFile } from "node:fs/promises";
import { join } from "node:path";
import { env } from "@/lib/env";

/**
 * The embedded code-delivery channel: one-time codes for EXISTING staff accounts (password resets, replacement
 * activation codes) are appended here for the operator to hand over, never shown to the administrator who asked —
 * otherwise an admin could reset a doctor's password and sign in as the doctor. One JSON line per code; the file is
 * created 0600 in a 0700 directory. A mail or SMS channel would replace this function.
 */
export type OutboxEntry = { to: string; name: string; purpose: "ACTIVATION" | "PASSWORD_RESET"; code: string; expiresAt: string; requestId: string | null };

export function outboxFile(): string {
  return join(env().CODE_OUTBOX_DIR, "codes.jsonl");
}

export async function deliverCode(entry: OutboxEntry): Promise<void> {
  await mkdir(env().CODE_OUTBOX_DIR, { recursive: true, mode: 0o700 });
  await appendFile(outboxFile(), `${JSON.stringify({ ...entry, at: new Date().toISOString() })}\n`, { mode: 0o600 });
}

/** The outbox as written (for the operator's tooling and the tests). */
export async function readOutbox(): Promise<(OutboxEntry & { at: string })[]> {
  const text = await readFile(outboxFile(), "utf8").catch(() => "");
  return text
    .split("\n")
    .filter(Boolean)
    .map((line) => JSON.parse(line) as OutboxEntry & { at: string });
}
