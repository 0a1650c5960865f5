import type { Metadata } from "next";
import { getTranslations } from "next-intl/server";
import { requireCaller } from "@/lib/auth/require-caller";
import { getMfaStatus } from "@/lib/dal/actors";
import { listOwnSessions } from "@/lib/dal/sessions";
import { PageHeader } from "@/components/ui/page-header";
import { MfaSettings } from "@/components/auth/mfa-settings";
import { SessionList } from "@/components/auth/session-list";

export async function generateMetadata(): Promise<Metadata> {
  return { title: (await getTranslations("account"))("securityTitle") };
}

export default async function SecurityPage() {
  const caller = await requireCaller("account.security");
  const status = await getMfaStatus(caller);
  const sessions = await listOwnSessions(caller);
  const t = await getTranslations("account");
  return (
    <>
      <PageHeader title={t("securityTitle")} description={t("securityDescription")} />
      <MfaSettings status={status} />
      <SessionList sessions={sessions} />
    </>
  );
}
