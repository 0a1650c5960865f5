export const LOCALES = ["ko", "en"] as const;
export type Locale = (typeof LOCALES)[number];
export const DEFAULT_LOCALE: Locale = "ko";
export const LOCALE_COOKIE = "NEXT_LOCALE";

export function isLocale(value: unknown): value is Locale {
  return typeof value === "string" && (LOCALES as readonly string[]).includes(value);
}

/** The cookie wins; otherwise the browser's Accept-Language, in its order of preference; else Korean. */
export function negotiateLocale(cookieValue: string | undefined, acceptLanguage: string | null): Locale {
  if (isLocale(cookieValue)) return cookieValue;
  const preferences = (acceptLanguage ?? "")
    .split(",")
    .map((part) => {
      const [tag = "", ...params] = part.trim().split(";");
      const q = params.find((p) => p.trim().startsWith("q="));
      return { lang: tag.toLowerCase().split("-")[0] ?? "", q: q ? Number(q.trim().slice(2)) || 0 : 1 };
    })
    .filter((p) => p.lang !== "" && p.q > 0)
    .sort((a, b) => b.q - a.q);
  return preferences.map((p) => p.lang).find(isLocale) ?? DEFAULT_LOCALE;
}

/** Each language is offered in its own name, so it is recognisable whatever the current language is. */
export const LOCALE_ENDONYMS: Record<Locale, string> = { ko: "한국어", en: "English" };
