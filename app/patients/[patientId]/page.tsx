import type { Metadata } from "next";
import Link from "next/link";
import { notFound } from "next/navigation";
import { getFormatter, getTranslations } from "next-intl/server";
import { requireCaller } from "@/lib/auth/require-caller";
import { AccessDeniedError } from "@/lib/dal/caller";
import { getPatientChart } from "@/lib/dal/patients";
import { PageHeader } from "@/components/ui/page-header";
import { RecordList, VerificationSummary } from "@/components/records/record-list";
import { ageOn } from "@/lib/fhir/age";

// The patient's name never goes into the title: titles end up in browser history and shared screens.
export async function generateMetadata(): Promise<Metadata> {
  return { title: (await getTranslations("chart"))("records") };
}

export default async function PatientChartPage({ params }: { params: Promise<{ patientId: string }> }) {
  // Access is decided (and the view logged) before anything streams, so a denial is a real 404.
  const caller = await requireCaller("chart.view");
  const { patientId } = await params;
  const chart = await getPatientChart(caller, patientId).catch((error: unknown) => {
    if (error instanceof AccessDeniedError) notFound();
    throw error;
  });
  const t = await getTranslations("chart");
  const tc = await getTranslations("common");
  const tp = await getTranslations("patients");
  const format = await getFormatter();
  const { patient } = chart;
  const birthDate = new Date(`${patient.birthDate}T00:00:00Z`);
  return (
    <>
      <Link href="/patients" className="text-sm text-brand hover:underline">
        ← {t("back")}
      </Link>
      <PageHeader
        title={patient.name}
        description={`${tp("mrn")} ${patient.mrn} · ${tc(`sex.${patient.sex}`)} · ${t("birthDateAge", {
          date: format.dateTime(birthDate, "birthDate"),
          age: ageOn(birthDate, new Date()),
        })}`}
      />
      <h2 className="mb-2 text-lg font-semibold">
        {t("records")} <span className="text-sm font-normal text-ink-muted">({t("recordCount", { count: chart.records.length })})</span>
      </h2>
      <VerificationSummary counts={chart.counts} />
      {chart.records.length === 0 ? <p className="text-ink-muted">{t("noRecords")}</p> : <RecordList records={chart.records} patientId={patient.id} />}
    </>
  );
}
