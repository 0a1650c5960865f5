"use client";

import { useActionState } from "react";
import { useTranslations } from "next-intl";
import { saveCohortAction } from "@/lib/actions/research";
import type { FormState } from "@/lib/dto/admin";
import { Field, Notice, SubmitButton } from "@/components/ui/form-bits";

const initial: FormState = { status: "idle" };

/** Saves the builder's current criteria (as its query string) under a name; the server re-parses them. */
export function SaveCohortForm({ criteriaQuery, studyId }: { criteriaQuery: string; studyId: string | null }) {
  const t = useTranslations("research");
  const [state, action] = useActionState(saveCohortAction, initial);
  const errors = state.status === "error" ? state.fieldErrors : {};
  const message = (key: string | undefined) => (key ? (t.has(`errors.${key}`) ? t(`errors.${key}`) : t("errors.invalid")) : null);
  return (
    <form action={action} className="space-y-3 rounded-lg border border-line bg-surface p-4">
      <h2 className="text-lg font-semibold">{t("builder.save")}</h2>
      <input type="hidden" name="criteria" value={criteriaQuery} />
      <input type="hidden" name="studyId" value={studyId ?? ""} />
      {errors.criteria || errors.studyId ? <Notice tone="danger">{message(errors.criteria ?? errors.studyId)}</Notice> : null}
      <Field label={t("builder.cohortName")} name="name" required minLength={3} maxLength={120} error={message(errors.name)} />
      <SubmitButton pendingLabel={t("builder.saving")}>{t("builder.save")}</SubmitButton>
    </form>
  );
}
