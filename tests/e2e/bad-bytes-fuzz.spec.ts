import { readFileSync, readdirSync } from "node:fs";
import { join } from "node:path";
import { expect, test, type APIRequestContext, type APIResponse, type Browser } from "@playwright/test";
import { ACTION_RULES, ROUTE_RULES, ruleAllows, type Actor, type ActorRole } from "@/lib/authz";
import { ROUTES, actionEntries, type RouteEntry } from "../support/entry-points";
import { e2eWebLogFile } from "./database-file";
import { openPortalAccount, wardPatient } from "./desk";
import { ACCOUNTS, approveAsSecondAdmin, login, loginAs, sqlOnE2eDatabase } from "./fixtures";

// Issue 21, "bad bytes are a 400": NUL, a lone surrogate and overlong UTF-8 sent to EVERY entry point — each route's
// path segments and search parameters, each server action's fields (sent as the page's JavaScript sends them, as a
// form without JavaScript posts them, and inside React's JSON-encoded arguments), the sign-in forms, the patient's
// upload and the hospital's FHIR intake — by a caller the route or action admits, against the real server. None may
// answer 500; each is refused (400, or the intake's own refusal) and the refusal is logged. The list of entry points is
// the authorization matrix's (tests/support/entry-points.ts), so a new route or action is fuzzed without being listed.

const PORT = Number(process.env.E2E_PORT ?? 3100);
const run = Date.now().toString(36);
const UUID = "00000000-0000-4000-8000-00000000f022";

type Bad = { name: string; url: string; bytes: Buffer; json: string | null };
const BAD: Bad[] = [
  { name: "NUL", url: "%00", bytes: Buffer.from([0x00]), json: "\\u0000" },
  { name: "lone surrogate", url: "%ED%A0%80", bytes: Buffer.from([0xed, 0xa0, 0x80]), json: "\\ud800" },
  { name: "overlong UTF-8", url: "%C0%AF", bytes: Buffer.from([0xc0, 0xaf]), json: null },
];

/** Who signs in for a rule: the first demo account whose role the rule admits (none for "public"). */
const ROLE_ACCOUNT: Record<ActorRole, keyof typeof ACCOUNTS> = { DOCTOR: "doctor", ADMIN: "admin", COMPLIANCE: "compliance", RESEARCHER: "researcher", REGISTRAR: "desk", PATIENT: "patient" };
function roleFor(rule: string): ActorRole | null {
  if (rule === "public") return null;
  const role = (Object.keys(ROLE_ACCOUNT) as ActorRole[]).find((r) => ruleAllows(rule as never, fakeActor(r)));
  if (!role) throw new Error(`no demo role is admitted by ${rule}`);
  return role;
}
function fakeActor(role: ActorRole): Actor {
  return role === "PATIENT"
    ? { kind: "PATIENT", id: UUID, patientId: UUID, name: "p", email: "p@x" }
    : { kind: "STAFF", id: UUID, role, departmentId: null, name: "s", email: "s@x" };
}

/** A path for a route pattern: dynamic segments filled with a plausible id (or `segment` when given). */
function concretePath(pattern: string, segment?: string): string {
  return pattern.replace(/\[\.\.\.\w+\]/g, segment ?? "callback/staff").replace(/\[\w+\]/g, segment ?? UUID);
}

/** The search parameters a route reads: names it takes from its searchParams, and the keys of the query schemas it parses. */
async function searchParamsOf(route: RouteEntry): Promise<string[]> {
  const source = readFileSync(route.file, "utf8");
  const names = new Set([...source.matchAll(/(?:\bparams|\bsearch|\(await searchParams\))\.(\w+)/g)].map((m) => m[1]!));
  for (const [, schemaName] of source.matchAll(/\b(\w+QuerySchema)\b/g)) {
    for (const file of readdirSync("lib/dto").filter((f) => f.endsWith(".ts"))) {
      const dto = (await import(`../../lib/dto/${file}`)) as Record<string, { shape?: Record<string, unknown> }>;
      for (const key of Object.keys(dto[schemaName!]?.shape ?? {})) names.add(key);
    }
  }
  names.delete("then");
  // And one no route reads: an unknown parameter is refused the same way.
  return [...names, "fuzz"];
}

/** A multipart body built by hand, so a field can carry bytes that are not UTF-8. */
function multipart(fields: [string, string | Buffer][]): { body: Buffer; type: string } {
  const boundary = `----chartproof-fuzz-${run}`;
  const parts = fields.flatMap(([name, value]) => [
    Buffer.from(`--${boundary}\r\nContent-Disposition: form-data; name="${name}"\r\n\r\n`),
    Buffer.isBuffer(value) ? value : Buffer.from(value),
    Buffer.from("\r\n"),
  ]);
  return { body: Buffer.concat([...parts, Buffer.from(`--${boundary}--\r\n`)]), type: `multipart/form-data; boundary=${boundary}` };
}

const withBad = (before: string, bad: Bad, after = "") => Buffer.concat([Buffer.from(before), bad.bytes, Buffer.from(after)]);

/** Every answer the fuzz got: none may be a 500, and every refusal must be in the server's log. */
type Sent = { what: string; status: number; requestId: string | undefined; expect: "400" | "refused" | "no500" };
const sent: Sent[] = [];

async function record(what: string, response: APIResponse, expectation: Sent["expect"] = "400"): Promise<void> {
  sent.push({ what, status: response.status(), requestId: response.headers()["x-request-id"], expect: expectation });
}

const contexts = new Map<ActorRole | "ANONYMOUS", APIRequestContext>();
async function requestAs(browser: Browser, role: ActorRole | null): Promise<APIRequestContext> {
  const key = role ?? "ANONYMOUS";
  if (!contexts.has(key)) {
    const context = await browser.newContext();
    const page = await context.newPage();
    if (role) await login(page, ROLE_ACCOUNT[role]);
    contexts.set(key, page.request);
  }
  return contexts.get(key)!;
}

test.describe.serial("bad bytes at every entry point", () => {
  test.afterAll(() => contexts.clear());

  test("every route: bad bytes in each search parameter and each path segment are a 400", async ({ browser }) => {
    test.setTimeout(300_000);
    expect(Object.keys(ROUTE_RULES).sort()).toEqual([...new Set(ROUTES.map((r) => r.pattern))].sort());
    for (const route of ROUTES) {
      const request = await requestAs(browser, roleFor(ROUTE_RULES[route.pattern]!));
      // /api/health is outside the proxy (liveness must not touch the database) and reads nothing from the request.
      const expectation = route.pattern === "/api/health" ? "no500" : "400";
      const path = concretePath(route.pattern);
      for (const name of await searchParamsOf(route)) {
        for (const bad of BAD) {
          await record(`GET ${path}?${name}=<${bad.name}>`, await request.get(`${path}?${name}=a${bad.url}b`, { maxRedirects: 0 }), expectation);
        }
      }
      if (route.pattern.includes("[")) {
        for (const bad of BAD) {
          const badPath = concretePath(route.pattern, `x${bad.url}`);
          await record(`GET ${badPath}`, await request.get(badPath, { maxRedirects: 0 }));
        }
      }
      if (/export async function POST\b/.test(readFileSync(route.file, "utf8")) && route.pattern.startsWith("/api/auth")) {
        // The sign-in forms (next-auth's callbacks): urlencoded, as the browser posts them.
        for (const kind of ["staff", "patient"]) {
          for (const bad of BAD) {
            const csrf = ((await (await request.get("/api/auth/csrf")).json()) as { csrfToken: string }).csrfToken;
            const body = Buffer.concat([Buffer.from(`csrfToken=${csrf}&json=true&password=x&email=`), Buffer.from(`a${bad.url}b@hospital.example`)]);
            await record(`POST sign-in ${kind} email <${bad.name}>`, await request.post(`/api/auth/callback/${kind}`, { data: body, headers: { "Content-Type": "application/x-www-form-urlencoded" }, maxRedirects: 0 }));
            const raw = withBad(`csrfToken=${csrf}&json=true&password=x&email=a`, bad, "b@hospital.example");
            await record(`POST sign-in ${kind} raw <${bad.name}>`, await request.post(`/api/auth/callback/${kind}`, { data: raw, headers: { "Content-Type": "application/x-www-form-urlencoded" }, maxRedirects: 0 }));
          }
        }
      }
    }
  });

  test("every server action: bad bytes in each field, with JavaScript, without it, and in the encoded arguments, are a 400", async ({ browser }) => {
    test.setTimeout(300_000);
    const manifest = JSON.parse(readFileSync(join(process.cwd(), ".next/server/server-reference-manifest.json"), "utf8")) as {
      node: Record<string, { exportedName?: string; filename?: string; workers: Record<string, unknown> }>;
    };
    const actions = actionEntries();
    expect(actions.map((a) => a.name).sort()).toEqual(Object.keys(ACTION_RULES).sort());
    for (const action of actions) {
      const [id, entry] = Object.entries(manifest.node).find(([, v]) => v.exportedName === action.name && v.filename === action.file) ?? [];
      expect(id, `${action.name} is not in the build's server-reference manifest`).toBeTruthy();
      // Posted to a page that really uses the action, as the browser would.
      const worker = Object.keys(entry!.workers).find((w) => w.endsWith("/page") && !w.includes("_not-found")) ?? "app/page";
      const page = concretePath(worker.replace(/^app/, "").replace(/\/page$/, "") || "/");
      const request = await requestAs(browser, roleFor(ACTION_RULES[action.name]!));
      const twoArguments = new RegExp(`export async function ${action.name}\\s*\\([^)]*,[^)]*formData`).test(readFileSync(action.file, "utf8"));
      const args = twoArguments ? '[{"status":"idle"},"$K1"]' : '["$K1"]';
      for (const field of [...action.fields, "note"]) {
        for (const bad of BAD) {
          const js = multipart([["0", args], [`1_${field}`, withBad("a", bad, "b")]]);
          await record(`action ${action.name} ${field} <${bad.name}>`, await request.post(page, { data: js.body, headers: { "Content-Type": js.type, "Next-Action": id!, Accept: "text/x-component" }, maxRedirects: 0 }));
          const noJs = multipart([[`$ACTION_ID_${id}`, ""], [field, withBad("a", bad, "b")]]);
          await record(`form ${action.name} ${field} <${bad.name}> (no JavaScript)`, await request.post(page, { data: noJs.body, headers: { "Content-Type": noJs.type }, maxRedirects: 0 }));
        }
      }
      for (const bad of BAD.filter((b) => b.json)) {
        const encoded = multipart([["0", twoArguments ? `[{"status":"idle","note":"a${bad.json}b"},"$K1"]` : `["$K1","a${bad.json}b"]`], ["1_note", "fine"]]);
        await record(`action ${action.name} arguments <${bad.name}>`, await request.post(page, { data: encoded.body, headers: { "Content-Type": encoded.type, "Next-Action": id!, Accept: "text/x-component" }, maxRedirects: 0 }));
        const plain = `[{"status":"idle","note":"a${bad.json}b"}]`;
        await record(`action ${action.name} JSON arguments <${bad.name}>`, await request.post(page, { data: plain, headers: { "Content-Type": "text/plain;charset=UTF-8", "Next-Action": id!, Accept: "text/x-component" }, maxRedirects: 0 }));
      }
    }
  });

  test("the patient's upload and the hospital's FHIR intake refuse bad bytes inside the JSON, and log the refusal", async ({ browser }) => {
    test.setTimeout(180_000);
    // A patient of this test's own, so that nothing another test counts could change if an upload were wrongly kept.
    const patient = wardPatient(32);
    const email = `fuzz.${run}@patients.example`;
    await openPortalAccount(browser, patient, email, "a long fuzzing passphrase");
    const context = await browser.newContext();
    const patientPage = await context.newPage();
    await loginAs(patientPage, { email, password: "a long fuzzing passphrase", kind: "patient" });

    const condition = (text: Buffer) => Buffer.concat([Buffer.from(`{"resourceType":"Condition","code":{"text":"Hay fever `), text, Buffer.from(`"},"subject":{"reference":"Patient/me","display":${JSON.stringify(patient.name)}},"onsetDateTime":"2019-04-01"}`)]);
    const bodies: [string, Buffer][] = BAD.flatMap((bad): [string, Buffer][] => [
      [`raw ${bad.name}`, condition(bad.bytes)],
      ...(bad.json ? ([[`escaped ${bad.name}`, condition(Buffer.from(bad.json))]] as [string, Buffer][]) : []),
    ]);
    for (const [what, body] of bodies) {
      const response = await patientPage.request.post("/api/uploads", { data: body, headers: { "Content-Type": "application/json", "X-Upload-Filename": "hayfever.json" } });
      await record(`upload ${what}`, response, "refused");
    }
    for (const bad of BAD) {
      const response = await patientPage.request.post("/api/uploads", { data: condition(Buffer.from("fine")), headers: { "Content-Type": "application/json", "X-Upload-Filename": `hay${bad.url}.json` } });
      await record(`upload file name <${bad.name}>`, response);
    }
    await context.close();

    // The hospital's intake, with a credential issued through four eyes.
    const admin = await browser.newContext();
    const adminPage = await admin.newPage();
    await login(adminPage, "admin");
    await adminPage.goto("/admin/service-credentials");
    const name = `Fuzz system ${run}`;
    await adminPage.getByLabel("System name").fill(name);
    await adminPage.getByRole("button", { name: "Issue credential" }).click();
    const second = await approveAsSecondAdmin(browser, name);
    const token = (await second.page.getByTestId("issued-token").textContent())!.trim();
    await second.close();
    await admin.close();
    const bundle = (text: Buffer) =>
      Buffer.concat([
        Buffer.from(`{"resourceType":"Bundle","type":"transaction","entry":[{"fullUrl":"urn:uuid:p","resource":{"resourceType":"Patient","identifier":[{"system":"https://chartproof.example/fhir/mrn","value":"${patient.mrn}"}],"birthDate":"${patient.birthDate}"},"request":{"method":"PUT","url":"Patient?identifier=https://chartproof.example/fhir/mrn|${patient.mrn}"}},{"resource":{"resourceType":"Observation","status":"final","code":{"text":"Glucose `),
        text,
        Buffer.from(`"},"subject":{"reference":"urn:uuid:p"},"valueQuantity":{"value":5.1,"unit":"mmol/L"}},"request":{"method":"POST","url":"Observation"}}]}`),
      ]);
    const anonymous = await requestAs(browser, null);
    for (const bad of BAD) {
      for (const [what, text] of [[`raw ${bad.name}`, bad.bytes], ...(bad.json ? [[`escaped ${bad.name}`, Buffer.from(bad.json)]] : [])] as [string, Buffer][]) {
        const response = await anonymous.post("/api/fhir", { data: bundle(text), headers: { "Content-Type": "application/fhir+json", Authorization: `Bearer ${token}` } });
        await record(`FHIR ${what}`, response, "refused");
      }
    }
  });

  test("no answer was a 500; every refusal is a 400 (or the intake's refusal) and is logged as refused", async () => {
    const failures = sent.filter((s) => s.status >= 500 || (s.expect === "400" && s.status !== 400) || (s.expect === "refused" && (s.status < 400 || s.status >= 500)));
    // Soft: the log checks below still run and report when something answered wrongly.
    expect.soft(failures.map((f) => `${f.what} → ${f.status}`)).toEqual([]);
    expect(sent.length).toBeGreaterThan(300);

    // The proxy's refusals: one log line each, with the request id the client was given.
    await expect(async () => {
      const refused = new Set(
        readFileSync(e2eWebLogFile(PORT), "utf8")
          .split("\n")
          .filter((line) => line.includes('"refused":"bad_bytes"'))
          .map((line) => (JSON.parse(line) as { requestId?: string }).requestId),
      );
      const unlogged = sent.filter((s) => s.expect === "400" && !refused.has(s.requestId));
      expect(unlogged.map((s) => s.what)).toEqual([]);
    }).toPass({ timeout: 10_000 });

    // The intake's refusals: an access event each (records.upload_rejected), matched by request id.
    for (const s of sent.filter((x) => x.expect === "refused")) {
      expect.soft(await sqlOnE2eDatabase(`SELECT 1 FROM "AccessEvent" WHERE "requestId" = $1 AND action = 'records.upload_rejected'`, [s.requestId]), `${s.what} (${s.status}) is not in the access log`).toBe(1);
    }
    console.log(`bad-bytes fuzz: ${sent.length} requests, ${sent.filter((s) => s.expect === "400").length} refused by the proxy, ${sent.filter((s) => s.expect === "refused").length} by the intake; statuses ${JSON.stringify(Object.fromEntries([...new Set(sent.map((s) => s.status))].map((st) => [st, sent.filter((s) => s.status === st).length])))}`);
  });
});
