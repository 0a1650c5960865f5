// Runs the Prisma CLI with our WebAssembly schema engine unless the caller chose an engine itself:
// the CLI would otherwise download a native engine at start-up, which fails on offline machines.
// See docs/decisions/004-migration-engine.md.
import { spawn } from "node:child_process";
import { createRequire } from "node:module";
import { fileURLToPath } from "node:url";

const cli = createRequire(import.meta.url).resolve("prisma/build/index.js");
const env = { ...process.env };
env.PRISMA_SCHEMA_ENGINE_BINARY ||= fileURLToPath(new URL("./prisma-schema-engine.mjs", import.meta.url));

const child = spawn(process.execPath, [cli, ...process.argv.slice(2)], { stdio: "inherit", env });
// The CLI handles Ctrl-C itself (it prompts); we only wait for it and pass its verdict on.
for (const signal of ["SIGINT", "SIGTERM"]) process.on(signal, () => {});
child.on("exit", (code, signal) => {
  if (signal) process.kill(process.pid, signal);
  else process.exit(code ?? 1);
});
