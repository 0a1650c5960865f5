import { useFormatter, useTranslations } from "next-intl";
import type { OwnAccessEventDto } from "@/lib/dto";
import { groupIntoVisits, VISIT_GAP_MINUTES, type AccessVisitDto } from "@/lib/dto/access-visits";

/**
 * A patient's "who looked", one card per visit (one person's views without a long pause): who, when, what they
 * did and how many records they saw; break-glass highlighted with the doctor's stated reason. Each view is listed
 * inside its visit.
 */
export function OwnAccessList({ events }: { events: OwnAccessEventDto[] }) {
  const t = useTranslations("myAccess");
  if (events.length === 0) return <p className="text-ink-muted">{t("empty")}</p>;
  const visits = groupIntoVisits(events);
  return (
    <>
      <p className="mb-3 text-sm text-ink-muted">{t("visitsExplained", { minutes: VISIT_GAP_MINUTES, visits: visits.length, views: events.length })}</p>
      <ol className="space-y-3">
        {visits.map((visit) => (
          <Visit key={visit.key} visit={visit} />
        ))}
      </ol>
    </>
  );
}

function Visit({ visit }: { visit: AccessVisitDto }) {
  const t = useTranslations("myAccess");
  const tc = useTranslations("common");
  const tl = useTranslations("accessLog");
  const tt = useTranslations("resourceTypes");
  const format = useFormatter();
  const action = (a: string) => (t.has(`actions.${a.replaceAll(".", "_")}`) ? t(`actions.${a.replaceAll(".", "_")}`) : a);
  const types = Object.entries(visit.recordTypes)
    .map(([type, n]) => `${tt.has(type) ? tt(type) : type} ${n}`)
    .join(", ");
  const from = new Date(visit.from);
  const to = new Date(visit.to);
  // In the portal's time zone, as the reader sees the dates.
  const day = (d: Date) => format.dateTime(d, { year: "numeric", month: "2-digit", day: "2-digit" });
  const sameDay = day(from) === day(to);
  return (
    <li
      data-access-visit={visit.key}
      data-purpose={visit.emergency ? "EMERGENCY" : (visit.purposes[0] ?? "")}
      className={`rounded-lg border p-4 ${visit.emergency ? "border-2 border-danger bg-danger-soft" : "border-line bg-surface"}`}
    >
      <div className="flex flex-wrap items-baseline justify-between gap-2">
        <p className="font-semibold text-ink">
          {visit.staffName ?? t("unknownStaff")}
          {/* A real space, not only a margin: screen readers and copied text would run the name into the role. */}
          {visit.staffRole ? " " : null}
          {visit.staffRole ? <span className="ml-1 text-sm font-normal text-ink-muted">{tc.has(`roles.${visit.staffRole}`) ? tc(`roles.${visit.staffRole}`) : visit.staffRole}</span> : null}
          {visit.department ? <span className="ml-1 text-sm font-normal text-ink-muted"> · {visit.department}</span> : null}
        </p>
        <p className="text-sm text-ink-muted">
          <time dateTime={visit.from}>{format.dateTime(from, "clinical")}</time>
          {visit.events.length > 1 ? (
            <>
              {" – "}
              <time dateTime={visit.to}>{sameDay ? format.dateTime(to, { hour: "2-digit", minute: "2-digit", hourCycle: "h23" }) : format.dateTime(to, "clinical")}</time>
            </>
          ) : null}
        </p>
      </div>
      <p className="mt-1 text-sm text-ink">
        {[...new Set(visit.events.map((e) => e.action))].reverse().map(action).join(" · ")}
        {" · "}
        {t("purpose")}: <strong className={visit.emergency ? "text-danger" : ""}>{visit.purposes.length ? visit.purposes.map((p) => tl(`purposes.${p}`)).join(", ") : "—"}</strong>
      </p>
      {visit.emergency ? (
        <p className="mt-1 text-sm font-semibold text-danger">
          {t("emergencyNote")}
          {visit.reasons.map((reason) => (
            <span key={reason} className="block font-normal text-ink">
              {t("reason", { reason })}
            </span>
          ))}
        </p>
      ) : null}
      <p className="mt-1 text-sm text-ink-muted">
        {t("visitSummary", { views: visit.events.length })}
        {visit.recordCount > 0 ? ` · ${t("records", { count: visit.recordCount, types })}` : ""}
      </p>
      {visit.events.length > 1 ? (
        <details className="mt-2 text-sm">
          <summary className="cursor-pointer text-brand underline">{t("showViews", { views: visit.events.length })}</summary>
          <ol className="mt-2 space-y-1 border-l-2 border-line pl-3">
            {visit.events.map((e) => (
              <li key={e.seq} data-access-seq={e.seq} data-purpose={e.purpose ?? ""}>
                <time dateTime={e.occurredAt} className="text-ink-muted">
                  {format.dateTime(new Date(e.occurredAt), { hour: "2-digit", minute: "2-digit", second: "2-digit", hourCycle: "h23" })}
                </time>{" "}
                {action(e.action)}
                {e.record
                  ? ` — ${t("oneRecord", { type: tt.has(e.record.type) ? tt(e.record.type) : e.record.type, time: format.dateTime(new Date(e.record.recordedAt), "clinical") })}`
                  : ""}
              </li>
            ))}
          </ol>
        </details>
      ) : (
        <span hidden data-access-seq={visit.events[0]!.seq} />
      )}
    </li>
  );
}
