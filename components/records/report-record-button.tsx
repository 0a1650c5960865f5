"use client";

import { useTranslations } from "next-intl";
import { useActionState } from "react";
import { reportRecordAction } from "@/lib/actions/record-report";
import type { FormState } from "@/lib/dto/admin";

type Outcome = "reported" | "already_open" | "not_failing";
const idle: FormState<Outcome> = { status: "idle" };

/** "Report to compliance", on the page of a record that fails verification: a button, not a sentence to act on. */
export function ReportRecordButton({ patientId, recordId }: { patientId: string; recordId: string }) {
  const t = useTranslations("summary");
  const [state, action, pending] = useActionState(reportRecordAction, idle);
  const done = state.status === "success" && state.result !== "not_failing";
  return (
    <form action={action} className="mt-2 flex flex-wrap items-center gap-3">
      <input type="hidden" name="patientId" value={patientId} />
      <input type="hidden" name="recordId" value={recordId} />
      <button
        type="submit"
        disabled={pending || done}
        className="rounded-md border-2 border-danger bg-surface px-3 py-1.5 text-sm font-semibold text-danger hover:bg-danger-soft disabled:opacity-60"
      >
        {t("report")}
      </button>
      <span role="status" className="text-sm font-semibold">
        {done ? t("reported") : state.status === "error" ? t("reportFailed") : null}
      </span>
    </form>
  );
}
