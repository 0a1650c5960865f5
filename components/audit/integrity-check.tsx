"use client";

import Link from "next/link";
import { useActionState } from "react";
import { useFormatter, useTranslations } from "next-intl";
import { runIntegrityCheckAction } from "@/lib/actions/compliance";
import type { FormState } from "@/lib/dto/admin";
import type { LogCheckDto } from "@/lib/dto/compliance";
import { Notice, SubmitButton } from "@/components/ui/form-bits";

const initial: FormState<LogCheckDto> = { status: "idle" };

/**
 * "Run check now": checks the access log against the seals on chain and names the first break, or says every seal is
 * accounted for and every link holds; and how much of the log is not sealed yet.
 */
export function IntegrityCheck({ sealIntervalSeconds }: { sealIntervalSeconds: number }) {
  const t = useTranslations("compliance");
  const format = useFormatter();
  const [state, action] = useActionState(runIntegrityCheckAction, initial);
  const result = state.status === "success" ? state.result : null;
  const when = (iso: string) => format.dateTime(new Date(iso), "audit");
  const ageSeconds = (iso: string, from: string) => Math.max(0, Math.round((new Date(from).getTime() - new Date(iso).getTime()) / 1000));
  return (
    <section aria-labelledby="log-check-heading" className="rounded-lg border border-line bg-surface p-4">
      <h2 id="log-check-heading" className="text-lg font-semibold">
        {t("integrity.checkTitle")}
      </h2>
      <p className="mb-2 text-sm text-ink-muted">{t("integrity.checkDescription")}</p>
      <p className="mb-3 text-sm" data-testid="unsealed-window">
        <span className="font-semibold">{t("integrity.unsealedWindow")}: </span>
        {t("integrity.unsealedWindowText", { seconds: sealIntervalSeconds })}
      </p>
      <form action={action}>
        <input type="hidden" name="run" value="all" />
        <SubmitButton pendingLabel={t("integrity.running")}>{t("integrity.run")}</SubmitButton>
      </form>
      {state.status === "error" ? (
        <div className="mt-3">
          <Notice tone="danger">{t("integrity.failed")}</Notice>
        </div>
      ) : null}
      {result && !result.checked ? (
        <div className="mt-3" data-log-check="unavailable">
          <Notice tone="danger">{t("integrity.unavailable")}</Notice>
        </div>
      ) : null}
      {result?.checked ? (
        <div className="mt-4 space-y-3" data-log-check={result.firstBreak ? "broken" : "intact"}>
          {result.firstBreak ? (
            <div role="alert" className="rounded border border-danger bg-danger-soft p-3 text-sm text-danger" data-break-kind={result.firstBreak.kind}>
              <p className="font-semibold">{t("integrity.brokenTitle")}</p>
              <p>{t(`integrity.breakKinds.${result.firstBreak.kind}`)}</p>
              <dl className="mt-2 grid grid-cols-[max-content_1fr] gap-x-4 gap-y-1 text-ink">
                {result.firstBreak.sealNumber ? (
                  <>
                    <dt className="font-semibold">{t("integrity.seal")}</dt>
                    <dd className="font-mono text-xs">{result.firstBreak.sealNumber}</dd>
                  </>
                ) : null}
                <dt className="font-semibold">{t("integrity.chain")}</dt>
                <dd>{result.firstBreak.chain ?? "—"}</dd>
                <dt className="font-semibold">{t("integrity.position")}</dt>
                <dd>{result.firstBreak.chainSeq ?? "—"}</dd>
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
              {result.breaks > 1 ? <p className="mt-2">{t("integrity.moreBroken", { count: result.breaks - 1 })}</p> : null}
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
            <dt className="font-semibold text-ink-muted">{t("integrity.sealsOnChain")}</dt>
            <dd data-testid="seals-on-chain">{result.sealsOnChain}</dd>
            <dt className="font-semibold text-ink-muted">{t("integrity.newestSeal")}</dt>
            <dd>
              {result.newestSeal
                ? result.newestSeal.sealedAt
                  ? t("integrity.newestSealAt", { number: result.newestSeal.number, block: result.newestSeal.blockNumber, time: when(result.newestSeal.sealedAt), count: result.newestSeal.eventCount ?? "—" })
                  : t("integrity.newestSealNoRow", { number: result.newestSeal.number, block: result.newestSeal.blockNumber })
                : t("integrity.noSeal")}
            </dd>
            <dt className="font-semibold text-ink-muted">{t("integrity.unsealed")}</dt>
            <dd data-testid="unsealed-events">{result.unsealedEvents}</dd>
            <dt className="font-semibold text-ink-muted">{t("integrity.unsealedSince")}</dt>
            <dd data-testid="unsealed-since">
              {result.unsealedSince ? t("integrity.unsealedAge", { time: when(result.unsealedSince), seconds: ageSeconds(result.unsealedSince, result.checkedAt) }) : t("integrity.noUnsealed")}
            </dd>
          </dl>
        </div>
      ) : null}
    </section>
  );
}
