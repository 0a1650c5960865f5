import Link from "next/link";
import { getTranslations } from "next-intl/server";

export default async function NotFound() {
  const t = await getTranslations("errors");
  return (
    <div className="mx-auto max-w-lg text-center">
      <h1 className="mb-2 text-2xl font-bold">{t("notFoundTitle")}</h1>
      <p className="mb-4 text-ink-muted">{t("notFoundBody")}</p>
      <Link href="/" className="text-brand underline">
        {t("home")}
      </Link>
    </div>
  );
}
