import { mkdir, readFile } from "node:fs/promises";
import { expect, test, type Page } from "@playwright/test";
import { expectAccessible, login, sqlOnE2eDatabase, type Locale } from "./fixtures";

const SHOTS = process.env.COMPLIANCE_SHOTS_DIR ?? "/tmp/compliance-shots";
const rows = (page: Page) => page.locator("tbody tr[data-seq]");

/** A full-page picture at 1,440 and at 820 px (the laptop and the tablet a ward uses), then back to 1,280. */
async function shot(page: Page, name: string) {
  await mkdir(SHOTS, { recursive: true });
  for (const width of [1440, 820]) {
    await page.setViewportSize({ width, height: 900 });
    await page.screenshot({ path: `${SHOTS}/${name}-${width}.png`, fullPage: true });
  }
  await page.setViewportSize({ width: 1280, height: 900 });
}

function previousMonth(): string {
  const today = new Intl.DateTimeFormat("en-CA", { timeZone: "Asia/Seoul", year: "numeric", month: "2-digit" }).format(new Date());
  const [y, m] = today.split("-").map(Number) as [number, number];
  return new Date(Date.UTC(y, m - 2, 1)).toISOString().slice(0, 7);
}

test.describe.configure({ mode: "serial" });

test("a doctor's frequent emergency access raises an alert (through the app)", async ({ page }) => {
  await login(page, "doctor2");
  for (const mrn of ["10000001", "10000002", "10000003", "10000005"]) {
    await page.goto("/patients/emergency");
    await page.getByLabel("Patient MRN (exact)").fill(mrn);
    await page.getByLabel("Clinical reason").fill(`Collapsed in the waiting room, no history available (${mrn})`);
    await page.getByRole("button", { name: "Open chart in an emergency" }).click();
    await expect(page).toHaveURL(/\/patients\/[0-9a-f-]{36}$/);
  }
  // Time passes: the grants end, so that the other specs meet doctor2 without access again.
  await sqlOnE2eDatabase(`UPDATE "BreakGlassGrant" SET "expiresAt" = now() WHERE "expiresAt" > now()`);
});

test("compliance filters the log, pages it by keyset, and opens an event with its integrity", async ({ page }) => {
  await login(page, "compliance");
  await expect(page).toHaveURL(/\/compliance\/access-log$/);
  await expect(rows(page)).toHaveCount(50);

  // The officer's own reading of the log is hidden until asked for (issue #23): it would fill the newest rows.
  await page.reload();
  const ownReading = (p: Page) => p.locator('tbody tr[data-seq][data-purpose="AUDIT"]').filter({ hasText: "Choi Su-a" });
  await expect(ownReading(page)).toHaveCount(0);
  await page.getByLabel("Show my own reading of the log").check();
  await page.getByRole("button", { name: "Apply filters" }).click();
  await expect(page).toHaveURL(/mine=1/);
  await expect(ownReading(page).first()).toBeVisible();
  await page.goto("/compliance/access-log");

  // Keyset paging: older, then newer again, back to the same first row; the cursor is a seq in the URL.
  const firstSeq = await rows(page).first().getAttribute("data-seq");
  await page.getByRole("link", { name: "Older →" }).click();
  await expect(page).toHaveURL(/[?&]before=\d+/);
  await expect(rows(page).first()).not.toHaveAttribute("data-seq", firstSeq!);
  const secondFirst = Number(await rows(page).first().getAttribute("data-seq"));
  expect(secondFirst).toBeLessThan(Number(firstSeq));
  await page.getByRole("link", { name: "← Newer" }).click();
  await expect(page).toHaveURL(/[?&]after=\d+/);
  // The log grew by our own reads meanwhile, so "newer" may show them; the earlier first row is on this page.
  await expect(page.locator(`tbody tr[data-seq="${firstSeq}"]`)).toHaveCount(1);

  // Oldest first by the time column.
  await page.goto("/compliance/access-log");
  await page.getByRole("button", { name: /^Time/ }).click();
  await expect(page).toHaveURL(/dir=asc/);
  await expect(page.getByRole("columnheader", { name: /Time/ })).toHaveAttribute("aria-sort", "ascending");
  const [a, b] = await rows(page).evaluateAll((trs) => trs.slice(0, 2).map((tr) => Number(tr.getAttribute("data-seq"))));
  expect(a).toBeLessThan(b!);

  // Emergency accesses only.
  await page.goto("/compliance/access-log");
  await page.getByLabel("Purpose", { exact: true }).selectOption("EMERGENCY");
  await page.getByRole("button", { name: "Apply filters" }).click();
  await expect(page).toHaveURL(/purpose=EMERGENCY/);
  expect(await rows(page).count()).toBeGreaterThanOrEqual(8);
  for (const purpose of await rows(page).evaluateAll((trs) => trs.map((tr) => tr.getAttribute("data-purpose")))) expect(purpose).toBe("EMERGENCY");

  // One patient's chart views, by MRN (never a name in the URL).
  // The action picker speaks the officer's language; the URL keeps the code.
  await page.getByLabel("Action", { exact: true }).selectOption({ label: "Opened a patient's chart" });
  await page.getByLabel("Patient MRN").fill("10000001");
  await page.getByRole("button", { name: "Apply filters" }).click();
  await expect(page).toHaveURL(/mrn=10000001/);
  await expect(page).toHaveURL(/action=patient.viewed/);
  await expect(page).toHaveURL(/purpose=EMERGENCY/);
  await expect(rows(page).first()).toBeVisible();
  for (const text of await rows(page).allInnerTexts()) expect(text).toContain("10000001");
  expect(decodeURIComponent(page.url())).not.toMatch(/[가-힣]/);
  await expectAccessible(page);

  // The event: who, what, and whether the log still vouches for it.
  const seq = await rows(page).first().getAttribute("data-seq");
  await rows(page).first().getByRole("link", { name: `Open event No. ${seq}` }).click();
  await expect(page).toHaveURL(new RegExp(`/compliance/access-log/${seq}$`));
  await expect(page.getByRole("heading", { name: `Access event No. ${seq}` })).toBeVisible();
  await expect(page.locator('[data-check="hash"]')).toHaveAttribute("data-ok", "true");
  await expect(page.locator('[data-check="link"]')).toHaveAttribute("data-ok", "true");
  await expect(page.locator('[data-check="seal"]')).toBeVisible();
  await expect(page.getByText("10000001").first()).toBeVisible();
  await expect(page.getByText("Opened a patient's chart").first()).toBeVisible();
  await expect(page.getByText("patient.viewed")).toHaveCount(0);
  await expectAccessible(page);
  expect((await page.request.get(`/compliance/access-log/${seq}`)).headers()["cache-control"]).toContain("no-store");
  expect((await page.goto("/compliance/access-log/99999999999"))?.status()).toBe(404);
});

test("compliance exports the filtered log as CSV with a reason, and the export is logged", async ({ page }) => {
  await login(page, "compliance");
  await page.goto("/compliance/access-log?purpose=EMERGENCY");

  // Blank reasons are refused by the server too (the browser only counts characters).
  await page.getByLabel("Reason for the export").fill("      ");
  await page.getByRole("button", { name: "Download CSV" }).click();
  await expect(page.getByText("Give a reason of at least 5 characters.")).toBeVisible();
  await expect(page).toHaveURL(/purpose=EMERGENCY/);

  await page.getByLabel("Reason for the export").fill("Monthly emergency-access review");
  const [download] = await Promise.all([page.waitForEvent("download"), page.getByRole("button", { name: "Download CSV" }).click()]);
  // Named by the hospital's day (Seoul), which is what the screen shows, not by UTC's.
  const seoulDay = new Intl.DateTimeFormat("en-CA", { timeZone: "Asia/Seoul", year: "numeric", month: "2-digit", day: "2-digit" }).format(new Date());
  expect(download.suggestedFilename()).toBe(`chartproof-access-log-${seoulDay}.csv`);
  const bytes = await readFile((await download.path())!);
  expect([...bytes.subarray(0, 3)]).toEqual([0xef, 0xbb, 0xbf]);
  const lines = bytes.subarray(3).toString("utf8").split("\r\n").filter(Boolean);
  expect(lines[0]).toBe("seq,occurredAt,chain,chainSeq,actorKind,actorId,actorName,actorRole,action,patientId,patientMrn,outcome,purpose,ip,requestId,details,hash");
  expect(lines.length).toBeGreaterThanOrEqual(9);
  for (const line of lines.slice(1)) expect(line).toContain(",EMERGENCY,");

  // Not even the headers of the response are cacheable.
  const response = await page.request.get("/compliance/access-log/export?purpose=EMERGENCY&reason=header%20check");
  expect(response.headers()["cache-control"]).toContain("no-store");
  expect(response.headers()["content-disposition"]).toMatch(/^attachment;/);

  await page.goto("/compliance/access-log?action=access_log.exported");
  await expect(rows(page)).not.toHaveCount(0);
  await rows(page).first().getByRole("link").click();
  await expect(page.getByTestId("event-details")).toContainText("header check");
});

test("compliance reviews the alert with a note", async ({ page }) => {
  await login(page, "compliance");
  await page.goto("/compliance/alerts");
  const alert = page.locator('[data-alert-kind="break_glass.frequent"]').first();
  await expect(alert).toContainText("Frequent emergency access by one doctor");
  // Its details in words: the doctor by name, linked to their events; no raw key, no bare id (issue #23).
  await expect(alert.getByRole("link", { name: "이서연 Lee Seo-yeon" })).toHaveAttribute("href", /\/compliance\/access-log\?staff=[0-9a-f-]{36}$/);
  await expect(alert).toContainText("Staff member");
  await expect(alert).not.toContainText("staffId");
  // Critical alerts lead the list, then the newest.
  const severities = await page.locator("[data-alert-id]").evaluateAll((rows) => rows.map((r) => r.querySelector("td:nth-child(2)")?.textContent ?? ""));
  const rank = (s: string) => (s.includes("Critical") ? 2 : s.includes("Warning") ? 1 : 0);
  expect(severities.map(rank)).toEqual([...severities.map(rank)].sort((a, b) => b - a));
  const alertId = await alert.getAttribute("data-alert-id");
  await expectAccessible(page);
  await alert.getByRole("button", { name: "Mark reviewed" }).click();
  // The note is required: nothing is saved without it.
  await expect(alert.getByLabel("Review note")).toBeFocused();
  await alert.getByLabel("Review note").fill("Mass-casualty drill in the ED; confirmed with the charge nurse.");
  await alert.getByRole("button", { name: "Mark reviewed" }).click();
  await expect(page.locator(`[data-alert-id="${alertId}"]`)).toHaveCount(0); // it leaves the open list
  await page.goto("/compliance/alerts?show=reviewed");
  await expect(page.locator(`[data-alert-id="${alertId}"]`)).toContainText("Mass-casualty drill");
  await page.goto("/compliance/access-log?action=alert.reviewed");
  await expect(rows(page)).toHaveCount(1);
});

test("compliance signs off last month once, and runs the integrity check", async ({ page }) => {
  await login(page, "compliance");
  await page.goto("/compliance/sign-off");
  const month = previousMonth();
  await expect(page.getByLabel("Month", { exact: true })).toHaveValue(month);
  await page.getByLabel("Note", { exact: true }).fill("Reviewed every emergency access and refused attempt.");
  await page.getByRole("button", { name: "Sign off month" }).click();
  await expect(page.getByText(`${month} signed off.`)).toBeVisible();
  await expect(page.locator(`tr[data-period="${month}"]`)).toContainText("Reviewed every emergency access");
  await page.getByRole("button", { name: "Sign off month" }).click();
  await expect(page.getByText("This month has already been signed off.")).toBeVisible();
  await expect(page.getByLabel("Note", { exact: true })).toHaveValue("Reviewed every emergency access and refused attempt.");

  await page.goto("/compliance/integrity");
  await page.getByRole("button", { name: "Run check now" }).click();
  await expect(page.locator("[data-log-check]")).toHaveAttribute("data-log-check", "intact");
  await expect(page.getByText(/All links hold/)).toBeVisible();
  expect(Number(await page.getByTestId("checked-events").innerText())).toBeGreaterThan(100);
  await expectAccessible(page);
});

for (const locale of ["en", "ko"] as Locale[]) {
  test(`every compliance page is accessible and looks right (${locale})`, async ({ page }) => {
    await page.setViewportSize({ width: 1280, height: 900 });
    await login(page, "compliance", locale);

    await page.goto("/compliance");
    await expect(page.locator("figure")).toHaveCount(3);
    // Run after the doctor's emergency access above, every chart has data; run alone, empty charts say so instead.
    expect(await page.locator('figure svg[role="img"]').count()).toBeGreaterThanOrEqual(1);
    await expect(page.locator("figure table.sr-only")).toHaveCount(3);
    await expectAccessible(page);
    await shot(page, `${locale}-dashboard`);

    await page.goto("/compliance/access-log");
    await expect(rows(page)).toHaveCount(50);
    await expectAccessible(page);
    await shot(page, `${locale}-access-log`);
    // At a tablet's 820 px the outcome — what compliance needs most — is on screen without scrolling sideways.
    await page.setViewportSize({ width: 820, height: 900 });
    const outcome = await page.getByRole("columnheader", { name: locale === "en" ? "Outcome" : "결과", exact: true }).boundingBox();
    expect(outcome!.x + outcome!.width).toBeLessThanOrEqual(820);
    await page.setViewportSize({ width: 1280, height: 900 });

    const seq = await rows(page).nth(3).getAttribute("data-seq");
    await page.goto(`/compliance/access-log/${seq}`);
    await expect(page.locator('[data-check="hash"]')).toHaveAttribute("data-ok", "true");
    await expectAccessible(page);
    await shot(page, `${locale}-event`);

    await page.goto("/compliance/alerts?show=reviewed");
    await expectAccessible(page);
    await shot(page, `${locale}-alerts-reviewed`);
    await page.goto("/compliance/alerts");
    await expectAccessible(page);
    await shot(page, `${locale}-alerts`);

    await page.goto("/compliance/integrity");
    await page.getByRole("button", { name: locale === "en" ? "Run check now" : "지금 점검" }).click();
    await expect(page.locator("[data-log-check]")).toBeVisible();
    await expectAccessible(page);
    await shot(page, `${locale}-integrity`);

    await page.goto("/compliance/sign-off");
    await expectAccessible(page);
    await shot(page, `${locale}-sign-off`);
  });
}

test("other roles cannot reach the compliance screens or the export", async ({ page }) => {
  await login(page, "doctor");
  for (const path of ["/compliance", "/compliance/access-log", "/compliance/alerts", "/compliance/integrity", "/compliance/sign-off", "/compliance/access-log/1"]) {
    expect((await page.goto(path))?.status(), path).toBe(404);
  }
  const response = await page.request.get("/compliance/access-log/export?reason=just%20curious");
  expect(response.status()).toBe(404);
  expect(await response.text()).not.toContain("seq,occurredAt");
});
