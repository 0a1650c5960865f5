import type { Metadata } from "next";
import { getTranslations } from "next-intl/server";
import { requireCaller } from "@/lib/auth/require-caller";
import { getIntegrityOverview } from "@/lib/dal/access-log";
import { PageHeader } from "@/components/ui/page-header";
import { IntegrityOverview } from "@/components/audit/integrity-overview";
import { IntegrityCheck } from "@/components/audit/integrity-check";

export async function generateMetadata(): Promise<Metadata> {
  return { title: (await getTranslations("compliance"))("integrity.title") };
}

export default async function IntegrityPage() {
  const caller = await requireCaller("access_log.read");
  const overview = await getIntegrityOverview(caller);
  const t = await getTranslations("compliance");
  return (
    <>
      <PageHeader title={t("integrity.title")} description={t("integrity.description")} />
      <IntegrityOverview overview={overview} />
      <IntegrityCheck sealIntervalSeconds={overview.sealIntervalSeconds} />
    </>
  );
}
