// Runs the Prisma CLI with our WebAssembly schema engine unless the caller has chosen an engine: the CLI
// would otherwise download a native engine at start-up, which fails on offline machines.
// Usage: node scripts/prisma.mjs <prisma arguments>. See docs/decisions/004-migration-engine.md.
import { spawn } from "node:child_process";
import { createRequire } from "node:module";
import { constants } from "node:os";
import { fileURLToPath } from "node:url";

const cli = createRequire(import.meta.url).resolve("prisma/build/index.js");
const env = { ...process.env };
env.PRISMA_SCHEMA_ENGINE_BINARY ||= fileURLToPath(new URL("./prisma-schema-engine.mjs", import.meta.url));

const child = spawn(process.execPath, [cli, ...process.argv.slice(2)], { stdio: "inherit", env });
process.on("SIGINT", () => {}); // a terminal's Ctrl-C reaches the CLI too, and the CLI decides what it means
process.on("SIGTERM", () => child.kill("SIGTERM"));
child.on("exit", (code, signal) => process.exit(signal ? 128 + constants.signals[signal] : (code ?? 1)));
