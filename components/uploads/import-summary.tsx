import { useTranslations } from "next-intl";
import type { TypeSummary } from "@/lib/dto/uploads";

const PARTS = ["created", "unchanged", "corrected", "directory", "skipped", "refused"] as const;

/** What became of each resource type in a file, in plain words: added, already stored, not kept and why, refused. */
export function ImportSummary({ summary }: { summary: TypeSummary[] }) {
  const t = useTranslations("upload");
  const types = useTranslations("resourceTypes");
  if (summary.length === 0) return null;
  return (
    <div className="mt-2" data-import-summary>
      <p className="text-sm font-semibold text-ink">{t("summaryTitle")}</p>
      <ul className="mt-1 space-y-0.5 text-sm text-ink">
        {summary.map((s) => (
          <li key={s.resourceType} data-summary-type={s.resourceType}>
            {t("summaryRow", {
              type: types.has(s.resourceType) ? types(s.resourceType) : s.resourceType,
              parts: PARTS.filter((p) => s[p] > 0)
                .map((p) => t(`summaryParts.${p}`, { count: s[p] }))
                .join(" · "),
            })}
          </li>
        ))}
      </ul>
    </div>
  );
}
