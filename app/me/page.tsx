import type { Metadata } from "next";
import { notFound } from "next/navigation";
import Link from "next/link";
import { useTranslations } from "next-intl";
import { getTranslations } from "next-intl/server";
import { requireCaller } from "@/lib/auth/require-caller";
import { can } from "@/lib/authz";
import { AccessDeniedError } from "@/lib/dal/caller";
import { getOwnRecords } from "@/lib/dal/own-records";
import { getOwnNotices } from "@/lib/dal/patient-notices";
import { getOwnIdentity } from "@/lib/dal/own-identity";
import { openIntegrityFailure } from "@/lib/dal/integrity-notice";
import { IntegrityFailureBanner } from "@/components/records/integrity-failure-banner";
import { PageHeader } from "@/components/ui/page-header";
import { AccountNotices } from "@/components/patients/account-notices";
import { IdentityCard } from "@/components/patients/identity-card";
import { RecordList, VerificationSummary } from "@/components/records/record-list";

export async function generateMetadata(): Promise<Metadata> {
  return { title: (await getTranslations("me"))("title") };
}

function OwnRecordsPager({ page, pageCount, label }: { page: number; pageCount: number; label: string }) {
  const tc = useTranslations("chart");
  if (pageCount <= 1) return null;
  const link = "rounded border border-line-strong px-3 py-1 font-semibold text-brand hover:bg-surface-muted";
  return (
    <nav aria-label={label} className="my-3 flex items-center justify-between gap-3 text-sm">
      {page > 1 ? (
        <Link href={page === 2 ? "/me" : `/me?page=${page - 1}`} className={link}>
          ← {tc("newer")}
        </Link>
      ) : (
        <span />
      )}
      <span className="text-ink-muted">{tc("pageOf", { page, pages: pageCount })}</span>
      {page < pageCount ? (
        <Link href={`/me?page=${page + 1}`} className={link}>
          {tc("older")} →
        </Link>
      ) : (
        <span />
      )}
    </nav>
  );
}

export default async function MyRecordsPage({ searchParams }: { searchParams: Promise<Record<string, string | string[] | undefined>> }) {
  const caller = await requireCaller("own_records.view");
  const params = await searchParams;
  const page = Number(typeof params.page === "string" ? params.page : "1");
  const [own, notices, identity, integrityFailure] = await Promise.all([
    getOwnRecords(caller, Number.isSafeInteger(page) && page > 0 ? page : 1),
    getOwnNotices(caller),
    getOwnIdentity(caller),
    openIntegrityFailure(caller),
  ]).catch((error: unknown) => {
    if (error instanceof AccessDeniedError) notFound();
    throw error;
  });
  const t = await getTranslations("me");
  const tu = await getTranslations("upload");
  const corrected = params.corrected === "1";
  const tc = await getTranslations("chart");
  return (
    <>
      <PageHeader title={t("title")} description={t("description")} />
      <IntegrityFailureBanner failure={integrityFailure} />
      <AccountNotices notices={notices} />
      <IdentityCard identity={identity} />
      <div className="mb-4 flex flex-wrap items-center gap-3 text-sm">
        <a href="/me/export" download className="rounded border border-line-strong bg-surface px-3 py-2 font-semibold text-brand hover:bg-surface-muted">
          {t("exportAll")}
        </a>
        <span className="text-ink-muted">{t("exportHint")}</span>
      </div>
      {corrected ? (
        <p role="status" className="mb-4 rounded border border-ok bg-ok-soft px-3 py-2 text-sm text-ok">
          {tu("corrected")}
        </p>
      ) : null}
      <VerificationSummary counts={own.counts} others={own.others} />
      <OwnRecordsPager page={own.page} pageCount={own.pageCount} label={t("pages")} />
      {own.records.length === 0 ? <p className="text-ink-muted">{tc("noRecords")}</p> : <RecordList records={own.records} correctable={can(caller.actor, "own_records.upload")} />}
      <OwnRecordsPager page={own.page} pageCount={own.pageCount} label={t("pages")} />
      {own.earlierVersions.length > 0 ? (
        <section aria-labelledby="earlier-title" className="mt-8">
          <h2 id="earlier-title" className="text-lg font-semibold">
            {tc("earlierVersions")}
          </h2>
          <p className="mb-3 text-sm text-ink-muted">{tc("earlierVersionsIntro")}</p>
          <RecordList records={own.earlierVersions} />
        </section>
      ) : null}
    </>
  );
}
