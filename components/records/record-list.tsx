import Link from "next/link";
import { useFormatter, useTimeZone, useTranslations } from "next-intl";
import { calendarDay } from "@/lib/i18n/formats";
import type { RecordDto, RecordSummary, VerificationCounts } from "@/lib/dto";
import { VerificationBadge } from "@/components/ui/verification-badge";
import { sourceKind } from "@/lib/chart-summary/types";
import { IntegrityMark } from "./integrity-mark";
import { SourceLabel } from "./source-label";
import { FinancialRecords, splitFinancial } from "./financial-records";

const KNOWN_TYPES = new Set([
  "Observation", "Condition", "AllergyIntolerance", "MedicationStatement", "MedicationRequest",
  "Immunization", "Procedure", "DiagnosticReport", "Encounter", "DocumentReference",
]);

/** Translates a FHIR code when the catalogue knows it; otherwise shows the code as written. */
function useCodeText(group: "status" | "criticality" | "flag") {
  const tf = useTranslations("fhirCodes");
  return (code: string) => (tf.has(`${group}.${code}`) ? tf(`${group}.${code}`) : code);
}

function FlagText({ flag }: { flag: string }) {
  const text = useCodeText("flag");
  const abnormal = flag !== "N";
  return <span className={`ml-2 text-sm font-semibold ${abnormal ? "text-danger" : "text-ink-muted"}`}>({text(flag)})</span>;
}

function CodeChips({ summary }: { summary: RecordSummary }) {
  const status = useCodeText("status");
  const criticality = useCodeText("criticality");
  if (!summary.status && !summary.criticality) return null;
  return (
    <p className="mt-1 flex flex-wrap gap-2 text-xs">
      {summary.criticality ? (
        <span className={`rounded border px-1.5 py-0.5 ${summary.criticality === "high" ? "border-danger text-danger" : "border-line-strong text-ink-muted"}`}>
          {criticality(summary.criticality)}
        </span>
      ) : null}
      {summary.status ? <span className="rounded border border-line-strong px-1.5 py-0.5 text-ink-muted">{status(summary.status)}</span> : null}
    </p>
  );
}

export function VerificationSummary({ counts }: { counts: VerificationCounts }) {
  const tv = useTranslations("verification");
  const tc = useTranslations("chart");
  return (
    <section aria-label={tc("summary")} className="mb-4 flex flex-wrap gap-3 text-sm">
      {(Object.keys(counts) as (keyof VerificationCounts)[]).map((state) => (
        <span key={state} className="rounded-md border border-line bg-surface px-3 py-1" data-count={state}>
          {tv(state)}: <strong>{counts[state]}</strong>
        </span>
      ))}
    </section>
  );
}

/**
 * One record, carrying the public contract `data-record-id` / `data-verification` / `data-checkpoint`.
 * A tampered record shows a quarantine notice instead of its content.
 * With `patientId` (a doctor's chart), it links to its detail page (readable view, raw JSON, verification path).
 */
export function RecordCard({ record, patientId, correctable }: { record: RecordDto; patientId?: string; correctable?: boolean }) {
  const t = useTranslations("chart");
  const tp = useTranslations("proof");
  const tt = useTranslations("resourceTypes");
  const ts = useTranslations("sources");
  const tu = useTranslations("upload");
  const format = useFormatter();
  const typeKey = KNOWN_TYPES.has(record.resourceType) ? record.resourceType : "other";
  const tampered = record.verification === "tampered";
  const source = sourceKind(record.source);
  return (
    <li
      data-record-id={record.id}
      data-verification={record.verification}
      data-checkpoint={record.checkpoint}
      data-source={source}
      className={`rounded-md border bg-surface px-3 py-2 ${tampered ? "border-danger bg-danger-soft" : "border-line"}`}
    >
      <div className="flex flex-wrap items-baseline gap-x-3 gap-y-1">
        <div className="w-32 shrink-0 text-[11px] font-semibold uppercase tracking-wide text-ink-muted">{tt(typeKey)}</div>
        <div className="min-w-0 flex-1">
          {record.verification === "erased" ? (
            <p className="text-sm text-ink-muted">{t("erased")}</p>
          ) : tampered || record.summary === null ? (
            <p role="alert" className="text-sm font-semibold text-danger">
              {t("withheld")}
            </p>
          ) : (
            <>
              <p className="text-sm text-ink">
                <span className="font-semibold">{record.summary.title}</span>
                {record.summary.value ? (
                  <span className="ml-2">
                    {record.summary.value}
                    {record.summary.flag ? <FlagText flag={record.summary.flag} /> : null}
                    {record.summary.range ? <span className="ml-2 text-xs text-ink-muted">{t("range", { range: record.summary.range })}</span> : null}
                  </span>
                ) : null}
              </p>
              {record.summary.detail ? <p className="text-xs text-ink-muted">{record.summary.detail}</p> : null}
              <CodeChips summary={record.summary} />
            </>
          )}
        </div>
        <div className="flex flex-wrap items-center gap-x-3 gap-y-1 text-xs text-ink-muted">
          <span>
            <span className="sr-only">{t("recordedAt")}: </span>
            <time dateTime={record.recordedAt}>{format.dateTime(new Date(record.recordedAt), "clinical")}</time>
          </span>
          <span>
            <span className="sr-only">{t("source")}: </span>
            <SourceLabel source={source} />
            {record.source === "SEED" ? <span className="ml-1">({ts("SEED")})</span> : null}
          </span>
          {record.verification === "verified" ? <IntegrityMark verification="verified" /> : <VerificationBadge verification={record.verification} />}
          {correctable && record.source === "PATIENT_UPLOAD" && record.supersededAt === null && !tampered ? (
            <Link href={`/me/records/${record.id}/correct`} prefetch={false} className="text-sm font-semibold text-brand hover:underline">
              {tu("correct")}
              <span className="sr-only"> ({tt(typeKey)})</span>
            </Link>
          ) : null}
          {patientId ? (
            <Link href={`/patients/${patientId}/records/${record.id}`} prefetch={false} className="text-sm font-semibold text-brand hover:underline">
              {tp("proofLink")}
              <span className="sr-only">
                {" "}
                ({tp("proofLinkFor", { type: tt(typeKey), time: format.dateTime(new Date(record.recordedAt), "clinical") })})
              </span>
            </Link>
          ) : null}
        </div>
      </div>
      {record.supersedes || record.supersededAt ? (
        <p className="mt-1 flex flex-wrap gap-2 text-xs" data-version={record.supersededAt ? "superseded" : "correction"}>
          {record.supersededAt ? (
            <span className="rounded border border-line-strong bg-surface-muted px-1.5 py-0.5 font-semibold text-ink-muted">
              {t("supersededOn", { time: format.dateTime(new Date(record.supersededAt), "clinical") })}
            </span>
          ) : (
            <span className="rounded border border-brand px-1.5 py-0.5 font-semibold text-brand">{t("correctedVersion")}</span>
          )}
        </p>
      ) : null}
      {record.overdue ? (
        <p role="status" className="mt-1 rounded border border-warn bg-warn-soft px-2 py-1 text-sm font-semibold text-warn">
          {t("overdue")}
        </p>
      ) : null}
    </li>
  );
}

export function RecordList({ records, patientId, correctable }: { records: RecordDto[]; patientId?: string; correctable?: boolean }) {
  const { clinical, financial } = splitFinancial(records);
  return (
    <>
      <ol className="space-y-1.5">
        {clinical.map((record) => (
          <RecordCard key={record.id} record={record} patientId={patientId} correctable={correctable} />
        ))}
      </ol>
      <FinancialRecords count={financial.length}>
        <ol className="space-y-1.5">
          {financial.map((record) => (
            <RecordCard key={record.id} record={record} patientId={patientId} correctable={correctable} />
          ))}
        </ol>
      </FinancialRecords>
    </>
  );
}

/** The chart's timeline: records grouped by calendar day in the viewer's zone, newest first. */
export function RecordTimeline({ records: all, patientId }: { records: RecordDto[]; patientId: string }) {
  const t = useTranslations("chart");
  const { clinical: records, financial } = splitFinancial(all);
  const format = useFormatter();
  const timeZone = useTimeZone() ?? "UTC";
  const groups: { day: string; records: RecordDto[] }[] = [];
  for (const record of records) {
    const day = calendarDay(new Date(record.recordedAt), timeZone);
    const last = groups.at(-1);
    if (last && last.day === day) last.records.push(record);
    else groups.push({ day, records: [record] });
  }
  return (
    <div className="space-y-4">
      {groups.map((group) => (
        <section key={group.day} aria-labelledby={`day-${group.day}`} data-day={group.day}>
          <h3 id={`day-${group.day}`} className="sticky top-0 z-10 mb-1 border-b border-line bg-canvas py-1 text-sm font-semibold text-ink">
            {format.dateTime(new Date(`${group.day}T12:00:00Z`), { dateStyle: "full", timeZone: "UTC" })}
            <span className="ml-2 font-normal text-ink-muted">{t("recordCount", { count: group.records.length })}</span>
          </h3>
          <ol className="space-y-1.5 border-l-2 border-line pl-3">
            {group.records.map((record) => (
              <RecordCard key={record.id} record={record} patientId={patientId} />
            ))}
          </ol>
        </section>
      ))}
      <FinancialRecords count={financial.length}>
        <RecordList records={financial} patientId={patientId} />
      </FinancialRecords>
    </div>
  );
}
