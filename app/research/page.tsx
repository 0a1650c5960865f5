import type { Metadata } from "next";
import Link from "next/link";
import { getTranslations } from "next-intl/server";
import { requireCaller } from "@/lib/auth/require-caller";
import { listCohorts } from "@/lib/dal/research";
import { PageHeader } from "@/components/ui/page-header";
import { CohortTable } from "@/components/research/cohort-table";

export async function generateMetadata(): Promise<Metadata> {
  return { title: (await getTranslations("research"))("overview.title") };
}

export default async function ResearchOverviewPage() {
  const caller = await requireCaller("research.cohort");
  const cohorts = await listCohorts(caller);
  const t = await getTranslations("research");
  return (
    <>
      <PageHeader title={t("overview.title")} description={t("overview.description")}>
        <Link href="/research/cohorts" className="rounded bg-brand px-4 py-2 text-sm font-semibold text-white hover:bg-brand-strong">
          {t("overview.newCohort")}
        </Link>
      </PageHeader>
      <h2 className="mb-3 text-lg font-semibold">{t("overview.savedCohorts")}</h2>
      <CohortTable cohorts={cohorts} />
    </>
  );
}
