// The authorization matrix, GENERATED from the code: every page and route handler under app/ and every exported
// server action in lib/actions/ must have a rule in lib/authz.ts (ROUTE_RULES, ACTION_RULES), and for every role —
// and for a signed-out visitor — the entry point must allow or deny exactly as that rule and ROLE_PERMISSIONS say.
// A new route or action without a rule fails here.
import { readFileSync } from "node:fs";
import { beforeEach, describe, expect, it, vi } from "vitest";
import { ACTION_RULES, ROUTE_RULES, ruleAllows, type Actor, type ActorRole } from "@/lib/authz";
import { ACTION_FILES, ROUTES } from "../support/entry-points";

const session = vi.hoisted(() => ({ current: null as null | { actor: { kind: string; id: string; sessionVersion: number; authAt: number; sid: string } } }));
const dalCalls = vi.hoisted(() => ({ count: 0 }));

vi.mock("next-auth", () => ({ getServerSession: vi.fn(async () => session.current) }));
vi.mock("@/lib/auth/options", () => ({ authOptions: () => ({}) }));
vi.mock("next/headers", () => ({
  headers: async () => new Headers({ "x-forwarded-for": "192.0.2.1", "x-request-id": "matrix" }),
  cookies: async () => ({ get: () => undefined, set: () => undefined }),
}));
vi.mock("next/cache", () => ({ revalidatePath: vi.fn() }));
vi.mock("next/navigation", () => ({
  redirect: (to: string) => {
    throw new Error(`NEXT_REDIRECT ${to}`);
  },
  notFound: () => {
    throw new Error("NEXT_NOT_FOUND");
  },
}));
// The data layer is replaced by counters: an action that is denied must not reach it.
const MOCKED_DAL = ["actors", "staff", "departments", "patients", "break-glass", "patient-accounts", "own-consents", "service-credentials", "uploads", "corrections", "research", "sessions", "privileged-requests", "patient-notices", "record-erasure"];
for (const path of MOCKED_DAL.map((name) => `@/lib/dal/${name}`)) {
  vi.doMock(path, async (importOriginal) => {
    const real = (await importOriginal()) as Record<string, unknown>;
    return Object.fromEntries(
      Object.entries(real).map(([name, value]) => {
        if (typeof value !== "function" || /^[A-Z]/.test(name) || name === "isUuid") return [name, value];
        return [name, vi.fn(async () => (dalCalls.count++, undefined))];
      }),
    );
  });
}

const ACTORS: Record<ActorRole, Actor> = {
  DOCTOR: { kind: "STAFF", id: "00000000-0000-4000-8000-000000000001", role: "DOCTOR", departmentId: null, name: "D", email: "d@x" },
  ADMIN: { kind: "STAFF", id: "00000000-0000-4000-8000-000000000002", role: "ADMIN", departmentId: null, name: "A", email: "a@x" },
  COMPLIANCE: { kind: "STAFF", id: "00000000-0000-4000-8000-000000000003", role: "COMPLIANCE", departmentId: null, name: "C", email: "c@x" },
  RESEARCHER: { kind: "STAFF", id: "00000000-0000-4000-8000-000000000005", role: "RESEARCHER", departmentId: null, name: "R", email: "r@x" },
  REGISTRAR: { kind: "STAFF", id: "00000000-0000-4000-8000-000000000006", role: "REGISTRAR", departmentId: null, name: "G", email: "g@x" },
  PATIENT: { kind: "PATIENT", id: "00000000-0000-4000-8000-000000000004", patientId: "00000000-0000-4000-8000-000000000004", name: "P", email: "p@x" },
};
const WHO = [...(Object.keys(ACTORS) as ActorRole[]), "SIGNED_OUT"] as const;

const routes = ROUTES;
const actionFiles = ACTION_FILES;

describe("every entry point has a rule", () => {
  it("finds the routes and actions it is meant to check", () => {
    expect(routes.length).toBeGreaterThan(10);
    expect(actionFiles.length).toBeGreaterThan(2);
  });
  it("has a rule for every page and route handler, and no rule for a route that does not exist", () => {
    expect(routes.map((r) => r.pattern).filter((p) => !(p in ROUTE_RULES)), "routes without a rule in ROUTE_RULES").toEqual([]);
    const patterns = new Set(routes.map((r) => r.pattern));
    expect(Object.keys(ROUTE_RULES).filter((p) => !patterns.has(p)), "stale ROUTE_RULES").toEqual([]);
  });
  it("has a rule for every exported server action, and none for a removed one", async () => {
    const names = (await Promise.all(actionFiles.map(async (f) => Object.keys(await import(/* @vite-ignore */ `../../${f}`))))).flat();
    expect(names.filter((n) => !(n in ACTION_RULES)), "actions without a rule in ACTION_RULES").toEqual([]);
    expect(Object.keys(ACTION_RULES).filter((n) => !names.includes(n)), "stale ACTION_RULES").toEqual([]);
    // Importing every action module transforms most of the tree: seconds on a loaded 2-core machine.
  }, 60_000);
});

/** The one server-side session the stub considers live: any other id is a signed-out (revoked) session. */
const LIVE_SESSION = "00000000-0000-4000-8000-0000000000aa";

function signInAs(who: (typeof WHO)[number]) {
  const actor = who === "SIGNED_OUT" ? null : ACTORS[who];
  session.current = actor ? { actor: { kind: actor.kind, id: actor.id, sessionVersion: 0, authAt: Math.floor(Date.now() / 1000), sid: LIVE_SESSION } } : null;
}

async function stubEnvironment() {
  vi.stubEnv("DATABASE_URL", "postgresql://unused@127.0.0.1:1/unused");
  vi.stubEnv("AUTH_SECRET", "matrix-test-secret-of-at-least-32-characters");
  vi.stubEnv("LEDGER_RPC_URL", "http://127.0.0.1:1");
  vi.stubEnv("LEDGER_CHAIN_ID", "31337");
  vi.stubEnv("LEDGER_CONTRACT_ADDRESS", `0x${"0".repeat(40)}`);
  const actors = await import("@/lib/dal/actors");
  vi.mocked(actors.findActiveActor).mockImplementation(async (_kind, id) => Object.values(ACTORS).find((a) => a.id === id) ?? null);
  const sessions = await import("@/lib/dal/sessions");
  vi.mocked(sessions.sessionIsLive).mockImplementation(async (sid) => sid === LIVE_SESSION);
  dalCalls.count = 0;
}

describe("routes guard exactly what their rule says", () => {
  beforeEach(stubEnvironment);
  for (const { file, pattern } of routes) {
    const rule = ROUTE_RULES[pattern];
    if (!rule) continue;
    const source = readFileSync(file, "utf8");
    it(`${pattern} (${rule}) asks for its rule before anything else`, () => {
      const asked = [...source.matchAll(/requireCaller\("([\w.]+)"\)|can\(caller\.actor, "([\w.]+)"\)/g)].map((m) => m[1] ?? m[2]);
      if (rule === "public") expect(asked, `${file} is public but asks for a permission`).toEqual([]);
      else expect(asked[0], `${file} must call requireCaller("${rule}") (or check can(caller.actor, "${rule}")) first`).toBe(rule);
    });
    for (const who of WHO) {
      const allowed = ruleAllows(rule, who === "SIGNED_OUT" ? null : ACTORS[who]);
      it(`${pattern}: ${who} is ${allowed ? "allowed" : "denied"}`, async () => {
        signInAs(who);
        const { currentCaller, requireCaller } = await import("@/lib/auth/require-caller");
        if (rule === "public") {
          await expect(currentCaller()).resolves.toBeDefined();
        } else if (allowed) {
          await expect(requireCaller(rule)).resolves.toMatchObject({ actor: { id: ACTORS[who as ActorRole].id } });
        } else {
          // Signed out: to sign-in. Signed in without the permission: 404, so the page's existence is not revealed.
          await expect(requireCaller(rule)).rejects.toThrow(who === "SIGNED_OUT" ? "NEXT_REDIRECT /login" : "NEXT_NOT_FOUND");
        }
      });
    }
  }
});

describe("a copy of a signed-out session's cookie is refused by every guarded route and action", () => {
  beforeEach(stubEnvironment);
  it("routes: to sign-in, as if signed out", async () => {
    const { requireCaller } = await import("@/lib/auth/require-caller");
    for (const rule of new Set(Object.values(ROUTE_RULES).filter((r) => r !== "public"))) {
      for (const role of Object.keys(ACTORS) as ActorRole[]) {
        signInAs(role);
        session.current!.actor.sid = "00000000-0000-4000-8000-0000000000bb";
        await expect(requireCaller(rule)).rejects.toThrow("NEXT_REDIRECT /login");
      }
    }
  });
  it("actions: AccessDeniedError before the data layer", async () => {
    for (const [name, rule] of Object.entries(ACTION_RULES)) {
      if (rule === "public") continue;
      const file = actionFiles.find((f) => new RegExp(`export async function ${name}\\b`).test(readFileSync(f, "utf8")))!;
      const action = (await import(/* @vite-ignore */ `../../${file}`))[name] as (...args: unknown[]) => Promise<unknown>;
      for (const role of Object.keys(ACTORS) as ActorRole[]) {
        if (!ruleAllows(rule, ACTORS[role])) continue;
        signInAs(role);
        session.current!.actor.sid = "00000000-0000-4000-8000-0000000000bb";
        const args = action.length >= 2 ? [{ status: "idle" }, new FormData()] : [new FormData()];
        await expect(action(...args), `${name} as ${role}`).rejects.toMatchObject({ name: "AccessDeniedError" });
      }
    }
    expect(dalCalls.count).toBe(0);
  }, 60_000);
});

describe("server actions refuse or accept each role as their rule says", () => {
  beforeEach(stubEnvironment);

  for (const [name, rule] of Object.entries(ACTION_RULES)) {
    for (const who of WHO) {
      const allowed = ruleAllows(rule, who === "SIGNED_OUT" ? null : ACTORS[who]);
      it(`${name}: ${who} is ${allowed ? "allowed" : "denied"}`, async () => {
        const file = actionFiles.find((f) => new RegExp(`export async function ${name}\\b`).test(readFileSync(f, "utf8")));
        expect(file, `${name} not found in lib/actions`).toBeTruthy();
        const action = (await import(/* @vite-ignore */ `../../${file}`))[name] as (...args: unknown[]) => Promise<unknown>;
        signInAs(who);
        // Empty input: an allowed caller gets validation errors (or an empty success); a denied one an AccessDeniedError.
        const args = action.length >= 2 ? [{ status: "idle" }, new FormData()] : [new FormData()];
        if (allowed) {
          // Allowed: a result (validation errors on empty input), or a redirect to where the work continues.
          await action(...args).catch((error: unknown) => expect(String(error)).toMatch(/^Error: NEXT_REDIRECT /));
        } else {
          await expect(action(...args)).rejects.toMatchObject({ name: "AccessDeniedError" });
          // Only the session lookup (findActiveActor, stubbed separately) may have run; nothing else in the data layer.
          expect(dalCalls.count).toBe(0);
        }
      });
    }
  }
});
