import type { Metadata } from "next";
import Link from "next/link";
import { notFound } from "next/navigation";
import { getTranslations } from "next-intl/server";
import { requireCaller } from "@/lib/auth/require-caller";
import { getAccessEvent } from "@/lib/dal/access-log";
import { PageHeader } from "@/components/ui/page-header";
import { EventDetail } from "@/components/audit/event-detail";

type Props = { params: Promise<{ seq: string }> };

export async function generateMetadata({ params }: Props): Promise<Metadata> {
  return { title: (await getTranslations("accessLog"))("eventTitle", { seq: (await params).seq.slice(0, 20) }) };
}

export default async function AccessEventPage({ params }: Props) {
  const caller = await requireCaller("access_log.read");
  const { seq } = await params;
  const event = await getAccessEvent(caller, seq);
  if (!event) notFound();
  const t = await getTranslations("accessLog");
  return (
    <>
      <PageHeader title={t("eventTitle", { seq: event.seq })} description={t("eventDescription")}>
        <Link href="/compliance/access-log" className="text-sm font-semibold text-brand hover:underline">
          {t("backToLog")}
        </Link>
      </PageHeader>
      <EventDetail event={event} />
    </>
  );
}
