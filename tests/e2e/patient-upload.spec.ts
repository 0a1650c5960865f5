import { readFileSync } from "node:fs";
import { join } from "node:path";
import { expect, test, type Page } from "@playwright/test";
import { expectAccessible, login, loginAs, PASSWORD, setLocaleCookie, type Locale, approveAsSecondAdmin } from "./fixtures";
import { UPLOADER } from "./uploader";

// The uploads of a patient of these tests' own (seeded by server-fixtures), so that no other test sees their records.
const MRN_SYSTEM = "https://chartproof.example/fhir/mrn";
const MB = 1024 * 1024;

async function signIn(page: Page, locale: Locale = "en") {
  await loginAs(page, { email: UPLOADER.email, password: PASSWORD, kind: "patient" }, locale);
  await page.goto("/me/upload");
}

const uploaderPatient = { fullUrl: "urn:uuid:4e1f0c3a-0000-4000-8000-000000000001", resource: { resourceType: "Patient", id: "elsewhere-7", name: [{ family: "Han", given: ["Ji-min"] }], birthDate: UPLOADER.birthDate } };

function historyBundle(patient: { fullUrl: string; resource: Record<string, unknown> } = uploaderPatient) {
  return {
    resourceType: "Bundle",
    type: "collection",
    entry: [
      patient,
      { resource: { resourceType: "Observation", status: "final", code: { text: "HbA1c" }, subject: { reference: "Patient/elsewhere-7" }, effectiveDateTime: "2023-04-05", valueQuantity: { value: 6.1, unit: "%" } } },
      { resource: { resourceType: "Condition", code: { text: "Type 2 diabetes" }, subject: { reference: "urn:uuid:4e1f0c3a-0000-4000-8000-000000000001" }, onsetDateTime: "2022-01-10" } },
      {
        resource: {
          resourceType: "AllergyIntolerance",
          clinicalStatus: { coding: [{ system: "http://terminology.hl7.org/CodeSystem/allergyintolerance-clinical", code: "active" }] },
          code: { text: "Penicillin" },
          patient: { reference: "Patient/elsewhere-7" },
          recordedDate: "2021-06-01",
        },
      },
      { resource: { resourceType: "Immunization", status: "completed", vaccineCode: { text: "Influenza" }, patient: { reference: "Patient/elsewhere-7" }, occurrenceDateTime: "2024-10-01" } },
    ],
  };
}

function pdf(size: number): Buffer {
  const bytes = Buffer.alloc(size, 0x20);
  bytes.write("%PDF-1.4\n");
  bytes.write("%%EOF\n", size - 6);
  return bytes;
}

const json = (name: string, value: unknown) => ({ name, mimeType: "application/json", buffer: Buffer.from(typeof value === "string" ? value : JSON.stringify(value)) });

async function upload(page: Page, files: Parameters<Page["setInputFiles"]>[1]) {
  await page.getByLabel("Files to upload").setInputFiles(files);
  await page.getByRole("button", { name: "Upload", exact: true }).click();
}

test("a patient uploads a Bundle of several types and a PDF, and watches them become anchored and verified", async ({ page }) => {
  test.setTimeout(120_000);
  await signIn(page);
  await expectAccessible(page);
  const uploadsBefore = await page.locator("[data-upload-id]").count();

  await upload(page, [json("history.json", historyBundle()), { name: "discharge letter.pdf", mimeType: "application/pdf", buffer: pdf(40_000) }]);
  // The first validation in a fresh server indexes the R4 definitions and value sets (seconds on a busy machine).
  await expect(page.locator('[data-upload-result="ok"]')).toHaveCount(2, { timeout: 30_000 });
  await expect(page.getByText("history.json: 4 records were added")).toBeVisible();
  await expect(page.locator("[data-upload-id]")).toHaveCount(uploadsBefore + 2);

  const latest = page.locator("[data-upload-id]").first();
  const earlier = page.locator("[data-upload-id]").nth(1);
  await expect(earlier.locator("h3")).toHaveText("history.json");
  await expect(earlier.locator("[data-record-id]")).toHaveCount(4);
  await expect(latest.locator("[data-record-id]")).toHaveCount(1);
  // Pending first (the worker anchors within seconds; the page refreshes itself while anything is pending)…
  const states = await page.locator("[data-upload-id] [data-record-id]").evaluateAll((els) => els.map((el) => el.getAttribute("data-verification")));
  expect(states.every((s) => s === "pending" || s === "verified")).toBe(true);
  // …then verified against the chain, without a reload by the test.
  await expect(page.locator('[data-upload-id] [data-record-id]:not([data-verification="verified"])')).toHaveCount(0, { timeout: 60_000 });
  await expect(earlier.getByText("Penicillin")).toBeVisible();
  await expectAccessible(page);

  // The records are the patient's own now: on the records page too, verified.
  await page.goto("/me");
  await expect(page.locator('[data-record-id][data-verification="verified"]').filter({ hasText: "HbA1c" })).toHaveCount(1);
});

test("malformed, foreign, hostile and wrongly typed files get clear errors, and nothing is stored", async ({ page }) => {
  await signIn(page);
  const uploadsBefore = await page.locator("[data-upload-id]").count();

  const badEntry = historyBundle();
  delete (badEntry.entry[1]!.resource as Record<string, unknown>).status;
  const foreign = historyBundle({ ...uploaderPatient, resource: { ...uploaderPatient.resource, name: [{ family: "Kang", given: ["Do-yun"] }], birthDate: "1971-11-02" } });
  const hostile = historyBundle();
  Object.assign(hostile.entry[2]!.resource, { text: { status: "generated", div: '<div xmlns="http://www.w3.org/1999/xhtml"><script>window.__pwned=1</script>Diabetes</div>' } });
  const polluted = '{"resourceType":"Condition","code":{"text":"x"},"__proto__":{"polluted":true}}';

  await upload(page, [
    json("broken.json", '{"resourceType": "Bundle", '),
    json("bad-entry.json", badEntry),
    json("someone-else.json", foreign),
    json("hostile.json", hostile),
    json("polluted.json", polluted),
    // An unpaired surrogate escape: not Unicode, and PostgreSQL could not store it (once a 500).
    json("surrogate.json", '{"resourceType":"Condition","code":{"text":"\\ud800"}}'),
    { name: "scan.pdf", mimeType: "application/pdf", buffer: Buffer.from("<html><script>alert(1)</script></html>") },
    { name: "page.html", mimeType: "text/html", buffer: Buffer.from("<html></html>") },
  ]);
  const refused = page.locator('[data-upload-result="refused"]');
  await expect(refused).toHaveCount(8);
  await expect(refused.nth(0)).toHaveAttribute("data-reason", "not_json");
  await expect(refused.nth(1)).toHaveAttribute("data-reason", "invalid_entries");
  await expect(refused.nth(1).locator('[data-problem-entry="1"][data-problem-field="Observation.status"]')).toContainText("Missing required property");
  await expect(refused.nth(1)).toContainText("Entry 2 (Observation):");
  // Issue #26: a sentence first, the FHIRPath and the validator's words after it as the detail.
  await expect(refused.nth(1).locator('[data-problem-entry="1"] [data-problem-plain]')).toHaveText("Something required is missing: “status”.");
  await expect(refused.nth(1).locator('[data-problem-entry="1"]')).toContainText("at Bundle.entry[1].resource.status");
  await expect(refused.nth(2)).toHaveAttribute("data-reason", "patient_mismatch");
  await expect(refused.nth(2)).toContainText("about someone else");
  await expect(refused.nth(3)).toHaveAttribute("data-reason", "invalid_entries");
  await expect(refused.nth(3).locator('[data-problem-field="Condition.text.div"]')).toContainText("<script>");
  await expect(refused.nth(4)).toHaveAttribute("data-reason", "forbidden_key");
  await expect(refused.nth(5)).toHaveAttribute("data-reason", "forbidden_character");
  await expect(refused.nth(5)).toContainText("cannot be stored");
  await expect(refused.nth(5).locator('[data-problem-field="code.text"]')).toContainText("unpaired surrogate");
  await expect(refused.nth(6)).toHaveAttribute("data-reason", "content_type");
  await expect(refused.nth(7)).toHaveAttribute("data-reason", "content_type");
  for (const item of await refused.all()) await expect(item).toContainText("Nothing from this file was stored.");
  expect(await page.evaluate(() => (window as { __pwned?: number }).__pwned)).toBeUndefined();
  await expectAccessible(page);
  await page.screenshot({ path: "test-results/screens/upload-refused-en.png", fullPage: true });

  await page.reload();
  await expect(page.locator("[data-upload-id]")).toHaveCount(uploadsBefore);
});

test("a 10 MB document is accepted with a progress bar; 10 MB + 1 byte is refused, by the page and by the server", async ({ page }) => {
  test.setTimeout(120_000);
  await signIn(page);
  const uploadsBefore = await page.locator("[data-upload-id]").count();

  // Slow the request a little so the progress bar is seen at work.
  await page.route("/api/uploads", async (route) => {
    await new Promise((resolve) => setTimeout(resolve, 500));
    await route.continue();
  });
  await upload(page, [{ name: "ten-megabytes.pdf", mimeType: "application/pdf", buffer: pdf(10 * MB) }]);
  await expect(page.locator("progress")).toBeVisible();
  await page.screenshot({ path: "test-results/screens/upload-progress-en.png" });
  await expect(page.getByText("ten-megabytes.pdf: 1 record was added")).toBeVisible({ timeout: 60_000 });
  await expect(page.locator("[data-upload-id]")).toHaveCount(uploadsBefore + 1);
  await page.unroute("/api/uploads");

  await upload(page, [{ name: "too-big.pdf", mimeType: "application/pdf", buffer: pdf(10 * MB + 1) }]);
  await expect(page.locator('[data-upload-result="refused"][data-reason="too_large"]')).toContainText("larger than 10 MB");

  // The server does not rely on the page: the same file sent straight to it is refused with 413, nothing stored.
  const response = await page.request.post("/api/uploads", { data: pdf(10 * MB + 1), headers: { "Content-Type": "application/pdf", "X-Upload-Filename": "too-big.pdf" } });
  expect(response.status()).toBe(413);
  expect(await response.json()).toMatchObject({ ok: false, reason: "too_large" });
  await page.reload();
  await expect(page.locator("[data-upload-id]")).toHaveCount(uploadsBefore + 1);
});

test("others cannot use the upload endpoint", async ({ page, request }) => {
  const anonymous = await request.post("/api/uploads", { data: JSON.stringify(historyBundle()), headers: { "Content-Type": "application/json" } });
  expect(anonymous.status()).toBe(401);
  await login(page, "doctor");
  expect((await page.goto("/me/upload"))?.status()).toBe(404);
  const doctor = await page.request.post("/api/uploads", { data: JSON.stringify(historyBundle()), headers: { "Content-Type": "application/json" } });
  expect(doctor.status()).toBe(404);
});

test("an admin issues a service credential; a hospital system posts transaction and batch Bundles with it, now or asynchronously, until it is revoked", async ({ page, request, browser }) => {
  await login(page, "admin");
  await page.goto("/admin/service-credentials");
  await expectAccessible(page);
  const name = `Lab system ${Date.now().toString(36)}`;
  await page.getByLabel("System name").fill(name);
  await page.getByRole("button", { name: "Issue credential" }).click();
  // Four eyes: the request waits; the second administrator approves and sees the token once.
  await expect(page.getByTestId("request-pending")).toBeVisible();
  const second = await approveAsSecondAdmin(browser, name);
  const token = (await second.page.getByTestId("issued-token").textContent())!.trim();
  await second.close();
  expect(token).toMatch(/^cps_[A-Za-z0-9_-]{43}$/);
  await page.reload();
  const row = page.locator("tr", { hasText: name });
  await expect(row).toContainText(token.slice(0, 12));
  await expect(row).toContainText("Never");

  const bundle = {
    resourceType: "Bundle",
    type: "transaction",
    entry: [
      { fullUrl: "urn:uuid:p", resource: { resourceType: "Patient", identifier: [{ system: MRN_SYSTEM, value: UPLOADER.mrn }], name: [{ text: "한지민" }], birthDate: UPLOADER.birthDate }, request: { method: "PUT", url: `Patient?identifier=${MRN_SYSTEM}|${UPLOADER.mrn}` } },
      { resource: { resourceType: "Observation", status: "final", code: { text: "Haemoglobin" }, subject: { reference: "urn:uuid:p" }, valueQuantity: { value: 13.2, unit: "g/dL" } }, request: { method: "POST", url: "Observation" } },
    ],
  };
  const post = (auth: string | null, body: unknown = bundle, type = "application/fhir+json") =>
    request.post("/api/fhir", { data: JSON.stringify(body), headers: { "Content-Type": type, ...(auth ? { Authorization: `Bearer ${auth}` } : {}) } });

  const ok = await post(token);
  expect(ok.status()).toBe(200);
  expect(await ok.json()).toMatchObject({ resourceType: "Bundle", type: "transaction-response", entry: [{ response: { status: "200 OK" } }, { response: { status: "201 Created" } }] });
  const invalid = await post(token, { ...bundle, entry: [bundle.entry[0], { ...bundle.entry[1], resource: { resourceType: "Observation", code: { text: "x" } } }] });
  expect(invalid.status()).toBe(422);
  const outcome = await invalid.json();
  expect(outcome.resourceType).toBe("OperationOutcome");
  expect(outcome.issue).toContainEqual(expect.objectContaining({ expression: ["Bundle.entry[1].resource.status"] }));
  expect((await post(token, bundle, "text/plain")).status()).toBe(415);
  expect((await post(null)).status()).toBe(401);

  // A batch with the same bad entry: the good one is answered (already stored), the bad one refused alone.
  const batch = await post(token, { ...bundle, type: "batch", entry: [bundle.entry[0], bundle.entry[1], { ...bundle.entry[1], resource: { resourceType: "Observation", code: { text: "x" } } }] });
  expect(batch.status()).toBe(200);
  expect(await batch.json()).toMatchObject({ type: "batch-response", entry: [{ response: { status: "200 OK" } }, { response: { status: "200 OK" } }, { response: { status: "422 Unprocessable Entity" } }] });
  // Prefer: respond-async — 202 with a status URL, then the answer the synchronous request would have given.
  const observation = { ...bundle.entry[1], resource: { ...bundle.entry[1]!.resource, code: { text: "Ferritin" } } };
  const accepted = await request.post("/api/fhir", {
    data: JSON.stringify({ ...bundle, entry: [bundle.entry[0], observation] }),
    headers: { "Content-Type": "application/fhir+json", Authorization: `Bearer ${token}`, Prefer: "respond-async" },
  });
  expect(accepted.status()).toBe(202);
  const statusUrl = accepted.headers()["content-location"]!;
  expect(statusUrl).toMatch(/^\/api\/fhir\/jobs\/[0-9a-f-]{36}$/);
  await expect
    .poll(async () => (await request.get(statusUrl, { headers: { Authorization: `Bearer ${token}` } })).status(), { timeout: 30_000 })
    .toBe(200);
  const answer = await (await request.get(statusUrl, { headers: { Authorization: `Bearer ${token}` } })).json();
  expect(answer).toMatchObject({ type: "batch-response", entry: [{ response: { status: "200 OK" }, resource: { type: "transaction-response", entry: [{}, { response: { status: "201 Created" } }] } }] });

  await page.reload();
  await expect(page.locator("tr", { hasText: name })).not.toContainText("Never");
  await page.locator("tr", { hasText: name }).getByRole("button", { name: `Revoke the credential ${name}` }).click();
  await page.locator("tr", { hasText: name }).getByRole("button", { name: "Yes, revoke" }).click();
  await expect(page.locator("tr", { hasText: name })).toContainText("Revoked");
  expect((await post(token)).status()).toBe(401);
});

for (const locale of ["ko", "en"] as Locale[]) {
  test(`the upload and credential pages in ${locale}, for the record`, async ({ page, browser }) => {
    await setLocaleCookie(page, locale);
    await signIn(page, locale);
    await expectAccessible(page);
    await page.screenshot({ path: `test-results/screens/upload-${locale}.png`, fullPage: true });
    // A refused file reads in the page's language: the sentence, then the path (issue #26).
    const badEntry = historyBundle();
    delete (badEntry.entry[1]!.resource as Record<string, unknown>).status;
    await page.locator('input[type="file"]').setInputFiles([json("bad-entry.json", badEntry)]);
    await page.getByRole("button", { name: locale === "ko" ? "올리기" : "Upload", exact: true }).click();
    const problem = page.locator('[data-upload-result="refused"] [data-problem-entry="1"]');
    await expect(problem.locator("[data-problem-plain]")).toHaveText(locale === "ko" ? "꼭 필요한 항목이 빠져 있습니다: “status”." : "Something required is missing: “status”.");
    await expect(problem).toContainText("Bundle.entry[1].resource.status");
    for (const width of [1440, 820]) {
      await page.setViewportSize({ width, height: 900 });
      await page.screenshot({ path: `test-results/screens/upload-refused-${locale}-${width}.png`, fullPage: true });
    }
    const admin = await browser.newContext();
    const adminPage = await admin.newPage();
    await login(adminPage, "admin", locale);
    await adminPage.goto("/admin/service-credentials");
    await expectAccessible(adminPage);
    await adminPage.screenshot({ path: `test-results/screens/credentials-${locale}.png`, fullPage: true });
    await admin.close();
  });
}

// Issue #25: a real exporter's file (tests/fixtures/fhir) imports whole, says per type what became of it, in both
// languages; a second send stores nothing; a file about someone else shows the patient their own registered values.
test("a Synthea export imports whole with a summary per type; sent again it adds nothing", async ({ page }) => {
  test.setTimeout(120_000);
  const synthea = JSON.parse(readFileSync(join(process.cwd(), "tests/fixtures/fhir/synthea-r4-first-encounter.json"), "utf8")) as { entry: { resource: Record<string, unknown> }[] };
  Object.assign(synthea.entry[0]!.resource, { name: [{ family: "Han", given: ["Ji-min"] }], birthDate: UPLOADER.birthDate });
  const allergy = readFileSync(join(process.cwd(), "tests/fixtures/fhir/hl7-allergyintolerance-example-r4.json"), "utf8");
  const stu3 = readFileSync(join(process.cwd(), "tests/fixtures/fhir/hl7-allergyintolerance-example-stu3.json"), "utf8");
  for (const locale of ["en", "ko"] as Locale[]) {
    await page.context().clearCookies();
    await setLocaleCookie(page, locale);
    await signIn(page, locale);
    const before = await page.locator("[data-upload-id]").count();
    const send = async (files: Parameters<Page["setInputFiles"]>[1]) => {
      await page.getByLabel(locale === "en" ? "Files to upload" : "올릴 파일").setInputFiles(files);
      await page.getByRole("button", { name: locale === "en" ? "Upload" : "올리기", exact: true }).click();
    };
    await send([json("synthea.json", synthea)]);
    const result = page.locator("[data-upload-result]").first();
    // The first validation in a fresh server indexes the R4 definitions (seconds on a busy machine).
    await expect(result).toBeVisible({ timeout: 60_000 });
    if (locale === "en") {
      await expect(result).toContainText("synthea.json: 8 records were added");
      await expect(result.locator('[data-summary-type="ExplanationOfBenefit"]')).toHaveText("Explanation of benefits: 1 added");
      await expect(result.locator('[data-summary-type="Condition"]')).toHaveText("Condition: 1 added");
      await expect(page.locator("[data-upload-id]")).toHaveCount(before + 1);
    } else {
      await expect(result).toContainText("이 파일의 내용은 모두 이미 저장되어 있습니다");
      await expect(result.locator('[data-summary-type="ExplanationOfBenefit"]')).toHaveText("[급여 내역] 1건 이미 저장됨");
      await expect(page.locator("[data-upload-id]")).toHaveCount(before);
    }
    await send([json("hl7-allergy.json", allergy), json("hl7-allergy-stu3.json", stu3)]);
    const refused = page.locator('[data-upload-result="refused"]');
    await expect(refused).toHaveCount(2);
    await expect(refused.nth(0)).toHaveAttribute("data-reason", "patient_mismatch");
    await expect(refused.nth(0).locator("[data-registered]")).toContainText(UPLOADER.name);
    await expect(refused.nth(0)).toContainText("Patient/example");
    await expect(refused.nth(1)).toHaveAttribute("data-reason", "fhir_version");
    await expectAccessible(page);
    await page.screenshot({ path: `test-results/screens/upload-real-world-${locale}.png`, fullPage: true });
  }
});
