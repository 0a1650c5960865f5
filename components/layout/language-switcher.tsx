import { useLocale, useTranslations } from "next-intl";
import { LOCALES, LOCALE_ENDONYMS } from "@/lib/i18n/locale";
import { setLocaleAction } from "@/lib/actions/locale";

/** A plain form per language: works without JavaScript, and the server re-renders in the chosen language. */
export function LanguageSwitcher() {
  const t = useTranslations("common");
  const current = useLocale();
  return (
    <nav aria-label={t("switchLanguage")} className="flex gap-1">
      {LOCALES.map((locale) => (
        <form key={locale} action={setLocaleAction}>
          <input type="hidden" name="locale" value={locale} />
          <button
            type="submit"
            lang={locale}
            aria-current={locale === current ? "true" : undefined}
            className={`rounded px-2 py-1 text-sm ${locale === current ? "bg-brand text-white" : "text-brand hover:bg-surface-muted"}`}
          >
            {LOCALE_ENDONYMS[locale]}
          </button>
        </form>
      ))}
    </nav>
  );
}
