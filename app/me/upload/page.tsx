import type { Metadata } from "next";
import { notFound } from "next/navigation";
import { getTranslations } from "next-intl/server";
import { requireCaller } from "@/lib/auth/require-caller";
import { AccessDeniedError } from "@/lib/dal/caller";
import { listOwnUploads } from "@/lib/dal/uploads";
import { PageHeader } from "@/components/ui/page-header";
import { AutoRefresh } from "@/components/uploads/auto-refresh";
import { UploadForm } from "@/components/uploads/upload-form";
import { UploadList } from "@/components/uploads/upload-list";

export async function generateMetadata(): Promise<Metadata> {
  return { title: (await getTranslations("upload"))("title") };
}

export default async function MyUploadsPage() {
  const caller = await requireCaller("own_records.upload");
  const own = await listOwnUploads(caller).catch((error: unknown) => {
    if (error instanceof AccessDeniedError) notFound();
    throw error;
  });
  const t = await getTranslations("upload");
  return (
    <>
      <PageHeader title={t("title")} description={t("description")} />
      <UploadForm maxBytes={own.limits.maxBytes} />
      <UploadList uploads={own.uploads} />
      <AutoRefresh active={own.counts.pending > 0} />
    </>
  );
}
