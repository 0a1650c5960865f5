import { tmpdir } from "node:os";
import { join } from "node:path";

/** Where scripts/e2e-server.ts leaves the URL of its database for the tests on this port. */
export function e2eDatabaseFile(port: number): string {
  return join(tmpdir(), `chartproof-e2e-${port}.json`);
}

/** Where scripts/e2e-server.ts copies the web server's log lines (JSON, one a line) for the tests on this port. */
export function e2eWebLogFile(port: number): string {
  return join(tmpdir(), `chartproof-e2e-${port}-web.log`);
}
