import type { Metadata } from "next";
import Link from "next/link";
import { getTranslations } from "next-intl/server";
import { requireCaller } from "@/lib/auth/require-caller";
import { breakGlassHours } from "@/lib/dal/break-glass";
import { PageHeader } from "@/components/ui/page-header";
import { BreakGlassForm } from "@/components/patients/break-glass-form";

export async function generateMetadata(): Promise<Metadata> {
  return { title: (await getTranslations("breakGlass"))("title") };
}

export default async function EmergencyAccessPage() {
  await requireCaller("break_glass.open");
  const t = await getTranslations("breakGlass");
  return (
    <>
      <Link href="/patients" className="text-sm text-brand hover:underline">
        ← {t("back")}
      </Link>
      <PageHeader title={t("title")} description={t("description")} />
      <BreakGlassForm hours={breakGlassHours()} />
    </>
  );
}
