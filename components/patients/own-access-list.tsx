import { useFormatter, useTranslations } from "next-intl";
import type { OwnAccessEventDto } from "@/lib/dto";

/** A patient's "who looked": one entry per access, break-glass highlighted with the doctor's stated reason. */
export function OwnAccessList({ events }: { events: OwnAccessEventDto[] }) {
  const t = useTranslations("myAccess");
  const tc = useTranslations("common");
  const tl = useTranslations("accessLog");
  const tt = useTranslations("resourceTypes");
  const format = useFormatter();
  if (events.length === 0) return <p className="text-ink-muted">{t("empty")}</p>;
  return (
    <ol className="space-y-3">
      {events.map((e) => {
        const types = Object.entries(e.recordTypes)
          .map(([type, n]) => `${tt.has(type) ? tt(type) : type} ${n}`)
          .join(", ");
        return (
          <li
            key={e.seq}
            data-access-seq={e.seq}
            data-purpose={e.purpose ?? ""}
            className={`rounded-lg border p-4 ${e.emergency ? "border-2 border-danger bg-danger-soft" : "border-line bg-surface"}`}
          >
            <div className="flex flex-wrap items-baseline justify-between gap-2">
              <p className="font-semibold text-ink">
                {e.staffName ?? t("unknownStaff")}
                {e.staffRole ? <span className="ml-2 text-sm font-normal text-ink-muted">{tc.has(`roles.${e.staffRole}`) ? tc(`roles.${e.staffRole}`) : e.staffRole}</span> : null}
                {e.department ? <span className="ml-2 text-sm font-normal text-ink-muted">· {e.department}</span> : null}
              </p>
              <time dateTime={e.occurredAt} className="text-sm text-ink-muted">
                {format.dateTime(new Date(e.occurredAt), "clinical")}
              </time>
            </div>
            <p className="mt-1 text-sm text-ink">
              {/* Message keys cannot hold dots (they nest): patient.viewed → actions.patient_viewed. */}
              {t.has(`actions.${e.action.replaceAll(".", "_")}`) ? t(`actions.${e.action.replaceAll(".", "_")}`) : e.action}
              {" · "}
              {t("purpose")}: <strong className={e.emergency ? "text-danger" : ""}>{e.purpose ? tl(`purposes.${e.purpose}`) : "—"}</strong>
            </p>
            {e.emergency ? (
              <p className="mt-1 text-sm font-semibold text-danger">
                {t("emergencyNote")}
                {e.reason ? <span className="block font-normal text-ink">{t("reason", { reason: e.reason })}</span> : null}
              </p>
            ) : null}
            {e.record ? (
              <p className="mt-1 text-sm text-ink-muted">
                {t("oneRecord", { type: tt.has(e.record.type) ? tt(e.record.type) : e.record.type, time: format.dateTime(new Date(e.record.recordedAt), "clinical") })}
              </p>
            ) : e.recordCount > 0 ? (
              <p className="mt-1 text-sm text-ink-muted">{t("records", { count: e.recordCount, types })}</p>
            ) : null}
          </li>
        );
      })}
    </ol>
  );
}
