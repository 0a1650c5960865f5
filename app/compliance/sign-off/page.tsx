import type { Metadata } from "next";
import { getTranslations } from "next-intl/server";
import { requireCaller } from "@/lib/auth/require-caller";
import { can } from "@/lib/authz";
import { getSignOffs } from "@/lib/dal/compliance";
import { PageHeader } from "@/components/ui/page-header";
import { SignOffForm, SignOffHistory } from "@/components/audit/sign-off";

export async function generateMetadata(): Promise<Metadata> {
  return { title: (await getTranslations("compliance"))("signOff.title") };
}

export default async function SignOffPage() {
  const caller = await requireCaller("access_log.read");
  const page = await getSignOffs(caller);
  const t = await getTranslations("compliance");
  return (
    <>
      <PageHeader title={t("signOff.title")} description={t("signOff.description")} />
      {can(caller.actor, "access_log.sign_off") ? <SignOffForm defaultPeriod={page.defaultPeriod} maxPeriod={page.defaultPeriod} /> : null}
      <SignOffHistory reviews={page.reviews} />
    </>
  );
}
