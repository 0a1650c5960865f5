import type { Metadata } from "next";
import { getTranslations } from "next-intl/server";
import { requireCaller } from "@/lib/auth/require-caller";
import { getComplianceDashboard } from "@/lib/dal/compliance";
import { PageHeader } from "@/components/ui/page-header";
import { ComplianceDashboard } from "@/components/audit/compliance-dashboard";

export async function generateMetadata(): Promise<Metadata> {
  return { title: (await getTranslations("compliance"))("dashboard.title") };
}

export default async function ComplianceOverviewPage() {
  const caller = await requireCaller("access_log.read");
  const dashboard = await getComplianceDashboard(caller);
  const t = await getTranslations("compliance");
  return (
    <>
      <PageHeader title={t("dashboard.title")} description={t("dashboard.description", { days: dashboard.days })} />
      <ComplianceDashboard dashboard={dashboard} />
    </>
  );
}
