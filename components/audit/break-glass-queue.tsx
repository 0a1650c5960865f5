"use client";

import { useActionState, useState } from "react";
import { useFormatter, useTranslations } from "next-intl";
import { reviewBreakGlassAction } from "@/lib/actions/break-glass";
import type { FormState } from "@/lib/dto/admin";
import type { BreakGlassReviewItemDto } from "@/lib/dto";
import { Field, Notice, SubmitButton } from "@/components/ui/form-bits";

const initial: FormState = { status: "idle" };

function ReviewForm({ grantId }: { grantId: string }) {
  const t = useTranslations("breakGlassReview");
  const tp = useTranslations("patients");
  const [state, action] = useActionState(reviewBreakGlassAction, initial);
  const [note, setNote] = useState("");
  if (state.status === "success") return <Notice tone="ok">{t("reviewed")}</Notice>;
  const errors = state.status === "error" ? state.fieldErrors : {};
  return (
    <form action={action} className="mt-3 space-y-2">
      <input type="hidden" name="grantId" value={grantId} />
      {state.status === "error" && state.formError ? <Notice tone="danger">{tp(`errors.${state.formError}`)}</Notice> : null}
      <Field label={t("note")} name="note" hint={t("noteHint")} error={errors.note ? tp(`errors.${errors.note}`) : null}>
        {(props) => <textarea {...props} rows={2} maxLength={2000} required value={note} onChange={(e) => setNote(e.target.value)} />}
      </Field>
      <SubmitButton pendingLabel={t("saving")}>{t("markReviewed")}</SubmitButton>
    </form>
  );
}

/** Emergency grants awaiting review (oldest first), or those already reviewed. Metadata and the stated reason only. */
export function BreakGlassQueue({ grants, reviewed }: { grants: BreakGlassReviewItemDto[]; reviewed: boolean }) {
  const t = useTranslations("breakGlassReview");
  const format = useFormatter();
  if (grants.length === 0) return <p className="text-ink-muted">{reviewed ? t("noneReviewed") : t("noneOpen")}</p>;
  return (
    <ol className="space-y-3">
      {grants.map((g) => (
        <li key={g.id} data-grant-id={g.id} className="rounded-lg border border-line bg-surface p-4">
          <div className="flex flex-wrap items-baseline justify-between gap-2">
            <p className="font-semibold text-ink">
              {g.doctor.name}
              {g.doctor.department ? <span className="ml-2 text-sm font-normal text-ink-muted">{g.doctor.department}</span> : null}
            </p>
            <p className="text-sm text-ink-muted">
              {t("patient")} <strong className="text-ink">{g.patient.mrn}</strong>
            </p>
          </div>
          <dl className="mt-2 grid gap-x-4 gap-y-1 text-sm sm:grid-cols-[max-content_1fr]">
            <dt className="font-semibold">{t("reason")}</dt>
            <dd className="whitespace-pre-wrap">{g.reason}</dd>
            <dt className="font-semibold">{t("window")}</dt>
            <dd>
              {format.dateTime(new Date(g.openedAt), "audit")} – {format.dateTime(new Date(g.expiresAt), "audit")}
            </dd>
            <dt className="font-semibold">{t("views")}</dt>
            <dd>{g.views}</dd>
            {g.reviewedAt ? (
              <>
                <dt className="font-semibold">{t("reviewedBy")}</dt>
                <dd>
                  {g.reviewedBy ?? "—"} · {format.dateTime(new Date(g.reviewedAt), "audit")}
                </dd>
                <dt className="font-semibold">{t("note")}</dt>
                <dd className="whitespace-pre-wrap">{g.reviewNote}</dd>
              </>
            ) : null}
          </dl>
          {g.reviewedAt ? null : <ReviewForm grantId={g.id} />}
        </li>
      ))}
    </ol>
  );
}
