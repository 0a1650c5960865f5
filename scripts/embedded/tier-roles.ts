import { existsSync } from "node:fs";
import { readFile, writeFile } from "node:fs/promises";
import { join } from "node:path";
import type { TierAccess } from "./demo-stack";
import { newRolePassword } from "./postgres";

/** The embedded cluster is this installation's alone, so its tier roles have fixed names. */
export const EMBEDDED_TIER_ROLES = { web: "chartproof_web", worker: "chartproof_worker" } as const;

/** Passwords generated once per installation and kept (0600) beside the cluster's own credentials. */
export async function embeddedTierAccess(dataDir: string): Promise<TierAccess> {
  const file = join(dataDir, "postgres", "tier-roles.json");
  let passwords: { web: string; worker: string };
  if (existsSync(file)) passwords = JSON.parse(await readFile(file, "utf8")) as typeof passwords;
  else {
    passwords = { web: newRolePassword(), worker: newRolePassword() };
    await writeFile(file, JSON.stringify(passwords), { mode: 0o600 });
  }
  return { kind: "create", names: EMBEDDED_TIER_ROLES, passwords };
}

type SavedRoles = { database: string; webUrl: string; workerUrl: string };

/** Where `npm run db:roles` leaves the tiers' URLs for `npm start` (0600; the operator may copy them elsewhere). */
export const savedRolesFile = (dataDir: string) => join(dataDir, "database-roles.json");

/** "host:port/database": which database a saved pair of URLs belongs to. */
export function databaseKey(url: string): string {
  const parsed = new URL(url);
  return `${parsed.hostname}:${parsed.port || 5432}${parsed.pathname}`;
}

export async function savedTierUrls(dataDir: string, ownerUrl: string): Promise<TierAccess | null> {
  const file = savedRolesFile(dataDir);
  if (!existsSync(file)) return null;
  const saved = JSON.parse(await readFile(file, "utf8")) as SavedRoles;
  return saved.database === databaseKey(ownerUrl) ? { kind: "given", webUrl: saved.webUrl, workerUrl: saved.workerUrl } : null;
}

export async function saveTierUrls(dataDir: string, ownerUrl: string, urls: { webUrl: string; workerUrl: string }): Promise<string> {
  const file = savedRolesFile(dataDir);
  await writeFile(file, JSON.stringify({ database: databaseKey(ownerUrl), ...urls } satisfies SavedRoles), { mode: 0o600 });
  return file;
}
