import type { Metadata } from "next";
import Link from "next/link";
import { notFound } from "next/navigation";
import { getTranslations } from "next-intl/server";
import { requireCaller } from "@/lib/auth/require-caller";
import { AccessDeniedError } from "@/lib/dal/caller";
import { getExport } from "@/lib/dal/research";
import { PageHeader } from "@/components/ui/page-header";
import { ExportDetail } from "@/components/research/export-detail";

export async function generateMetadata(): Promise<Metadata> {
  return { title: (await getTranslations("research"))("export.manifest") };
}

type Props = { params: Promise<{ exportId: string }> };

export default async function ExportPage({ params }: Props) {
  const caller = await requireCaller("research.export");
  const { exportId } = await params;
  let detail;
  try {
    detail = await getExport(caller, exportId);
  } catch (error) {
    if (error instanceof AccessDeniedError) notFound();
    throw error;
  }
  const t = await getTranslations("research.export");
  return (
    <>
      <PageHeader title={t("title", { id: detail.id.slice(0, 8) })} description={t("description")}>
        <Link href={`/research/cohorts/${detail.cohort.id}`} className="text-sm font-semibold text-brand underline">
          {t("back")}
        </Link>
      </PageHeader>
      <ExportDetail detail={detail} />
    </>
  );
}
