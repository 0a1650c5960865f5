import type { Metadata } from "next";
import Link from "next/link";
import { notFound } from "next/navigation";
import { getFormatter, getTranslations } from "next-intl/server";
import { requireCaller } from "@/lib/auth/require-caller";
import { isUuid } from "@/lib/ids";
import { getPatientAccount } from "@/lib/dal/patient-accounts";
import { PageHeader } from "@/components/ui/page-header";
import { PortalAccountPanel } from "@/components/admin/patient-account-forms";

export async function generateMetadata(): Promise<Metadata> {
  return { title: (await getTranslations("admin"))("patientAccountTitle") };
}

type Props = { params: Promise<{ patientId: string }> };

const section = "rounded-lg border border-line bg-surface p-5";

export default async function PatientAccountPage({ params }: Props) {
  const caller = await requireCaller("patient_account.manage");
  const { patientId } = await params;
  if (!isUuid(patientId)) notFound();
  const account = await getPatientAccount(caller, patientId);
  if (!account) notFound();
  const t = await getTranslations("admin");
  const format = await getFormatter();
  return (
    <>
      <p className="mb-2 text-sm">
        <Link href="/admin/patient-accounts" className="text-brand hover:underline">
          ← {t("patientAccountsBack")}
        </Link>
      </p>
      <PageHeader title={account.name} description={t("patientAccountDescription")} />
      <section className={`${section} mb-6`} aria-labelledby="identity-title">
        <h2 id="identity-title" className="mb-3 text-lg font-semibold">
          {t("patientIdentity")}
        </h2>
        <dl className="grid grid-cols-[auto_1fr] gap-x-6 gap-y-2 text-sm">
          <dt className="text-ink-muted">{t("patientMrn")}</dt>
          <dd className="font-mono">{account.mrn}</dd>
          <dt className="text-ink-muted">{t("patientBirthDate")}</dt>
          <dd>{account.birthDate}</dd>
          <dt className="text-ink-muted">{t("portalStatus")}</dt>
          <dd data-testid="portal-status">{t(`portalStatuses.${account.status}`)}</dd>
          {account.email ? (
            <>
              <dt className="text-ink-muted">{t("patientEmail")}</dt>
              <dd>{account.email}</dd>
            </>
          ) : null}
          {account.activatedAt ? (
            <>
              <dt className="text-ink-muted">{t("portalActivatedAt")}</dt>
              <dd>{format.dateTime(new Date(account.activatedAt), "audit")}</dd>
            </>
          ) : null}
          {account.openCodeExpiresAt ? (
            <>
              <dt className="text-ink-muted">{t("openCode")}</dt>
              <dd>{t("openCodeUntil", { time: format.dateTime(new Date(account.openCodeExpiresAt), "audit") })}</dd>
            </>
          ) : null}
        </dl>
      </section>
      <PortalAccountPanel account={account} />
    </>
  );
}
