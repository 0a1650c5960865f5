import { readFile } from "node:fs/promises";
import { mkdirSync } from "node:fs";
import pg from "pg";
import { expect, test, type Browser, type Page } from "@playwright/test";
import { e2eDatabaseFile } from "./database-file";
import { expectAccessible, login, loginAs, setLocaleCookie, type Locale } from "./fixtures";

// One patient's whole journey with the portal (issue #7): the desk opens an account with an in-person code, the
// patient activates it, uploads, corrects a record, grants and revokes a consent that a doctor's access follows on the
// next request, sees that doctor's view in "Who looked", and downloads everything with proofs.

const SHOTS = process.env.PORTAL_SHOTS_DIR ?? "/tmp/portal-shots";
mkdirSync(SHOTS, { recursive: true });
// The last ward patient: no portal account in the demo, consented only to internal medicine (not doctor2).
const MRN = "10000136";
const PATIENT_PASSWORD = "my own portal passphrase";
const email = `ward136.${Date.now().toString(36)}@patients.example`;

type Identity = { name: string; birthDate: string };
let who: Identity;

/** The patient's identity as the desk reads it from their ID card (test data, read from the e2e database). */
async function identityOf(mrn: string): Promise<Identity> {
  const { databaseUrl } = JSON.parse(await readFile(e2eDatabaseFile(Number(process.env.E2E_PORT ?? 3100)), "utf8")) as { databaseUrl: string };
  const client = new pg.Client({ connectionString: databaseUrl });
  await client.connect();
  try {
    const { rows } = await client.query<{ name: string; birth: string }>(`SELECT name, to_char("birthDate", 'YYYY-MM-DD') AS birth FROM "Patient" WHERE mrn = $1`, [mrn]);
    return { name: rows[0]!.name, birthDate: rows[0]!.birth };
  } finally {
    await client.end();
  }
}

async function shot(page: Page, name: string, locales: Locale[] = ["en", "ko"]) {
  for (const locale of locales) {
    await setLocaleCookie(page, locale);
    await page.reload();
    await page.screenshot({ path: `${SHOTS}/${name}-${locale}.png`, fullPage: true });
  }
  await setLocaleCookie(page, "en");
  await page.reload();
}

async function signInPatient(browser: Browser) {
  const context = await browser.newContext();
  const page = await context.newPage();
  await loginAs(page, { email, password: PATIENT_PASSWORD, kind: "patient" });
  return { context, page };
}

/** Reloads until the record is in the wanted state: anchoring is the worker's, on its own schedule. */
async function waitForState(page: Page, selector: string, state: string) {
  await expect(async () => {
    await page.reload();
    await expect(page.locator(selector).first()).toHaveAttribute("data-verification", state);
  }).toPass({ timeout: 60_000, intervals: [1_000, 2_000] });
}

test.describe.serial("a patient's portal", () => {
  test.beforeAll(async () => {
    who = await identityOf(MRN);
  });

  test("the desk checks identity, opens an account, and the patient activates it with the code", async ({ page, browser }) => {
    await login(page, "desk");
    await page.goto("/admin/patient-accounts");
    await expectAccessible(page);
    await shot(page, "desk-lookup");
    await page.getByLabel("MRN").fill(MRN);
    await page.getByLabel("Birth date").fill("1900-01-01");
    await page.getByRole("button", { name: "Find patient" }).click();
    await expect(page.getByText("No patient matches this MRN and birth date.")).toBeVisible();
    await expect(page.getByLabel("MRN")).toHaveValue(MRN); // a refused look-up keeps what was typed
    await page.getByLabel("Birth date").fill(who.birthDate);
    await page.getByRole("button", { name: "Find patient" }).click();
    await expect(page.getByRole("heading", { name: who.name })).toBeVisible();
    await expect(page.getByTestId("portal-status")).toHaveText("None");
    await expectAccessible(page);

    // Without the identity check confirmed nothing is created.
    await page.getByLabel("Patient's email (their sign-in)").fill(email);
    await page.getByLabel("Identity document checked").selectOption("RESIDENT_CARD");
    await page.getByRole("button", { name: "Create portal account" }).click();
    await expect(page.getByText("Confirm that you checked the document against the person.")).toBeVisible();
    await expect(page.getByLabel("Patient's email (their sign-in)")).toHaveValue(email);
    await page.getByLabel(/I compared the photo/).check();
    await page.getByLabel("Identity document checked").selectOption("RESIDENT_CARD");
    await page.getByRole("button", { name: "Create portal account" }).click();
    const code = (await page.getByTestId("one-time-code").textContent())!.trim();
    expect(code).toMatch(/^[0-9A-Z]{4}-[0-9A-Z]{4}-[0-9A-Z]{4}-[0-9A-Z]{4}$/);
    await page.screenshot({ path: `${SHOTS}/desk-code-en.png`, fullPage: true });
    await page.reload();
    await expect(page.getByTestId("portal-status")).toHaveText("Waiting for activation");
    await shot(page, "desk-account");

    const context = await browser.newContext();
    const activation = await context.newPage();
    await setLocaleCookie(activation, "en");
    await activation.goto("/activate");
    await activation.getByLabel("One-time code").fill(code);
    await activation.getByLabel("New password", { exact: true }).fill(PATIENT_PASSWORD);
    await activation.getByLabel("New password again").fill(PATIENT_PASSWORD);
    await activation.getByRole("button", { name: "Set password" }).click();
    await expect(activation.getByText("Your password is set.")).toBeVisible();
    await loginAs(activation, { email, password: PATIENT_PASSWORD, kind: "patient" });
    await expect(activation).toHaveURL(/\/me$/);
    await expect(activation.getByText(MRN)).toBeVisible();
    await context.close();
  });

  test("the patient uploads a record, corrects it, and sees both versions verified", async ({ browser }) => {
    test.setTimeout(180_000);
    const { context, page } = await signInPatient(browser);
    await page.goto("/me/upload");
    // A single resource from a health app names its patient by the app's own id: it is filed only when the reference's
    // display is the patient's registered name (issue #25: a resource about someone else is never filed).
    const condition = { resourceType: "Condition", code: { text: "Hay fever" }, subject: { reference: "Patient/me", display: who.name }, onsetDateTime: "2019-04-01" };
    await page.getByLabel("Files to upload").setInputFiles({ name: "hayfever.json", mimeType: "application/json", buffer: Buffer.from(JSON.stringify(condition)) });
    await page.getByRole("button", { name: "Upload", exact: true }).click();
    await expect(page.locator('[data-upload-result="ok"]')).toHaveCount(1, { timeout: 60_000 }); // the first upload loads the FHIR definitions

    await page.goto("/me");
    const uploaded = page.locator('[data-record-id]:has-text("Hay fever")');
    await waitForState(page, '[data-record-id]:has-text("Hay fever")', "verified");
    await uploaded.getByRole("link", { name: /Correct/ }).click();
    await expect(page.getByRole("heading", { name: "Correct a record" })).toBeVisible();
    await expectAccessible(page);
    await shot(page, "correction");

    // A condition opens on the simple form: its status and dates as plain fields, written into the one JSON submitted.
    await expect(page.locator('[data-simple-correction="Condition"]')).toBeVisible();
    await expect(page.getByLabel("Began on")).toHaveValue("2019-04-01");
    await page.getByLabel("Status").selectOption("resolved");
    await page.getByLabel("Ended on").fill("2024-10-01");
    await page.getByRole("button", { name: "Edit as FHIR JSON instead" }).click();
    await expect(page.getByLabel("Corrected record (FHIR R4 JSON)")).toHaveValue(/"abatementDateTime": "2024-10-01"/);
    await expect(page.getByLabel("Corrected record (FHIR R4 JSON)")).toHaveValue(/"code": "resolved"/);

    // A refused correction keeps the text and stores nothing.
    await page.getByLabel("Corrected record (FHIR R4 JSON)").fill(JSON.stringify({ ...condition, resourceType: "Observation" }));
    await page.getByRole("button", { name: "Save correction" }).click();
    await expect(page.getByRole("alert")).toBeVisible();
    await expect(page.getByLabel("Corrected record (FHIR R4 JSON)")).toHaveValue(/Observation/);

    await page.getByLabel("Corrected record (FHIR R4 JSON)").fill(JSON.stringify({ ...condition, code: { text: "Hay fever (allergic rhinitis), seasonal" } }));
    await page.getByRole("button", { name: "Save correction" }).click();
    await expect(page).toHaveURL(/\/me\?corrected=1/);
    await expect(page.getByText("Your correction is saved as a new version.")).toBeVisible();
    await waitForState(page, '[data-record-id]:has-text("allergic rhinitis")', "verified");
    const earlier = page.locator('section[aria-labelledby="earlier-title"] [data-record-id]');
    await expect(earlier).toHaveCount(1);
    await expect(earlier).toHaveAttribute("data-verification", "verified");
    await expect(earlier.getByText(/Earlier version, replaced by a correction/)).toBeVisible();
    await expectAccessible(page);
    await shot(page, "my-records-corrected");
    await context.close();
  });

  test("a consent lets a doctor in on the next request, and its revocation shuts the door on the next", async ({ page, browser }) => {
    test.setTimeout(120_000);
    const patient = await signInPatient(browser);
    await patient.page.goto("/me/consents");
    await expectAccessible(patient.page);
    await shot(patient.page, "consents-before");

    const doctor = page;
    await login(doctor, "doctor2");
    await doctor.goto("/patients");
    await expect(doctor.getByText(MRN)).toHaveCount(0);

    // Grant treatment access to doctor2 (Lee Seo-yeon, cardiology) by name.
    const whoMayRead = patient.page.getByLabel("Who may read");
    // The picker searches: a part of the name narrows the list (spaces, case and hyphens do not matter).
    const allOptions = await whoMayRead.locator("option").count();
    await patient.page.getByLabel("Search for a doctor or department").fill("lee seo");
    await expect(whoMayRead.locator("option", { hasText: "Lee Seo-yeon" })).toHaveCount(1);
    expect(await whoMayRead.locator("option").count()).toBeLessThan(allOptions);
    await whoMayRead.selectOption((await whoMayRead.locator("option", { hasText: "Lee Seo-yeon" }).getAttribute("value"))!);
    await patient.page.getByRole("button", { name: "Give consent" }).click();
    await expect(patient.page.getByText("Your consent is saved and in force now.")).toBeVisible();
    const granted = patient.page.locator('[data-testid="consent"][data-state="ACTIVE"]', { hasText: "Lee Seo-yeon" });
    await expect(granted).toHaveCount(1);
    await shot(patient.page, "consents-granted");

    await doctor.reload();
    await doctor.getByRole("link", { name: who.name }).click();
    await expect(doctor.locator('[data-timeline] [data-record-id]:has-text("allergic rhinitis")')).toHaveAttribute("data-verification", "verified");
    const chartUrl = doctor.url();
    // The corrected record's page lists both versions, each verified.
    await doctor.locator('[data-timeline] [data-record-id]:has-text("allergic rhinitis")').getByRole("link", { name: /Details & proof/ }).click();
    await expect(doctor.getByRole("heading", { name: "Versions" })).toBeVisible();
    await expect(doctor.locator("[data-version-id]")).toHaveCount(2);
    await expect(doctor.locator('[data-version-id][data-verification="verified"]')).toHaveCount(2);
    await expectAccessible(doctor);
    await shot(doctor, "doctor-record-versions");

    // Revoke: the doctor's very next request is refused.
    // Revoking asks first; "Cancel" keeps it.
    await granted.getByRole("button", { name: /Revoke/ }).click();
    await granted.getByRole("button", { name: "Cancel" }).click();
    await expect(granted).toHaveCount(1);
    await granted.getByRole("button", { name: /Revoke/ }).click();
    await expect(granted.getByText(/Revoke the consent to .*\? It takes effect at their next request\./)).toBeVisible();
    await expectAccessible(patient.page);
    await granted.getByRole("button", { name: "Yes, revoke" }).click();
    await expect(granted).toHaveCount(0);
    await expect(patient.page.locator('[data-testid="consent-history"]', { hasText: "Lee Seo-yeon" })).toHaveCount(2);
    const response = await doctor.goto(chartUrl);
    expect(response?.status()).toBe(404);

    // "Who looked" shows doctor2's view of the chart.
    await patient.page.goto("/me/access");
    await expect(patient.page.getByText(/Lee Seo-yeon/).first()).toBeVisible();
    await shot(patient.page, "who-looked");
    await patient.context.close();
  });

  test("the patient downloads every record with its proofs, and the consents as FHIR", async ({ browser }) => {
    const { context, page } = await signInPatient(browser);
    await page.goto("/me");
    const [records] = await Promise.all([page.waitForEvent("download"), page.getByRole("link", { name: /Download all my records/ }).click()]);
    const exported = JSON.parse(await readFile((await records.path())!, "utf8")) as { resourceType: string; entry: { extension: { url: string; valueCode?: string }[] }[] };
    expect(exported.resourceType).toBe("Bundle");
    expect(exported.entry.length).toBeGreaterThanOrEqual(2);
    expect(exported.entry.every((e) => e.extension.some((x) => x.url.endsWith("record-proof-bundle")))).toBe(true);
    await page.goto("/me/consents");
    const [consents] = await Promise.all([page.waitForEvent("download"), page.getByRole("link", { name: /FHIR Consent/ }).click()]);
    const bundle = JSON.parse(await readFile((await consents.path())!, "utf8")) as { entry: { resource: { resourceType: string; status: string } }[] };
    expect(bundle.entry.map((e) => [e.resource.resourceType, e.resource.status])).toContainEqual(["Consent", "inactive"]);
    await context.close();
  });
});
