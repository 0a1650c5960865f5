/**
 * The HTTP server in front of the Next app, for `npm start` (spawned by scripts/start.ts), `npm run start:prod` and
 * the e2e server. Next 16 gives the app no socket address and keeps a client-sent X-Forwarded-For, so before Next
 * sees a request this sets X-Forwarded-For to the client address decided from the socket (lib/net/client-address.ts:
 * a client's own header is believed only through a proxy listed in TRUSTED_PROXIES) and replaces any X-Request-Id
 * with a server-made one. Everything downstream — throttling, the access log — reads those two headers.
 * Run with plain Node (`node --import tsx`), not the react-server condition: Next loads its own React builds.
 */
import { randomUUID } from "node:crypto";
import { createServer } from "node:http";
import next from "next";
import pg from "pg";
import { launcherEnv, trustedProxiesSetting } from "@/lib/env";
import { DATABASE_ROLE_STANDING_SQL, databaseRoleWarning, type DatabaseRoleStanding } from "@/lib/jobs/database-role-query";
import { clientAddress, parseTrustedProxies } from "@/lib/net/client-address";

const port = launcherEnv().PORT;

/**
 * Before anything else: who the web tier is in the database. As the owner or a superuser it could rewrite history,
 * so start-up says so loudly (the integrity page says it too, from the app's own connection). A database that cannot
 * be asked now is said and left to the readiness check.
 */
async function announceDatabaseRole(databaseUrl: string | undefined): Promise<void> {
  if (!databaseUrl) return;
  const client = new pg.Client({ connectionString: databaseUrl });
  try {
    await client.connect();
    const standing = (await client.query<DatabaseRoleStanding>(DATABASE_ROLE_STANDING_SQL)).rows[0]!;
    const warning = databaseRoleWarning("web", standing);
    if (warning) console.error(`\n[web] ${warning}\n`);
    else console.log(`[web] database role ${standing.user}: restricted to the web tier's grants`);
  } catch (error) {
    console.error(`[web] could not check the database role: ${error instanceof Error ? error.message : String(error)}`);
  } finally {
    await client.end().catch(() => {});
  }
}
await announceDatabaseRole(launcherEnv().DATABASE_URL);
const trusted = parseTrustedProxies(trustedProxiesSetting());

const app = next({ dev: false, dir: process.cwd(), port, hostname: "localhost" });
await app.prepare();
const handle = app.getRequestHandler();

const server = createServer((req, res) => {
  const client = clientAddress(req.socket.remoteAddress, req.headers["x-forwarded-for"], trusted);
  if (client) req.headers["x-forwarded-for"] = client;
  else delete req.headers["x-forwarded-for"];
  // Other spellings of the same claim are dropped, so nothing downstream can be fooled by them.
  delete req.headers["x-real-ip"];
  delete req.headers["forwarded"];
  req.headers["x-request-id"] = randomUUID();
  void handle(req, res);
});
// Every interface, IPv4 and IPv6, as `next start` does.
server.listen(port, () => console.log(`[web] listening on port ${port} (trusted proxies: ${trustedProxiesSetting() || "none"})`));

const stop = () => server.close(() => process.exit(0));
process.on("SIGTERM", stop);
process.on("SIGINT", stop);
