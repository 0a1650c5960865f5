import { readFile } from "node:fs/promises";
import pg from "pg";
import { e2eDatabaseFile } from "./database-file";
import AxeBuilder from "@axe-core/playwright";
import { expect, type Browser, type Page } from "@playwright/test";
import { DEMO_TOTP_SECRETS } from "@/lib/jobs/demo-data";
import { TOTP_PERIOD_SECONDS, totpCode } from "@/lib/auth/totp";

export const PASSWORD = "chartproof-demo";
export const ACCOUNTS = {
  doctor: { email: "doctor@demo.chartproof.local", kind: "staff" },
  doctor2: { email: "doctor2@demo.chartproof.local", kind: "staff" },
  admin: { email: "admin@demo.chartproof.local", kind: "staff" },
  admin2: { email: "admin2@demo.chartproof.local", kind: "staff" },
  compliance: { email: "compliance@demo.chartproof.local", kind: "staff" },
  researcher: { email: "researcher@demo.chartproof.local", kind: "staff" },
  desk: { email: "desk@demo.chartproof.local", kind: "staff" },
  patient: { email: "patient@demo.chartproof.local", kind: "patient" },
} as const;

export type Locale = "ko" | "en";

export async function setLocaleCookie(page: Page, locale: Locale): Promise<void> {
  await page.context().addCookies([{ name: "NEXT_LOCALE", value: locale, domain: "localhost", path: "/" }]);
}

// The server refuses a TOTP step it has already accepted (replay protection) and accepts one step either side of
// now, so each sign-in here uses the next unused step, waiting only when two steps ahead would be needed.
const lastStepUsed = new Map<string, number>();

/** A fresh TOTP code for an account with a known secret (the demo's, or one a test enrolled). */
export async function nextTotpCode(account: string, secret: string): Promise<string> {
  for (;;) {
    const now = Math.floor(Date.now() / 1000 / TOTP_PERIOD_SECONDS);
    const step = Math.max(now, (lastStepUsed.get(account) ?? -1) + 1);
    if (step <= now + 1) {
      lastStepUsed.set(account, step);
      return totpCode(secret, new Date(step * TOTP_PERIOD_SECONDS * 1000));
    }
    await new Promise((resolve) => setTimeout(resolve, 1000));
  }
}

export const LOGIN_LABELS = {
  en: { patient: "Patient", email: "Email", password: "Password", submit: "Sign in", otp: "Authentication code", verify: "Verify" },
  ko: { patient: "환자", email: "이메일", password: "비밀번호", submit: "로그인", otp: "인증 코드", verify: "확인" },
} as const;

/** Signs in through the real form, as a person would; privileged demo accounts answer the TOTP step too. */
export async function login(page: Page, who: keyof typeof ACCOUNTS, locale: Locale = "en"): Promise<void> {
  const account = ACCOUNTS[who];
  await loginAs(page, { email: account.email, password: PASSWORD, kind: account.kind, totpSecret: DEMO_TOTP_SECRETS[account.email] }, locale);
}

export async function loginAs(
  page: Page,
  account: { email: string; password: string; kind?: "staff" | "patient"; totpSecret?: string },
  locale: Locale = "en",
): Promise<void> {
  await setLocaleCookie(page, locale);
  await page.goto("/login");
  const labels = LOGIN_LABELS[locale];
  if (account.kind === "patient") await page.getByLabel(labels.patient, { exact: true }).check();
  await page.getByLabel(labels.email).fill(account.email);
  await page.getByLabel(labels.password).fill(account.password);
  await page.getByRole("button", { name: labels.submit, exact: true }).click();
  if (account.totpSecret) {
    // A step this worker did not know was used (e.g. after a worker restart) is refused as a replay: try the next.
    for (let attempt = 0; ; attempt++) {
      await page.getByLabel(labels.otp).fill(await nextTotpCode(account.email, account.totpSecret));
      await page.getByRole("button", { name: labels.verify, exact: true }).click();
      const problem = page.getByRole("alert").filter({ hasText: /\S/ });
      await problem.waitFor({ state: "hidden", timeout: 5_000 }).catch(() => undefined);
      const outcome = await Promise.race([
        page.waitForURL(signedIn).then(() => "in" as const),
        problem.waitFor().then(() => "refused" as const),
      ]);
      if (outcome === "in" || attempt >= 3) break;
    }
  }
  await page.waitForURL(signedIn);
}

/** Off the sign-in page and past "/", which only redirects to the role's start page. */
function signedIn(url: URL): boolean {
  return !url.pathname.startsWith("/login") && url.pathname !== "/";
}

/** No serious or critical accessibility violations on the current page. */
export async function expectAccessible(page: Page): Promise<void> {
  const results = await new AxeBuilder({ page }).withTags(["wcag2a", "wcag2aa", "wcag21a", "wcag21aa"]).analyze();
  const blocking = results.violations.filter((v) => v.impact === "serious" || v.impact === "critical");
  expect(blocking.map((v) => `${v.id}: ${v.nodes.map((n) => n.target.join(" ")).join(", ")}`)).toEqual([]);
}

/**
 * Runs one statement on the e2e server's own database — only to make time pass (e.g. expire a grant), never to
 * arrange what a test then asserts through the UI.
 */
export async function sqlOnE2eDatabase(statement: string, values: unknown[] = []): Promise<number> {
  const { databaseUrl } = JSON.parse(await readFile(e2eDatabaseFile(Number(process.env.E2E_PORT ?? 3100)), "utf8")) as { databaseUrl: string };
  const client = new pg.Client({ connectionString: databaseUrl });
  await client.connect();
  try {
    return (await client.query(statement, values)).rowCount ?? 0;
  } finally {
    await client.end();
  }
}

/** Reads rows from the e2e server's database: only to find what the seed created (ids), never to change anything. */
export async function readE2eDatabase<Row>(statement: string, values: unknown[] = []): Promise<Row[]> {
  const { databaseUrl } = JSON.parse(await readFile(e2eDatabaseFile(Number(process.env.E2E_PORT ?? 3100)), "utf8")) as { databaseUrl: string };
  const client = new pg.Client({ connectionString: databaseUrl });
  await client.connect();
  try {
    return (await client.query(statement, values)).rows as Row[];
  } finally {
    await client.end();
  }
}

/**
 * Four eyes: the demo's second administrator, in a browser of its own, approves the pending request whose card
 * mentions `text`; returns that page (still showing what the approval produced once: a code or a token).
 */
export async function approveAsSecondAdmin(browser: Browser, text: string, locale: Locale = "en"): Promise<{ page: Page; close: () => Promise<void> }> {
  const context = await browser.newContext();
  const page = await context.newPage();
  await login(page, "admin2", locale);
  await page.goto("/admin/approvals");
  const card = page.locator("[data-request-id]", { hasText: text });
  await card.getByRole("button", { name: locale === "en" ? "Approve and execute" : "승인 및 실행" }).click();
  return { page, close: () => context.close() };
}
