import type { Metadata } from "next";
import { getTranslations } from "next-intl/server";
import { requireCaller } from "@/lib/auth/require-caller";
import { PageHeader } from "@/components/ui/page-header";
import { PatientLookupForm } from "@/components/admin/patient-account-forms";

export async function generateMetadata(): Promise<Metadata> {
  return { title: (await getTranslations("admin"))("patientAccountsTitle") };
}

/** The registration desk: find a patient by MRN and birth date before anything about their account is shown. */
export default async function PatientAccountsPage() {
  await requireCaller("patient_account.manage");
  const t = await getTranslations("admin");
  return (
    <>
      <PageHeader title={t("patientAccountsTitle")} description={t("patientAccountsDescription")} />
      <PatientLookupForm />
    </>
  );
}
