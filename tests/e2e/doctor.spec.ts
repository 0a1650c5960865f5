import { expect, test, type Page } from "@playwright/test";
import { CHART_PAGE_SIZE } from "@/lib/dto/patients";
import { demoRecords } from "@/lib/jobs/demo-data";
import { expectAccessible, login, sqlOnE2eDatabase, type Locale } from "./fixtures";

const rows = (page: Page) => page.locator("[data-patient-id]");
/** The records of the chart's timeline (the summary above it carries `data-record-id` too). */
const timeline = (page: Page) => page.locator("[data-timeline] [data-record-id]");
// The demo patient 10000001's history, and how much of it the timeline's first page shows.
const DEMO = demoRecords(0, new Date());
const OBSERVATIONS = DEMO.filter((r) => r.resourceType === "Observation").length;
const FIRST_PAGE = Math.min(DEMO.length, CHART_PAGE_SIZE);

test("a doctor searches, sorts and pages the patient list; no search term reaches the URL", async ({ page }) => {
  await login(page, "doctor");
  // The idle timeout (SESSION_IDLE_MINUTES, 15 by default): each request renews the session for 15 minutes, no more.
  const session = (await page.context().cookies()).find((c) => c.name.endsWith("next-auth.session-token"));
  expect(session?.httpOnly).toBe(true);
  const minutesLeft = (session!.expires * 1000 - Date.now()) / 60_000;
  expect(minutesLeft).toBeGreaterThan(14);
  expect(minutesLeft).toBeLessThanOrEqual(15);
  await expect(page.getByText("1–25 of 41")).toBeVisible();
  await page.getByRole("button", { name: "Next page" }).click();
  await expect(page).toHaveURL(/page=2/);
  await expect(page.getByText("26–41 of 41")).toBeVisible();
  await expect(rows(page)).toHaveCount(16);

  await page.getByRole("button", { name: /^MRN/ }).click();
  await expect(page).toHaveURL(/sort=mrn/);
  await expect(page).not.toHaveURL(/page=2/);
  await expect(rows(page).first().locator("td").nth(1)).toHaveText("10000001");
  await expect(page.getByRole("columnheader", { name: /MRN/ })).toHaveAttribute("aria-sort", "ascending");
  await page.getByRole("button", { name: /^MRN/ }).click();
  await expect(page).toHaveURL(/dir=desc/);
  await expect(rows(page).first().locator("td").nth(1)).toHaveText("10000900");

  // Keyboard only: type a name and press Enter.
  const field = page.getByLabel("Name or MRN");
  await field.focus();
  await page.keyboard.type("정하은");
  await page.keyboard.press("Enter");
  await expect(page).toHaveURL(/[?&]s=v1\./);
  expect(decodeURIComponent(page.url())).not.toContain("정하은");
  await expect(rows(page)).toHaveCount(1);
  await expect(rows(page).first()).toContainText("10000001");
  await expect(page).toHaveURL(/sort=mrn/); // the sort survives a search

  // A birth-date search, and the patient without consent is never found, even by exact MRN.
  await page.getByRole("link", { name: "Clear search" }).click();
  await expect(page).not.toHaveURL(/[?&]s=/);
  await expect(page.getByLabel("Name or MRN")).toHaveValue("");
  await page.getByLabel("Date of birth").fill("1944-01-30");
  await page.getByRole("button", { name: "Search", exact: true }).click();
  await expect(rows(page)).toHaveCount(1);
  await expect(rows(page).first()).toContainText("10000004");
  await page.getByLabel("Date of birth").fill("");
  await page.getByLabel("Name or MRN").fill("10000005");
  await page.getByRole("button", { name: "Search", exact: true }).click();
  await expect(page.getByText("No consented patient matches this search.")).toBeVisible();
  await expectAccessible(page);
});

for (const locale of ["en", "ko"] as Locale[]) {
  test(`a doctor opens a chart, filters its timeline and opens a record's detail (${locale})`, async ({ page }) => {
    const text =
      locale === "en"
        ? { allergies: "Allergies", apply: "Apply", type: "Type", state: "Verification", shown: `${OBSERVATIONS} of ${DEMO.length} shown`, none: "No record matches these filters.", raw: "Raw JSON", link: /^Details & proof/ }
        : { allergies: "알레르기", apply: "적용", type: "유형", state: "검증 상태", shown: `전체 ${DEMO.length}건 중 ${OBSERVATIONS}건 표시`, none: "조건에 맞는 기록이 없습니다.", raw: "원문 JSON", link: /^상세·증명/ };
    await login(page, "doctor", locale);
    await page.goto("/patients?sort=mrn");
    const href = (await rows(page).first().getByRole("link").getAttribute("href"))!;
    const response = await page.goto(href);
    expect(response?.headers()["cache-control"]).toContain("no-store");
    // Allergies head the chart, before the timeline.
    const allergies = page.getByRole("region", { name: text.allergies });
    await expect(allergies).toContainText("Penicillin");
    await expect(timeline(page)).toHaveCount(FIRST_PAGE);
    await expect(page.locator('[data-count="verified"]')).toContainText(String(DEMO.length));

    await page.getByLabel(text.type, { exact: true }).selectOption("Observation");
    await page.getByRole("button", { name: text.apply }).click();
    await expect(page).toHaveURL(/type=Observation/);
    await expect(timeline(page)).toHaveCount(Math.min(OBSERVATIONS, CHART_PAGE_SIZE));
    await expect(page.getByText(text.shown)).toBeVisible();
    await expect(allergies).toContainText("Penicillin");
    await expectAccessible(page);

    await page.getByLabel(text.state, { exact: true }).selectOption("tampered");
    await page.getByRole("button", { name: text.apply }).click();
    await expect(timeline(page)).toHaveCount(0);
    await expect(page.getByText(text.none)).toBeVisible();

    await page.goBack();
    await expect(timeline(page)).toHaveCount(Math.min(OBSERVATIONS, CHART_PAGE_SIZE));
    const record = timeline(page).first();
    const recordId = await record.getAttribute("data-record-id");
    await record.getByRole("link", { name: text.link }).click();
    await expect(page).toHaveURL(new RegExp(`/records/${recordId}$`));
    await expect(page.locator(`[data-record-id="${recordId}"]`)).toHaveAttribute("data-verification", "verified");
    await page.getByText(text.raw).click();
    await expect(page.locator("pre").filter({ hasText: '"resourceType": "Observation"' })).toBeVisible();
    await expectAccessible(page);

    // Readable on a tablet: nothing wider than the screen.
    await page.setViewportSize({ width: 768, height: 1024 });
    await page.goBack();
    await expect(timeline(page).first()).toBeVisible();
    expect(await page.evaluate(() => document.documentElement.scrollWidth)).toBeLessThanOrEqual(768);
  });
}

test("record content is shown as text: script and HTML payloads never run or render", async ({ page }) => {
  await login(page, "doctor");
  await page.goto("/patients?sort=mrn&dir=desc");
  await rows(page).first().getByRole("link").click();
  await expect(timeline(page)).toHaveCount(3);
  await expect(timeline(page).getByText("Glucose <script>window.__pwned=1</script>")).toBeVisible();
  await expect(page.locator("[data-summary]").getByText("Glucose <script>window.__pwned=1</script>").first()).toBeVisible();
  await expect(page.locator("img[src='x']")).toHaveCount(0);
  for (const record of await timeline(page).all()) {
    await record.getByRole("link", { name: /^Details & proof/ }).click();
    await expect(page.locator("[data-record-id]")).toHaveCount(1);
    await page.locator("details").evaluateAll((els) => els.forEach((el) => ((el as HTMLDetailsElement).open = true)));
    await expect(page.locator("img[src='x'], main script")).toHaveCount(0);
    await page.goBack();
  }
  expect(await page.evaluate(() => (window as unknown as { __pwned?: number }).__pwned)).toBeUndefined();
});

test("break-glass: a reason is mandatory, the grant opens one chart, the patient sees it, and it expires", async ({ page, browser }) => {
  await login(page, "doctor2");
  await page.goto("/patients/10000001").catch(() => undefined);
  await page.getByRole("link", { name: "Emergency access" }).first().click();
  await expect(page).toHaveURL(/\/patients\/emergency$/);
  await expectAccessible(page);

  const open = page.getByRole("button", { name: "Open chart in an emergency" });
  await page.getByLabel("Patient MRN (exact)").fill("10000001");
  await open.click();
  await expect(page.getByText("Give the clinical reason (at least 10 characters).")).toBeVisible();
  await expect(page).toHaveURL(/\/patients\/emergency$/);

  await page.getByLabel("Patient MRN (exact)").fill("99999999");
  await page.getByLabel("Clinical reason").fill("Unconscious on arrival, allergies unknown");
  await open.click();
  await expect(page.getByText(/No patient has this MRN/)).toBeVisible();

  await page.getByLabel("Patient MRN (exact)").fill("10000001");
  await open.click();
  await expect(page).toHaveURL(/\/patients\/[0-9a-f-]{36}$/);
  const chartUrl = page.url();
  await expect(page.locator('[data-access="emergency"]')).toBeVisible();
  await expect(timeline(page)).toHaveCount(FIRST_PAGE);
  await expectAccessible(page);
  // The grant is for this patient only: the list of consented patients stays empty.
  await page.goto("/patients");
  await expect(rows(page)).toHaveCount(0);
  await expect(page.locator("[data-grant-id]")).toHaveCount(1);

  // The patient sees the emergency access, with the doctor's reason.
  const patientContext = await browser.newContext();
  const patientPage = await patientContext.newPage();
  await login(patientPage, "patient");
  await patientPage.goto("/me/access");
  const emergency = patientPage.locator('[data-purpose="EMERGENCY"]').first();
  await expect(emergency).toContainText("이서연 Lee Seo-yeon");
  await expect(emergency).toContainText("Unconscious on arrival, allergies unknown");
  await expect(emergency).toContainText("Opened your chart");
  await expectAccessible(patientPage);
  await patientContext.close();

  // Time passes: the grant expires and the same URL is refused.
  await sqlOnE2eDatabase(`UPDATE "BreakGlassGrant" SET "expiresAt" = now() - interval '1 second' WHERE "expiresAt" > now()`);
  const refused = await page.goto(chartUrl);
  expect(refused?.status()).toBe(404);
  await expect(page.locator("[data-record-id]")).toHaveCount(0);

  // Compliance finds the grant in its review queue and reviews it.
  const officerContext = await browser.newContext();
  const officer = await officerContext.newPage();
  await login(officer, "compliance");
  await officer.goto("/compliance/break-glass");
  const item = officer.locator("[data-grant-id]").filter({ hasText: "Unconscious on arrival" });
  await expect(item).toContainText("10000001");
  await expectAccessible(officer);
  await item.getByLabel("Review note").fill("Confirmed against the ED admission record.");
  await item.getByRole("button", { name: "Mark reviewed" }).click();
  await expect(item).toHaveCount(0); // it leaves the queue
  await officer.goto("/compliance/break-glass?show=reviewed");
  await expect(officer.locator("[data-grant-id]").filter({ hasText: "Confirmed against the ED admission record." })).toHaveCount(1);
  await officerContext.close();
});
