import Link from "next/link";
import { useFormatter, useTranslations } from "next-intl";
import type { RecordVersionDto } from "@/lib/dto";
import { VerificationBadge } from "@/components/ui/verification-badge";

/** A corrected record's versions, oldest first, each with its own verdict; the one on screen is marked. */
export function RecordVersions({ versions, shownId, hrefOf }: { versions: RecordVersionDto[]; shownId: string; hrefOf: (id: string) => string }) {
  const t = useTranslations("chart");
  const format = useFormatter();
  if (versions.length < 2) return null;
  return (
    <section aria-labelledby="versions-title" className="mb-6 rounded-lg border border-line bg-surface p-4">
      <h2 id="versions-title" className="text-lg font-semibold">
        {t("versions")}
      </h2>
      <p className="mb-3 text-sm text-ink-muted">{t("versionsIntro")}</p>
      <ol className="space-y-2">
        {versions.map((v, i) => (
          <li key={v.id} className="flex flex-wrap items-center gap-3 text-sm" data-version-id={v.id} data-verification={v.verification}>
            <span className="font-mono text-ink-muted">v{i + 1}</span>
            {v.id === shownId ? (
              <span className="font-semibold" aria-current="page">
                {t("versionCreated", { time: format.dateTime(new Date(v.createdAt), "audit") })}
              </span>
            ) : (
              <Link href={hrefOf(v.id)} prefetch={false} className="text-brand hover:underline">
                {t("versionCreated", { time: format.dateTime(new Date(v.createdAt), "audit") })}
              </Link>
            )}
            {v.current ? <span className="rounded border border-brand px-1.5 py-0.5 text-xs font-semibold text-brand">{t("versionCurrent")}</span> : null}
            <VerificationBadge verification={v.verification} />
          </li>
        ))}
      </ol>
    </section>
  );
}
