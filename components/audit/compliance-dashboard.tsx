import Link from "next/link";
import { useFormatter, useTranslations } from "next-intl";
import { accessLogHref, type ComplianceDashboardDto } from "@/lib/dto/compliance";
import { BarList, ColumnChart } from "./charts";
import { useAlertKindLabel } from "./labels";

function Stat({ label, value, href, tone }: { label: string; value: string; href: string; tone?: "danger" | "warn" }) {
  return (
    <Link href={href} className="block rounded-lg border border-line bg-surface p-4 hover:border-brand">
      <span className="block text-sm text-ink-muted">{label}</span>
      <span className={`block text-2xl font-bold tabular-nums ${tone === "danger" ? "text-danger" : tone === "warn" ? "text-warn" : "text-ink"}`}>{value}</span>
    </Link>
  );
}

/** The compliance overview: a few numbers and three pictures of the last days of the access log. */
export function ComplianceDashboard({ dashboard }: { dashboard: ComplianceDashboardDto }) {
  const t = useTranslations("compliance");
  const format = useFormatter();
  const num = (n: number) => format.number(n);
  const day = (label: string) => label.slice(5);
  const kind = useAlertKindLabel();
  const from = dashboard.accessesPerDay[0]?.label;
  return (
    <div className="space-y-6">
      <div className="grid gap-3 sm:grid-cols-3">
        <Stat label={t("dashboard.openAlerts")} value={num(dashboard.openAlerts)} href="/compliance/alerts" tone={dashboard.openAlerts > 0 ? "warn" : undefined} />
        <Stat label={t("dashboard.emergencyAccesses", { days: dashboard.days })} value={num(dashboard.emergencyAccesses)} href={accessLogHref({ action: "break_glass.opened", outcome: "ALLOWED", from })} />
        <Stat
          label={t("dashboard.deniedAccesses", { days: dashboard.days })}
          value={num(dashboard.deniedAccesses)}
          href={accessLogHref({ outcome: "DENIED", from })}
          tone={dashboard.deniedAccesses > 0 ? "danger" : undefined}
        />
      </div>
      <ColumnChart
        title={t("dashboard.perDayTitle", { days: dashboard.days })}
        description={t("dashboard.perDayDescription", { total: num(dashboard.accessesPerDay.reduce((s, d) => s + d.value, 0)) })}
        data={dashboard.accessesPerDay}
        labelHeading={t("dashboard.day")}
        valueHeading={t("dashboard.accesses")}
        emptyText={t("dashboard.noData")}
        formatLabel={day}
        formatValue={num}
      />
      <div className="grid gap-6 lg:grid-cols-2">
        <BarList
          title={t("dashboard.alertsTitle", { days: dashboard.days })}
          description={t("dashboard.alertsDescription")}
          data={dashboard.alertsByKind}
          labelHeading={t("dashboard.alertKind")}
          valueHeading={t("dashboard.count")}
          emptyText={t("dashboard.noAlerts")}
          formatLabel={kind}
          formatValue={num}
        />
        <BarList
          title={t("dashboard.topTitle", { days: dashboard.days })}
          description={t("dashboard.topDescription")}
          data={dashboard.topAccessors}
          labelHeading={t("dashboard.staffMember")}
          valueHeading={t("dashboard.views")}
          emptyText={t("dashboard.noData")}
          formatValue={num}
        />
      </div>
      {dashboard.topAccessors.length > 0 ? (
        <p className="text-sm">
          {t("dashboard.topHint")}{" "}
          {dashboard.topAccessors.slice(0, 3).map((s, i) => (
            <span key={s.staffId}>
              {i > 0 ? ", " : null}
              <Link href={accessLogHref({ staff: s.staffId, from })} className="text-brand underline underline-offset-2">
                {s.label}
              </Link>
            </span>
          ))}
        </p>
      ) : null}
    </div>
  );
}
