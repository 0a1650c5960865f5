import type { Metadata } from "next";
import Link from "next/link";
import { getFormatter, getTranslations } from "next-intl/server";
import { requireCaller } from "@/lib/auth/require-caller";
import { searchPatients } from "@/lib/dal/patients";
import { patientListQuerySchema } from "@/lib/dto/patients";
import { firstValues } from "@/lib/dto/search-params";
import { PageHeader } from "@/components/ui/page-header";
import { PatientSearch } from "@/components/patients/patient-search";
import { PatientTable } from "@/components/patients/patient-table";

export async function generateMetadata(): Promise<Metadata> {
  return { title: (await getTranslations("patients"))("title") };
}

type Props = { searchParams: Promise<Record<string, string | string[] | undefined>> };

export default async function PatientsPage({ searchParams }: Props) {
  const caller = await requireCaller("patient.list");
  const query = patientListQuerySchema.parse(firstValues(await searchParams));
  const page = await searchPatients(caller, query);
  const { grants } = page;
  const t = await getTranslations("patients");
  const format = await getFormatter();
  return (
    <>
      <PageHeader title={t("title")} description={t("description")}>
        <Link href="/patients/emergency" className="rounded border border-danger px-4 py-2 text-sm font-semibold text-danger hover:bg-danger-soft">
          {t("emergencyLink")}
        </Link>
      </PageHeader>
      {grants.length > 0 ? (
        <section aria-labelledby="emergency-grants" className="mb-4 rounded-lg border border-danger bg-danger-soft p-3 text-sm">
          <h2 id="emergency-grants" className="font-semibold text-danger">
            {t("openGrants")}
          </h2>
          <ul className="mt-1 space-y-1">
            {grants.map((g) => (
              <li key={g.id} data-grant-id={g.id}>
                <Link href={`/patients/${g.patientId}`} className="font-semibold text-brand hover:underline">
                  {g.name} ({g.mrn})
                </Link>{" "}
                — {t("grantExpires", { time: format.dateTime(new Date(g.expiresAt), "clinical") })}
              </li>
            ))}
          </ul>
        </section>
      ) : null}
      <PatientSearch terms={page.terms} query={{ ...query, page: page.page }} />
      {page.searchExpired ? (
        <p role="status" className="mb-3 rounded border border-warn bg-warn-soft px-3 py-2 text-sm text-warn">
          {t("searchExpired")}
        </p>
      ) : null}
      <PatientTable page={page} query={{ ...query, page: page.page }} />
    </>
  );
}
