import { useTranslations } from "next-intl";
import type { VerificationCounts } from "@/lib/dto";
import type { MissingCount } from "@/lib/chart-summary/types";

/**
 * The chart's one integrity line: quiet when every record is unchanged since recorded, loud (an alert) when any is
 * tampered, unverifiable or overdue. Keeps the `data-count` hooks of the former verification summary.
 */
export function ChartIntegrityLine({
  counts,
  overdue,
  missing,
  missingElsewhere = [],
}: {
  counts: VerificationCounts;
  overdue: number;
  missing: number;
  /** Missing records of types no summary section names (the sections name their own). */
  missingElsewhere?: readonly MissingCount[];
}) {
  const t = useTranslations("summary");
  const tt = useTranslations("resourceTypes");
  const total = counts.verified + counts.tampered + counts.pending + counts.unavailable;
  const loud = counts.tampered > 0 || counts.unavailable > 0 || overdue > 0 || missing > 0;
  const quietPending = !loud && counts.pending > 0;
  return (
    <div
      role={loud ? "alert" : undefined}
      data-integrity-line={loud ? "problems" : quietPending ? "pending" : "clear"}
      className={`mb-3 rounded-md border px-3 py-1.5 text-sm ${loud ? "border-danger bg-danger-soft font-semibold text-danger" : quietPending ? "border-warn bg-warn-soft text-warn" : "border-line bg-surface text-ink-muted"}`}
    >
      {/* Machine-readable counts for tools and tests; the sentence says the same for people. */}
      <span hidden>
        {(Object.keys(counts) as (keyof VerificationCounts)[]).map((state) => (
          <span key={state} data-count={state}>
            {state}: {counts[state]}{" "}
          </span>
        ))}
      </span>
      {missing > 0 ? (
        <span data-completeness="broken" className="mr-1">
          {t("chartLine.completenessBroken", { count: missing })}
          {missingElsewhere.length > 0 ? (
            <>
              {" "}
              {t("chartLine.missingElsewhere", {
                list: missingElsewhere.map((m) => t("chartLine.missingItem", { type: tt.has(m.resourceType) ? tt(m.resourceType) : m.resourceType, count: m.count })).join(", "),
              })}
            </>
          ) : null}
        </span>
      ) : null}
      {loud || quietPending ? (
        counts.tampered + counts.unavailable + counts.pending + overdue > 0 ? (
          <span>{t("chartLine.problems", { count: total, tampered: counts.tampered, unavailable: counts.unavailable, pending: counts.pending, overdue })}</span>
        ) : null
      ) : (
        <span>
          <span aria-hidden="true" className="mr-1 text-ok">
            ✓
          </span>
          {t("chartLine.allClear", { count: total })}
        </span>
      )}{" "}
      <span className="text-xs font-normal text-ink-muted">
        {t("chartLine.sourceNote")} {missing > 0 ? null : <span data-completeness="holds">{t("chartLine.completenessHolds")}</span>}
      </span>
    </div>
  );
}
