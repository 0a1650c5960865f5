import { expect, test, type Page } from "@playwright/test";
import { login, type Locale } from "./fixtures";

// Issue #23 part 1: no screen shows a developer's string. Every page a role can reach from its menu (and the pages one
// click deeper that carry the most codes: a chart, a record, an access event) is read as the user sees it, in both
// languages, and fails on a dotted code (`patient.viewed`), a camelCase key (`distinctPatients`) or a bare UUID; and
// (part 2) the header stays one row at 1,280 px.

const DOTTED = /\b[a-z_]+\.[a-z_]+\b/g;
const CAMEL = /\b[a-z]+[A-Z][A-Za-z]*\b/g;
const UUID = /\b[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}\b/gi;

/** What may look like a code but is not one: addresses, links, file names and the product's own domain. */
function withoutAllowed(text: string): string {
  return text
    .replace(/[\w.+-]+@[\w-]+(\.[\w-]+)+/g, " ") // e-mail addresses
    .replace(/\bhttps?:\/\/\S+/g, " ") // links
    .replace(/\b[\w-]+\.(json|csv|ndjson|pdf|png|txt|sql|ts|md)\b/g, " ") // file names
    .replace(/\b(localhost|[\w-]+\.local)\b/g, " ");
}

async function codesOn(page: Page): Promise<string[]> {
  const text = withoutAllowed(await page.locator("body").innerText());
  return [...new Set([...(text.match(DOTTED) ?? []), ...(text.match(CAMEL) ?? []), ...(text.match(UUID) ?? [])])];
}

async function menuLinks(page: Page): Promise<string[]> {
  const hrefs = await page.locator("header nav a").evaluateAll((as) => as.map((a) => a.getAttribute("href") ?? ""));
  return [...new Set(hrefs.filter((h) => h.startsWith("/")))];
}

const ROLES = ["doctor", "admin", "compliance", "researcher", "desk", "patient"] as const;

for (const locale of ["en", "ko"] as Locale[]) {
  test(`every page speaks ${locale === "en" ? "English" : "Korean"}, never code (${locale})`, async ({ browser }) => {
    test.setTimeout(360_000);
    const found: string[] = [];
    for (const who of ROLES) {
      const context = await browser.newContext({ viewport: { width: 1440, height: 900 } });
      const page = await context.newPage();
      await login(page, who, locale);
      const visit = async (path: string) => {
        await page.goto(path);
        for (const code of await codesOn(page)) found.push(`${who} ${path}: ${code}`);
      };
      // The header is one row from 1,280 px up, whatever the role's menu and the language.
      await page.setViewportSize({ width: 1280, height: 900 });
      const header = await page.locator("header > div").first().boundingBox();
      if (!header || header.height > 72) found.push(`${who}: the header wraps at 1,280 px (${Math.round(header?.height ?? 0)} px tall)`);
      await page.setViewportSize({ width: 1440, height: 900 });
      const pages = await menuLinks(page);
      for (const path of pages) await visit(path);
      // One click deeper, where the most codes live.
      if (who === "doctor") {
        await page.goto("/patients");
        const chart = await page.locator("[data-patient-id] a").first().getAttribute("href");
        if (chart) {
          await visit(chart);
          const record = await page.locator('a[href*="/records/"]').first().getAttribute("href");
          if (record) await visit(record);
        }
      }
      if (who === "compliance") {
        await page.goto("/compliance/access-log");
        const event = await page.locator("tbody tr[data-seq] a").first().getAttribute("href");
        if (event) await visit(event);
      }
      await context.close();
    }
    expect(found).toEqual([]);
  });
}
