import { expect, test } from "@playwright/test";
import { setLocaleCookie } from "./fixtures";

// Issue #26 (first start): the icons a browser asks for are shipped in public/, and the Korean web font is shipped
// with the app (no request leaves the hospital's network for it).
test("public/ serves the favicon, the app icons and the manifest without a session", async ({ request }) => {
  for (const [path, type] of [
    ["/favicon.ico", "image/x-icon"],
    ["/icon.svg", "image/svg+xml"],
    ["/apple-touch-icon.png", "image/png"],
    ["/icon-192.png", "image/png"],
    ["/icon-512.png", "image/png"],
    ["/manifest.webmanifest", "application/manifest+json"],
  ] as const) {
    const response = await request.get(path, { maxRedirects: 0 });
    expect(response.status(), path).toBe(200);
    expect(response.headers()["content-type"], path).toContain(type);
  }
});

for (const locale of ["ko", "en"] as const) {
  test(`the shipped Korean font renders the sign-in page (${locale})`, async ({ page }) => {
    const fonts: string[] = [];
    page.on("response", (response) => {
      if (response.request().resourceType() === "font") fonts.push(new URL(response.url()).host);
    });
    await setLocaleCookie(page, locale);
    await page.goto("/login");
    const loaded = await page.evaluate(async () => {
      await document.fonts.ready;
      return [...document.fonts].filter((face) => face.status === "loaded").map((face) => face.family);
    });
    expect(loaded.some((family) => /pretendard/i.test(family))).toBe(true);
    expect(await page.evaluate(() => getComputedStyle(document.body).fontFamily)).toMatch(/^["']?pretendard/i);
    expect(fonts.length).toBeGreaterThan(0);
    expect(new Set(fonts)).toEqual(new Set([new URL(page.url()).host]));
  });
}

test("a patient who signs in with the staff account type is told which type to choose", async ({ page }) => {
  await setLocaleCookie(page, "en");
  await page.goto("/login");
  await expect(page.getByLabel("Staff", { exact: true })).toBeChecked();
  await page.getByLabel("Email").fill("patient@demo.chartproof.local");
  await page.getByLabel("Password").fill("chartproof-demo");
  await page.getByRole("button", { name: "Sign in", exact: true }).click();
  await expect(page.getByRole("alert")).toContainText('You chose "Staff". Patients sign in with "Patient", hospital staff with "Staff".');
  await page.getByLabel("Patient", { exact: true }).check();
  await page.getByRole("button", { name: "Sign in", exact: true }).click();
  await expect(page).toHaveURL(/\/me$/);
});
