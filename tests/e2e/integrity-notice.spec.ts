import { expect, test, type Page } from "@playwright/test";
import { expectAccessible, login, type Locale } from "./fixtures";

const SHOTS = "docs/screenshots";

/** The e2e server's database as its owner, with the history triggers off: the insider of the threat model. */
async function asInsider<T = Record<string, unknown>>(statement: string, values: unknown[] = []): Promise<T[]> {
  const { readFile } = await import("node:fs/promises");
  const { e2eDatabaseFile } = await import("./database-file");
  const pg = (await import("pg")).default;
  const { databaseUrl } = JSON.parse(await readFile(e2eDatabaseFile(Number(process.env.E2E_PORT ?? 3100)), "utf8")) as { databaseUrl: string };
  const client = new pg.Client({ connectionString: databaseUrl });
  await client.connect();
  try {
    await client.query("SET session_replication_role = replica");
    return (await client.query(statement, values)).rows as T[];
  } finally {
    await restore();
  }
});
