import { useFormatter, useTranslations } from "next-intl";
import type { IntegrityOverviewDto } from "@/lib/dto";
import { useAlertKindLabel } from "./labels";

export function IntegrityOverview({ overview }: { overview: IntegrityOverviewDto }) {
  const t = useTranslations("integrity");
  const format = useFormatter();
  const kindLabel = useAlertKindLabel();
  const clear = overview.alerts.length === 0 && overview.overduePending === 0 && !overview.databaseRole.unrestricted;
  return (
    <section aria-labelledby="integrity-heading" className={`mb-6 rounded-lg border p-4 ${clear ? "border-line bg-surface" : "border-danger bg-danger-soft"}`}>
      <h2 id="integrity-heading" className="text-lg font-semibold">
        {t("title")}
      </h2>
      {clear ? <p className="text-sm text-ink-muted">{t("allClear")}</p> : null}
      {overview.databaseRole.unrestricted ? (
        <p role="alert" className="mt-1 text-sm font-semibold text-danger" data-testid="database-role-unrestricted">
          {t("unrestrictedRole", { role: overview.databaseRole.user })}
        </p>
      ) : null}
      {overview.overduePending > 0 ? <p className="mt-1 text-sm font-semibold text-warn">{t("overdue", { count: overview.overduePending })}</p> : null}
      {overview.alerts.length > 0 ? (
        <ul className="mt-2 space-y-1 text-sm">
          {overview.alerts.map((alert) => (
            <li key={alert.id} className="flex flex-wrap gap-x-3">
              <span className={alert.severity === "CRITICAL" ? "font-semibold text-danger" : "font-semibold text-warn"}>{t(`severity.${alert.severity}`)}</span>
              <span title={alert.kind}>{kindLabel(alert.kind)}</span>
              {alert.recordId ? (
                <span className="font-mono text-xs" title={alert.recordId}>
                  …{alert.recordId.slice(-8)}
                </span>
              ) : null}
              {alert.batchNumber ? <span>#{alert.batchNumber}</span> : null}
              <time dateTime={alert.createdAt} className="text-ink-muted">
                {format.dateTime(new Date(alert.createdAt), "audit")}
              </time>
            </li>
          ))}
        </ul>
      ) : null}
    </section>
  );
}
