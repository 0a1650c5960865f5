import type { Metadata } from "next";
import Link from "next/link";
import { getTranslations } from "next-intl/server";
import { requireCaller } from "@/lib/auth/require-caller";
import { listBreakGlassGrants } from "@/lib/dal/break-glass";
import { PageHeader } from "@/components/ui/page-header";
import { BreakGlassQueue } from "@/components/audit/break-glass-queue";

export async function generateMetadata(): Promise<Metadata> {
  return { title: (await getTranslations("breakGlassReview"))("title") };
}

type Props = { searchParams: Promise<Record<string, string | string[] | undefined>> };

export default async function BreakGlassReviewPage({ searchParams }: Props) {
  const caller = await requireCaller("break_glass.review");
  const reviewed = (await searchParams).show === "reviewed";
  const grants = await listBreakGlassGrants(caller, reviewed ? "reviewed" : "open");
  const t = await getTranslations("breakGlassReview");
  const tab = "rounded px-3 py-1 text-sm font-semibold";
  return (
    <>
      <PageHeader title={t("title")} description={t("description")} />
      <nav aria-label={t("tabs")} className="mb-4 flex gap-2">
        <Link href="/compliance/break-glass" aria-current={reviewed ? undefined : "page"} className={`${tab} ${reviewed ? "text-brand hover:underline" : "bg-brand text-white"}`}>
          {t("open")}
        </Link>
        <Link href="/compliance/break-glass?show=reviewed" aria-current={reviewed ? "page" : undefined} className={`${tab} ${reviewed ? "bg-brand text-white" : "text-brand hover:underline"}`}>
          {t("reviewedTab")}
        </Link>
      </nav>
      <BreakGlassQueue grants={grants} reviewed={reviewed} />
    </>
  );
}
