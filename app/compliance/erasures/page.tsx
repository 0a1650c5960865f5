import type { Metadata } from "next";
import { getTranslations } from "next-intl/server";
import { requireCaller } from "@/lib/auth/require-caller";
import { listRecordErasures } from "@/lib/dal/record-erasure";
import { PageHeader } from "@/components/ui/page-header";
import { ErasureRequestForm, ErasureList } from "@/components/audit/erasures";

export async function generateMetadata(): Promise<Metadata> {
  return { title: (await getTranslations("erasure"))("title") };
}

export default async function ErasuresPage() {
  const caller = await requireCaller("record.erase.request");
  const erasures = await listRecordErasures(caller);
  const t = await getTranslations("erasure");
  return (
    <>
      <PageHeader title={t("title")} description={t("description")} />
      <ErasureRequestForm />
      <ErasureList erasures={erasures} />
    </>
  );
}
