import { useTranslations } from "next-intl";
import type { SourceKind } from "@/lib/chart-summary/types";

const styles: Record<SourceKind, string> = {
  hospital: "border-line text-ink-muted",
  patient: "border-warn bg-warn-soft text-warn",
  system: "border-brand text-brand",
};

/**
 * Where a record came from. Patient-supplied data is labelled on every item, so that "unchanged since recorded"
 * is never read as "confirmed by the hospital". `quiet` omits the hospital label in dense lists (it is the default).
 */
export function SourceLabel({ source, quiet = false, compact = false }: { source: SourceKind; quiet?: boolean; compact?: boolean }) {
  const t = useTranslations("summary");
  if ((quiet || compact) && source === "hospital") return null;
  if (compact) {
    // Dense rows (a result's earlier values): a short mark, its words on hover and for assistive technology.
    return (
      <span className={`inline-block rounded border px-0.5 text-[10px] font-semibold leading-3 ${styles[source]}`} title={t(`sourceLong.${source}`)} data-source-label={source}>
        <span aria-hidden="true">{t(`sourceShort.${source}`)}</span>
        <span className="sr-only">{t(`sourceLong.${source}`)}</span>
      </span>
    );
  }
  return (
    <span className={`inline-block rounded border px-1 text-[11px] font-semibold leading-4 ${styles[source]}`} title={t(`sourceLong.${source}`)} data-source-label={source}>
      {t(`source.${source}`)}
      <span className="sr-only"> ({t(`sourceLong.${source}`)})</span>
    </span>
  );
}
