import { mkdirSync } from "node:fs";
import { expect, test, type APIRequestContext, type Page } from "@playwright/test";
import { approveAsSecondAdmin, expectAccessible, login, setLocaleCookie, sqlOnE2eDatabase, type Locale } from "./fixtures";

/** The sign-in page, with the page asked for to return to after it (#22; same-origin paths only). */
const SIGN_IN = /\/login(\?callbackUrl=%2F[^&]*)?$/;

// Issue 21, end to end against the real server (scripts/web-server.ts in front of the built app).

const run = Date.now().toString(36);
const SHOTS = process.env.ISSUE21_SHOTS_DIR ?? "/tmp/issue21-shots";
mkdirSync(SHOTS, { recursive: true });

async function shot(page: Page, name: string) {
  for (const locale of ["en", "ko"] as Locale[]) {
    await setLocaleCookie(page, locale);
    await page.reload();
    await expectAccessible(page);
    await page.screenshot({ path: `${SHOTS}/${name}-${locale}.png`, fullPage: true });
  }
  await setLocaleCookie(page, "en");
  await page.reload();
}

test("four eyes: the requester cannot approve its own request; the second admin can, and sees the code once", async ({ page, browser }) => {
  await login(page, "admin");
  const email = `fourEyes.${run}@hospital.example`.toLowerCase();
  await page.goto("/admin/staff/new");
  await page.getByLabel("Full name").fill(`Dr Four Eyes ${run}`);
  await page.getByLabel("Email").fill(email);
  await page.getByLabel("Role").selectOption("COMPLIANCE");
  await page.getByRole("button", { name: "Create account" }).click();
  await expect(page.getByTestId("request-pending")).toBeVisible();
  await page.screenshot({ path: `${SHOTS}/request-sent-en.png`, fullPage: true });

  await page.goto("/admin/approvals");
  const own = page.locator("[data-request-id]", { hasText: email });
  await expect(own).toContainText("Your request: another administrator must approve it.");
  await expect(own.getByRole("button", { name: "Approve and execute" })).toHaveCount(0);
  await shot(page, "approvals-requester");

  const second = await approveAsSecondAdmin(browser, email);
  await expect(second.page.getByTestId("one-time-code")).toBeVisible();
  await expectAccessible(second.page);
  await second.page.screenshot({ path: `${SHOTS}/approval-result-en.png`, fullPage: true });
  await second.close();

  await page.reload();
  await expect(page.locator("[data-request-id]", { hasText: email }).getByTestId("request-status")).toHaveText("Approved");
});

test("a code for an existing account never reaches an admin's screen", async ({ page, browser }) => {
  await login(page, "admin");
  const email = `outbox.${run}@hospital.example`;
  await page.goto("/admin/staff/new");
  await page.getByLabel("Full name").fill(`Dr Outbox ${run}`);
  await page.getByLabel("Email").fill(email);
  await page.getByLabel("Role").selectOption("RESEARCHER");
  await page.getByRole("button", { name: "Create account" }).click();
  const made = await approveAsSecondAdmin(browser, email);
  await made.page.getByTestId("approval-result").getByRole("link").click();
  await made.page.waitForURL(/\/admin\/staff\/[0-9a-f-]{36}$/);
  const accountUrl = made.page.url();
  await made.close();

  await page.goto(accountUrl);
  await page.getByRole("button", { name: "Issue a new activation code" }).click();
  await expect(page.getByTestId("request-pending")).toBeVisible();
  await expect(page.getByTestId("one-time-code")).toHaveCount(0);
  const second = await approveAsSecondAdmin(browser, email);
  await expect(second.page.getByText(/sent to the operator's outbox/)).toBeVisible();
  await expect(second.page.getByTestId("one-time-code")).toHaveCount(0);
  await second.close();
});

test("a copy of the cookie is refused after sign-out: page, proof.json, a server action and a prefetch", async ({ page, browser }) => {
  await login(page, "doctor");
  await page.goto("/patients");
  await page.locator("[data-patient-id] a").first().click();
  const chartUrl = page.url();
  const record = page.locator("[data-record-id]").first();
  const recordPath = await record.locator('a[href*="/records/"]').getAttribute("href");
  expect(recordPath).toBeTruthy();

  // The copy: another browser with the same cookies, opened before sign-out.
  const copy = await browser.newContext();
  await copy.addCookies(await page.context().cookies());
  const thief = await copy.newPage();
  await thief.goto("/patients/emergency");
  expect((await thief.request.get(`${recordPath}/proof.json`)).status()).toBe(200);
  // A server action as the copy sends it (the patient search): it works before sign-out — the action answers with
  // the sealed search link — and the very same request is replayed after.
  await thief.goto("/patients");
  const [actionRequest] = await Promise.all([
    thief.waitForRequest((r) => r.method() === "POST" && r.headers()["next-action"] !== undefined),
    (async () => {
      await thief.getByLabel("Name or MRN").fill("10000001");
      await thief.getByRole("button", { name: "Search", exact: true }).click();
    })(),
  ]);
  const actionResponse = (await actionRequest.response())!;
  expect(actionResponse.status()).toBe(200);
  expect(await actionResponse.headerValue("x-action-redirect")).toMatch(/^\/patients\?s=/);
  const replayAction = () =>
    thief.request.fetch(actionRequest.url(), { method: "POST", headers: actionRequest.headers(), data: actionRequest.postDataBuffer()!, maxRedirects: 0 });
  expect((await replayAction()).headers()["x-action-redirect"]).toMatch(/^\/patients\?s=/);

  await page.goto("/account/security");
  await page.getByRole("button", { name: /Sign out|로그아웃/ }).click();
  await page.waitForURL(/\/login/);

  await thief.goto(chartUrl);
  await expect(thief).toHaveURL(SIGN_IN);
  expect((await thief.request.get(`${recordPath}/proof.json`)).status()).not.toBe(200);
  const prefetch = await thief.request.get(chartUrl, { headers: { RSC: "1", "Next-Router-Prefetch": "1" }, maxRedirects: 0 });
  expect(await prefetch.text()).not.toContain("data-record-id");
  // The action is refused before it runs (AccessDeniedError, no search link). tests/unit/authorization-matrix.test.ts
  // refuses a signed-out session's cookie on every other action the same way.
  const replayed = await replayAction();
  expect(replayed.headers()["x-action-redirect"]).toBeUndefined();
  expect(replayed.ok()).toBe(false);
  await copy.close();
});

test("a prefetch carries the CSP and a server-made request id; a client's X-Request-Id is not used", async ({ request }) => {
  const response = await request.get("/login", { headers: { RSC: "1", "Next-Router-Prefetch": "1", "X-Request-Id": "client-chosen-id" } });
  expect(response.headers()["content-security-policy"]).toContain("frame-ancestors 'none'");
  const id = response.headers()["x-request-id"];
  expect(id).toMatch(/^[0-9a-f-]{36}$/);
  expect(id).not.toBe("client-chosen-id");
});

async function signInAttempt(request: APIRequestContext, email: string, password: string, forwardedFor: string) {
  const csrf = (await (await request.get("/api/auth/csrf")).json()) as { csrfToken: string };
  return request.post("/api/auth/callback/staff", {
    form: { csrfToken: csrf.csrfToken, email, password, otp: "", json: "true", callbackUrl: "/" },
    headers: { "X-Forwarded-For": forwardedFor },
    maxRedirects: 0,
  });
}

test("a spoofed X-Forwarded-For from a non-proxy peer is ignored: rotating it does not evade the throttle (real socket)", async ({ playwright, baseURL }) => {
  const request = await playwright.request.newContext({ baseURL });
  const statuses: number[] = [];
  const requestIds: string[] = [];
  for (let i = 0; i < 7; i++) {
    const response = await signInAttempt(request, `nobody.${run}@hospital.example`, `wrong guess ${i}`, `6.6.6.${i}`);
    statuses.push(response.status());
    requestIds.push(response.headers()["x-request-id"]!);
  }
  // Five evaluated (401: wrong password), then a delay, whatever address the client claims.
  expect(statuses.slice(0, 5).every((s) => s !== 429)).toBe(true);
  const refused = await signInAttempt(request, `nobody.${run}@hospital.example`, "wrong again", "7.7.7.7");
  expect(refused.status()).toBe(429);
  expect(Number(refused.headers()["retry-after"])).toBeGreaterThan(0);
  expect(statuses.slice(5)).toEqual([429, 429]);
  // The access log records the socket's address for each attempt, never the one the client claimed.
  expect(await sqlOnE2eDatabase(`SELECT DISTINCT "requestId" FROM "AccessEvent" WHERE "requestId" = ANY($1) AND ip IN ('127.0.0.1', '::1', '::ffff:127.0.0.1')`, [requestIds])).toBe(7);
  expect(await sqlOnE2eDatabase(`SELECT 1 FROM "AccessEvent" WHERE "requestId" = ANY($1) AND ip LIKE '6.6.6.%'`, [requestIds])).toBe(0);
  await request.dispose();
});

test("NUL, a lone surrogate and overlong UTF-8 in a search parameter are a 400, never a 500", async ({ page }) => {
  await login(page, "doctor");
  for (const query of ["q=%00", "q=%ED%A0%80", "q=%C0%AF", "q=abc%00def"]) {
    const response = await page.request.get(`/patients?${query}`);
    expect(response.status(), query).toBe(400);
  }
  expect((await page.request.get("/patients?q=%EA%B9%80")).status()).toBe(200);
  expect((await page.request.get("/login?next=%C0%AF")).status()).toBe(400);
});

test("staff see and end their own sessions", async ({ page, browser }) => {
  await login(page, "researcher");
  const other = await browser.newContext();
  const otherPage = await other.newPage();
  await login(otherPage, "researcher");
  await page.goto("/account/security");
  await expect(page.getByText("This browser")).toBeVisible();
  await shot(page, "sessions");
  await page.getByRole("button", { name: "End all other sessions" }).click();
  await expect(page.getByText("No other sessions.")).toBeVisible();
  await otherPage.goto("/research");
  await expect(otherPage).toHaveURL(SIGN_IN);
  await other.close();
});
