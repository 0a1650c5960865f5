import { expect, test, type Browser, type Page } from "@playwright/test";
import { approveAsSecondAdmin, expectAccessible, login, loginAs, nextTotpCode } from "./fixtures";

/** The sign-in page, with the page asked for to return to after it (#22; same-origin paths only). */
const SIGN_IN = /\/login(\?callbackUrl=%2F[^&]*)?$/;

const run = Date.now().toString(36);
const PASSWORD = "a long phrase nobody else would pick";

/** Requested by the signed-in admin, approved by the second admin, whose screen shows the activation code once. */
async function createDoctor(page: Page, browser: Browser, tag: string): Promise<{ email: string; code: string; url: string }> {
  const email = `${tag}.${run}@hospital.example`;
  await page.goto("/admin/staff/new");
  await page.getByLabel("Full name").fill(`Dr ${tag} ${run}`);
  await page.getByLabel("Email").fill(email);
  await page.getByLabel("Role").selectOption("DOCTOR");
  await page.getByLabel("Department").selectOption({ label: "내과 Internal Medicine" });
  await page.getByLabel("Licence number").fill(`LIC-${tag}`);
  await page.getByRole("button", { name: "Create account" }).click();
  // Nothing exists yet: the request waits for another administrator, and the requester sees no code.
  await expect(page.getByTestId("request-pending")).toBeVisible();
  await expect(page.getByTestId("one-time-code")).toHaveCount(0);
  const second = await approveAsSecondAdmin(browser, email);
  const code = (await second.page.getByTestId("one-time-code").textContent())!.trim();
  expect(code).toMatch(/^[0-9A-Z]{4}(-[0-9A-Z]{4}){3}$/);
  // The slip carries the portal's full address and prints alone.
  await expect(second.page.locator("[data-activation-url]")).toHaveText(/^http:\/\/localhost:\d+\/activate$/);
  await second.page.emulateMedia({ media: "print" });
  await expect(second.page.locator("[data-activation-slip]")).toBeVisible();
  await expect(second.page.locator("header").first()).toBeHidden();
  await expect(second.page.getByRole("button", { name: "Print the activation slip" })).toBeHidden();
  await second.page.emulateMedia({ media: "screen" });
  await second.page.getByTestId("approval-result").getByRole("link").click();
  await second.page.waitForURL(/\/admin\/staff\/[0-9a-f-]{36}$/);
  const url = second.page.url();
  await second.close();
  return { email, code, url };
}

/** The password step only: the second-factor step follows. */
async function startSignIn(browser: Browser, email: string, password: string) {
  const context = await browser.newContext();
  const page = await context.newPage();
  await page.context().addCookies([{ name: "NEXT_LOCALE", value: "en", domain: "localhost", path: "/" }]);
  await page.goto("/login");
  await page.getByLabel("Email").fill(email);
  await page.getByLabel("Password").fill(password);
  await page.getByRole("button", { name: "Sign in", exact: true }).click();
  return { context, page };
}

async function activate(browser: Browser, code: string, password: string) {
  const context = await browser.newContext();
  const page = await context.newPage();
  await page.context().addCookies([{ name: "NEXT_LOCALE", value: "en", domain: "localhost", path: "/" }]);
  await page.goto("/activate");
  await page.getByLabel("One-time code").fill(code);
  await page.getByLabel("New password", { exact: true }).fill(password);
  await page.getByLabel("New password again").fill(password);
  await page.getByRole("button", { name: "Set password" }).click();
  return { context, page };
}

test("an admin creates a doctor who activates with the code; suspension ends the doctor's open session", async ({ page, browser }) => {
  await login(page, "admin");
  const doctor = await createDoctor(page, browser, "activation");

  // A common password is refused, and the code still works afterwards.
  const first = await activate(browser, doctor.code, "password1234");
  await expect(first.page.getByText("This password is too common")).toBeVisible();
  await first.page.getByLabel("New password", { exact: true }).fill(PASSWORD);
  await first.page.getByLabel("New password again").fill(PASSWORD);
  await first.page.getByRole("button", { name: "Set password" }).click();
  await expect(first.page.getByText("Your password is set.")).toBeVisible();
  await first.context.close();

  // The code cannot be used twice.
  const reuse = await activate(browser, doctor.code, `${PASSWORD} again`);
  await expect(reuse.page.getByText("This code is not valid")).toBeVisible();
  await reuse.context.close();

  const doctorContext = await browser.newContext();
  const doctorPage = await doctorContext.newPage();
  await loginAs(doctorPage, { email: doctor.email, password: PASSWORD });
  await expect(doctorPage).toHaveURL(/\/patients$/);

  await page.goto(doctor.url);
  // Destructive actions ask first: one stray click changes nothing.
  await page.getByRole("button", { name: "Suspend" }).click();
  await expect(page.getByText("Suspend this account? Its open sessions end at once.")).toBeVisible();
  await expectAccessible(page);
  await page.getByRole("button", { name: "Yes, suspend" }).click();
  await expect(page.getByTestId("staff-status")).toHaveText("Suspended");

  // The doctor's next request, with the same cookie, is refused.
  await doctorPage.goto("/patients");
  await expect(doctorPage).toHaveURL(SIGN_IN);
  await doctorContext.close();
});

test("the last administrator cannot demote or suspend itself", async ({ page }) => {
  await login(page, "admin");
  await page.goto("/admin/staff?q=admin%40demo");
  // In the directory, not the header (whose account link also carries the signed-in name).
  await page.getByRole("main").getByRole("link", { name: /Park Ji-hoon/ }).click();
  await expect(page.getByText("This is your own account")).toBeVisible();
  await expect(page.getByLabel("Change role")).toBeDisabled();
  await expect(page.getByRole("button", { name: "Suspend" })).toBeDisabled();
  // A forged preview URL shows no confirmation for one's own role.
  await page.goto(`${page.url()}?role=DOCTOR`);
  await expect(page.getByTestId("access-preview")).toHaveCount(0);
  await expectAccessible(page);
});

test("bad input is refused with a clear message and changes nothing", async ({ page }) => {
  await login(page, "admin");
  await page.goto("/admin/staff/new");
  await page.getByLabel("Full name").fill("Duplicate Doctor");
  await page.getByLabel("Email").fill("DOCTOR@demo.chartproof.local");
  await page.getByLabel("Licence number").fill("LIC-1");
  await page.getByRole("button", { name: "Create account" }).click();
  await expect(page.getByText("Another account already uses this email.")).toBeVisible();

  await page.getByLabel("Email").fill("not-an-email");
  await page.getByRole("button", { name: "Create account" }).click();
  await expect(page.getByText("Enter a valid email address.")).toBeVisible();

  // A forged role value in the form.
  await page.getByLabel("Email").fill(`forged.${run}@hospital.example`);
  await page.getByLabel("Role").evaluate((select: HTMLSelectElement) => {
    select.options[0]!.value = "SUPERUSER";
    select.selectedIndex = 0;
  });
  await page.getByRole("button", { name: "Create account" }).click();
  await expect(page.getByText("Choose one of the listed roles.")).toBeVisible();
  await page.goto(`/admin/staff?q=forged.${run}`);
  await expect(page.locator("[data-staff-id]")).toHaveCount(0);
});

test("the staff directory filters, sorts and pages through URL search params", async ({ page }) => {
  await login(page, "admin");
  await page.goto("/admin/staff");
  await page.getByLabel("Role", { exact: true }).selectOption("DOCTOR");
  await page.getByRole("button", { name: "Apply" }).click();
  await expect(page).toHaveURL(/role=DOCTOR/);
  const roles = await page.locator("[data-staff-id] td:nth-child(3)").allTextContents();
  expect(roles.length).toBeGreaterThan(0);
  expect(roles.every((r) => r === "Doctor")).toBe(true);
  await page.getByRole("button", { name: /^Email/ }).click();
  await expect(page).toHaveURL(/sort=email/);
  await page.getByRole("button", { name: /^Email/ }).click();
  await expect(page).toHaveURL(/dir=desc/);
  const emails = await page.locator("[data-staff-id] td:nth-child(2)").allTextContents();
  expect(emails).toEqual([...emails].sort().reverse());
  await expectAccessible(page);
  // Last sign-in and two-factor at a glance: the demo admin signed in just now with a second factor.
  await page.goto("/admin/staff?q=admin%40demo");
  const admin = page.locator("[data-staff-id]", { hasText: "admin@demo.chartproof.local" });
  await expect(page.getByRole("columnheader", { name: "Last sign-in" })).toBeVisible();
  await expect(admin.locator('[data-mfa="on"]')).toHaveText("On");
  await expect(admin.locator("time").first()).toBeVisible();
});

test("a doctor enrols in two-factor sign-in and then signs in with a code", async ({ page, browser }) => {
  await login(page, "admin");
  const doctor = await createDoctor(page, browser, "mfa");
  const activation = await activate(browser, doctor.code, PASSWORD);
  await activation.context.close();

  const context = await browser.newContext();
  const doctorPage = await context.newPage();
  await loginAs(doctorPage, { email: doctor.email, password: PASSWORD });
  await doctorPage.goto("/account/security");
  await doctorPage.getByRole("button", { name: "Set up two-factor sign-in" }).click();
  const secret = (await doctorPage.getByTestId("totp-secret").textContent())!.trim();
  await doctorPage.getByLabel("6-digit code").fill(await nextTotpCode(doctor.email, secret));
  await doctorPage.getByRole("button", { name: "Turn on" }).click();
  await expect(doctorPage.getByTestId("recovery-codes").locator("li")).toHaveCount(10);
  const recovery = (await doctorPage.getByTestId("recovery-codes").locator("li").first().textContent())!.trim();
  await context.close();

  // Next sign-in asks for the code; a wrong one is refused, the right one accepted.
  const { context: again, page: p2 } = await startSignIn(browser, doctor.email, PASSWORD);
  await p2.getByLabel("Authentication code").fill("000000");
  await p2.getByRole("button", { name: "Verify" }).click();
  await expect(p2.getByRole("alert").filter({ hasText: "That code is not right" })).toBeVisible();
  await p2.getByLabel("Authentication code").fill(await nextTotpCode(doctor.email, secret));
  await p2.getByRole("button", { name: "Verify" }).click();
  await p2.waitForURL(/\/patients$/);
  await again.close();

  // A recovery code works once.
  const { context: third, page: p3 } = await startSignIn(browser, doctor.email, PASSWORD);
  await p3.getByLabel("Authentication code").fill(recovery);
  await p3.getByRole("button", { name: "Verify" }).click();
  await p3.waitForURL(/\/patients$/);
  await third.close();
});

test("a privileged account without a second factor enrols while signing in", async ({ page, browser }) => {
  await login(page, "admin");
  await page.goto("/admin/staff/new");
  const email = `officer.${run}@hospital.example`;
  await page.getByLabel("Full name").fill(`Officer ${run}`);
  await page.getByLabel("Email").fill(email);
  await page.getByLabel("Role").selectOption("COMPLIANCE");
  await page.getByRole("button", { name: "Create account" }).click();
  await expect(page.getByTestId("request-pending")).toBeVisible();
  const second = await approveAsSecondAdmin(browser, email);
  const code = (await second.page.getByTestId("one-time-code").textContent())!.trim();
  await second.close();
  const activation = await activate(browser, code, PASSWORD);
  await activation.context.close();

  const { context, page: officer } = await startSignIn(browser, email, PASSWORD);
  await officer.getByRole("button", { name: "Set up two-factor sign-in" }).click();
  const secret = (await officer.getByTestId("totp-secret").textContent())!.trim();
  await expect(officer.getByTestId("recovery-codes").locator("li")).toHaveCount(10);
  await officer.getByLabel("Authentication code").fill(await nextTotpCode(email, secret));
  await officer.getByRole("button", { name: "Verify" }).click();
  await officer.waitForURL(/\/compliance\/access-log$/);
  await context.close();
});

test("departments: create, rename, and deactivation refused while in use", async ({ page }) => {
  await login(page, "admin");
  await page.goto("/admin/departments");
  const code = `E${run.slice(-5).toUpperCase()}`;
  await page.getByLabel("Code").fill(code);
  await page.getByLabel("Name", { exact: true }).fill("Emergency Medicine");
  await page.getByRole("button", { name: "Add department" }).click();
  const row = page.locator(`[data-department-code="${code}"]`);
  await expect(row).toBeVisible();
  await row.getByRole("textbox").fill("응급의학과 Emergency Medicine");
  await row.getByRole("button", { name: "Rename" }).click();
  await expect(row.getByRole("textbox")).toHaveValue("응급의학과 Emergency Medicine");
  await row.getByRole("button", { name: "Deactivate" }).click();
  await row.getByRole("button", { name: "Cancel" }).click();
  await expect(row.getByText("Inactive")).toHaveCount(0);
  await row.getByRole("button", { name: "Deactivate" }).click();
  await row.getByRole("button", { name: "Yes, deactivate" }).click();
  await expect(row.getByText("Inactive")).toBeVisible();

  const im = page.locator('[data-department-code="IM"]');
  await im.getByRole("button", { name: "Deactivate" }).click();
  await im.getByRole("button", { name: "Yes, deactivate" }).click();
  await expect(im.getByRole("alert")).toContainText("Still in use");
  await expectAccessible(page);
});
