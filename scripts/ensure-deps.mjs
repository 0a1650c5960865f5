// Runs before `npm start` and `npm test` (npm's pre-scripts), so that on a fresh clone those two commands are
// all a person types: installs the locked dependencies when they are missing or older than package-lock.json.
// Plain Node and no dependencies, since it runs before any are installed.
import { spawnSync } from "node:child_process";
import { existsSync, statSync } from "node:fs";

const installed = "node_modules/.package-lock.json";
const stale = !existsSync(installed) || statSync("package-lock.json").mtimeMs > statSync(installed).mtimeMs;
if (stale) {
  console.log("[chartproof] installing dependencies (npm ci)…");
  const npm = process.platform === "win32" ? "npm.cmd" : "npm";
  const result = spawnSync(npm, ["ci", "--no-audit", "--no-fund"], { stdio: "inherit" });
  process.exit(result.status ?? 1);
}
