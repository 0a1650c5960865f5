import { mkdir } from "node:fs/promises";
import { expect, test, type Page } from "@playwright/test";
import { ACCOUNTS, LOGIN_LABELS, PASSWORD, expectAccessible, login, nextTotpCode, setLocaleCookie } from "./fixtures";
import { DEMO_TOTP_SECRETS } from "@/lib/jobs/demo-data";

/** The sign-in form on the page already shown (the deep link's redirect), second factor included. */
async function signInHere(page: Page): Promise<void> {
  const labels = LOGIN_LABELS.en;
  const { email } = ACCOUNTS.doctor;
  await page.getByLabel(labels.email).fill(email);
  await page.getByLabel(labels.password).fill(PASSWORD);
  await page.getByRole("button", { name: labels.submit, exact: true }).click();
  const secret = DEMO_TOTP_SECRETS[email];
  if (secret) {
    await page.getByLabel(labels.otp).fill(await nextTotpCode(email, secret));
    await page.getByRole("button", { name: labels.verify, exact: true }).click();
  }
}

test("a signed-out deep link returns to its chart after sign-in; an off-site callbackUrl lands on the home", async ({ page }) => {
  await login(page, "doctor");
  await page.goto("/patients");
  const patientId = await page.locator("[data-patient-id]").first().getAttribute("data-patient-id");
  expect(patientId).toBeTruthy();
  await page.context().clearCookies();

  await page.goto(`/patients/${patientId}`);
  await expect(page).toHaveURL(/\/login\?callbackUrl=/);
  await signInHere(page);
  await page.waitForURL((url) => url.pathname === `/patients/${patientId}`);

  await page.context().clearCookies();
  await page.goto(`/login?callbackUrl=${encodeURIComponent("//evil.example/patients")}`);
  await signInHere(page);
  await page.waitForURL((url) => url.pathname === "/patients");
  expect(new URL(page.url()).host).not.toContain("evil.example");
});

test("a refused chart's 404 names emergency access to a doctor only, the same for any id", async ({ page }) => {
  const unknown = "00000000-0000-4000-8000-000000000000";
  await login(page, "doctor");
  const response = await page.goto(`/patients/${unknown}`);
  expect(response?.status()).toBe(404);
  await expect(page.getByTestId("emergency-hint").getByRole("link")).toHaveAttribute("href", "/patients/emergency");
  await expectAccessible(page);
  await mkdir("docs/screenshots", { recursive: true });
  for (const locale of ["en", "ko"] as const) {
    await setLocaleCookie(page, locale);
    await page.setViewportSize({ width: 1440, height: 900 });
    await page.reload();
    await expect(page.getByTestId("emergency-hint")).toBeVisible();
    await page.screenshot({ path: `docs/screenshots/chart-refused-doctor-${locale}-1440.png` });
    await page.setViewportSize({ width: 820, height: 1180 });
    await page.screenshot({ path: `docs/screenshots/chart-refused-doctor-${locale}-820.png` });
  }
  await page.context().clearCookies();
  await login(page, "admin");
  await page.goto(`/patients/${unknown}`);
  await expect(page.getByTestId("emergency-hint")).toHaveCount(0);
});
