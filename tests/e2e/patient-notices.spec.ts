import { mkdirSync } from "node:fs";
import { expect, test } from "@playwright/test";
import { expectAccessible, loginAs, setLocaleCookie, type Locale } from "./fixtures";
import { openPortalAccount, wardPatient } from "./desk";

// Issue 21: whoever opens or resets a patient's portal account at the desk, the patient hears of it on their next
// sign-in, in their language, until they dismiss the message.

const SHOTS = process.env.ISSUE21_SHOTS_DIR ?? "/tmp/issue21-shots";
mkdirSync(SHOTS, { recursive: true });
const run = Date.now().toString(36);
const PASSWORD = "a patient's own long passphrase";

test("an account opened at the desk is announced on the patient's first sign-in, in Korean and English, until dismissed", async ({ page, browser }) => {
  const patient = wardPatient(33);
  const email = `notice.${run}@patients.example`;
  await openPortalAccount(browser, patient, email, PASSWORD);

  await loginAs(page, { email, password: PASSWORD, kind: "patient" });
  await expect(page).toHaveURL(/\/me$/);
  const notices = page.getByTestId("account-notices");
  await expect(notices.locator('[data-notice-kind="ACCOUNT_OPENED"]')).toContainText("Your portal account was opened at the registration desk on");
  for (const locale of ["ko", "en"] as Locale[]) {
    await setLocaleCookie(page, locale);
    await page.reload();
    await expect(notices).toContainText(locale === "ko" ? "원무 창구에서 회원님의 포털 계정이 개설되었습니다" : "If you did not ask for this");
    await expectAccessible(page);
    await page.screenshot({ path: `${SHOTS}/patient-notice-${locale}.png`, fullPage: true });
  }

  // A prefetch or a second view does not clear it; only the patient's dismissal does.
  await page.request.get("/me", { headers: { RSC: "1", "Next-Router-Prefetch": "1" } });
  await page.reload();
  await expect(notices).toBeVisible();
  await notices.getByRole("button", { name: "I understand — dismiss" }).click();
  await expect(notices).toHaveCount(0);

  await page.context().clearCookies();
  await loginAs(page, { email, password: PASSWORD, kind: "patient" });
  await expect(page.getByTestId("account-notices")).toHaveCount(0);
});
