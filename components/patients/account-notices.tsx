import { getFormatter, getTranslations } from "next-intl/server";
import { dismissPatientNoticeAction } from "@/lib/actions/patient-notices";
import type { PatientNoticeDto } from "@/lib/dto/notices";
import { SubmitButton } from "@/components/ui/form-bits";

/** Changes made to the patient's portal account at the desk, until the patient dismisses them. */
export async function AccountNotices({ notices }: { notices: PatientNoticeDto[] }) {
  if (notices.length === 0) return null;
  const t = await getTranslations("me");
  const format = await getFormatter();
  return (
    <section aria-labelledby="account-notices-title" className="mb-6 rounded-lg border-2 border-warn bg-warn-soft p-4" data-testid="account-notices">
      <h2 id="account-notices-title" className="mb-2 text-lg font-bold">
        {t("noticesTitle")}
      </h2>
      <ul className="space-y-3">
        {notices.map((n) => (
          <li key={n.id} data-notice-kind={n.kind} className="flex flex-wrap items-start justify-between gap-3 text-sm">
            <p className="max-w-prose">
              {t(n.kind === "ACCOUNT_OPENED" ? "noticeOpened" : "noticeReset", { time: format.dateTime(new Date(n.createdAt), "audit") })} {t("noticeNotYou")}
            </p>
            <form action={dismissPatientNoticeAction}>
              <input type="hidden" name="noticeId" value={n.id} />
              <SubmitButton tone="plain">{t("noticeDismiss")}</SubmitButton>
            </form>
          </li>
        ))}
      </ul>
    </section>
  );
}
