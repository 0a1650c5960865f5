import { useFormatter, useTranslations } from "next-intl";
import type { IntegrityFailureDto } from "@/lib/dto";

/**
 * Shown on every chart while an integrity break that names no patient is open: absence of a record on this chart can
 * no longer be taken as absence of the fact, until an officer has reviewed the break and closed it with a note.
 */
export function IntegrityFailureBanner({ failure }: { failure: IntegrityFailureDto | null }) {
  const t = useTranslations("chart");
  const format = useFormatter();
  if (!failure) return null;
  return (
    <p role="alert" data-integrity-failure={failure.failedAt} className="mb-3 rounded-md border border-danger bg-danger-soft px-3 py-2 text-sm font-semibold text-danger">
      {t("integrityFailure", { time: format.dateTime(new Date(failure.failedAt), "audit") })}
    </p>
  );
}
