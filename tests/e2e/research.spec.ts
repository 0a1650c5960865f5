import { mkdir } from "node:fs/promises";
import { expect, test, type Page } from "@playwright/test";
import { expectAccessible, login, type Locale } from "./fixtures";

const SHOTS = process.env.RESEARCH_SHOTS_DIR ?? "/tmp/research-shots";

async function shot(page: Page, name: string) {
  await mkdir(SHOTS, { recursive: true });
  await page.screenshot({ path: `${SHOTS}/${name}.png`, fullPage: true });
}

test.describe.configure({ mode: "serial" });

let cohortUrl = "";
let exportUrl = "";

test("a researcher builds a cohort, sees suppressed counts, saves, exports and verifies the manifest against the chain", async ({ page }) => {
  await login(page, "researcher");
  await expect(page).toHaveURL(/\/research$/);
  await expect(page.getByRole("heading", { name: "Research", exact: true })).toBeVisible();
  await expectAccessible(page);

  await page.getByRole("link", { name: "Build a cohort" }).click();
  await expect(page).toHaveURL(/\/research\/cohorts$/);
  const count = page.locator("[data-cohort-count]");
  // Everyone with a research consent: a released count.
  await expect(count).toHaveText(/^\d+$/);
  const everyone = Number(await count.textContent());
  expect(everyone).toBeGreaterThanOrEqual(11);

  // A small cell: hypertension (a handful of patients) is shown as "< 11", in the URL-driven builder.
  await page.getByLabel("Conditions").fill("Hypertension");
  await page.getByRole("button", { name: "Count" }).click();
  await expect(page).toHaveURL(/cond=Hypertension/);
  await expect(count).toHaveText("< 11");
  await expectAccessible(page);

  // The code look-up offers the codes research-covered records carry: LDL cholesterol, found by name, released.
  await page.getByRole("link", { name: "Clear criteria" }).click();
  await expect(page).toHaveURL(/\/research\/cohorts$/);
  const lookup = page.locator("details", { hasText: "Look up a code (Observation code)" });
  await lookup.getByText("Look up a code (Observation code)").click();
  await lookup.getByLabel("Search by name or code").fill("LDL");
  await lookup.getByRole("button", { name: /^Add Cholesterol in LDL/ }).click();
  await expect(page.getByLabel("Observation code")).toHaveValue("2089-1");
  await page.getByRole("button", { name: "Count" }).click();
  await expect(page).toHaveURL(/obs=2089-1/);
  await expect(count).toHaveText(/^\d+$/);
  expect(Number(await count.textContent())).toBeGreaterThanOrEqual(11);
  await expectAccessible(page);

  // Women with a creatinine result: released; then the same minus the oldest ones by an age bound — a difference
  // smaller than the threshold from the released set, suppressed however large it is itself.
  await page.getByRole("link", { name: "Clear criteria" }).click();
  await expect(page).toHaveURL(/\/research\/cohorts$/);
  await page.getByLabel("Observation code").fill("2160-0");
  await page.getByLabel("Sex").selectOption("FEMALE");
  await page.getByRole("button", { name: "Count" }).click();
  await expect(page).toHaveURL(/obs=2160-0/);
  await expect(count).toHaveText(/^\d+$/);
  const women = Number(await count.textContent());
  await page.getByLabel("Age to").fill("80");
  await page.getByRole("button", { name: "Count" }).click();
  await expect(page).toHaveURL(/ageMax=80/);
  await expect(count).toHaveText(/^(< 11|\d+)$/);
  if ((await count.textContent()) !== "< 11") expect(Math.abs(Number(await count.textContent()) - women)).toBeGreaterThanOrEqual(11);

  // Save everyone as a cohort.
  await page.goto("/research/cohorts");
  await expect(count).toHaveText(String(everyone));
  await page.getByLabel("Cohort name").fill("Everyone with research consent");
  await page.getByRole("button", { name: "Save this cohort" }).click();
  await expect(page).toHaveURL(/\/research\/cohorts\/[0-9a-f-]{36}$/);
  cohortUrl = new URL(page.url()).pathname;
  await expect(page.getByRole("heading", { name: "Everyone with research consent" })).toBeVisible();
  await expect(page.locator("[data-cohort-count]")).toHaveText(String(everyone));
  await expectAccessible(page);

  // Safe Harbor is preselected; pseudonymisation must be acknowledged as not Safe Harbor and carry PIPA's record,
  // and a refused submission keeps what was typed.
  await expect(page.getByLabel(/HIPAA Safe Harbor/)).toBeChecked();
  await page.getByLabel(/Pseudonymised — not Safe Harbor/).check();
  await page.getByLabel("IRB approval number").fill("IRB-2026-0142");
  await page.getByRole("button", { name: "Export de-identified data" }).click();
  await expect(page.getByText("Confirm that you understand")).toBeVisible();
  await expect(page.getByText("State the research purpose.")).toBeVisible();
  await expect(page.getByText("Name the custodian of the pseudonym key.")).toBeVisible();
  await expect(page.getByText("Give the date the data must be destroyed.")).toBeVisible();
  await expect(page.getByLabel("IRB approval number")).toHaveValue("IRB-2026-0142");
  await expectAccessible(page);
  await page.getByLabel(/HIPAA Safe Harbor/).check();
  await page.getByRole("button", { name: "Export de-identified data" }).click();
  await expect(page).toHaveURL(/\/research\/exports\/[0-9a-f-]{36}$/);
  exportUrl = new URL(page.url()).pathname;
  await expect(page.locator("[data-export-mode]")).toHaveAttribute("data-export-mode", "SAFE_HARBOR");

  // Downloads: an NDJSON file and the manifest bundle.
  const [file] = await Promise.all([page.waitForEvent("download"), page.getByRole("link", { name: "Download Patient.ndjson" }).click()]);
  expect(file.suggestedFilename()).toBe("Patient.ndjson");
  const patients = (await (await file.createReadStream()).toArray()).join("").trim().split("\n");
  expect(patients).toHaveLength(everyone);
  const [manifest] = await Promise.all([page.waitForEvent("download"), page.getByRole("link", { name: /Download manifest/ }).click()]);
  expect(manifest.suggestedFilename()).toMatch(/^manifest-[0-9a-f-]{36}\.json$/);

  // The manifest's hash reaches the chain (the e2e server anchors export manifests as the worker would), then verifies.
  await expect(async () => {
    await page.reload();
    await expect(page.locator("[data-anchor-state]")).toHaveAttribute("data-anchor-state", "anchored", { timeout: 1_000 });
  }).toPass({ timeout: 30_000 });
  await page.getByRole("button", { name: "Verify now" }).click();
  await expect(page.locator("[data-verdict]")).toHaveAttribute("data-verdict", "verified");
  await expect(page.getByText("Verified: the files are exactly what was exported")).toBeVisible();
  await expectAccessible(page);
});

test("a pseudonymised export carries PIPA's record (purpose, IRB approval, key custodian, destruction date) into its anchored manifest", async ({ page }) => {
  await login(page, "researcher");
  await page.goto(cohortUrl);
  await page.getByLabel(/Pseudonymised — not Safe Harbor/).check();
  const destroyOn = `${new Date().getUTCFullYear() + 3}-06-30`;
  await page.getByLabel("Research purpose").fill("Outcomes of type 2 diabetes care in the internal medicine ward");
  await page.getByLabel("IRB approval number").fill("IRB-2026-0142");
  await page.getByLabel("Custodian of the pseudonym key").fill("Research data office");
  await page.getByLabel("Retained until (destroyed on)").fill(destroyOn);
  await page.getByLabel(/I understand a pseudonymised export/).check();
  await page.getByRole("button", { name: "Export de-identified data" }).click();
  await expect(page).toHaveURL(/\/research\/exports\/[0-9a-f-]{36}$/);
  await expect(page.locator("[data-export-mode]")).toHaveAttribute("data-export-mode", "PSEUDONYMISED");
  const record = page.locator("[data-pipa-record]");
  for (const text of ["Art. 28-2", "Outcomes of type 2 diabetes care", "IRB-2026-0142", "Research data office", destroyOn, "Art. 28-4"]) await expect(record).toContainText(text);
  await expectAccessible(page);
});

test("a researcher gets 404 on charts, the access log and /me; other roles get 404 on /research", async ({ page, browser }) => {
  await login(page, "researcher");
  for (const path of ["/patients", "/compliance/access-log", "/me", "/admin/staff"]) {
    const response = await page.goto(path);
    expect(response?.status(), path).toBe(404);
  }
  const doctor = await browser.newPage();
  await login(doctor, "doctor");
  for (const path of ["/research", "/research/cohorts", cohortUrl, exportUrl, `${exportUrl}/manifest.json`]) {
    const response = await doctor.goto(path);
    expect(response?.status(), path).toBe(404);
  }
  await doctor.close();
});

for (const locale of ["en", "ko"] as const satisfies Locale[]) {
  test(`research pages render and are accessible in ${locale}`, async ({ page }) => {
    await login(page, "researcher", locale);
    await page.goto("/research");
    await expect(page.locator("[data-cohort-id]").first()).toBeVisible();
    await shot(page, `${locale}-overview`);
    await page.goto("/research/cohorts?cond=Hypertension");
    await expect(page.locator("[data-cohort-count]")).toHaveText(/</);
    await shot(page, `${locale}-builder-suppressed`);
    await page.goto("/research/cohorts?obs=2160-0::&sex=FEMALE");
    await expect(page.locator("[data-cohort-count]")).toHaveText(/^\d+$/);
    await page.locator("details").first().locator("summary").click();
    await expect(page.locator("[data-code-options]").first()).toBeVisible();
    await shot(page, `${locale}-builder`);
    await page.goto(cohortUrl);
    await shot(page, `${locale}-cohort`);
    await expectAccessible(page);
    await page.locator("input[name=mode][value=PSEUDONYMISED]").check();
    await expect(page.locator("[data-pipa-terms]")).toBeVisible();
    await shot(page, `${locale}-export-pseudonymised`);
    await expectAccessible(page);
    await page.goto(exportUrl);
    await page.locator("form:has(input[name=exportId]) button[type=submit]").click();
    await expect(page.locator("[data-verdict]")).toHaveAttribute("data-verdict", "verified");
    await shot(page, `${locale}-export`);
    await expectAccessible(page);
  });
}
