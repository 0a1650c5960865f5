import type { ReactNode } from "react";
import Link from "next/link";
import { useFormatter, useTranslations } from "next-intl";
import type {
  AllergyItem,
  ClinicalSummary,
  EncounterItem,
  ImmunizationItem,
  MedicationItem,
  ProblemItem,
  Section,
  SectionName,
  SeriesRow,
  ValuePoint,
  WithheldRef,
} from "@/lib/chart-summary/types";
import { ClinicalDateText, useClinicalDate } from "./clinical-date";
import { IntegrityMark } from "./integrity-mark";
import { SourceLabel } from "./source-label";
import { TrendSparkline } from "./trend-sparkline";

// The chart's first screen: the IPS sections a doctor reads in ten seconds. Every entry links to its record and
// carries `data-record-id` / `data-verification`; each section carries `data-summary`; results rows carry
// `data-loinc` and one `data-value` per value shown. Built from records verified in this request only (lib/chart-summary).

const recordHref = (patientId: string, recordId: string) => `/patients/${patientId}/records/${recordId}`;

function Heading({ id, children, count }: { id: string; children: ReactNode; count?: number }) {
  return (
    <h2 id={id} className="text-xs font-bold uppercase tracking-wide text-ink-muted">
      {children}
      {count ? <span className="ml-1 font-normal normal-case">({count})</span> : null}
    </h2>
  );
}

function Withheld({ items, patientId }: { items: WithheldRef[]; patientId: string }) {
  const t = useTranslations("summary");
  const tt = useTranslations("resourceTypes");
  const format = useFormatter();
  if (items.length === 0) return null;
  const loud = items.some((w) => w.verification === "tampered");
  return (
    <div role={loud ? "alert" : "status"} className={`mt-2 rounded border px-2 py-1 text-xs ${loud ? "border-danger bg-danger-soft text-danger" : "border-warn bg-warn-soft text-warn"}`}>
      <p className="font-semibold">{t("withheld", { count: items.length })}</p>
      <ul className="mt-0.5 space-y-0.5">
        {items.slice(0, 5).map((w) => (
          <li key={w.recordId} data-record-id={w.recordId} data-verification={w.verification} data-source={w.source} data-withheld>
            <Link href={recordHref(patientId, w.recordId)} prefetch={false} className="underline">
              {t("withheldItem", {
                type: tt.has(w.resourceType) ? tt(w.resourceType) : w.resourceType,
                time: format.dateTime(new Date(w.recordedAt), "clinical"),
                state: t(`withheldState.${w.verification}`),
              })}
            </Link>
          </li>
        ))}
      </ul>
    </div>
  );
}

/** Anchored records of the section's types missing from the database: loud, never read as "none". */
function Missing({ missing }: { missing: Section<unknown>["missing"] }) {
  const t = useTranslations("summary");
  const tt = useTranslations("resourceTypes");
  if (missing.length === 0) return null;
  return (
    <div role="alert" data-missing className="mt-2 rounded border border-danger bg-danger-soft px-2 py-1 text-xs font-semibold text-danger">
      {missing.map((m) => (
        <p key={m.resourceType} data-missing-type={m.resourceType} data-missing-count={m.count}>
          {t("missing", { count: m.count, type: tt.has(m.resourceType) ? tt(m.resourceType) : m.resourceType })}
        </p>
      ))}
    </div>
  );
}

function SummarySection<T>({
  name,
  section,
  patientId,
  moreHref,
  className = "",
  allergies = false,
  children,
}: {
  name: SectionName;
  section: Section<T>;
  patientId: string;
  moreHref?: string;
  className?: string;
  /** The chart's allergy region keeps its `data-allergies` hook. */
  allergies?: boolean;
  children: ReactNode;
}) {
  const t = useTranslations("summary");
  const id = `summary-${name}`;
  const empty = section.empty;
  return (
    <section aria-labelledby={id} data-summary={name} data-empty={empty ?? undefined} data-allergies={allergies || undefined} className={`min-w-0 rounded-lg border border-line bg-surface p-3 ${className}`}>
      <Heading id={id} count={section.items.length + section.more || undefined}>
        {t(`sections.${name}`)}
      </Heading>
      {section.items.length > 0 ? children : null}
      {empty ? (
        <p className="mt-1 text-sm text-ink-muted" data-empty-reason={empty}>
          {empty === "noneKnown" ? t("empty.noneKnown", { section: t(`noneKnownSection.${name as "problems"}`) }) : t(`empty.${empty}`)}
          {section.assertion ? (
            <>
              {" "}
              <Link
                href={recordHref(patientId, section.assertion.ref.recordId)}
                prefetch={false}
                className="text-brand hover:underline"
                data-record-id={section.assertion.ref.recordId}
                data-verification={section.assertion.ref.verification}
                data-source={section.assertion.ref.source}
              >
                {section.assertion.text}
              </Link>
            </>
          ) : null}
        </p>
      ) : null}
      {section.more > 0 && moreHref ? (
        <p className="mt-1 text-xs">
          <Link href={moreHref} className="text-brand hover:underline">
            {t("more", { count: section.more })}
          </Link>
        </p>
      ) : null}
      {section.sharing === "partial" && section.items.length > 0 ? <p className="mt-1 text-xs text-ink-muted">{t("partlyShared")}</p> : null}
      <Missing missing={section.missing} />
      <Withheld items={section.withheld} patientId={patientId} />
    </section>
  );
}

function ItemLink({ patientId, recordId, children }: { patientId: string; recordId: string; children: ReactNode }) {
  return (
    <Link href={recordHref(patientId, recordId)} prefetch={false} className="font-semibold text-ink hover:text-brand hover:underline">
      {children}
    </Link>
  );
}

function ItemRow({ item, children }: { item: { recordId: string; verification: string; source: "hospital" | "patient" | "system" }; children: ReactNode }) {
  return (
    <li data-record-id={item.recordId} data-verification={item.verification} data-source={item.source} className="flex flex-wrap items-baseline gap-x-2 gap-y-0.5 py-0.5 text-sm">
      {children}
    </li>
  );
}

function Problems({ section, patientId, order = "" }: { section: Section<ProblemItem>; patientId: string; order?: string }) {
  const t = useTranslations("summary");
  const dateText = useClinicalDate();
  const tf = useTranslations("fhirCodes");
  return (
    <SummarySection name="problems" section={section} patientId={patientId} className={order} moreHref={`/patients/${patientId}?type=Condition#timeline`}>
      <ul className="mt-1 divide-y divide-line">
        {section.items.map((p) => (
          <ItemRow key={p.recordId} item={p}>
            <ItemLink patientId={patientId} recordId={p.recordId}>
              {p.title}
            </ItemLink>
            {p.status !== "active" ? <span className="text-xs text-ink-muted">{tf.has(`status.${p.status}`) ? tf(`status.${p.status}`) : p.status}</span> : null}
            {p.onset ? <span className="text-xs text-ink-muted">{t("onset", { date: dateText(p.onset) })}</span> : null}
            <SourceLabel source={p.source} quiet />
            <IntegrityMark verification={p.verification} />
          </ItemRow>
        ))}
      </ul>
    </SummarySection>
  );
}

function Medications({ section, patientId, order = "" }: { section: Section<MedicationItem>; patientId: string; order?: string }) {
  const t = useTranslations("summary");
  const dateText = useClinicalDate();
  return (
    <SummarySection name="medications" section={section} patientId={patientId} className={order} moreHref={`/patients/${patientId}?type=MedicationRequest#timeline`}>
      <ul className="mt-1 divide-y divide-line">
        {section.items.map((m) => (
          <ItemRow key={m.recordId} item={m}>
            <ItemLink patientId={patientId} recordId={m.recordId}>
              {m.name}
            </ItemLink>
            {m.dose ? <span className="text-xs text-ink">{m.dose}</span> : null}
            {m.since ? <span className="text-xs text-ink-muted">{t("since", { date: dateText(m.since) })}</span> : null}
            <SourceLabel source={m.source} quiet />
            <IntegrityMark verification={m.verification} />
          </ItemRow>
        ))}
      </ul>
    </SummarySection>
  );
}

function Allergies({ section, patientId, order = "" }: { section: Section<AllergyItem>; patientId: string; order?: string }) {
  const t = useTranslations("summary");
  const tc = useTranslations("chart");
  const tf = useTranslations("fhirCodes");
  const loud = section.items.length > 0 || section.withheld.length > 0;
  // Kept as the chart's "Allergies" region (data-allergies): the first thing a doctor might act on.
  return (
    <SummarySection name="allergies" section={section} patientId={patientId} allergies className={`${order} ${loud ? "border-danger bg-danger-soft" : ""}`}>
        <ul className="mt-1 flex flex-wrap gap-2">
          {section.items.map((a) => (
            <li
              key={a.recordId}
              data-record-id={a.recordId}
              data-verification={a.verification}
              data-source={a.source}
              className="flex flex-wrap items-center gap-x-2 rounded border border-danger bg-surface px-2 py-0.5 text-sm"
            >
              <ItemLink patientId={patientId} recordId={a.recordId}>
                {a.title}
              </ItemLink>
              {a.reaction ? <span className="text-ink-muted">({a.reaction})</span> : null}
              {a.criticality === "high" ? <span className="font-semibold text-danger">{tc("highCriticality")}</span> : null}
              {a.criticality && a.criticality !== "high" ? (
                <span className="text-xs text-ink-muted">{t("criticality", { level: tf.has(`criticality.${a.criticality}`) ? tf(`criticality.${a.criticality}`) : a.criticality })}</span>
              ) : null}
              <SourceLabel source={a.source} quiet />
              <IntegrityMark verification={a.verification} />
            </li>
          ))}
        </ul>
    </SummarySection>
  );
}

function FlagMark({ flag }: { flag: ValuePoint["flag"] }) {
  const t = useTranslations("summary");
  const tf = useTranslations("fhirCodes");
  if (!flag || flag.code === "N") return null;
  const words = tf.has(`flag.${flag.code}`) ? tf(`flag.${flag.code}`) : flag.code;
  const by = flag.source === "product" ? t("flagByProduct") : flag.source === "range" ? t("flagByRange") : t("flagByRecord");
  return (
    <span className="ml-0.5 font-bold text-danger" title={`${words} (${by})`} data-flag={flag.code} data-flag-source={flag.source}>
      {flag.code}
      {flag.source === "product" ? <sup aria-hidden="true">*</sup> : null}
      <span className="sr-only">
        {" "}
        ({words}, {by})
      </span>
    </span>
  );
}

function Value({ value, patientId, latest, unit }: { value: ValuePoint; patientId: string; latest?: boolean; unit?: string | null }) {
  return (
    <span
      data-value={value.numeric ?? value.text}
      data-record-id={value.recordId}
      data-verification={value.verification}
      data-source={value.source}
      className={`inline-flex flex-wrap items-baseline gap-x-0.5 ${latest ? "text-sm" : "whitespace-nowrap text-xs text-ink-muted"}`}
    >
      <Link href={recordHref(patientId, value.recordId)} prefetch={false} className={`hover:underline ${latest ? "text-base font-bold text-ink" : ""}`}>
        {value.text}
      </Link>
      <FlagMark flag={value.flag} />
      {unit ? <span className="text-[11px] text-ink-muted">{unit}</span> : null}
      {value.source !== "hospital" ? <SourceLabel source={value.source} compact={!latest} /> : null}
      <span className={`text-[11px] text-ink-muted ${latest ? "basis-full" : "ml-0.5"}`}>
        <ClinicalDateText date={value.date} />
      </span>
    </span>
  );
}

function Change({ row }: { row: SeriesRow }) {
  const t = useTranslations("summary");
  if (row.change === null || row.change === 0) return null;
  const sign = row.change > 0 ? "+" : "−";
  return (
    <span className="whitespace-nowrap text-xs text-ink-muted" title={t("change")}>
      <span className="sr-only">{t("change")}: </span>
      {t("changeValue", { sign, value: Math.abs(row.change) })}
    </span>
  );
}

function LatestWithheld({ row, patientId }: { row: SeriesRow; patientId: string }) {
  const t = useTranslations("summary");
  const w = row.latestWithheld!;
  return (
    <Link
      href={recordHref(patientId, w.recordId)}
      prefetch={false}
      data-record-id={w.recordId}
      data-verification={w.verification}
      data-withheld
      title={t("latestWithheld", { state: t(`withheldState.${w.verification}`) })}
      className={`inline-block whitespace-nowrap rounded border px-1 text-xs font-semibold ${w.verification === "tampered" ? "border-danger bg-danger-soft text-danger" : "border-warn bg-warn-soft text-warn"}`}
    >
      <span aria-hidden="true">{w.verification === "tampered" ? "✗ " : "… "}</span>
      {t("latestWithheldShort")}
      <span className="sr-only">: {t("latestWithheld", { state: t(`withheldState.${w.verification}`) })}</span>
    </Link>
  );
}

function trendLabel(t: ReturnType<typeof useTranslations<"summary">>, row: SeriesRow, label: string) {
  const first = row.trend[0];
  const last = row.trend.at(-1);
  return first && last ? t("trend", { label, count: row.trend.length, first: first.value, last: last.value, unit: row.unit ?? "" }) : label;
}

function rowFlagHigh(row: SeriesRow): boolean {
  const flag = row.values[0]?.flag?.code;
  return !row.latestWithheld && (flag === "H" || flag === "HH" || flag === "L" || flag === "LL" || flag === "A");
}

function Vitals({ section, patientId, order = "" }: { section: Section<SeriesRow>; patientId: string; order?: string }) {
  const t = useTranslations("summary");
  return (
    <SummarySection name="vitals" section={section} patientId={patientId} className={order}>
      <ul className="mt-1 grid grid-cols-2 gap-2 sm:grid-cols-4">
        {section.items.map((row) => {
          const label = t.has(`vital.${row.kind}`) ? t(`vital.${row.kind}`) : row.label;
          const latest = row.values[0];
          const ref = row.latestWithheld ?? latest!;
          return (
            <li
              key={row.key}
              data-record-id={ref.recordId}
              data-verification={ref.verification}
              data-source={ref.source}
              data-vital={row.kind}
              data-loinc={row.loinc ?? undefined}
              className="min-w-0 rounded border border-line px-2 py-1"
            >
              <p className="truncate text-xs text-ink-muted">{label}</p>
              {row.latestWithheld ? (
                <LatestWithheld row={row} patientId={patientId} />
              ) : latest ? (
                <Value value={latest} patientId={patientId} latest unit={latest.unit} />
              ) : null}
              <div className="flex items-center gap-1">
                <TrendSparkline points={row.trend} label={trendLabel(t, row, label)} high={rowFlagHigh(row)} />
                <Change row={row} />
              </div>
            </li>
          );
        })}
      </ul>
      <ProductFlagNote rows={section.items} />
      {section.withheld.some((w) => w.verification === "tampered") ? <p className="mt-1 text-[11px] text-ink-muted">{t("withheldObservations")}</p> : null}
    </SummarySection>
  );
}

function ProductFlagNote({ rows }: { rows: SeriesRow[] }) {
  const t = useTranslations("summary");
  // Only the values shown carry the mark: a tile shows its latest value, unless that is withheld.
  if (!rows.some((r) => !r.latestWithheld && r.values[0]?.flag?.source === "product" && r.values[0].flag.code !== "N")) return null;
  return <p className="mt-1 text-[11px] text-ink-muted">* {t("flagByProduct")}</p>;
}

function Results({ section, patientId, showingAll, order = "" }: { section: Section<SeriesRow>; patientId: string; showingAll: boolean; order?: string }) {
  const t = useTranslations("summary");
  const total = section.items.length + section.more;
  return (
    <SummarySection name="results" section={section} patientId={patientId} className={order}>
      <div className="mt-1 overflow-x-auto">
        <table className="w-full text-left text-sm">
          <caption className="sr-only">{t("sections.results")}</caption>
          <thead className="text-[11px] uppercase tracking-wide text-ink-muted">
            <tr>
              <th scope="col" className="py-1 pr-2 font-semibold">
                {t("test")}
              </th>
              <th scope="col" className="py-1 pr-2 font-semibold">
                {t("latest")}
              </th>
              <th scope="col" className="py-1 pr-2 font-semibold">
                {t("trendColumn")}
              </th>
              <th scope="col" className="hidden py-1 font-semibold sm:table-cell">
                {t("previous")}
              </th>
            </tr>
          </thead>
          <tbody className="divide-y divide-line">
            {section.items.map((row) => {
              const [latest, ...earlier] = row.values;
              const ref = row.latestWithheld ?? latest!;
              return (
                <tr key={row.key} data-loinc={row.loinc ?? row.key} data-record-id={ref.recordId} data-verification={ref.verification} data-source={ref.source}>
                  <th scope="row" className="w-[38%] py-1 pr-2 align-top text-xs font-normal leading-4">
                    <span className="line-clamp-2" title={row.label}>
                      {row.label}
                    </span>
                  </th>
                  <td className="py-1 pr-2 align-top">
                    {row.latestWithheld ? <LatestWithheld row={row} patientId={patientId} /> : null}
                    {!row.latestWithheld && latest ? <Value value={latest} patientId={patientId} latest unit={row.unit} /> : null}
                    {!row.latestWithheld ? (
                      <span className="ml-1">
                        <Change row={row} />
                      </span>
                    ) : null}
                  </td>
                  <td className="py-1 pr-2 align-middle">
                    <TrendSparkline points={row.trend} label={trendLabel(t, row, row.label)} high={rowFlagHigh(row)} />
                  </td>
                  <td className="hidden py-1 align-top sm:table-cell">
                    <span className="flex flex-wrap gap-x-2">
                      {(row.latestWithheld ? row.values : earlier).map((v) => (
                        <Value key={v.recordId} value={v} patientId={patientId} />
                      ))}
                      {row.olderCount > 0 ? <span className="text-[11px] text-ink-muted">{t("olderValues", { count: row.olderCount })}</span> : null}
                    </span>
                  </td>
                </tr>
              );
            })}
          </tbody>
        </table>
      </div>
      {section.more > 0 || showingAll ? (
        <p className="mt-1 text-xs">
          <Link href={showingAll ? `/patients/${patientId}#summary-results` : `/patients/${patientId}?results=all#summary-results`} className="text-brand hover:underline">
            {showingAll ? t("fewerResults") : t("moreResults", { count: total })}
          </Link>
        </p>
      ) : null}
      {section.withheld.some((w) => w.verification === "tampered") ? <p className="mt-1 text-[11px] text-ink-muted">{t("withheldObservations")}</p> : null}
    </SummarySection>
  );
}

function Encounters({ section, patientId, order = "" }: { section: Section<EncounterItem>; patientId: string; order?: string }) {
  const t = useTranslations("summary");
  return (
    <SummarySection name="encounters" section={section} patientId={patientId} className={order} moreHref={`/patients/${patientId}?type=Encounter#timeline`}>
      <ul className="mt-1 divide-y divide-line">
        {section.items.map((e) => (
          <ItemRow key={e.recordId} item={e}>
            <ItemLink patientId={patientId} recordId={e.recordId}>
              {e.title}
            </ItemLink>
            {e.start ? (
              <span className="text-xs text-ink-muted">
                <ClinicalDateText date={e.start} />
                {e.end && e.end.value.slice(0, 10) !== e.start.value.slice(0, 10) ? (
                  <>
                    {" – "}
                    <ClinicalDateText date={e.end} />
                  </>
                ) : null}
              </span>
            ) : null}
            {!e.start ? (
              <span className="text-xs text-ink-muted">
                <ClinicalDateText date={{ value: e.recordedAt, precision: "time", sortKey: Date.parse(e.recordedAt) }} />
              </span>
            ) : null}
            {e.reason ? <span className="text-xs text-ink">{t("reason", { reason: e.reason })}</span> : null}
            <SourceLabel source={e.source} quiet />
            <IntegrityMark verification={e.verification} />
          </ItemRow>
        ))}
      </ul>
    </SummarySection>
  );
}

function Immunizations({ section, patientId, order = "" }: { section: Section<ImmunizationItem>; patientId: string; order?: string }) {
  return (
    <SummarySection name="immunizations" section={section} patientId={patientId} className={order} moreHref={`/patients/${patientId}?type=Immunization#timeline`}>
      <ul className="mt-1 divide-y divide-line">
        {section.items.map((i) => (
          <ItemRow key={i.recordId} item={i}>
            <ItemLink patientId={patientId} recordId={i.recordId}>
              {i.title}
            </ItemLink>
            {i.date ? (
              <span className="text-xs text-ink-muted">
                <ClinicalDateText date={i.date} />
              </span>
            ) : null}
            <SourceLabel source={i.source} quiet />
            <IntegrityMark verification={i.verification} />
          </ItemRow>
        ))}
      </ul>
    </SummarySection>
  );
}

/** The summary, laid out so that its first five sections start on the first screen of a 1440×900 display. */
export function ClinicalSummaryView({ summary, patientId, showingAllResults }: { summary: ClinicalSummary; patientId: string; showingAllResults: boolean }) {
  const t = useTranslations("summary");
  return (
    <section aria-labelledby="clinical-summary-heading" data-clinical-summary className="mb-6">
      <h2 id="clinical-summary-heading" className="sr-only">
        {t("heading")}
      </h2>
      {/* Narrow screens: one column in reading order (the wrappers vanish, `order` sorts the sections). Wide screens: allergies,
          problems, medications, encounters and immunizations beside the vital signs and results. */}
      <div className="flex flex-col gap-3 lg:grid lg:grid-cols-[minmax(0,5fr)_minmax(0,7fr)] lg:items-start">
        <div className="contents lg:block lg:min-w-0 lg:space-y-3">
          <Allergies section={summary.allergies} patientId={patientId} order="order-1" />
          <Problems section={summary.problems} patientId={patientId} order="order-2" />
          <Medications section={summary.medications} patientId={patientId} order="order-3" />
          <Encounters section={summary.encounters} patientId={patientId} order="order-6" />
          <Immunizations section={summary.immunizations} patientId={patientId} order="order-7" />
        </div>
        <div className="contents lg:block lg:min-w-0 lg:space-y-3">
          <Vitals section={summary.vitals} patientId={patientId} order="order-4" />
          <Results section={summary.results} patientId={patientId} showingAll={showingAllResults} order="order-5" />
        </div>
      </div>
    </section>
  );
}

