import { tmpdir } from "node:os";
import { join } from "node:path";

/** Where scripts/e2e-server.ts leaves the URL of its database for the tests on this port. */
export function e2eDatabaseFile(port: number): string {
  return join(tmpdir(), `chartproof-e2e-${port}.json`);
}
