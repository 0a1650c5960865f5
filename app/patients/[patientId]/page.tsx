import type { Metadata } from "next";
import Link from "next/link";
import { notFound } from "next/navigation";
import { useTranslations } from "next-intl";
import { getTranslations } from "next-intl/server";
import { requireCaller } from "@/lib/auth/require-caller";
import { AccessDeniedError } from "@/lib/dal/caller";
import { getPatientChart } from "@/lib/dal/patients";
import { openIntegrityFailure } from "@/lib/dal/integrity-notice";
import { chartQuerySchema, type ChartFilters } from "@/lib/dto/patients";
import type { PatientChartDto } from "@/lib/dto";
import { firstValues } from "@/lib/dto/search-params";
import { ChartHeader } from "@/components/patients/chart-header";
import { ChartIntegrityLine } from "@/components/records/chart-integrity-line";
import { IntegrityFailureBanner } from "@/components/records/integrity-failure-banner";
import { ClinicalSummaryView } from "@/components/records/clinical-summary";
import { RecordTimeline } from "@/components/records/record-list";
import { TimelineFilters, TimelinePager } from "@/components/records/timeline-filters";

// The patient's name never goes into the title: titles end up in browser history and shared screens.
export async function generateMetadata(): Promise<Metadata> {
  return { title: (await getTranslations("chart"))("records") };
}

type Props = {
  params: Promise<{ patientId: string }>;
  searchParams: Promise<Record<string, string | string[] | undefined>>;
};

export default async function PatientChartPage({ params, searchParams }: Props) {
  // Access is decided (and the view logged) before anything streams, so a denial is a real 404.
  const caller = await requireCaller("chart.view");
  const { patientId } = await params;
  const { page, results, ...filters } = chartQuerySchema.parse(firstValues(await searchParams));
  const chart = await getPatientChart(caller, patientId, filters, page, { allResults: results === "all" }).catch((error: unknown) => {
    if (error instanceof AccessDeniedError) notFound();
    throw error;
  });
  const integrityFailure = await openIntegrityFailure(caller);
  const t = await getTranslations("chart");
  const { patient } = chart;
  return (
    <>
      <Link href="/patients" className="text-sm text-brand hover:underline">
        ← {t("back")}
      </Link>
      <div className="mt-1">
        <ChartHeader patient={patient} access={chart.access} identity={chart.identity} />
      </div>
      <IntegrityFailureBanner failure={integrityFailure} />
      {chart.identity.withheld ? (
        <p className="mt-4 text-ink-muted" data-chart-withheld>
          {t("identity.withheldBody")}
        </p>
      ) : (
        <ChartBody chart={chart} filters={filters} showingAllResults={results === "all"} />
      )}
    </>
  );
}

function ChartBody({
  chart,
  filters,
  showingAllResults,
}: {
  chart: PatientChartDto;
  filters: ChartFilters;
  showingAllResults: boolean;
}) {
  const t = useTranslations("chart");
  const { patient } = chart;
  const filtered = chart.matching !== chart.total;
  return (
    <>
      <ChartIntegrityLine counts={chart.counts} overdue={chart.overdue} missing={chart.missing} missingElsewhere={chart.summary.missingElsewhere} />
      <ClinicalSummaryView summary={chart.summary} patientId={patient.id} showingAllResults={showingAllResults} />
      <section aria-labelledby="timeline-heading" id="timeline" data-timeline>
        <h2 id="timeline-heading" className="mb-2 text-lg font-semibold">
          {t("timeline")}{" "}
          <span className="text-sm font-normal text-ink-muted" data-shown={chart.records.length}>
            ({filtered ? t("shownOf", { shown: chart.matching, total: chart.total }) : t("recordCount", { count: chart.total })})
          </span>
        </h2>
        <TimelineFilters patientId={patient.id} filters={filters} types={chart.types} sources={chart.sources} />
        {chart.records.length === 0 ? (
          <p className="text-ink-muted">{chart.total === 0 ? t("noRecords") : t("noRecordsMatch")}</p>
        ) : (
          <>
            <TimelinePager patientId={patient.id} filters={filters} page={chart.page} pageCount={chart.pageCount} />
            <RecordTimeline records={chart.records} patientId={patient.id} />
            <TimelinePager patientId={patient.id} filters={filters} page={chart.page} pageCount={chart.pageCount} />
          </>
        )}
      </section>
    </>
  );
}
