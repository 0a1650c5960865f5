import { useTranslations } from "next-intl";
import type { AccessChangePreviewDto, PatientRefDto } from "@/lib/dto/admin";

function PatientList({ patients }: { patients: PatientRefDto[] }) {
  const t = useTranslations("admin");
  if (patients.length === 0) return null;
  return (
    <ul className="ml-5 list-disc text-sm">
      {patients.map((p) => (
        <li key={p.id}>{t("mrn", { mrn: p.mrn })}</li>
      ))}
    </ul>
  );
}

/** Who gains and who loses chart access (identifiers only). */
export function AccessChangePreview({ preview }: { preview: AccessChangePreviewDto }) {
  const t = useTranslations("admin");
  return (
    <div className="grid gap-3 sm:grid-cols-2">
      <div data-testid="preview-gained">
        <p className="text-sm font-semibold text-ok">{t("gains", { count: preview.gained.length })}</p>
        <PatientList patients={preview.gained} />
      </div>
      <div data-testid="preview-lost">
        <p className="text-sm font-semibold text-danger">{t("loses", { count: preview.lost.length })}</p>
        <PatientList patients={preview.lost} />
      </div>
    </div>
  );
}
