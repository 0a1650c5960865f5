import type { Metadata } from "next";
import { getTranslations } from "next-intl/server";
import { requireCaller } from "@/lib/auth/require-caller";
import { listConsentedPatients } from "@/lib/dal/patients";
import { PageHeader } from "@/components/ui/page-header";
import { PatientTable } from "@/components/patients/patient-table";

export async function generateMetadata(): Promise<Metadata> {
  return { title: (await getTranslations("patients"))("title") };
}

export default async function PatientsPage() {
  const caller = await requireCaller("patient.list");
  const patients = await listConsentedPatients(caller);
  const t = await getTranslations("patients");
  return (
    <>
      <PageHeader title={t("title")} description={t("description")} />
      <PatientTable patients={patients} />
    </>
  );
}
