import { readFile } from "node:fs/promises";
import { expect, test, type Page } from "@playwright/test";
import { expectAccessible, login, type Locale } from "./fixtures";

// The creation event is checked for every record the chain has not condemned, so it is shown beside the commitment.
const LEVELS = ["commitment", "creation", "batchPath", "batchAnchor", "checkpointPath", "checkpointAnchor"];

/** Opens the first consented chart and returns its first record's element. */
async function firstRecordOnChart(page: Page) {
  await page.goto("/patients");
  await page.locator('[data-patient-id] a').first().click();
  const record = page.locator("[data-timeline] [data-record-id]").first();
  await expect(record).toBeVisible();
  return record;
}

/** The URL of a record's verification page, as the doctor with consent reaches it from the chart. */
async function recordProofPath(page: Page): Promise<string> {
  const record = await firstRecordOnChart(page);
  const href = await record.locator('a[href*="/records/"]').getAttribute("href");
  expect(href).toMatch(/^\/patients\/[0-9a-f-]{36}\/records\/[0-9a-f-]{36}$/);
  return href!;
}

for (const locale of ["ko", "en"] as Locale[]) {
  test(`a doctor follows a record's proof link and sees its whole verification path (${locale})`, async ({ page }) => {
    const text =
      locale === "en"
        ? { link: "Details & proof", heading: "How this record is verified", passed: "Passed", download: "Download the proof bundle (JSON)", proof: "Integrity proof" }
        : { link: "상세·증명", heading: "이 기록을 검증하는 방법", passed: "통과", download: "증명 번들 내려받기(JSON)", proof: "무결성 증명" };
    await login(page, "doctor", locale);
    const record = await firstRecordOnChart(page);
    const recordId = (await record.getAttribute("data-record-id"))!;
    const type = (await record.locator(".uppercase").first().textContent())!.trim();

    await page.screenshot({ path: `/tmp/chart-proof-links-${locale}.png` });
    const link = record.getByRole("link", { name: new RegExp(`^${text.link}`) });
    await expect(link).toHaveAccessibleName(new RegExp(type));
    await link.click();
    await expect(page).toHaveURL(new RegExp(`/records/${recordId}$`));

    const detail = page.locator(`[data-record-id="${recordId}"]`);
    await expect(detail).toHaveCount(1);
    await expect(detail).toHaveAttribute("data-verification", "verified");
    await expect(detail).toHaveAttribute("data-checkpoint", "public");
    // A verified record's proof waits behind a disclosure; opening it shows the whole path.
    await expect(page.getByRole("heading", { name: text.heading })).toBeHidden();
    await page.locator("details[data-proof] > summary", { hasText: text.proof }).click();
    await expect(page.getByRole("heading", { name: text.heading })).toBeVisible();
    const levels = page.locator("[data-level]");
    await expect(levels).toHaveCount(LEVELS.length);
    expect(await levels.evaluateAll((els) => els.map((el) => [el.getAttribute("data-level"), el.getAttribute("data-result")]))).toEqual(
      LEVELS.map((level) => [level, "ok"]),
    );
    await expect(levels.first().getByText(text.passed)).toBeVisible();
    await expect(page.locator('[data-level="batchPath"] [data-step]').first()).toBeVisible();
    await expectAccessible(page);
    await page.screenshot({ path: `/tmp/record-proof-${locale}.png`, fullPage: true });
    await page.setViewportSize({ width: 390, height: 844 });
    await page.screenshot({ path: `/tmp/record-proof-${locale}-narrow.png`, fullPage: true });
    // Long hashes wrap: nothing is wider than the viewport.
    expect(await page.evaluate(() => document.documentElement.scrollWidth)).toBeLessThanOrEqual(390);

    // The bundle downloads from the page and carries the salt, which the page never shows.
    const [download] = await Promise.all([page.waitForEvent("download"), page.getByRole("link", { name: text.download }).click()]);
    expect(download.suggestedFilename()).toBe(`chartproof-proof-${recordId}.json`);
    const bundle = JSON.parse(await readFile((await download.path())!, "utf8")) as { record: { recordId: string }; salt: string; commitment: string };
    expect(bundle.record.recordId).toBe(recordId);
    const html = await page.content();
    expect(html).toContain(bundle.commitment);
    expect(html).not.toContain(bundle.salt.slice(2));
  });
}

test("the proof export is an attachment that is never cached, and refuses other sites", async ({ page }) => {
  await login(page, "doctor");
  const path = await recordProofPath(page);
  const response = await page.request.get(`${path}/proof.json`);
  expect(response.status()).toBe(200);
  expect(response.headers()["content-disposition"]).toMatch(/^attachment; filename="chartproof-proof-[0-9a-f-]{36}\.json"$/);
  expect(response.headers()["cache-control"]).toBe("no-store");
  expect(response.headers()["content-type"]).toContain("application/json");
  expect((await response.json()) as { format: string }).toMatchObject({ format: "chartproof.record-proof", recipeVersion: 2 });

  const view = await page.goto(path);
  expect(view?.headers()["cache-control"]).toBe("no-store");

  const crossSite = await page.request.get(`${path}/proof.json`, { headers: { "Sec-Fetch-Site": "cross-site" } });
  expect(crossSite.status()).toBe(403);
});

test("a doctor without consent gets 404 for the record and its export, with no record data", async ({ page, browser }) => {
  await login(page, "doctor");
  const path = await recordProofPath(page);
  await page.goto(path);
  const commitment = (await page.locator('[data-level="commitment"] code').first().textContent())!.trim();
  expect(commitment).toMatch(/^0x[0-9a-f]{64}$/);

  const other = await browser.newContext();
  const page2 = await other.newPage();
  await login(page2, "doctor2");
  const response = await page2.goto(path);
  expect(response?.status()).toBe(404);
  const body = await response!.text();
  expect(body).not.toContain(commitment);
  await expect(page2.locator("[data-record-id]")).toHaveCount(0);
  expect((await page2.request.get(`${path}/proof.json`)).status()).toBe(404);
  await other.close();
});

test("the published trust anchors are served at their well-known URL, without a session, as RFC 8785 JSON", async ({ request }) => {
  // The route handler is tested in-process (trust-anchors.test.ts); this is the real URL of the built app.
  const response = await request.get("/.well-known/chartproof/anchors.json");
  expect(response.status()).toBe(200);
  const text = await response.text();
  const anchors = JSON.parse(text) as { format: string; version: number; chains: { role: string }[] };
  expect(anchors).toMatchObject({ format: "chartproof-trust-anchors/1", version: expect.any(Number) });
  expect(anchors.chains.map((c) => c.role)).toContain("private");
  expect(text.startsWith('{"chains":[')).toBe(true);
});
