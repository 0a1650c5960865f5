import { readFileSync, readdirSync, statSync } from "node:fs";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { catalogues as bundled } from "@/lib/i18n/catalogues";
import { negotiateLocale } from "@/lib/i18n/locale";

type Tree = { [key: string]: string | Tree };

function flatten(tree: Tree, prefix = ""): Map<string, string> {
  const out = new Map<string, string>();
  for (const [key, value] of Object.entries(tree)) {
    const path = prefix ? `${prefix}.${key}` : key;
    if (typeof value === "string") out.set(path, value);
    else for (const [k, v] of flatten(value, path)) out.set(k, v);
  }
  return out;
}

const catalogues = { en: flatten(bundled.en as Tree), ko: flatten(bundled.ko as Tree) };

it("bundles every namespace file that exists on disk, in both languages", () => {
  for (const lang of ["en", "ko"] as const) {
    const onDisk = readdirSync(`lib/i18n/messages/${lang}`).map((f) => f.replace(/\.json$/, "")).sort();
    expect(Object.keys(bundled[lang]).sort()).toEqual(onDisk);
  }
});

function sourceFiles(dir: string): string[] {
  return readdirSync(dir).flatMap((name) => {
    const path = join(dir, name);
    if (statSync(path).isDirectory()) return sourceFiles(path);
    return /\.(tsx?|jsx?)$/.test(name) ? [path] : [];
  });
}

/** Keys used in code: t("key") with t bound by useTranslations/getTranslations("namespace"). */
function usedKeys(): { exact: Set<string>; prefixes: Set<string> } {
  const exact = new Set<string>();
  const prefixes = new Set<string>();
  for (const file of [...sourceFiles("app"), ...sourceFiles("components")]) {
    const text = readFileSync(file, "utf8");
    const bindings = [...text.matchAll(/const (\w+) = (?:await )?(?:useTranslations|getTranslations)\("([\w.]+)"\)/g)];
    // The scan is per file, so one name must mean one namespace within a file.
    const namespacesByName = new Map<string, Set<string>>();
    for (const [, name, namespace] of bindings) namespacesByName.set(name!, (namespacesByName.get(name!) ?? new Set()).add(namespace!));
    for (const [name, namespaces] of namespacesByName) expect(namespaces.size, `${file}: ${name} bound to several namespaces`).toBe(1);
    for (const [, name, namespace] of bindings) {
      for (const [, key] of text.matchAll(new RegExp(`\\b${name}\\("([\\w.]+)"`, "g"))) exact.add(`${namespace}.${key}`);
      // Dynamic keys such as t(`sex.${value}`): the static part must exist as a subtree or key prefix.
      for (const [, head] of text.matchAll(new RegExp(`\\b${name}\\(\`([\\w.]*)\\$\\{`, "g"))) prefixes.add(`${namespace}.${head}`);
    }
  }
  return { exact, prefixes };
}

describe("message catalogues", () => {
  it("have exactly the same keys in English and Korean", () => {
    expect([...catalogues.ko.keys()].sort()).toEqual([...catalogues.en.keys()].sort());
  });

  it("translate every Korean entry (none identical to its English one)", () => {
    const untranslated = [...catalogues.en].filter(([key, value]) => catalogues.ko.get(key) === value).map(([key]) => key);
    expect(untranslated).toEqual([]);
  });

  it("contain every key the code uses, in both languages", () => {
    const { exact, prefixes } = usedKeys();
    expect(exact.size).toBeGreaterThan(20);
    for (const lang of ["en", "ko"] as const) {
      const keys = [...catalogues[lang].keys()];
      expect([...exact].filter((k) => !catalogues[lang].has(k)), `${lang}: missing keys`).toEqual([]);
      expect([...prefixes].filter((p) => !keys.some((k) => k.startsWith(p))), `${lang}: missing key groups`).toEqual([]);
    }
  });
});

describe("locale negotiation", () => {
  it("prefers the cookie, then the browser's languages by weight, else Korean", () => {
    expect(negotiateLocale("en", "ko-KR,ko;q=0.9")).toBe("en");
    expect(negotiateLocale(undefined, "en-US,en;q=0.9,ko;q=0.8")).toBe("en");
    expect(negotiateLocale(undefined, "fr-FR,ko;q=0.5,en;q=0.4")).toBe("ko");
    expect(negotiateLocale(undefined, "fr-FR")).toBe("ko");
    expect(negotiateLocale("xx", null)).toBe("ko");
  });
});
