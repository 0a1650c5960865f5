import Link from "next/link";
import type { ReactNode } from "react";
import { useFormatter, useTranslations } from "next-intl";
import { accessLogHref, type AccessEventDetailDto } from "@/lib/dto/compliance";
import { DetailList } from "./detail-list";
import { useActionLabel } from "./labels";

function Row({ label, children }: { label: string; children: ReactNode }) {
  return (
    <>
      <dt className="font-semibold text-ink-muted">{label}</dt>
      <dd className="break-words">{children}</dd>
    </>
  );
}

function Check({ ok, children, testId }: { ok: boolean | null; children: ReactNode; testId: string }) {
  const tone = ok === null ? "border-warn bg-warn-soft text-warn" : ok ? "border-ok bg-ok-soft text-ok" : "border-danger bg-danger-soft text-danger";
  return (
    <li data-check={testId} data-ok={ok === null ? "unknown" : String(ok)} className={`flex gap-2 rounded border px-3 py-2 ${tone}`}>
      <span aria-hidden="true">{ok === null ? "…" : ok ? "✓" : "✗"}</span>
      <span>{children}</span>
    </li>
  );
}

/** One access event: who, what, when, from where, why, the outcome, the patient by MRN, its details and integrity. */
export function EventDetail({ event }: { event: AccessEventDetailDto }) {
  const t = useTranslations("accessLog");
  const actionLabel = useActionLabel();
  const tc = useTranslations("common");
  const format = useFormatter();
  const { integrity } = event;
  const linkOk = integrity.link === "holds" || integrity.link === "genesis";
  const batch = integrity.seal?.batch ?? null;
  const anchored = batch?.status === "CONFIRMED";
  return (
    <div className="grid gap-6 lg:grid-cols-2">
      <section aria-labelledby="event-facts" className="rounded-lg border border-line bg-surface p-4">
        <h2 id="event-facts" className="mb-3 text-lg font-semibold">
          {t("eventFacts")}
        </h2>
        <dl className="grid grid-cols-[max-content_1fr] gap-x-4 gap-y-2 text-sm">
          <Row label={t("actor")}>
            {event.actor ? (
              <>
                {event.actor.name ?? t("unknownActor")}
                <span className="block font-mono text-xs text-ink-muted">{event.actor.id}</span>
              </>
            ) : (
              t("system")
            )}
          </Row>
          <Row label={t("role")}>{event.actor?.role ? tc(`roles.${event.actor.role}`) : "—"}</Row>
          <Row label={t("department")}>{event.actor?.department ?? "—"}</Row>
          <Row label={t("action")}>
            <span title={event.action}>{actionLabel(event.action)}</span>
          </Row>
          <Row label={t("time")}>
            <time dateTime={event.occurredAt}>{format.dateTime(new Date(event.occurredAt), "audit")}</time>
            <span className="block font-mono text-xs text-ink-muted">{event.occurredAt}</span>
          </Row>
          <Row label={t("ip")}>{event.ip ?? "—"}</Row>
          <Row label={t("requestId")}>
            <span className="font-mono text-xs">{event.requestId ?? "—"}</span>
          </Row>
          <Row label={t("purpose")}>{event.purpose ? t(`purposes.${event.purpose}`) : "—"}</Row>
          <Row label={t("outcome")}>
            <span className={event.outcome === "DENIED" ? "font-semibold text-danger" : ""}>{t(`outcomes.${event.outcome}`)}</span>
          </Row>
          <Row label={t("patient")}>
            {event.patient ? (
              event.patient.mrn ? (
                <Link href={accessLogHref({ mrn: event.patient.mrn })} className="text-brand hover:underline" aria-label={t("eventsForMrn", { mrn: event.patient.mrn })}>
                  {event.patient.mrn}
                </Link>
              ) : (
                t("unknownPatient")
              )
            ) : (
              "—"
            )}
          </Row>
        </dl>
        <h3 className="mt-5 mb-2 font-semibold">{t("details")}</h3>
        {event.details.length === 0 ? (
          <p className="text-sm text-ink-muted">{t("noDetails")}</p>
        ) : (
          <DetailList details={event.details} testId="event-details" />
        )}
        <p className="mt-3 text-xs text-ink-muted">{t("metadataOnly")}</p>
      </section>

      <section aria-labelledby="event-integrity" className="rounded-lg border border-line bg-surface p-4" data-integrity={integrity.hashValid && linkOk ? "intact" : "broken"}>
        <h2 id="event-integrity" className="mb-3 text-lg font-semibold">
          {t("integrityTitle")}
        </h2>
        <ul className="space-y-2 text-sm">
          <Check ok={integrity.hashValid} testId="hash">
            {integrity.hashValid ? t("hashValid") : t("hashInvalid")}
          </Check>
          <Check ok={linkOk} testId="link">
            {integrity.link === "genesis" ? t("linkGenesis") : integrity.link === "holds" ? t("linkHolds", { seq: integrity.previousSeq ?? "" }) : integrity.link === "broken" ? t("linkBroken") : t("linkMissing")}
          </Check>
          <Check ok={integrity.seal ? (anchored ? true : null) : null} testId="seal">
            {integrity.seal
              ? batch
                ? anchored
                  ? t("sealAnchored", { time: format.dateTime(new Date(integrity.seal.sealedAt), "audit"), batch: batch.number })
                  : t("sealPending", { time: format.dateTime(new Date(integrity.seal.sealedAt), "audit"), batch: batch.number, status: t(`batchStatus.${batch.status}`) })
                : t("sealUnanchored", { time: format.dateTime(new Date(integrity.seal.sealedAt), "audit") })
              : t("notSealed")}
          </Check>
        </ul>
        <dl className="mt-4 grid grid-cols-[max-content_1fr] gap-x-4 gap-y-1 text-xs">
          <Row label={t("chain")}>
            {event.chain} · {t("position", { position: event.chainSeq })}
          </Row>
          <Row label={t("hash")}>
            <span className="font-mono break-all">{event.hash}</span>
          </Row>
          <Row label={t("prevHash")}>
            <span className="font-mono break-all">{event.prevHash}</span>
          </Row>
          {integrity.previousSeq ? (
            <Row label={t("previousEvent")}>
              <Link href={`/compliance/access-log/${integrity.previousSeq}`} className="text-brand hover:underline">
                {integrity.previousSeq}
              </Link>
            </Row>
          ) : null}
          {batch ? (
            <>
              <Row label={t("batch")}>
                #{batch.number} · {t(`batchStatus.${batch.status}`)}
              </Row>
              <Row label={t("block")}>{batch.blockNumber ?? "—"}</Row>
              <Row label={t("tx")}>
                <span className="font-mono break-all">{batch.txHash ?? "—"}</span>
              </Row>
            </>
          ) : null}
        </dl>
      </section>
    </div>
  );
}
