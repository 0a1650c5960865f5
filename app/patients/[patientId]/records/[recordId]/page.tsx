import type { Metadata } from "next";
import Link from "next/link";
import { notFound } from "next/navigation";
import { getTranslations } from "next-intl/server";
import { requireCaller } from "@/lib/auth/require-caller";
import { AccessDeniedError } from "@/lib/dal/caller";
import { getRecordProof } from "@/lib/dal/record-proof";
import { openIntegrityFailure } from "@/lib/dal/integrity-notice";
import { IntegrityFailureBanner } from "@/components/records/integrity-failure-banner";
import { PageHeader } from "@/components/ui/page-header";
import { ProofPath } from "@/components/records/proof-path";
import { RecordVersions } from "@/components/records/record-versions";

// Neither the patient's name nor the record's content goes into the title (browser history, shared screens).
export async function generateMetadata(): Promise<Metadata> {
  return { title: (await getTranslations("proof"))("title") };
}

export default async function RecordProofPage({ params }: { params: Promise<{ patientId: string; recordId: string }> }) {
  // Access is decided (and the view logged) before anything streams, so a denial is a real 404. No loading.tsx here.
  const caller = await requireCaller("chart.view");
  const { patientId, recordId } = await params;
  const proof = await getRecordProof(caller, patientId, recordId).catch((error: unknown) => {
    if (error instanceof AccessDeniedError) notFound();
    throw error;
  });
  const integrityFailure = await openIntegrityFailure(caller);
  const t = await getTranslations("proof");
  const tt = await getTranslations("resourceTypes");
  const tc = await getTranslations("chart");
  const type = tt.has(proof.record.resourceType) ? tt(proof.record.resourceType) : tt("other");
  const chartHref = `/patients/${proof.patient.id}`;
  return (
    <>
      <Link href={chartHref} className="text-sm text-brand hover:underline">
        ← {t("back")}
      </Link>
      <PageHeader title={t("heading", { type })} description={t("patientLine", { name: proof.patient.name, mrn: proof.patient.mrn })} />
      <IntegrityFailureBanner failure={integrityFailure} />
      {proof.identity.withheld ? (
        <div data-identity={proof.identity.state} role="alert" className="rounded-lg border-2 border-danger bg-danger-soft px-4 py-2 text-sm font-semibold text-danger">
          <p>{tc(`identity.${proof.identity.state}`)}</p>
          <p className="mt-1 font-normal">{tc("identity.withheldBody")}</p>
        </div>
      ) : (
        <>
          <RecordVersions versions={proof.versions} shownId={proof.record.id} hrefOf={(id) => `${chartHref}/records/${id}`} />
          <ProofPath proof={proof} exportHref={`${chartHref}/records/${proof.record.id}/proof.json`} />
        </>
      )}
    </>
  );
}
