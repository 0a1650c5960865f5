import type { Metadata } from "next";
import Link from "next/link";
import { getTranslations } from "next-intl/server";
import { requireCaller } from "@/lib/auth/require-caller";
import { can } from "@/lib/authz";
import { listAlerts } from "@/lib/dal/compliance";
import { PageHeader } from "@/components/ui/page-header";
import { AlertsTable } from "@/components/audit/alerts-table";

export async function generateMetadata(): Promise<Metadata> {
  return { title: (await getTranslations("compliance"))("alerts.title") };
}

type Props = { searchParams: Promise<Record<string, string | string[] | undefined>> };

export default async function AlertsPage({ searchParams }: Props) {
  const caller = await requireCaller("access_log.read");
  const reviewed = (await searchParams).show === "reviewed";
  const alerts = await listAlerts(caller, reviewed ? "reviewed" : "open");
  const t = await getTranslations("compliance");
  const tab = "rounded px-3 py-1 text-sm font-semibold";
  return (
    <>
      <PageHeader title={t("alerts.title")} description={t("alerts.description")} />
      <nav aria-label={t("alerts.tabs")} className="mb-4 flex gap-2">
        <Link href="/compliance/alerts" aria-current={reviewed ? undefined : "page"} className={`${tab} ${reviewed ? "text-brand hover:underline" : "bg-brand text-white"}`}>
          {t("alerts.open")}
        </Link>
        <Link href="/compliance/alerts?show=reviewed" aria-current={reviewed ? "page" : undefined} className={`${tab} ${reviewed ? "bg-brand text-white" : "text-brand hover:underline"}`}>
          {t("alerts.reviewedTab")}
        </Link>
      </nav>
      <AlertsTable alerts={alerts} reviewed={reviewed} canReview={can(caller.actor, "alerts.review")} />
    </>
  );
}
