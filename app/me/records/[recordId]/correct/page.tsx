import type { Metadata } from "next";
import Link from "next/link";
import { notFound } from "next/navigation";
import { getTranslations } from "next-intl/server";
import { requireCaller } from "@/lib/auth/require-caller";
import { isUuid } from "@/lib/ids";
import { AccessDeniedError } from "@/lib/dal/caller";
import { CorrectionRuleError, getCorrectableRecord } from "@/lib/dal/corrections";
import { PageHeader } from "@/components/ui/page-header";
import { CorrectionForm } from "@/components/uploads/correction-form";

export async function generateMetadata(): Promise<Metadata> {
  return { title: (await getTranslations("upload"))("correctionTitle") };
}

export default async function CorrectRecordPage({ params }: { params: Promise<{ recordId: string }> }) {
  const caller = await requireCaller("own_records.upload");
  const { recordId } = await params;
  if (!isUuid(recordId)) notFound();
  const record = await getCorrectableRecord(caller, recordId).catch((error: unknown) => {
    if (error instanceof AccessDeniedError || error instanceof CorrectionRuleError) notFound();
    throw error;
  });
  const t = await getTranslations("upload");
  const tt = await getTranslations("resourceTypes");
  return (
    <>
      <Link href="/me" className="text-sm text-brand hover:underline">
        ← {t("backToRecords")}
      </Link>
      <PageHeader title={t("correctionTitle")} description={t("correctionDescription", { type: tt.has(record.resourceType) ? tt(record.resourceType) : record.resourceType })} />
      <CorrectionForm recordId={record.id} initial={record.json} resourceType={record.resourceType} />
    </>
  );
}
