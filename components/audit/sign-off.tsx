"use client";

import { useActionState, useState } from "react";
import { useFormatter, useTranslations } from "next-intl";
import { signOffMonthAction } from "@/lib/actions/compliance";
import type { FormState } from "@/lib/dto/admin";
import type { AuditReviewDto } from "@/lib/dto/compliance";
import { Field, Notice, SubmitButton } from "@/components/ui/form-bits";

const initial: FormState<AuditReviewDto> = { status: "idle" };

/** Sign off one month of the access log (default: the previous month in the hospital's zone), with a note. */
export function SignOffForm({ defaultPeriod, maxPeriod }: { defaultPeriod: string; maxPeriod: string }) {
  const t = useTranslations("compliance");
  const [state, action] = useActionState(signOffMonthAction, initial);
  // Controlled, so a refused submission keeps what was typed.
  const [period, setPeriod] = useState(defaultPeriod);
  const [note, setNote] = useState("");
  const errors = state.status === "error" ? state.fieldErrors : {};
  return (
    <section aria-labelledby="sign-off-heading" className="mb-6 rounded-lg border border-line bg-surface p-4">
      <h2 id="sign-off-heading" className="text-lg font-semibold">
        {t("signOff.formTitle")}
      </h2>
      <p className="mb-3 text-sm text-ink-muted">{t("signOff.formDescription")}</p>
      {state.status === "success" ? (
        <div className="mb-3">
          <Notice tone="ok">{t("signOff.signed", { period: state.result.period })}</Notice>
        </div>
      ) : null}
      {state.status === "error" && state.formError ? (
        <div className="mb-3">
          <Notice tone="danger">{t(`errors.${state.formError}`)}</Notice>
        </div>
      ) : null}
      <form action={action} className="grid gap-3 sm:grid-cols-[12rem_1fr] sm:items-start">
        <Field label={t("signOff.period")} name="period" hint={t("signOff.periodHint")} error={errors.period ? t(`errors.${errors.period}`) : null}>
          {(props) => <input {...props} type="month" required max={maxPeriod} value={period} onChange={(e) => setPeriod(e.target.value)} />}
        </Field>
        <Field label={t("signOff.note")} name="note" hint={t("signOff.noteHint")} error={errors.note ? t(`errors.${errors.note}`) : null}>
          {(props) => <textarea {...props} rows={3} required maxLength={2000} value={note} onChange={(e) => setNote(e.target.value)} />}
        </Field>
        <div className="sm:col-span-2">
          <SubmitButton pendingLabel={t("signOff.signing")}>{t("signOff.submit")}</SubmitButton>
        </div>
      </form>
    </section>
  );
}

/** Who signed off which month, when, with what note, and what the log held then. */
export function SignOffHistory({ reviews }: { reviews: AuditReviewDto[] }) {
  const t = useTranslations("compliance");
  const format = useFormatter();
  return (
    <section aria-labelledby="sign-off-history">
      <h2 id="sign-off-history" className="mb-2 text-lg font-semibold">
        {t("signOff.history")}
      </h2>
      {reviews.length === 0 ? (
        <p className="text-sm text-ink-muted">{t("signOff.none")}</p>
      ) : (
        <div className="overflow-x-auto rounded-lg border border-line bg-surface">
          <table className="w-full text-left text-sm">
            <caption className="sr-only">{t("signOff.history")}</caption>
            <thead className="bg-surface-muted text-ink-muted">
              <tr>
                <th scope="col" className="px-3 py-2 font-semibold">{t("signOff.period")}</th>
                <th scope="col" className="px-3 py-2 font-semibold">{t("signOff.signedBy")}</th>
                <th scope="col" className="px-3 py-2 font-semibold">{t("signOff.signedAt")}</th>
                <th scope="col" className="px-3 py-2 text-right font-semibold">{t("signOff.events")}</th>
                <th scope="col" className="px-3 py-2 text-right font-semibold">{t("signOff.alertsRaised")}</th>
                <th scope="col" className="px-3 py-2 text-right font-semibold">{t("signOff.alertsOpen")}</th>
                <th scope="col" className="px-3 py-2 font-semibold">{t("signOff.note")}</th>
              </tr>
            </thead>
            <tbody>
              {reviews.map((r) => (
                <tr key={r.id} className="border-t border-line align-top" data-period={r.period}>
                  <th scope="row" className="whitespace-nowrap px-3 py-2 font-semibold">{r.period}</th>
                  <td className="whitespace-nowrap px-3 py-2">{r.signedBy}</td>
                  <td className="whitespace-nowrap px-3 py-2">
                    <time dateTime={r.signedAt}>{format.dateTime(new Date(r.signedAt), "audit")}</time>
                  </td>
                  <td className="px-3 py-2 text-right tabular-nums">{format.number(r.summary.events)}</td>
                  <td className="px-3 py-2 text-right tabular-nums">{format.number(r.summary.alertsRaised)}</td>
                  <td className="px-3 py-2 text-right tabular-nums">{format.number(r.summary.alertsOpen)}</td>
                  <td className="max-w-md whitespace-pre-wrap px-3 py-2">{r.note}</td>
                </tr>
              ))}
            </tbody>
          </table>
        </div>
      )}
    </section>
  );
}
