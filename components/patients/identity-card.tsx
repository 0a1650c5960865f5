import { getFormatter, getTranslations } from "next-intl/server";
import type { OwnIdentityDto } from "@/lib/dto";

/** The patient's registered identity, at the top of their records: every record is filed under it. */
export async function IdentityCard({ identity }: { identity: OwnIdentityDto }) {
  const t = await getTranslations("me.identity");
  const tc = await getTranslations("common");
  const format = await getFormatter();
  const rows: [string, string][] = [
    [t("name"), identity.name],
    [t("birthDate"), format.dateTime(new Date(`${identity.birthDate}T00:00:00Z`), { dateStyle: "long", timeZone: "UTC" })],
    [t("sex"), tc(`sex.${identity.sex}`)],
    [t("mrn"), identity.mrn],
    [t("phone"), identity.phone ?? t("none")],
    [t("address"), identity.address ?? t("none")],
    [t("email"), identity.email ?? t("none")],
  ];
  return (
    <section aria-labelledby="identity-title" className="mb-6 rounded-lg border border-line bg-surface p-4" data-identity-card>
      <h2 id="identity-title" className="text-lg font-semibold">
        {t("title")}
      </h2>
      <dl className="mt-2 grid gap-x-6 gap-y-1 text-sm sm:grid-cols-[max-content_1fr] lg:grid-cols-[max-content_1fr_max-content_1fr]">
        {rows.map(([label, value]) => (
          <div key={label} className="contents">
            <dt className="font-semibold text-ink-muted">{label}</dt>
            <dd className="break-words">{value}</dd>
          </div>
        ))}
      </dl>
      <p className="mt-3 text-xs text-ink-muted">{t("wrong")}</p>
    </section>
  );
}
