import { expect, test, type Page } from "@playwright/test";
import { expectAccessible, login, type Locale } from "./fixtures";

const SHOTS = "docs/screenshots";

/** The e2e server's database as its owner, with the history triggers off: the insider of the threat model. */
async function asInsider<T = Record<string, unknown>>(statement: string, values: unknown[] = []): Promise<T[]> {
  const { readFile } = await import("node:fs/promises");
  const { e2eDatabaseFile } = await import("./database-file");
  const pg = (await import("pg")).default;
  const { databaseUrl } = JSON.parse(await readFile(e2eDatabaseFile(Number(process.env.E2E_PORT ?? 3100)), "utf8")) as { databaseUrl: string };
  const client = new pg.Client({ connectionString: databaseUrl });
  await client.connect();
  try {
    await client.query("SET session_replication_role = replica");
    return (await client.query(statement, values)).rows as T[];
  } finally {
    await client.end();
  }
}

async function openChart(page: Page, locale: Locale) {
  await login(page, "doctor", locale);
  await page.goto("/patients?sort=mrn");
  await page.goto((await page.locator("[data-patient-id]").first().getByRole("link").getAttribute("href"))!);
}

test("an erased seal row is found from the chain, and every chart says so until compliance closes it with a note", async ({ page: officer, browser }) => {
  test.setTimeout(240_000);
  // The worker seals the log on chain every minute while it grows: wait for a seal that is on chain.
  await expect
    .poll(async () => (await asInsider(`SELECT 1 FROM "AnchorBatch" WHERE kind = 'AUDIT_SEAL' AND status = 'CONFIRMED' AND "batchNumber" >= 4611686018427387904`)).length, { timeout: 150_000, intervals: [2_000] })
    .toBeGreaterThan(0);
  const [seal] = await asInsider<Record<string, unknown>>(
    `SELECT s.* FROM "AuditSeal" s JOIN "AnchorBatch" b ON b.id = s."batchId" WHERE b.status = 'CONFIRMED' ORDER BY b."batchNumber" DESC LIMIT 1`,
  );
  await asInsider(`DELETE FROM "AuditSeal" WHERE id = $1`, [seal!.id]);
  let restored = false;
  const restore = async () => {
    if (restored) return;
    restored = true;
    const columns = Object.keys(seal!);
    await asInsider(
      `INSERT INTO "AuditSeal" (${columns.map((c) => `"${c}"`).join(", ")}) VALUES (${columns.map((_, i) => `$${i + 1}`).join(", ")})`,
      columns.map((c) => (c === "heads" ? JSON.stringify(seal![c]) : seal![c])),
    );
  };
  try {
    await login(officer, "compliance");
    await officer.goto("/compliance/integrity");
    await expect(officer.getByTestId("unsealed-window")).toContainText("every 60 seconds");
    await officer.getByRole("button", { name: "Run check now" }).click();
    await expect(officer.locator("[data-log-check]")).toHaveAttribute("data-log-check", "broken");
    await expect(officer.locator("[data-break-kind]")).toHaveAttribute("data-break-kind", "seal_missing");
    await expectAccessible(officer);
    await officer.screenshot({ path: `${SHOTS}/integrity-check-broken-en.png`, fullPage: true });

    for (const locale of ["en", "ko"] as Locale[]) {
      const context = await browser.newContext();
      const doctor = await context.newPage();
      await openChart(doctor, locale);
      const banner = doctor.locator("[data-integrity-failure]");
      await expect(banner).toContainText(locale === "en" ? "An integrity check failed at" : "무결성 점검이 실패했습니다");
      await expect(banner).toContainText(locale === "en" ? "any chart may be incomplete" : "어떤 차트든 불완전할 수 있습니다");
      await expectAccessible(doctor);
      await doctor.screenshot({ path: `${SHOTS}/chart-integrity-failure-${locale}.png` });
      await context.close();
    }

    // The seal row is restored from a backup; compliance closes every access-log alert with a note (the worker, which
    // would not seal past the erased seal, raised its own), and the charts stop saying it.
    await restore();
    await officer.goto("/compliance/alerts");
    const open = officer.locator('[data-alert-kind^="integrity.access_log"]');
    await expect(open.first()).toContainText(/The access log (does not match its seals on chain|fell behind)/);
    while ((await open.count()) > 0) {
      const alert = open.first();
      const id = await alert.getAttribute("data-alert-id");
      await alert.getByRole("button", { name: "Mark reviewed" }).click();
      await alert.getByLabel("Review note").fill("Seal row restored from the nightly backup; check intact again.");
      await alert.getByRole("button", { name: "Mark reviewed" }).click();
      await expect(officer.locator(`[data-alert-id="${id}"]`)).toHaveCount(0);
    }
    const doctor = await (await browser.newContext()).newPage();
    await openChart(doctor, "en");
    await expect(doctor.locator("[data-integrity-line]")).toBeVisible();
    await expect(doctor.locator("[data-integrity-failure]")).toHaveCount(0);
  } finally {
    await restore();
  }
});
