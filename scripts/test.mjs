// `npm test`: the quick checks in order (typecheck, lint, contract check, unit), then the integration suite and the
// end-to-end suite side by side. The two share nothing — each starts its own PostgreSQL (or database on
// DATABASE_URL's server), its own chains on free ports and, for e2e, its own built app — and the integration suite
// spends most of its time waiting for blocks, so running it beside the e2e build and browser saves its whole length.
import { spawn } from "node:child_process";

const npm = process.platform === "win32" ? "npm.cmd" : "npm";

function run(script, prefix) {
  return new Promise((resolve) => {
    const child = spawn(npm, ["run", "--silent", script], { env: process.env, stdio: prefix ? ["ignore", "pipe", "pipe"] : "inherit" });
    if (prefix) {
      for (const [stream, to] of [[child.stdout, process.stdout], [child.stderr, process.stderr]]) {
        let rest = "";
        stream.on("data", (chunk) => {
          const lines = (rest + chunk.toString()).split("\n");
          rest = lines.pop() ?? "";
          for (const line of lines) to.write(`[${prefix}] ${line}\n`);
        });
        stream.on("end", () => rest && to.write(`[${prefix}] ${rest}\n`));
      }
    }
    child.on("exit", (code, signal) => resolve(signal ? 1 : (code ?? 1)));
  });
}

for (const script of ["typecheck", "lint", "contracts:check", "test:unit"]) {
  const code = await run(script);
  if (code !== 0) process.exit(code);
}
const started = Date.now();
const [integration, e2e] = await Promise.all([run("test:integration", "integration"), run("test:e2e", "e2e")]);
const minutes = ((Date.now() - started) / 60_000).toFixed(1);
console.log(`\nintegration: ${integration === 0 ? "passed" : `FAILED (exit ${integration})`} · end-to-end: ${e2e === 0 ? "passed" : `FAILED (exit ${e2e})`} · ${minutes} min side by side`);
process.exit(integration || e2e);
