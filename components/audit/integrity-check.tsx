"use client";

import Link from "next/link";
import { useActionState } from "react";
import { useFormatter, useTranslations } from "next-intl";
import { runIntegrityCheckAction } from "@/lib/actions/compliance";
import type { FormState } from "@/lib/dto/admin";
import type { LogCheckDto } from "@/lib/dto/compliance";
import { Notice, SubmitButton } from "@/components/ui/form-bits";

const initial: FormState<LogCheckDto> = { status: "idle" };

/** "Run check now": re-walks every chain of the access log and names the first broken link, or says all links hold. */
export function IntegrityCheck() {
  const t = useTranslations("compliance");
  const format = useFormatter();
  const [state, action] = useActionState(runIntegrityCheckAction, initial);
  const result = state.status === "success" ? state.result : null;
  const when = (iso: string) => format.dateTime(new Date(iso), "audit");
  return (
    <section aria-labelledby="log-check-heading" className="rounded-lg border border-line bg-surface p-4">
      <h2 id="log-check-heading" className="text-lg font-semibold">
        {t("integrity.checkTitle")}
      </h2>
      <p className="mb-3 text-sm text-ink-muted">{t("integrity.checkDescription")}</p>
      <form action={action}>
        <input type="hidden" name="run" value="all" />
        <SubmitButton pendingLabel={t("integrity.running")}>{t("integrity.run")}</SubmitButton>
      </form>
      {state.status === "error" ? (
        <div className="mt-3">
          <Notice tone="danger">{t("integrity.failed")}</Notice>
        </div>
      ) : null}
      {result ? (
        <div className="mt-4 space-y-3" data-log-check={result.firstBreak ? "broken" : "intact"}>
          {result.firstBreak ? (
            <div role="alert" className="rounded border border-danger bg-danger-soft p-3 text-sm text-danger">
              <p className="font-semibold">{t("integrity.brokenTitle")}</p>
              <p>{t(`integrity.breakKinds.${result.firstBreak.kind}`)}</p>
              <dl className="mt-2 grid grid-cols-[max-content_1fr] gap-x-4 gap-y-1 text-ink">
                <dt className="font-semibold">{t("integrity.chain")}</dt>
                <dd>{result.firstBreak.chain}</dd>
                <dt className="font-semibold">{t("integrity.position")}</dt>
                <dd>{result.firstBreak.chainSeq}</dd>
                <dt className="font-semibold">{t("integrity.seq")}</dt>
                <dd>
                  {result.firstBreak.seq ? (
                    <Link href={`/compliance/access-log/${result.firstBreak.seq}`} className="font-semibold text-brand hover:underline">
                      {t("integrity.openEvent", { seq: result.firstBreak.seq })}
                    </Link>
                  ) : (
                    "—"
                  )}
                </dd>
                <dt className="font-semibold">{t("integrity.time")}</dt>
                <dd>{result.firstBreak.occurredAt ? when(result.firstBreak.occurredAt) : "—"}</dd>
              </dl>
              {result.brokenChains > 1 ? <p className="mt-2">{t("integrity.moreBroken", { count: result.brokenChains - 1 })}</p> : null}
            </div>
          ) : (
            <Notice tone="ok">{t("integrity.allHold")}</Notice>
          )}
          <dl className="grid grid-cols-[max-content_1fr] gap-x-4 gap-y-1 text-sm">
            <dt className="font-semibold text-ink-muted">{t("integrity.checkedAt")}</dt>
            <dd>{when(result.checkedAt)}</dd>
            <dt className="font-semibold text-ink-muted">{t("integrity.checkedEvents")}</dt>
            <dd data-testid="checked-events">{result.checkedEvents}</dd>
            <dt className="font-semibold text-ink-muted">{t("integrity.chains")}</dt>
            <dd>{result.chains}</dd>
            <dt className="font-semibold text-ink-muted">{t("integrity.lastSeal")}</dt>
            <dd>
              {result.lastSeal
                ? result.lastSeal.anchored
                  ? t("integrity.sealAnchored", { time: when(result.lastSeal.sealedAt), batch: result.lastSeal.batchNumber ?? "—", count: result.lastSeal.eventCount })
                  : t("integrity.sealNotAnchored", { time: when(result.lastSeal.sealedAt), count: result.lastSeal.eventCount })
                : t("integrity.noSeal")}
            </dd>
            <dt className="font-semibold text-ink-muted">{t("integrity.unsealed")}</dt>
            <dd>{result.unsealedEvents}</dd>
          </dl>
        </div>
      ) : null}
    </section>
  );
}
