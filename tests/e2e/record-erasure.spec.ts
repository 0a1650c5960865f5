import { expect, test } from "@playwright/test";
import { approveAsSecondAdmin, expectAccessible, login, readE2eDatabase, type Locale } from "./fixtures";
import { ERASURE_MRN } from "./uploader";

// Lawful erasure (docs/decisions/016-database-refuses-to-rewrite-history.md, "Erasure"), through the UI in both
// languages: the compliance officer requests it, the second administrator approves it, and the doctor's record page
// shows the record erased — never tampered — with its tombstone. Screenshots go to docs/screenshots.

const SHOTS = "docs/screenshots";

const TEXT = {
  en: { recordId: "Record ID", basis: "Legal basis", reason: "Reason", submit: "Send for approval", requested: /Sent for approval/, approved: /is erased/, erased: /lawfully erased/ },
  ko: { recordId: "기록 ID", basis: "법적 근거", reason: "사유", submit: "승인 요청", requested: /승인을 요청했습니다/, approved: /삭제되었습니다/, erased: /적법하게 삭제되었습니다/ },
} as const;

for (const [i, locale] of (["en", "ko"] as Locale[]).entries()) {
  test(`a compliance officer requests an erasure, another person approves it, every view shows it erased (${locale})`, async ({ page, browser }) => {
    test.setTimeout(120_000);
    const t = TEXT[locale];
    const [record] = await readE2eDatabase<{ id: string; patientId: string }>(
      `SELECT r.id, r."patientId" FROM "MedicalRecord" r JOIN "Patient" p ON p.id = r."patientId" WHERE p.mrn = $1 AND r."resourceType" <> 'Patient' ORDER BY r."recordedAt" DESC OFFSET $2 LIMIT 1`,
      [ERASURE_MRN, i],
    );
    await page.setViewportSize({ width: 1440, height: 1000 });
    await login(page, "compliance", locale);
    await page.goto("/compliance/erasures");
    await page.getByLabel(t.recordId).fill(record!.id);
    await page.getByLabel(t.basis).selectOption("MISFILED_OTHER_PERSON");
    await page.getByLabel(t.reason).fill(locale === "en" ? "Ward 7 ticket 2026-118: belongs to another patient with the same name" : "7병동 접수 2026-118: 동명이인 환자의 기록");
    await page.getByRole("button", { name: t.submit }).click();
    await expect(page.getByRole("status").filter({ hasText: t.requested })).toBeVisible();
    await expect(page.locator(`[data-record-id="${record!.id}"]`)).toBeVisible();
    await expectAccessible(page);
    await page.screenshot({ path: `${SHOTS}/erasure-request-${locale}-1440.png`, fullPage: true });

    const second = await approveAsSecondAdmin(browser, record!.id, locale);
    await expect(second.page.getByTestId("erasure-approved")).toHaveText(t.approved);
    await second.page.setViewportSize({ width: 1440, height: 1000 });
    await second.page.screenshot({ path: `${SHOTS}/erasure-approved-${locale}-1440.png`, fullPage: true });
    await second.close();

    // The worker anchors the tombstone within seconds; the officer's list says so.
    await expect(async () => {
      await page.reload();
      await expect(page.locator(`[data-record-id="${record!.id}"] [data-testid="erasure-tombstone"]`)).toContainText("#");
    }).toPass({ timeout: 30_000 });
    await page.screenshot({ path: `${SHOTS}/erasure-list-${locale}-1440.png`, fullPage: true });

    const doctor = await browser.newContext();
    const doctorPage = await doctor.newPage();
    await doctorPage.setViewportSize({ width: 1440, height: 1000 });
    await login(doctorPage, "cardiologist", locale);
    await doctorPage.goto(`/patients/${record!.patientId}/records/${record!.id}`);
    await expect(doctorPage.locator(`[data-record-id="${record!.id}"]`)).toHaveAttribute("data-verification", "erased");
    await expect(doctorPage.getByTestId("record-erased")).toContainText(t.erased);
    await expect(doctorPage.getByText(`Filed in the wrong chart (${locale})`)).toHaveCount(0);
    await expectAccessible(doctorPage);
    await doctorPage.screenshot({ path: `${SHOTS}/record-erased-${locale}-1440.png`, fullPage: true });
    await doctor.close();
  });
}
