import type { Metadata } from "next";
import Link from "next/link";
import { notFound } from "next/navigation";
import { getFormatter, getTranslations } from "next-intl/server";
import { requireCaller } from "@/lib/auth/require-caller";
import { can } from "@/lib/authz";
import { AccessDeniedError } from "@/lib/dal/caller";
import { getCohort } from "@/lib/dal/research";
import { PageHeader } from "@/components/ui/page-header";
import { CountBadge } from "@/components/research/count-badge";
import { CriteriaList } from "@/components/research/criteria-list";
import { ExportForm } from "@/components/research/export-form";
import { ExportTable } from "@/components/research/export-table";

export async function generateMetadata(): Promise<Metadata> {
  return { title: (await getTranslations("research"))("overview.savedCohorts") };
}

type Props = { params: Promise<{ cohortId: string }> };

export default async function CohortPage({ params }: Props) {
  const caller = await requireCaller("research.cohort");
  const { cohortId } = await params;
  let cohort;
  try {
    cohort = await getCohort(caller, cohortId);
  } catch (error) {
    if (error instanceof AccessDeniedError) notFound();
    throw error;
  }
  const t = await getTranslations("research");
  const format = await getFormatter();
  return (
    <>
      <PageHeader title={cohort.name} description={cohort.study ? `${cohort.study.code} · ${cohort.study.title}` : t("overview.generalUse")}>
        <Link href={refineHref(cohort.criteriaQuery, cohort.study?.id ?? null)} className="text-sm font-semibold text-brand underline">
          {t("cohort.refine")}
        </Link>
      </PageHeader>
      <div className="grid gap-6 lg:grid-cols-2">
        <div className="space-y-6">
          <section aria-labelledby="criteria-title" className="rounded-lg border border-line bg-surface p-4">
            <h2 id="criteria-title" className="mb-2 text-lg font-semibold">
              {t("cohort.criteria")}
            </h2>
            <CriteriaList criteria={cohort.criteria} study={cohort.study} />
            <p className="mt-4 text-sm">
              <span className="font-semibold">{t("cohort.currentCount")}: </span>
              <CountBadge count={cohort.current} size="sm" />
            </p>
          </section>
          <section aria-labelledby="snapshot-title" className="rounded-lg border border-line bg-surface p-4">
            <h2 id="snapshot-title" className="mb-2 text-lg font-semibold">
              {t("cohort.consentSnapshot")}
            </h2>
            <dl className="grid gap-x-4 gap-y-1 text-sm sm:grid-cols-[max-content_1fr]">
              <dt className="font-semibold">{t("cohort.capturedAt")}</dt>
              <dd>
                <time dateTime={cohort.snapshot.capturedAt}>{format.dateTime(new Date(cohort.snapshot.capturedAt), "audit")}</time>
              </dd>
              <dt className="font-semibold">{t("cohort.snapshotDigest")}</dt>
              <dd className="break-all">
                <code className="text-xs">{cohort.snapshot.sha256}</code>
              </dd>
            </dl>
          </section>
        </div>
        {can(caller.actor, "research.export") ? <ExportForm cohortId={cohort.id} /> : null}
      </div>
      <h2 className="mb-3 mt-8 text-lg font-semibold">{t("cohort.exportsTitle")}</h2>
      <ExportTable exports={cohort.exports} />
    </>
  );
}

function refineHref(criteriaQuery: string, studyId: string | null): string {
  const params = new URLSearchParams(criteriaQuery);
  if (studyId) params.set("study", studyId);
  return `/research/cohorts${params.size ? `?${params}` : ""}`;
}
