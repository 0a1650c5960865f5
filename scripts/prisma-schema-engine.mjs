#!/usr/bin/env node
// Stand-in for Prisma's native schema engine, which the CLI downloads at start-up and so cannot get
// offline. The CLI finds us through PRISMA_SCHEMA_ENGINE_BINARY (set by scripts/prisma.mjs) and talks
// to us as to the native binary: line-delimited JSON-RPC on stdin/stdout, JSON log lines on stderr.
// Behind it runs the same engine compiled to WebAssembly, with @prisma/adapter-pg as its database
// driver. PostgreSQL only. See docs/decisions/004-migration-engine.md.
import { randomUUID } from "node:crypto";
import { existsSync, readFileSync } from "node:fs";
import { createRequire } from "node:module";
import { dirname, join } from "node:path";
import { createInterface } from "node:readline";
import { PrismaPg } from "@prisma/adapter-pg";
import { bindMigrationAwareSqlAdapterFactory, ColumnTypeEnum } from "@prisma/driver-adapter-utils";
import * as glue from "@prisma/schema-engine-wasm/schema_engine_bg";
import pg from "pg";

const require = createRequire(import.meta.url);
const args = parseArgs(process.argv.slice(2));
const secrets = [args.datasource?.url, args.datasource?.shadowDatabaseUrl].filter(Boolean);

// adapter-pg has no column type for Postgres's internal one-byte "char" (pg_class.relkind,
// pg_constraint.contype...), which the engine reads whenever it inspects a database and wants typed as
// a character. pg hands such columns over as text; typeCharColumns() then restores their type.
const charColumns = new WeakMap(); // a query's rows array -> indexes of its "char" columns
const addFields = pg.Result.prototype.addFields;
pg.Result.prototype.addFields = function (fields) {
  const indexes = fields.flatMap((field, i) => (field.dataTypeID === 18 ? [i] : []));
  for (const i of indexes) fields[i].dataTypeID = 25;
  if (indexes.length) charColumns.set(this.rows, indexes);
  return addFields.call(this, fields);
};

if (args.version) {
  process.stdout.write(`schema-engine-wasm ${(await loadWasm()).version()}\n`);
} else if (args.command) {
  process.exitCode = await runOneShot(args.command);
} else {
  await serve();
  process.exit(); // idle pool connections would otherwise keep us alive after the CLI hangs up
}

// ---- JSON-RPC: what the CLI uses for migrate, db push, db execute, migrate diff ----------------------

async function serve() {
  let engine;
  let factory;
  let request;
  // A panic inside one of the engine's async callbacks escapes the awaited promise.
  process.on("uncaughtException", (error) => {
    const panicked = error?.name === "RuntimeError";
    send({ id: request?.id ?? 0, error: rpcError(error, panicked) });
    process.exit(panicked ? 101 : 1);
  });
  // One request at a time: the engine is not re-entrant, and the CLI never sends two at once anyway.
  for await (const line of createInterface({ input: process.stdin, crlfDelay: Infinity })) {
    request = line.trim() ? JSON.parse(line) : {};
    if (!request.method) continue; // blank, or the CLI acknowledging one of our "print" requests
    try {
      if (!engine) {
        if (!args.datasource?.url) throw new Error("The datasource URL is empty. The WebAssembly schema engine needs a database even for commands that only compare schemas: set datasource.url in prisma.config.ts.");
        factory = adapterFactory(args.datasource);
        engine = await createEngine(factory);
      }
      send({ id: request.id, result: (await call(engine, request)) ?? {} });
    } catch (error) {
      const panicked = error?.name === "RuntimeError";
      send({ id: request.id, error: rpcError(unwrapExternal(error, factory), panicked) });
      if (panicked) {
        process.exitCode = 101; // a panicked wasm instance is unusable; the native engine exits too
        return;
      }
    }
  }
  engine?.free();
}

async function call(engine, { method, params }) {
  switch (method) {
    case "getDatabaseVersion":
      return engine.version(params ?? undefined);
    case "diff": {
      const { stdout, ...result } = await engine.diff(params);
      // The native engine hands its output to the CLI as a "print" request, not in the result.
      if (stdout) send({ id: 0, method: "print", params: { content: stdout.replace(/\n$/, "") } });
      return result;
    }
    case "evaluateDataLoss":
    case "createMigration":
      // In the wasm build these two can only read the migrations' schema from a cache that commands
      // holding the shadow-database factory fill; with pending migrations (migrate dev) nothing has.
      await engine.diagnoseMigrationHistory({ migrationsList: params.migrationsList, optInToShadowDatabase: true, filters: params.filters });
      return engine[method](params);
    default:
      if (method === "free" || typeof engine[method] !== "function") throw new Error(`Unknown method: ${method}`);
      return engine[method](params);
  }
}

function send(message) {
  process.stdout.write(`${JSON.stringify({ jsonrpc: "2.0", ...message })}\n`);
}

// Errors thrown by our own JS inside the adapter reach us as "External error id#N"; the original waits
// in the adapter factory's registry.
function unwrapExternal(error, factory) {
  const id = /External error id#(\d+)/.exec(error?.message ?? "")?.[1];
  return (id && factory?.errorRegistry.consumeError(Number(id))?.error) || error;
}

// The native engine's error shape: the CLI prints `error_code` and `message`, and offers to report a
// panic. Engine errors carry a P-code when they are user-facing (e.g. P3005, P3006, P3018).
function rpcError(error, panicked) {
  const driver = describeDriverError(error, args.datasource?.url);
  const message = panicked ? globalThis.PRISMA_WASM_PANIC_REGISTRY.message || error.message : driver.message;
  const data = { is_panic: panicked, message: redact(message), meta: {} };
  const code = /^P\d{4}$/.test(error?.code ?? "") ? error.code : driver.code;
  if (code) data.error_code = code;
  log("ERROR", data.message, code ? { error_code: code } : {});
  return { code: 4466, message: panicked ? data.message : "An error happened. Check the data field for details.", data };
}

// ---- The engine ---------------------------------------------------------------------------------

async function createEngine(factory) {
  const wasm = await loadWasm();
  const datamodels = args.datamodels.map((path) => [path, readFileSync(path, "utf8")]);
  const forwardLog = (line) => process.stderr.write(`${redact(line.trimEnd())}\n`);
  return wasm.SchemaEngine.new({ datamodels: datamodels.length ? datamodels : undefined }, forwardLog, factory);
}

// The CLI package carries the wasm build of exactly its own engine commit (the CLI itself does not use
// it). Prefer it to our pinned @prisma/schema-engine-wasm when both present the same interface to the
// JS glue, so that the engine logic matches the CLI's; otherwise run the pinned package as is.
async function loadWasm() {
  // The engine's panic hook reports the panic message through this global, which the CLI installs
  // in its own process but not in ours.
  globalThis.PRISMA_WASM_PANIC_REGISTRY ??= {
    message: "",
    set_message(message) {
      this.message = message;
    },
  };
  const compile = (path) => new WebAssembly.Module(readFileSync(path));
  let engineWasm = compile(join(dirname(require.resolve("@prisma/schema-engine-wasm/schema_engine_bg")), "schema_engine_bg.wasm"));
  const cliWasm = join(dirname(require.resolve("prisma/build/index.js")), "schema_engine_bg.wasm");
  if (existsSync(cliWasm)) {
    const candidate = compile(cliWasm);
    if (wasmInterface(candidate) === wasmInterface(engineWasm)) engineWasm = candidate;
  }
  const instance = await WebAssembly.instantiate(engineWasm, { "./schema_engine_bg.js": glue });
  glue.__wbg_set_wasm(instance.exports);
  instance.exports.__wbindgen_start();
  return glue;
}

function wasmInterface(compiled) {
  const names = (list) => list.map((d) => `${d.module ?? ""}:${d.name}:${d.kind}`).sort();
  return JSON.stringify([names(WebAssembly.Module.imports(compiled)), names(WebAssembly.Module.exports(compiled))]);
}

// ---- Database access ----------------------------------------------------------------------------

function connection(url, database) {
  const parsed = new URL(url);
  // pg lets a connection string's database win over a `database` option, so rewrite the URL itself.
  if (database) parsed.pathname = `/${encodeURIComponent(database)}`;
  const schema = parsed.searchParams.get("schema") ?? undefined;
  const config = { connectionString: parsed.toString() };
  // The engine renders unqualified names for the default schema, as the native engine relies on too.
  if (schema) config.options = `-c search_path=${pg.escapeIdentifier(schema)}`;
  return {
    config,
    schema,
    database: decodeURIComponent(parsed.pathname.slice(1)) || decodeURIComponent(parsed.username) || "postgres",
    at: `${parsed.hostname || "localhost"}:${parsed.port || 5432}`,
  };
}

async function connectAdapter(url, database) {
  const { config, schema } = connection(url, database);
  const adapter = await new PrismaPg(config, { schema }).connect();
  const pool = adapter.underlyingDriver();
  // adapter-pg splits scripts on ";", which breaks function bodies and string literals. Send the whole
  // migration as one simple-protocol query, as the native engine does (one implicit transaction).
  adapter.executeScript = async (script) => {
    try {
      await pool.query(script);
    } catch (error) {
      adapter.onError(error);
    }
  };
  const startTransaction = adapter.startTransaction.bind(adapter);
  adapter.startTransaction = async (...options) => typeCharColumns(await startTransaction(...options));
  return typeCharColumns(adapter);
}

function typeCharColumns(queryable) {
  const queryRaw = queryable.queryRaw.bind(queryable);
  queryable.queryRaw = async (query) => {
    const result = await queryRaw(query);
    for (const i of charColumns.get(result.rows) ?? []) result.columnTypes[i] = ColumnTypeEnum.Character;
    return result;
  };
  return queryable;
}

// The shadow database as the native engine provides it: a throwaway database on the main server, or
// the configured shadowDatabaseUrl emptied first (the wasm engine does not reset it itself).
function adapterFactory({ url, shadowDatabaseUrl }) {
  return bindMigrationAwareSqlAdapterFactory({
    provider: "postgres",
    adapterName: "@prisma/adapter-pg",
    connect: () => connectAdapter(url),
    async connectToShadowDb() {
      if (shadowDatabaseUrl) {
        const adapter = await connectAdapter(shadowDatabaseUrl);
        const schema = pg.escapeIdentifier(connection(shadowDatabaseUrl).schema ?? "public");
        await adapter.executeScript(`DROP SCHEMA IF EXISTS ${schema} CASCADE; CREATE SCHEMA ${schema};`);
        return adapter;
      }
      const name = `prisma_migrate_shadow_db_${randomUUID()}`;
      const shadow = pg.escapeIdentifier(name);
      try {
        await withServer(url, (client) => client.query(`CREATE DATABASE ${shadow}`));
      } catch (error) {
        throw Object.assign(new Error(`Prisma Migrate could not create the shadow database. Please make sure the database user has permission to create databases, or set datasource.shadowDatabaseUrl. Read more about the shadow database (and workarounds) at https://pris.ly/d/migrate-shadow\n\nOriginal error: ${error.message}`), { code: "P3014" });
      }
      const adapter = await connectAdapter(url, name);
      const dispose = adapter.dispose.bind(adapter);
      adapter.dispose = async () => {
        await dispose(); // closes the pool first: Postgres will not drop a database with open sessions
        await withServer(url, (client) => client.query(`DROP DATABASE IF EXISTS ${shadow}`));
      };
      return adapter;
    },
  });
}

// CREATE and DROP DATABASE have to run while connected to some other database on the same server.
async function withServer(url, fn) {
  let lastError;
  for (const database of ["postgres", "template1"]) {
    const client = new pg.Client(connection(url, database).config);
    try {
      await client.connect();
    } catch (error) {
      await client.end().catch(() => {});
      if (error.code !== "3D000") throw error;
      lastError = error;
      continue;
    }
    try {
      return await fn(client);
    } finally {
      await client.end();
    }
  }
  throw lastError;
}

// ---- `schema-engine cli <command>`: how the CLI checks, and if need be creates, the database ----------

async function runOneShot(command) {
  log("INFO", `Starting schema engine CLI (${command})`); // the CLI ignores the first line of stderr
  const url = args.datasource?.url;
  try {
    if (!url) throw new Error("The datasource URL is empty: set datasource.url in prisma.config.ts.");
    const { config, database } = connection(url);
    if (command === "can-connect-to-database") {
      const client = new pg.Client(config);
      try {
        await client.connect();
        await client.query("SELECT 1");
      } finally {
        await client.end().catch(() => {});
      }
    } else if (command === "create-database") {
      await withServer(url, (client) => client.query(`CREATE DATABASE ${pg.escapeIdentifier(database)}`));
    } else if (command === "drop-database") {
      await withServer(url, (client) => client.query(`DROP DATABASE ${pg.escapeIdentifier(database)}`));
    } else {
      throw new Error(`Unknown command: ${command}`);
    }
    return 0;
  } catch (error) {
    const { code, message } = describeDriverError(error, url);
    log("ERROR", message, code ? { error_code: code } : {});
    return 1;
  }
}

// Prisma's P1xxx codes for connection-level failures; the CLI creates the database on P1003.
function describeDriverError(error, url) {
  const message = error?.message ?? String(error);
  let target;
  try {
    target = connection(url);
  } catch {
    return { code: undefined, message };
  }
  const { database, at } = target;
  switch (error?.code) {
    case "3D000":
      return { code: "P1003", message: `Database \`${database}\` does not exist on the database server at \`${at}\`.` };
    case "42P04":
      return { code: "P1009", message: `Database \`${database}\` already exists on the database server at \`${at}\`` };
    case "28P01":
      return { code: "P1000", message: `Authentication failed against database server at \`${at}\`, the provided database credentials are not valid.` };
    case "28000":
    case "42501":
      return { code: "P1010", message: `User was denied access on the database \`${database}\`: ${message}` };
    case "ECONNREFUSED":
    case "ENOTFOUND":
    case "EAI_AGAIN":
    case "EHOSTUNREACH":
    case "ETIMEDOUT":
      return { code: "P1001", message: `Can't reach database server at \`${at}\`\n\nPlease make sure your database server is running at \`${at}\`.` };
    default:
      return { code: undefined, message };
  }
}

// ---- Plumbing -----------------------------------------------------------------------------------

function parseArgs(argv) {
  const parsed = { datamodels: [], datasource: undefined, command: undefined, version: false };
  for (let i = 0; i < argv.length; i++) {
    const arg = argv[i];
    if (arg === "--datasource") parsed.datasource = JSON.parse(argv[++i]);
    else if (arg === "--datamodels") parsed.datamodels.push(argv[++i]);
    else if (arg === "--version" || arg === "-V") parsed.version = true;
    else if (arg === "cli") parsed.command = argv[++i];
    else if (arg.startsWith("--")) i++; // preview features, extension types: nothing to do for Postgres
  }
  return parsed;
}

// The CLI shows our stderr in its error messages and debug output: keep connection strings out of it.
function redact(text) {
  let out = String(text);
  for (const secret of secrets) out = out.replaceAll(secret, "<REDACTED>");
  return out.replace(/(postgres(?:ql)?:\/\/[^:/@\s]*:)[^@\s]*@/g, "$1<REDACTED>@");
}

// The CLI reads stderr as JSON log lines; an ERROR line with an error_code is a user-facing error.
function log(level, message, extra = {}) {
  const line = { level, target: "schema_engine::logger", fields: { message: redact(message), ...extra } };
  process.stderr.write(`${JSON.stringify(line)}\n`);
}
