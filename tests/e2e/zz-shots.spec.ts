import { test } from "@playwright/test";
import { login } from "./fixtures";

for (const locale of ["en", "ko"] as const) {
  test(`shots ${locale}`, async ({ page, browser }) => {
    await page.setViewportSize({ width: 1440, height: 1000 });
    await login(page, "patient", locale);
    await page.goto("/me");
    await page.screenshot({ path: `/tmp/shots/me-${locale}.png` });
    await page.goto("/me/access");
    await page.screenshot({ path: `/tmp/shots/access-${locale}.png`, fullPage: true });
    const admin = await browser.newPage();
    await admin.setViewportSize({ width: 1440, height: 1000 });
    await login(admin, "admin", locale);
    await admin.goto("/admin/staff");
    await admin.screenshot({ path: `/tmp/shots/staff-${locale}.png`, fullPage: true });
    await admin.goto("/admin/departments");
    await admin.locator("[data-department-code] button").first().click();
    await admin.screenshot({ path: `/tmp/shots/departments-${locale}.png`, fullPage: true });
    await admin.close();
  });
}
