import AxeBuilder from "@axe-core/playwright";
import { expect, type Page } from "@playwright/test";

export const PASSWORD = "chartproof-demo";
export const ACCOUNTS = {
  doctor: { email: "doctor@demo.chartproof.local", kind: "staff" },
  doctor2: { email: "doctor2@demo.chartproof.local", kind: "staff" },
  admin: { email: "admin@demo.chartproof.local", kind: "staff" },
  compliance: { email: "compliance@demo.chartproof.local", kind: "staff" },
  patient: { email: "patient@demo.chartproof.local", kind: "patient" },
} as const;

export type Locale = "ko" | "en";

export async function setLocaleCookie(page: Page, locale: Locale): Promise<void> {
  await page.context().addCookies([{ name: "NEXT_LOCALE", value: locale, domain: "localhost", path: "/" }]);
}

/** Signs in through the real form, as a person would. */
export async function login(page: Page, who: keyof typeof ACCOUNTS, locale: Locale = "en"): Promise<void> {
  await setLocaleCookie(page, locale);
  await page.goto("/login");
  const account = ACCOUNTS[who];
  const labels = locale === "en" ? { patient: "Patient", email: "Email", password: "Password", submit: "Sign in" } : { patient: "환자", email: "이메일", password: "비밀번호", submit: "로그인" };
  if (account.kind === "patient") await page.getByLabel(labels.patient, { exact: true }).check();
  await page.getByLabel(labels.email).fill(account.email);
  await page.getByLabel(labels.password).fill(PASSWORD);
  await page.getByRole("button", { name: labels.submit, exact: true }).click();
  await page.waitForURL((url) => !url.pathname.startsWith("/login"));
}

/** No serious or critical accessibility violations on the current page. */
export async function expectAccessible(page: Page): Promise<void> {
  const results = await new AxeBuilder({ page }).withTags(["wcag2a", "wcag2aa", "wcag21a", "wcag21aa"]).analyze();
  const blocking = results.violations.filter((v) => v.impact === "serious" || v.impact === "critical");
  expect(blocking.map((v) => `${v.id}: ${v.nodes.map((n) => n.target.join(" ")).join(", ")}`)).toEqual([]);
}
