import type { Metadata } from "next";
import { notFound } from "next/navigation";
import { getTranslations } from "next-intl/server";
import { requireCaller } from "@/lib/auth/require-caller";
import { AccessDeniedError } from "@/lib/dal/caller";
import { cohortBuilderView, listStudies, researchMinCell, UnknownStudyError } from "@/lib/dal/research";
import { criteriaFromSearchParams, criteriaToSearchParams } from "@/lib/research/criteria";
import { PageHeader } from "@/components/ui/page-header";
import { CohortBuilder } from "@/components/research/cohort-builder";
import { CountBadge } from "@/components/research/count-badge";
import { CriteriaList } from "@/components/research/criteria-list";
import { SaveCohortForm } from "@/components/research/save-cohort-form";

export async function generateMetadata(): Promise<Metadata> {
  return { title: (await getTranslations("research"))("builder.title") };
}

type Props = { searchParams: Promise<Record<string, string | string[] | undefined>> };

export default async function CohortBuilderPage({ searchParams }: Props) {
  const caller = await requireCaller("research.cohort");
  const params = await searchParams;
  const criteria = criteriaFromSearchParams(params);
  const studies = await listStudies(caller);
  const requested = typeof params.study === "string" ? params.study : null;
  // An unknown study in the URL is dropped (a URL is user input), not an error page.
  const study = studies.find((s) => s.id === requested) ?? null;
  let view;
  try {
    view = await cohortBuilderView(caller, criteria, study?.id ?? null);
  } catch (error) {
    if (error instanceof AccessDeniedError || error instanceof UnknownStudyError) notFound();
    throw error;
  }
  const { count, codes } = view;
  const t = await getTranslations("research.builder");
  return (
    <>
      <PageHeader title={t("title")} description={t("description")} />
      <div className="grid gap-6 lg:grid-cols-[minmax(0,3fr)_minmax(0,2fr)]">
        <CohortBuilder key={JSON.stringify([criteria, study?.id])} criteria={criteria} studyId={study?.id ?? null} studies={studies} codes={codes} />
        <div className="space-y-6">
          <section aria-labelledby="count-title" aria-live="polite" className="rounded-lg border border-line bg-surface p-4">
            <h2 id="count-title" className="text-sm font-semibold text-ink-muted">
              {t("result")}
            </h2>
            <p className="mt-1">
              <CountBadge count={count} />
            </p>
            <p className="mt-2 text-xs text-ink-muted">{t("suppressedExplained", { threshold: researchMinCell() })}</p>
            <h3 className="mb-1 mt-4 text-sm font-semibold">{t("active")}</h3>
            <CriteriaList criteria={criteria} study={study} />
          </section>
          <SaveCohortForm criteriaQuery={criteriaToSearchParams(criteria).toString()} studyId={study?.id ?? null} />
        </div>
      </div>
    </>
  );
}

