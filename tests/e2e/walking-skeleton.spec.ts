import { expect, test } from "@playwright/test";
import { demoRecords } from "@/lib/jobs/demo-data";
import { expectAccessible, login, setLocaleCookie, type Locale } from "./fixtures";

/** The sign-in page, with the page asked for to return to after it (#22; same-origin paths only). */
const SIGN_IN = /\/login(\?callbackUrl=%2F[^&]*)?$/;

async function firstPatientHref(page: import("@playwright/test").Page): Promise<string> {
  await page.goto("/patients");
  const href = await page.locator('[data-patient-id] a').first().getAttribute("href");
  expect(href).toBeTruthy();
  return href!;
}

test("a doctor signs in, sees only consented patients, and every record on a chart is verified", async ({ page }) => {
  await login(page, "doctor");
  await expect(page).toHaveURL(/\/patients$/);
  // 41 consented patients (four named, the IM ward, the e2e fixtures' hostile one), 25 to a page; never the one demo
  // patient without consent.
  await expect(page.locator("[data-patient-id] a")).toHaveCount(25);
  await expect(page.getByText("1–25 of 41")).toBeVisible();
  await expect(page.getByText("임서윤")).toHaveCount(0);

  await page.locator('[data-patient-id] a').first().click();
  // The timeline's records (the summary above it carries data-record-id too, and is checked with them).
  await expect(page.locator("[data-timeline] [data-record-id]")).toHaveCount(10);
  const records = page.locator("[data-record-id]");
  const states = await records.evaluateAll((els) => els.map((el) => el.getAttribute("data-verification")));
  expect(states.every((s) => s === "verified")).toBe(true);
});

test("a doctor without consent gets 404 for the same patient, with no patient data in the response", async ({ page, browser }) => {
  await login(page, "doctor");
  const href = await firstPatientHref(page);
  const name = (await page.locator(`a[href="${href}"]`).textContent())!.trim();
  const mrn = (await page.locator("tr", { has: page.locator(`a[href="${href}"]`) }).locator("td").nth(1).textContent())!.trim();
  expect(mrn).toMatch(/^\d{8}$/);

  const other = await browser.newContext();
  const page2 = await other.newPage();
  await login(page2, "doctor2");
  const response = await page2.goto(href);
  expect(response?.status()).toBe(404);
  const body = await response!.text();
  expect(body).not.toContain(name);
  expect(body).not.toContain(mrn);
  await expect(page2.locator("[data-record-id]")).toHaveCount(0);
  await other.close();
});

test("signed-out visitors are sent to sign in", async ({ page }) => {
  await page.goto("/patients");
  await expect(page).toHaveURL(SIGN_IN);
});

test("a wrong password is refused with a clear message", async ({ page }) => {
  await setLocaleCookie(page, "en");
  await page.goto("/login");
  await page.getByLabel("Email").fill("doctor@demo.chartproof.local");
  await page.getByLabel("Password").fill("not-the-password");
  await page.getByRole("button", { name: "Sign in", exact: true }).click();
  await expect(page.getByRole("alert").filter({ hasText: "incorrect" })).toBeVisible();
  await expect(page).toHaveURL(SIGN_IN);
});

const roles = [
  { who: "doctor", own: ["/patients"], others: ["/admin/staff", "/compliance/access-log", "/me"] },
  { who: "admin", own: ["/admin/staff"], others: ["/patients", "/compliance/access-log", "/me"] },
  { who: "compliance", own: ["/compliance/access-log"], others: ["/patients", "/admin/staff", "/me"] },
  { who: "patient", own: ["/me"], others: ["/patients", "/admin/staff", "/compliance/access-log"] },
] as const;

for (const role of roles) {
  test(`${role.who} reaches only their own pages`, async ({ page }) => {
    await login(page, role.who);
    for (const path of role.own) expect((await page.goto(path))?.status(), path).toBe(200);
    for (const path of role.others) expect((await page.goto(path))?.status(), path).toBe(404);
  });
}

test("the patient sees their own records, each verified", async ({ page }) => {
  await login(page, "patient");
  await expect(page).toHaveURL(/\/me$/);
  // Paged, 50 a page (issue #20): every page's records are verified when that page is shown.
  const states: (string | null)[] = [];
  for (let n = 1; ; n++) {
    if (n > 1) await page.goto(`/me?page=${n}`);
    const shown = await page.locator("[data-record-id]").evaluateAll((els) => els.map((el) => el.getAttribute("data-verification")));
    expect(shown.length).toBeLessThanOrEqual(50);
    states.push(...shown);
    if ((await page.getByRole("link", { name: /Older records/ }).count()) === 0) break;
  }
  expect(states.length).toBe(demoRecords(0, new Date()).length);
  expect(states.every((s) => s === "verified")).toBe(true);
});

test("the language can be switched, and follows the browser by default", async ({ browser }) => {
  const korean = await browser.newContext({ locale: "ko-KR", extraHTTPHeaders: { "Accept-Language": "ko-KR,ko;q=0.9" } });
  const page = await korean.newPage();
  await page.goto("/login");
  await expect(page.locator("html")).toHaveAttribute("lang", "ko");
  await expect(page.getByRole("heading", { name: "로그인" })).toBeVisible();
  await page.getByRole("button", { name: "English" }).click();
  await expect(page.getByRole("heading", { name: "Sign in" })).toBeVisible();
  await expect(page.locator("html")).toHaveAttribute("lang", "en");
  await korean.close();
});

for (const locale of ["ko", "en"] as Locale[]) {
  test(`every page is accessible in ${locale}`, async ({ page, browser }) => {
    // Four roles' pages, each analysed by axe: about a minute on an idle 2-core machine, more when it is loaded.
    test.setTimeout(180_000);
    await setLocaleCookie(page, locale);
    await page.goto("/login");
    await expectAccessible(page);

    await login(page, "doctor", locale);
    await expectAccessible(page);
    await page.locator('[data-patient-id] a').first().click();
    await expect(page.locator("[data-record-id]").first()).toBeVisible();
    await expectAccessible(page);
    await page.goto("/does-not-exist");
    await expectAccessible(page);

    for (const who of ["admin", "compliance", "patient"] as const) {
      const context = await browser.newContext();
      const other = await context.newPage();
      await login(other, who, locale);
      await expectAccessible(other);
      await context.close();
    }
  });
}
