import type { Metadata } from "next";
import { notFound } from "next/navigation";
import { getTranslations } from "next-intl/server";
import { requireCaller } from "@/lib/auth/require-caller";
import { AccessDeniedError } from "@/lib/dal/caller";
import { listDepartmentOptions } from "@/lib/dal/departments";
import { listServiceCredentials, MRN_SYSTEM } from "@/lib/dal/service-credentials";
import { PageHeader } from "@/components/ui/page-header";
import { CredentialTable, IssueCredentialForm } from "@/components/admin/service-credentials";

export async function generateMetadata(): Promise<Metadata> {
  return { title: (await getTranslations("upload"))("credentials.title") };
}

export default async function ServiceCredentialsPage() {
  const caller = await requireCaller("service_credential.manage");
  const credentials = await listServiceCredentials(caller).catch((error: unknown) => {
    if (error instanceof AccessDeniedError) notFound();
    throw error;
  });
  const departments = await listDepartmentOptions(caller);
  const t = await getTranslations("upload");
  return (
    <>
      <PageHeader title={t("credentials.title")} description={t("credentials.description")} />
      <p className="mb-6 text-sm text-ink-muted">{t("credentials.mrnNote", { system: MRN_SYSTEM })}</p>
      <IssueCredentialForm departments={departments} />
      <section aria-labelledby="credential-list">
        <h2 id="credential-list" className="mb-3 text-lg font-semibold text-ink">
          {t("credentials.listTitle")}
        </h2>
        <CredentialTable credentials={credentials} />
      </section>
    </>
  );
}
