import type { Metadata } from "next";
import { getTranslations } from "next-intl/server";
import { requireCaller } from "@/lib/auth/require-caller";
import { listAccessLog, listStaffOptions } from "@/lib/dal/access-log";
import { accessLogQuerySchema } from "@/lib/dto/compliance";
import { firstValues } from "@/lib/dto/search-params";
import { PageHeader } from "@/components/ui/page-header";
import { AccessLogTable } from "@/components/audit/access-log-table";
import { AccessLogExportForm, AccessLogFilters } from "@/components/audit/access-log-filters";

export async function generateMetadata(): Promise<Metadata> {
  return { title: (await getTranslations("accessLog"))("title") };
}

type Props = { searchParams: Promise<Record<string, string | string[] | undefined>> };

export default async function AccessLogPage({ searchParams }: Props) {
  const caller = await requireCaller("access_log.read");
  const params = firstValues(await searchParams);
  const query = accessLogQuerySchema.parse(params);
  const [page, staff] = await Promise.all([listAccessLog(caller, query), listStaffOptions(caller)]);
  const exportError = params.exportError === "reason_too_short" || params.exportError === "too_long" ? params.exportError : null;
  const t = await getTranslations("accessLog");
  return (
    <>
      <PageHeader title={t("title")} description={t("description")} />
      <AccessLogFilters query={query} staff={staff} />
      <AccessLogTable page={page} query={query} />
      <AccessLogExportForm query={query} error={exportError} />
    </>
  );
}
