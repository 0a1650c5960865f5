import { mkdir } from "node:fs/promises";
import { expect, test, type Locator, type Page } from "@playwright/test";
import { expectAccessible, login, loginAs, PASSWORD, setLocaleCookie, type Locale } from "./fixtures";
import { longHistoryBundle } from "./long-history";
import { LONG_HISTORY } from "./uploader";

// The chart's clinical summary (issue #19): IPS sections first, built only from records verified in this request.
const SHOTS = "docs/screenshots";
const FOLD = { width: 1440, height: 900 };
const FIVE = ["problems", "medications", "allergies", "vitals", "results"] as const;

const section = (page: Page, name: string) => page.locator(`[data-summary="${name}"]`);

async function openDemoChart(page: Page, locale: Locale): Promise<string> {
  await login(page, "doctor", locale);
  await page.goto("/patients?sort=mrn");
  const href = (await page.locator("[data-patient-id]").first().getByRole("link").getAttribute("href"))!;
  await page.goto(href);
  return href;
}

/** Each section's top edge is inside the first screen. */
async function expectAboveTheFold(page: Page, names: readonly string[]) {
  for (const name of names) {
    const box = await section(page, name).boundingBox();
    expect(box, name).not.toBeNull();
    expect(box!.y, `${name} starts above the fold`).toBeLessThan(FOLD.height);
  }
}

async function dataValues(row: Locator): Promise<string[]> {
  return row.locator("[data-value]").evaluateAll((els) => els.map((el) => el.getAttribute("data-value")!));
}

for (const locale of ["ko", "en"] as Locale[]) {
  test(`the demo patient's chart opens on a clinical summary, every item proven (${locale})`, async ({ page }) => {
    const text =
      locale === "en"
        ? { problems: "Active problems", allClear: /unchanged since recorded/, onset: "since 2019-05", proof: "Integrity proof" }
        : { problems: "활성 문제", allClear: /기록 이후 변경 없음/, onset: "2019-05부터", proof: "무결성 증명" };
    await page.setViewportSize(FOLD);
    await openDemoChart(page, locale);

    await expectAboveTheFold(page, FIVE);
    await expect(page.getByRole("region", { name: text.problems })).toBeVisible();
    const problems = section(page, "problems");
    await expect(problems).toContainText("Type 2 diabetes mellitus");
    await expect(problems).toContainText("Hypertension");
    await expect(problems).toContainText(text.onset); // a partial onset date, shown as written
    await expect(problems).not.toContainText("Community-acquired pneumonia"); // resolved
    await expect(section(page, "medications")).toContainText("Metformin 1000 mg tablet");
    await expect(section(page, "medications")).toContainText("Atorvastatin 20 mg tablet");
    await expect(section(page, "medications")).not.toContainText("Glimepiride"); // stopped
    await expect(section(page, "allergies")).toContainText("Penicillin");
    await expect(section(page, "vitals").locator('[data-vital="bp"]')).toContainText("142/88");

    // The HbA1c row: newest first, at least three values, a trend graph, every item proven and linked to its record.
    const hba1c = section(page, "results").locator('[data-loinc="4548-4"]');
    await expect(hba1c).toHaveCount(1);
    const values = await dataValues(hba1c);
    expect(values.length).toBeGreaterThanOrEqual(3);
    expect(values[0]).toBe("7.2");
    await expect(hba1c.locator("svg[data-trend]")).toBeVisible();
    expect(Number(await hba1c.locator("svg[data-trend]").getAttribute("data-trend"))).toBeGreaterThanOrEqual(3);
    const items = page.locator("[data-summary] [data-record-id]");
    expect(await items.count()).toBeGreaterThan(20);
    const states = await items.evaluateAll((els) => els.map((el) => el.getAttribute("data-verification")));
    expect(new Set(states)).toEqual(new Set(["verified"]));
    const sources = await page.locator("[data-timeline] [data-record-id]").evaluateAll((els) => els.map((el) => el.getAttribute("data-source")));
    expect(new Set(sources)).toEqual(new Set(["hospital"]));

    // Integrity is quiet when all is well: one line for the chart, no green badge per record; the header's identity is
    // the anchored one and no created record is missing (ADR 023).
    await expect(page.locator('[data-identity="verified"]')).toBeVisible();
    await expect(page.locator('[data-completeness="holds"]')).toBeAttached();
    await expect(page.locator('[data-integrity-line="clear"]')).toContainText(text.allClear);
    await expect(page.locator("[data-timeline] [data-integrity='verified']").first()).toBeAttached();

    await expectAccessible(page);
    await mkdir(SHOTS, { recursive: true });
    await page.screenshot({ path: `${SHOTS}/chart-${locale}-1440.png` });
    await page.setViewportSize({ width: 820, height: 1180 });
    await expect(section(page, "results")).toBeVisible();
    expect(await page.evaluate(() => document.documentElement.scrollWidth)).toBeLessThanOrEqual(820);
    await page.screenshot({ path: `${SHOTS}/chart-${locale}-820.png` });

    // The record page: the record first, its proof behind a disclosure.
    await page.setViewportSize(FOLD);
    await hba1c.locator("[data-value] a").first().click();
    await expect(page).toHaveURL(/\/records\/[0-9a-f-]{36}$/);
    const disclosure = page.locator("details[data-proof]");
    await expect(disclosure).not.toHaveAttribute("open", "");
    await expect(disclosure.locator("summary")).toContainText(text.proof);
    await page.screenshot({ path: `${SHOTS}/record-${locale}-1440.png` });
  });
}

for (const locale of ["ko", "en"] as Locale[]) {
  test(`a record changed by SQL shows in its section as tampered, its content withheld, and no older value passes as latest (${locale})`, async ({ page }) => {
    const text =
      locale === "en"
        ? { withheld: "Withheld", title: "Latest withheld (tampered: content withheld)", line: "1 tampered", report: "Report to compliance", checkpoint: "confirmed on the public chain" }
        : { withheld: "보류됨", title: "최신 값 보류(변조됨: 내용 보류)", line: "변조 1건", report: "컴플라이언스에 신고", checkpoint: "공개 체인에서 확인됨" };
    await page.setViewportSize(FOLD);
    const chart = await openDemoChart(page, locale);
    const row = section(page, "results").locator('[data-loinc="4548-4"]');
    const newest = (await row.locator("[data-value]").first().getAttribute("data-record-id"))!;
    expect(newest).toMatch(/^[0-9a-f-]{36}$/);
    const [original] = await rowsOf(`SELECT resource::text AS resource FROM "MedicalRecord" WHERE id = '${newest}'`);
    // An insider with SQL access edits the value (the threat the chart must catch at the next render).
    await sqlAsOwner(`UPDATE "MedicalRecord" SET resource = jsonb_set(resource, '{valueQuantity,value}', '5.1') WHERE id = '${newest}'`);
    try {
      await page.goto(chart);
      const tampered = row.locator(`[data-record-id="${newest}"][data-verification="tampered"]`);
      await expect(tampered).toBeVisible();
      await expect(tampered).toContainText(text.withheld);
      await expect(tampered).toHaveAttribute("title", text.title);
      await expect(row).not.toContainText("5.1");
      await expect(row.locator("[data-value]").first()).not.toHaveAttribute("data-record-id", newest);
      // Listed under its section (a tampered observation's test is unknown, so the rows of that day show no latest value).
      await expect(section(page, "results").locator(`li[data-withheld][data-record-id="${newest}"]`)).toBeVisible();
      await expect(page.locator('[data-integrity-line="problems"]')).toContainText(text.line);
      await expect(page.locator(`[data-timeline] [data-record-id="${newest}"]`)).toHaveAttribute("data-verification", "tampered");
      await expectAccessible(page);
      await page.screenshot({ path: `${SHOTS}/chart-tampered-${locale}-1440.png` });

      // Its record page says the same, and offers the report to compliance.
      await page.goto(`${chart}/records/${newest}`);
      await expect(page.locator(`[data-record-id="${newest}"]`)).toHaveAttribute("data-verification", "tampered");
      await expect(page.getByRole("button", { name: text.report })).toBeVisible();
      await expect(page.locator("[data-checkpoint-fact]")).not.toContainText(text.checkpoint);
    } finally {
      await sqlAsOwner(`UPDATE "MedicalRecord" SET resource = $1::jsonb WHERE id = '${newest}'`, [original!.resource]);
    }
    await page.goto(chart);
    await expect(row.locator("[data-value]").first()).toHaveAttribute("data-record-id", newest);
  });
}

test("two patients' names, birth dates and sexes swapped by SQL: each chart shows a red header and no body (ko, en)", async ({ page }) => {
  const mrns = ["10000003", "10000004"];
  const swap = `UPDATE "Patient" p SET name = o.name, "birthDate" = o."birthDate", sex = o.sex FROM "Patient" o
    WHERE (p.mrn, o.mrn) IN (('${mrns[0]}', '${mrns[1]}'), ('${mrns[1]}', '${mrns[0]}'))`;
  await page.setViewportSize(FOLD);
  await login(page, "doctor", "en");
  await page.goto(`/patients?sort=mrn`);
  const href = (await page.locator("[data-patient-id]").nth(2).getByRole("link").getAttribute("href"))!;
  await sqlAsOwner(swap);
  try {
    for (const locale of ["en", "ko"] as Locale[]) {
      await setLocaleCookie(page, locale);
      await page.goto(href);
      await expect(page.locator('[data-identity="mismatch"]')).toBeVisible();
      await expect(page.locator('[data-identity="mismatch"] [role="alert"]')).toContainText(locale === "en" ? "chart is withheld" : "차트를 표시하지 않습니다");
      await expect(page.locator("[data-chart-withheld]")).toBeVisible();
      await expect(page.locator("[data-summary], [data-timeline], [data-record-id]")).toHaveCount(0);
      await expectAccessible(page);
      await page.screenshot({ path: `${SHOTS}/chart-identity-withheld-${locale}-1440.png` });
    }
  } finally {
    await sqlAsOwner(swap);
  }
  await page.goto(href);
  await expect(page.locator('[data-identity="verified"]')).toBeVisible();
});

test("a Synthea-sized history uploaded by the patient: the five sections still start above the fold, labelled patient-supplied", async ({ page, browser }) => {
  test.setTimeout(300_000);
  const bundle = longHistoryBundle(new Date());
  expect(bundle.entry.length).toBeGreaterThanOrEqual(300);
  const patientContext = await browser.newContext();
  const patient = await patientContext.newPage();
  await loginAs(patient, { email: LONG_HISTORY.email, password: PASSWORD, kind: "patient" });
  await patient.goto("/me/upload");
  await patient.getByLabel("Files to upload").setInputFiles({ name: "synthea.json", mimeType: "application/json", buffer: Buffer.from(JSON.stringify(bundle)) });
  await patient.getByRole("button", { name: "Upload", exact: true }).click();
  await expect(patient.locator('[data-upload-result="ok"]')).toHaveCount(1, { timeout: 180_000 });

  // The patient lets a doctor in (and takes it back at the end, so no other test sees her).
  await patient.goto("/me/consents");
  const whoMayRead = patient.getByLabel("Who may read");
  await whoMayRead.selectOption((await whoMayRead.locator("option", { hasText: "Lee Seo-yeon" }).getAttribute("value"))!);
  await patient.getByRole("button", { name: "Give consent" }).click();
  const granted = patient.locator('[data-testid="consent"][data-state="ACTIVE"]', { hasText: "Lee Seo-yeon" });
  await expect(granted).toHaveCount(1);
  try {
    await page.setViewportSize(FOLD);
    await login(page, "doctor2");
    await page.goto("/patients");
    await page.getByRole("link", { name: LONG_HISTORY.name }).click();
    await expect(page).toHaveURL(/\/patients\/[0-9a-f-]{36}$/);
    // Anchoring is the worker's: wait until every record is proven.
    await expect(async () => {
      await page.reload();
      await expect(page.locator('[data-integrity-line="clear"]')).toBeVisible({ timeout: 1_000 });
    }).toPass({ timeout: 120_000 });

    await expectAboveTheFold(page, FIVE);
    await expect(section(page, "problems")).toContainText("Diabetes mellitus type 2");
    await expect(section(page, "problems")).not.toContainText("Acute bronchitis"); // resolved
    await expect(section(page, "medications")).toContainText("Lisinopril 10 mg oral tablet");
    await expect(section(page, "allergies")).toContainText("Shellfish");
    const results = section(page, "results");
    await expect(results.locator("[data-loinc]")).toHaveCount(8); // capped, the rest one click away
    const a1c = results.locator("[data-loinc]").first();
    expect((await dataValues(a1c)).length).toBeGreaterThanOrEqual(3);
    await expect(a1c.locator("svg[data-trend]")).toBeVisible();
    // Patient-supplied, and said so: on the values, on the items, in the timeline and its filter.
    await expect(a1c.locator('[data-value][data-source="patient"]').first()).toContainText("Patient-supplied");
    await expect(section(page, "problems").locator('[data-source="patient"]').first()).toBeVisible();
    await expectAccessible(page);
    await page.screenshot({ path: `${SHOTS}/chart-long-history-en-1440.png` });

    await page.getByRole("link", { name: /Show all \d+ tests/ }).click();
    await expect(page).toHaveURL(/results=all/);
    await expect(results.locator("[data-loinc]")).toHaveCount(18); // every test, none dropped
    // With the vital signs, more than twenty LOINC codes, each in one row.
    const codes = await page.locator("[data-summary] [data-loinc]").evaluateAll((els) => els.map((el) => el.getAttribute("data-loinc")));
    expect(new Set(codes).size).toBe(codes.length);
    expect(codes.length).toBeGreaterThanOrEqual(20);
    await page.getByLabel("Source").selectOption("patient");
    await page.getByRole("button", { name: "Apply" }).click();
    await expect(page).toHaveURL(/source=patient/);
    const rows = page.locator("[data-timeline] [data-record-id]");
    await expect(rows.first()).toBeVisible();
    expect(new Set(await rows.evaluateAll((els) => els.map((el) => el.getAttribute("data-source"))))).toEqual(new Set(["patient"]));
    // The filter offers the sources the chart holds: this history is the patient's own upload only.
    await expect(page.getByLabel("Source").locator("option")).toHaveText(["All sources", "Patient-supplied"]);

    // The same in Korean: the five sections on the first screen, the patient's values labelled as hers.
    await setLocaleCookie(page, "ko");
    await page.goto(page.url().replace(/\?.*$/, ""));
    await expectAboveTheFold(page, FIVE);
    await expect(section(page, "results").locator('[data-value][data-source="patient"]').first()).toContainText("환자 제공");
    await expectAccessible(page);
    await page.screenshot({ path: `${SHOTS}/chart-long-history-ko-1440.png` });
  } finally {
    await granted.getByRole("button", { name: /Revoke/ }).click();
    await granted.getByRole("button", { name: "Yes, revoke" }).click();
    await expect(granted).toHaveCount(0);
    await patientContext.close();
  }
});

/** The e2e server's database as its owner (tests/e2e/database-file.ts). */
async function ownerClient() {
  const { readFile } = await import("node:fs/promises");
  const { e2eDatabaseFile } = await import("./database-file");
  const pg = (await import("pg")).default;
  const { databaseUrl } = JSON.parse(await readFile(e2eDatabaseFile(Number(process.env.E2E_PORT ?? 3100)), "utf8")) as { databaseUrl: string };
  const client = new pg.Client({ connectionString: databaseUrl });
  await client.connect();
  return client;
}

async function rowsOf(statement: string): Promise<{ resource: string }[]> {
  const client = await ownerClient();
  try {
    return (await client.query(statement)).rows as { resource: string }[];
  } finally {
    await client.end();
  }
}

/**
 * As the insider of the threat model with the owner's powers: past the triggers that refuse to rewrite committed
 * content (session_replication_role = replica), which the app's roles cannot do. The next render must catch it.
 */
async function sqlAsOwner(statement: string, values: unknown[] = []): Promise<void> {
  const client = await ownerClient();
  try {
    await client.query("SET session_replication_role = replica");
    await client.query(statement, values);
  } finally {
    await client.end();
  }
}
