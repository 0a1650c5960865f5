import { fileURLToPath } from "node:url";
import { defineConfig } from "vitest/config";

const root = fileURLToPath(new URL(".", import.meta.url));

// `npm run test:resilience` (tests/resilience): load and faults on services of the suite's own — an embedded
// PostgreSQL, two anvils, the built app and the worker as child processes. One file, scenarios in order, long timeouts.
export default defineConfig({
  resolve: {
    alias: { "@": root.replace(/\/$/, "") },
    conditions: ["react-server"],
  },
  ssr: { resolve: { conditions: ["react-server"], externalConditions: ["react-server"] } },
  test: {
    server: { deps: { inline: ["server-only"] } },
    name: "resilience",
    include: ["tests/resilience/**/*.test.ts"],
    environment: "node",
    pool: "forks",
    fileParallelism: false,
    sequence: { concurrent: false },
    testTimeout: 300_000,
    hookTimeout: 900_000,
  },
});
