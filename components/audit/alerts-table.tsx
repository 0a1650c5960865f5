"use client";

import Link from "next/link";
import { useActionState, useMemo, useState } from "react";
import { useFormatter, useTranslations } from "next-intl";
import { reviewAlertAction } from "@/lib/actions/compliance";
import type { FormState } from "@/lib/dto/admin";
import type { AlertRowDto } from "@/lib/dto/compliance";
import { DataTable, columnHelper } from "@/components/ui/data-table";
import { Field, Notice, SubmitButton } from "@/components/ui/form-bits";
import { DetailList } from "./detail-list";
import { useAlertKindLabel } from "./labels";

const initial: FormState = { status: "idle" };
const helper = columnHelper<AlertRowDto>();



function ReviewForm({ alert }: { alert: AlertRowDto }) {
  const t = useTranslations("compliance");
  const [state, action] = useActionState(reviewAlertAction, initial);
  const [note, setNote] = useState("");
  if (state.status === "success") return <Notice tone="ok">{t("alerts.reviewed")}</Notice>;
  const errors = state.status === "error" ? state.fieldErrors : {};
  return (
    <form action={action} className="min-w-64 space-y-2 whitespace-normal">
      <input type="hidden" name="alertId" value={alert.id} />
      {state.status === "error" && state.formError ? <Notice tone="danger">{t(`errors.${state.formError}`)}</Notice> : null}
      <Field label={t("alerts.note")} name="note" hint={t("alerts.noteHint")} error={errors.note ? t(`errors.${errors.note}`) : null}>
        {(props) => <textarea {...props} rows={2} maxLength={2000} required value={note} onChange={(e) => setNote(e.target.value)} />}
      </Field>
      <SubmitButton pendingLabel={t("alerts.saving")}>{t("alerts.markReviewed")}</SubmitButton>
    </form>
  );
}

/** Alerts awaiting review or reviewed, critical first then newest; ids and counts only, with links to the events they point at. */
export function AlertsTable({ alerts, reviewed, canReview }: { alerts: AlertRowDto[]; reviewed: boolean; canReview: boolean }) {
  const t = useTranslations("compliance");
  const format = useFormatter();
  const kindLabel = useAlertKindLabel();
  const columns = useMemo(
    () =>
      helper.columns([
        helper.accessor("kind", {
          header: () => t("alerts.kind"),
          cell: (info) => (
            <span className="whitespace-normal">
              <span className="font-semibold" title={info.getValue()}>
                {kindLabel(info.getValue())}
              </span>
            </span>
          ),
        }),
        helper.accessor("severity", {
          header: () => t("alerts.severity"),
          cell: (info) => (
            <span className={info.getValue() === "CRITICAL" ? "font-semibold text-danger" : info.getValue() === "WARNING" ? "font-semibold text-warn" : ""}>
              {t(`severity.${info.getValue()}`)}
            </span>
          ),
        }),
        helper.accessor("createdAt", {
          header: () => t("alerts.created"),
          cell: (info) => <time dateTime={info.getValue()}>{format.dateTime(new Date(info.getValue()), "audit")}</time>,
        }),
        helper.accessor("summary", {
          header: () => t("alerts.details"),
          cell: (info) =>
            info.getValue().length === 0 ? (
              "—"
            ) : (
              <DetailList details={info.getValue()} compact />
            ),
        }),
        helper.accessor("eventSeqs", {
          header: () => t("alerts.events"),
          cell: (info) =>
            info.getValue().length === 0 ? (
              "—"
            ) : (
              <ul className="flex max-w-48 flex-wrap gap-x-2 whitespace-normal">
                {info.getValue().map((seq) => (
                  <li key={seq}>
                    <Link href={`/compliance/access-log/${seq}`} className="text-brand hover:underline" aria-label={t("alerts.openEvent", { seq })}>
                      {seq}
                    </Link>
                  </li>
                ))}
              </ul>
            ),
        }),
        helper.display({
          id: "review",
          header: () => t("alerts.review"),
          cell: (info) => {
            const a = info.row.original;
            if (a.reviewedAt) {
              return (
                <div className="max-w-72 whitespace-normal text-xs">
                  <p>
                    {a.reviewedBy ?? "—"} · <time dateTime={a.reviewedAt}>{format.dateTime(new Date(a.reviewedAt), "audit")}</time>
                  </p>
                  <p className="mt-1 whitespace-pre-wrap text-ink">{a.reviewNote}</p>
                </div>
              );
            }
            return canReview ? <ReviewForm alert={a} /> : t("alerts.notReviewed");
          },
        }),
      ]),
    [t, format, kindLabel, canReview],
  );
  return (
    <DataTable
      caption={reviewed ? t("alerts.reviewedCaption") : t("alerts.openCaption")}
      columns={columns}
      data={alerts}
      emptyText={reviewed ? t("alerts.noneReviewed") : t("alerts.noneOpen")}
      getRowId={(a) => a.id}
      rowProps={(a) => ({ "data-alert-id": a.id, "data-alert-kind": a.kind })}
    />
  );
}
