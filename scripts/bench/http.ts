/**
 * The doctor's pages over HTTP, for `npm run bench` (scripts/bench.ts): the app built from the working tree into the
 * benchmark's temporary directory (never `.next`, which `npm start` and the e2e tests serve and rebuild), served by
 * `next start` on the benchmark's own database and chains, signed in by minted next-auth session cookies, and loaded
 * with autocannon.
 *
 * The load generator runs in the benchmark's process on the same machine as the server, so the latency it measures
 * is the server time plus a loopback round trip (and whatever CPU the generator itself takes from a small machine).
 */
import { spawn, type ChildProcess } from "node:child_process";
import { createWriteStream } from "node:fs";
import { cp, readdir, rename, symlink, writeFile } from "node:fs/promises";
import { join } from "node:path";
import autocannon from "autocannon";
import { encode } from "next-auth/jwt";
import { ms, stats, type Stats } from "./stats";

const root = process.cwd();
const nextBin = join(root, "node_modules", "next", "dist", "bin", "next");

/** What the build needs from the working tree: everything but dependencies, builds, data, tests and history. */
const NOT_COPIED = new Set(["node_modules", ".next", ".data", ".git", "bench", "tests", "test-results", "playwright-report", "docs", ".ci"]);

export type Track = (name: string, child: ChildProcess) => void;

/**
 * Copies the working tree to `<dir>/app` (node_modules linked) and runs `next build` there. The copy's next.config
 * wraps the project's own with a Turbopack root of "/" (node_modules is a link out of the copy) and no type check
 * (the copy leaves out tests/, which some scripts import; `npm run typecheck` is the type check).
 */
export async function buildApp(dir: string, track: Track, log: (line: string) => void): Promise<{ appDir: string; seconds: number }> {
  const start = process.hrtime.bigint();
  const appDir = join(dir, "app");
  const entries = (await readdir(root)).filter((name) => !NOT_COPIED.has(name) && !name.endsWith(".tsbuildinfo"));
  for (const name of entries) await cp(join(root, name), join(appDir, name), { recursive: true, verbatimSymlinks: true });
  await symlink(join(root, "node_modules"), join(appDir, "node_modules"), "dir");
  await rename(join(appDir, "next.config.js"), join(appDir, "next.config.project.js"));
  await writeFile(
    join(appDir, "next.config.js"),
    [
      "// Written by scripts/bench/http.ts: the project's config, built from a copy outside the project.",
      'import project from "./next.config.project.js";',
      "export default async (phase, context) => {",
      '  const base = typeof project === "function" ? await project(phase, context) : project;',
      '  return { ...base, turbopack: { ...base.turbopack, root: "/" }, outputFileTracingRoot: "/", typescript: { ...base.typescript, ignoreBuildErrors: true } };',
      "};",
      "",
    ].join("\n"),
  );
  const logFile = join(dir, "next-build.log");
  const output = createWriteStream(logFile);
  const child = spawn(process.execPath, [nextBin, "build", appDir], {
    cwd: appDir,
    env: { PATH: process.env.PATH ?? "", HOME: process.env.HOME ?? "", NEXT_TELEMETRY_DISABLED: "1", NODE_ENV: "production" },
    stdio: ["ignore", "pipe", "pipe"],
  });
  track("next", child);
  let tail = "";
  const keep = (chunk: Buffer) => {
    output.write(chunk);
    tail = (tail + chunk.toString()).slice(-3_000);
  };
  child.stdout.on("data", keep);
  child.stderr.on("data", keep);
  const code = await new Promise<number | null>((resolve) => {
    child.once("exit", resolve);
    child.once("error", () => resolve(-1));
  });
  output.end();
  if (code !== 0) throw new Error(`next build of the working tree failed (exit ${code}); the end of ${logFile}:\n${tail}`);
  log(`app built from the working tree in ${(ms(start) / 1000).toFixed(0)} s`);
  return { appDir, seconds: ms(start) / 1000 };
}

export type RunningApp = { url: string; pid: number | undefined; stop(): Promise<void>; logTail(): string };

/** `next start` on the built copy with the web tier's environment (no writer keys); resolves once /api/health answers. */
export async function startApp(appDir: string, port: number, env: Record<string, string>, track: Track): Promise<RunningApp> {
  // The product's own HTTP server (what `npm start` serves), so that its Server-Timing entry is measured too.
  const child = spawn(process.execPath, ["--import", "tsx", join(appDir, "scripts", "web-server.ts")], {
    cwd: appDir,
    env: { PATH: process.env.PATH ?? "", HOME: process.env.HOME ?? "", NODE_ENV: "production", NEXT_TELEMETRY_DISABLED: "1", PORT: String(port), ...env },
    stdio: ["ignore", "pipe", "pipe"],
  });
  track("next", child);
  let tail = "";
  const keep = (chunk: Buffer) => (tail = (tail + chunk.toString()).slice(-20_000));
  child.stdout.on("data", keep);
  child.stderr.on("data", keep);
  const exited = new Promise<void>((resolve) => {
    child.once("exit", () => resolve());
    child.once("error", () => resolve());
  });
  const stop = async () => {
    if (child.exitCode !== null || child.signalCode !== null) return;
    child.kill("SIGTERM");
    const timer = setTimeout(() => child.kill("SIGKILL"), 10_000);
    await exited;
    clearTimeout(timer);
  };
  const url = `http://127.0.0.1:${port}`;
  const deadline = Date.now() + 60_000;
  for (;;) {
    if (child.exitCode !== null) throw new Error(`next start exited (code ${child.exitCode}):\n${tail}`);
    const ok = await fetch(`${url}/api/health`, { signal: AbortSignal.timeout(2_000) }).then((r) => r.ok, () => false);
    if (ok) break;
    if (Date.now() > deadline) {
      await stop();
      throw new Error(`next start did not answer on ${url}/api/health within 60 s:\n${tail}`);
    }
    await new Promise((resolve) => setTimeout(resolve, 250));
  }
  return { url, pid: child.pid, stop, logTail: () => tail };
}

/**
 * Waits until the server is idle again: autocannon stops at the end of a run, but the server goes on rendering the
 * requests that were in flight, which would weigh on the next run. Idle = /api/health answers within 25 ms twice.
 */
export async function drain(url: string, maxSeconds = 120): Promise<number> {
  const start = process.hrtime.bigint();
  let quick = 0;
  while (quick < 2 && ms(start) < maxSeconds * 1000) {
    const t = process.hrtime.bigint();
    const ok = await fetch(`${url}/api/health`, { signal: AbortSignal.timeout(maxSeconds * 1000) }).then((r) => r.ok, () => false);
    quick = ok && ms(t) < 25 ? quick + 1 : 0;
    if (quick < 2) await new Promise((resolve) => setTimeout(resolve, 100));
  }
  return ms(start) / 1000;
}

/**
 * A session cookie as a sign-in would set it: next-auth's encrypted JWT with the claims lib/auth/options.ts puts in
 * (actor kind, id as `sub`, session version, sign-in time). The server still looks the staff member up on every request.
 */
export async function sessionCookie(staff: { id: string; sessionVersion?: number }, secret: string, sid: string): Promise<string> {
  // `sid`: a live server-side session (lib/dal/sessions.ts openSession); a token without one is signed out.
  const token = await encode({
    token: { sub: staff.id, actorKind: "STAFF", sessionVersion: staff.sessionVersion ?? 0, authAt: Math.floor(Date.now() / 1000), sid },
    secret,
    maxAge: 60 * 60,
  });
  return `next-auth.session-token=${token}`;
}

/** One GET with a cookie: the status, the HTML, and how long it took (ms). */
export async function getPage(url: string, cookie: string): Promise<{ status: number; html: string; ms: number; verifyMs: number | null }> {
  const start = process.hrtime.bigint();
  const response = await fetch(url, { headers: { cookie }, redirect: "manual" });
  const html = await response.text();
  // The product's `Server-Timing: verify;dur=…` (lib/verification/timing.ts), absent when nothing was verified.
  const verify = /(?:^|,)\s*verify;dur=([0-9.]+)/.exec(response.headers.get("server-timing") ?? "");
  return { status: response.status, html, ms: ms(start), verifyMs: verify ? Number(verify[1]) : null };
}

export type LoadResult = {
  path: string;
  connections: number;
  doctors: number;
  durationSeconds: number;
  latency: Stats;
  requestsPerSecond: number;
  responses: number;
  /** Requests sent but not answered when the run ended (the server finished them after; not in the latencies). */
  unfinished: number;
  statusCodes: Record<string, number>;
  non2xx: number;
  errors: number;
  timeouts: number;
  meanResponseBytes: number;
};

/**
 * `connections` keep-alive connections for `seconds`, each its own doctor (cookie i for connection i), each sending
 * its next request as soon as the previous one is answered. Latency percentiles are computed from every response.
 */
export function load(url: string, path: string, cookies: readonly string[], connections: number, seconds: number, paths?: readonly string[]): Promise<LoadResult> {
  // `paths`: connection i requests paths[i mod n] (the realistic-mix run's doctors each on their own patient).
  let next = 0;
  const latencies: number[] = [];
  let bytes = 0;
  return new Promise((resolve, reject) => {
    const instance = autocannon(
      {
        url: `${url}${path}`,
        connections,
        duration: seconds,
        timeout: 60,
        setupClient: (client) => {
          const i = next++;
          const cookie = cookies[i % cookies.length]!;
          if (paths?.length) client.setRequests([{ method: "GET", path: paths[i % paths.length]!, headers: { cookie } }]);
          else client.setHeaders({ cookie });
        },
      },
      (error, result) => {
        if (error) return reject(error instanceof Error ? error : new Error(String(error)));
        resolve({
          path,
          connections,
          doctors: Math.min(connections, cookies.length),
          durationSeconds: result.duration,
          latency: stats(latencies),
          requestsPerSecond: result["2xx"] / result.duration,
          responses: latencies.length,
          unfinished: Math.max(0, result.requests.sent - latencies.length),
          statusCodes: Object.fromEntries(Object.entries(result.statusCodeStats ?? {}).map(([code, v]) => [code, (v as { count: number }).count])),
          non2xx: result.non2xx,
          errors: result.errors,
          timeouts: result.timeouts,
          meanResponseBytes: latencies.length ? bytes / latencies.length : 0,
        });
      },
    );
    instance.on("response", (_client, _status, resBytes, responseTime) => {
      latencies.push(responseTime);
      bytes += resBytes;
    });
  });
}
