import type { Metadata } from "next";
import { getTranslations } from "next-intl/server";
import { requireCaller } from "@/lib/auth/require-caller";
import { getIntegrityOverview, listRecentAccessEvents } from "@/lib/dal/access-log";
import { IntegrityOverview } from "@/components/audit/integrity-overview";
import { PageHeader } from "@/components/ui/page-header";
import { AccessLogTable } from "@/components/audit/access-log-table";

export async function generateMetadata(): Promise<Metadata> {
  return { title: (await getTranslations("accessLog"))("title") };
}

export default async function AccessLogPage() {
  const caller = await requireCaller("access_log.read");
  const overview = await getIntegrityOverview(caller);
  const events = await listRecentAccessEvents(caller);
  const t = await getTranslations("accessLog");
  return (
    <>
      <PageHeader title={t("title")} description={t("description")} />
      <IntegrityOverview overview={overview} />
      <AccessLogTable events={events} />
    </>
  );
}
