import type { Metadata } from "next";
import { notFound } from "next/navigation";
import { getTranslations } from "next-intl/server";
import { requireCaller } from "@/lib/auth/require-caller";
import { AccessDeniedError } from "@/lib/dal/caller";
import { listOwnAccessHistory } from "@/lib/dal/own-access";
import { PageHeader } from "@/components/ui/page-header";
import { OwnAccessList } from "@/components/patients/own-access-list";

export async function generateMetadata(): Promise<Metadata> {
  return { title: (await getTranslations("myAccess"))("title") };
}

export default async function MyAccessPage() {
  const caller = await requireCaller("own_records.view");
  const events = await listOwnAccessHistory(caller).catch((error: unknown) => {
    if (error instanceof AccessDeniedError) notFound();
    throw error;
  });
  const t = await getTranslations("myAccess");
  return (
    <>
      <PageHeader title={t("title")} description={t("description")} />
      <OwnAccessList events={events} />
    </>
  );
}
