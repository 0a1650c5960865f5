"use client";

import { useActionState } from "react";
import { useFormatter, useTranslations } from "next-intl";
import { requestRecordErasureAction, withdrawRecordErasureAction } from "@/lib/actions/erasure";
import type { FormState } from "@/lib/dto/admin";
import type { RecordErasureDto } from "@/lib/dto/compliance";
import { ERASURE_LEGAL_BASES } from "@/lib/integrity/tombstone";
import { Field, Notice, SubmitButton } from "@/components/ui/form-bits";

/** The compliance officer's request: which record, on what legal basis, and why. Nothing is erased before approval. */
export function ErasureRequestForm() {
  const t = useTranslations("erasure");
  const [state, action] = useActionState(requestRecordErasureAction, { status: "idle" } as FormState);
  const fieldError = (name: string) => (state.status === "error" && state.fieldErrors[name] ? t(`errors.${state.fieldErrors[name]}`) : null);
  return (
    <section aria-labelledby="erasure-form-title" className="mb-8 rounded-lg border border-line bg-surface p-4">
      <h2 id="erasure-form-title" className="mb-3 text-lg font-semibold">
        {t("formTitle")}
      </h2>
      <form action={action} className="grid max-w-2xl gap-4" data-testid="erasure-form">
        <Field label={t("recordId")} name="recordId" hint={t("recordIdHint")} error={fieldError("recordId")} required autoComplete="off" spellCheck={false} />
        <Field label={t("legalBasis")} name="legalBasis" error={fieldError("legalBasis")}>
          {(props) => (
            <select {...props} required defaultValue="">
              <option value="" disabled>
                —
              </option>
              {ERASURE_LEGAL_BASES.map((basis) => (
                <option key={basis} value={basis}>
                  {t(`bases.${basis}`)}
                </option>
              ))}
            </select>
          )}
        </Field>
        <Field label={t("reason")} name="reason" hint={t("reasonHint")} error={fieldError("reason")}>
          {(props) => <textarea {...props} rows={3} required minLength={10} maxLength={1000} />}
        </Field>
        <div aria-live="polite" className="space-y-2 empty:hidden">
          {state.status === "success" ? <Notice tone="ok">{t("requested")}</Notice> : null}
          {state.status === "error" && state.formError ? <Notice tone="danger">{t(`errors.${state.formError}`)}</Notice> : null}
        </div>
        <div>
          <SubmitButton tone="danger" pendingLabel={t("submitting")}>
            {t("submit")}
          </SubmitButton>
        </div>
      </form>
    </section>
  );
}

/** Erasure requests and their tombstones: record ids, types and dates only, never content. */
export function ErasureList({ erasures }: { erasures: RecordErasureDto[] }) {
  const t = useTranslations("erasure");
  const ta = useTranslations("approvals");
  const tr = useTranslations("resourceTypes");
  const format = useFormatter();
  const [withdrawn, withdraw] = useActionState(withdrawRecordErasureAction, { status: "idle" } as FormState);
  const when = (iso: string) => format.dateTime(new Date(iso), "audit");
  return (
    <section aria-labelledby="erasure-list-title">
      <h2 id="erasure-list-title" className="mb-3 text-lg font-semibold">
        {t("listTitle")}
      </h2>
      {withdrawn.status === "error" && withdrawn.formError ? <Notice tone="danger">{t(`errors.${withdrawn.formError}`)}</Notice> : null}
      {erasures.length === 0 ? (
        <p className="text-ink-muted">{t("none")}</p>
      ) : (
        <div className="overflow-x-auto">
          <table className="w-full text-left text-sm">
            <thead>
              <tr className="border-b border-line">
                <th scope="col" className="py-2 pr-3">{t("colRecord")}</th>
                <th scope="col" className="py-2 pr-3">{t("colBasis")}</th>
                <th scope="col" className="py-2 pr-3">{t("colStatus")}</th>
                <th scope="col" className="py-2 pr-3">{t("colPeople")}</th>
                <th scope="col" className="py-2">{t("colTombstone")}</th>
              </tr>
            </thead>
            <tbody>
              {erasures.map((e) => (
                <tr key={e.requestId} className="border-b border-line align-top" data-erasure-request={e.requestId} data-record-id={e.recordId}>
                  <td className="py-2 pr-3">
                    <span className="block break-all font-mono text-xs">{e.recordId}</span>
                    <span className="text-ink-muted">
                      {e.record
                        ? t("recordLine", { type: tr.has(e.record.resourceType) ? tr(e.record.resourceType) : e.record.resourceType, date: format.dateTime(new Date(e.record.recordedAt), "clinical"), mrn: e.record.mrn })
                        : t("recordGone")}
                    </span>
                  </td>
                  <td className="py-2 pr-3">
                    {t.has(`bases.${e.legalBasis}`) ? t(`bases.${e.legalBasis}`) : e.legalBasis}
                    <span className="block text-xs text-ink-muted">{e.reason}</span>
                  </td>
                  <td className="py-2 pr-3" data-testid="erasure-status">
                    {ta(`statuses.${e.status}`)}
                    {e.own && e.status === "PENDING" ? (
                      <form action={withdraw} className="mt-1">
                        <input type="hidden" name="requestId" value={e.requestId} />
                        <SubmitButton tone="plain">{t("withdraw")}</SubmitButton>
                      </form>
                    ) : null}
                  </td>
                  <td className="py-2 pr-3">
                    {e.requestedBy ?? "—"} · {when(e.createdAt)}
                    {e.decidedBy && e.decidedAt ? (
                      <span className="block">
                        {e.decidedBy} · {when(e.decidedAt)}
                      </span>
                    ) : null}
                  </td>
                  <td className="py-2" data-testid="erasure-tombstone">
                    {e.tombstone ? (
                      <>
                        {e.tombstone.unit?.status === "CONFIRMED"
                          ? t("tombstoneAnchored", { time: when(e.tombstone.erasedAt), number: e.tombstone.unit.number })
                          : t("tombstonePending", { time: when(e.tombstone.erasedAt) })}
                        <span className="block break-all font-mono text-xs text-ink-muted">{e.tombstone.statementHash}</span>
                      </>
                    ) : (
                      "—"
                    )}
                  </td>
                </tr>
              ))}
            </tbody>
          </table>
        </div>
      )}
    </section>
  );
}
