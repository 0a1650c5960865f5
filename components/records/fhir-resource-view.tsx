import { Fragment, type ReactNode } from "react";
import { useFormatter, useTranslations } from "next-intl";
import type { AttachmentCheck } from "@/lib/fhir/attachment";
import { narrativeText } from "@/lib/fhir/narrative";
import { conceptText } from "@/lib/fhir/summarize";

// A FHIR R4 resource as a doctor reads it: the clinically relevant fields of the common types in words, everything
// else as a structured list, the narrative as plain text and the raw JSON on request. Every value is a React text
// node: nothing from the record is ever interpreted as markup.

type Json = Record<string, unknown>;

function obj(value: unknown): Json | undefined {
  return typeof value === "object" && value !== null && !Array.isArray(value) ? (value as Json) : undefined;
}

function list(value: unknown): unknown[] {
  return Array.isArray(value) ? value : [];
}

function str(value: unknown): string | undefined {
  return typeof value === "string" && value.trim() !== "" ? value : undefined;
}

function num(value: unknown): number | undefined {
  return typeof value === "number" && Number.isFinite(value) ? value : undefined;
}

/** The first coding's code of a CodeableConcept. */
function conceptCode(concept: unknown): string | undefined {
  return str(obj(list(obj(concept)?.coding)[0])?.code);
}

function conceptsText(concepts: unknown): string | undefined {
  const texts = list(concepts).map(conceptText).filter((text): text is string => text !== undefined);
  return texts.length > 0 ? texts.join(", ") : undefined;
}

function referenceText(reference: unknown): string | undefined {
  const r = obj(reference);
  return str(r?.display) ?? str(r?.reference) ?? conceptText(r?.concept);
}

function referencesText(references: unknown): string | undefined {
  const texts = list(references).map(referenceText).filter((text): text is string => text !== undefined);
  return texts.length > 0 ? texts.join(", ") : undefined;
}

function quantityText(quantity: unknown): string | undefined {
  const q = obj(quantity);
  const value = num(q?.value);
  if (!q || value === undefined) return undefined;
  const unit = str(q.unit) ?? str(q.code);
  const comparator = str(q.comparator) ?? "";
  return unit ? `${comparator}${value} ${unit}` : `${comparator}${value}`;
}

/** low–high; an open end as ≥ low or ≤ high. The unit is written once when both ends share it. */
function rangeText(range: unknown): string | undefined {
  const r = obj(range);
  const low = obj(r?.low);
  const high = obj(r?.high);
  const lowValue = num(low?.value);
  const highValue = num(high?.value);
  const lowUnit = str(low?.unit) ?? str(low?.code);
  const highUnit = str(high?.unit) ?? str(high?.code);
  if (lowValue !== undefined && highValue !== undefined) {
    if (lowUnit === highUnit) return `${lowValue}–${highValue}${highUnit ? ` ${highUnit}` : ""}`;
    return `${quantityText(low)}–${quantityText(high)}`;
  }
  if (lowValue !== undefined) return `≥ ${quantityText(low)}`;
  if (highValue !== undefined) return `≤ ${quantityText(high)}`;
  return undefined;
}

function ratioText(ratio: unknown): string | undefined {
  const r = obj(ratio);
  const numerator = quantityText(r?.numerator);
  const denominator = quantityText(r?.denominator);
  return numerator && denominator ? `${numerator} / ${denominator}` : undefined;
}

const DATE_ONLY = /^\d{4}-\d{2}-\d{2}$/;
const DATE_TIME = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}(?::\d{2}(?:\.\d+)?)?(?:Z|[+-]\d{2}:\d{2})$/;
/** What a `<time dateTime>` may carry: a year, month, date, or date-time (FHIR's forms of them). */
const TIME_VALUE = /^\d{4}(?:-\d{2}(?:-\d{2}(?:T\d{2}:\d{2}(?::\d{2}(?:\.\d+)?)?(?:Z|[+-]\d{2}:\d{2})?)?)?)?$/;

const MAX_DEPTH = 4;
const MAX_ITEMS = 50;
const MAX_STRING = 500;

/** Fields shown elsewhere (type, narrative) or of no clinical use (server id, version metadata). */
const OMITTED = new Set(["resourceType", "id", "meta", "text"]);

const ACRONYMS: Record<string, string> = { url: "URL", id: "ID", uri: "URI", udi: "UDI" };

/** valueQuantity → "Value quantity"; `_field` (a primitive's extensions) reads like its field. */
function humanise(key: string): string {
  const words = key
    .replace(/^_+/, "")
    .replace(/([a-z0-9])([A-Z])/g, "$1 $2")
    .replace(/([A-Z]+)([A-Z][a-z])/g, "$1 $2")
    .split(/[\s_-]+/)
    .filter((word) => word !== "")
    .map((word) => ACRONYMS[word.toLowerCase()] ?? (/^[A-Z0-9]+$/.test(word) && word.length > 1 ? word : word.toLowerCase()));
  const text = words.join(" ");
  return text.charAt(0).toUpperCase() + text.slice(1);
}

// ---------------------------------------------------------------------------------------------------------------

/** The translations and formats every part of the view uses. Called once per render of the view. */
function useView() {
  const t = useTranslations("fhirView");
  const tf = useTranslations("fhirCodes");
  const format = useFormatter();

  /** A status code: the shared fhirCodes catalogue first, then this view's own, else as written. */
  const status = (code: string) =>
    tf.has(`status.${code}`) ? tf(`status.${code}`) : t.has(`codes.status.${code}`) ? t(`codes.status.${code}`) : code;

  /** A resource's `status` (or another status element), translated when known. */
  const statusOf = (value: unknown) => {
    const text = str(value);
    return text === undefined ? undefined : status(text);
  };

  const criticality = (value: string) => (tf.has(`criticality.${value}`) ? tf(`criticality.${value}`) : value);

  const hasCode = (group: string, value: string) => t.has(`codes.${group}.${value}`);

  /** A code from one of this view's groups (allergy type, reaction severity, intent…), else as written. */
  const code = (group: string, value: string) => (hasCode(group, value) ? t(`codes.${group}.${value}`) : value);

  /** A code element (a plain FHIR `code`, not a concept) from one of this view's groups. */
  const codeOf = (group: string, value: unknown) => {
    const text = str(value);
    return text === undefined ? undefined : code(group, text);
  };

  /** A CodeableConcept status (Condition/AllergyIntolerance clinical or verification status). */
  const conceptStatus = (concept: unknown, group?: string) => {
    const c = conceptCode(concept);
    if (c && group && t.has(`codes.${group}.${c}`)) return t(`codes.${group}.${c}`);
    if (c && (tf.has(`status.${c}`) || t.has(`codes.status.${c}`))) return status(c);
    return conceptText(concept);
  };

  /** A FHIR date, dateTime or instant: full dates and date-times formatted, partial dates (2024, 2024-05) as written. */
  const date = (value: unknown): ReactNode => {
    const text = str(value);
    if (!text) return null;
    let shown = text;
    if (DATE_ONLY.test(text)) {
      const d = new Date(`${text}T00:00:00Z`);
      if (!Number.isNaN(d.getTime())) shown = format.dateTime(d, "birthDate");
    } else if (DATE_TIME.test(text)) {
      const d = new Date(text);
      if (!Number.isNaN(d.getTime())) shown = format.dateTime(d, "clinical");
    }
    return TIME_VALUE.test(text) ? <time dateTime={text}>{shown}</time> : shown;
  };

  const period = (value: unknown): ReactNode => {
    const p = obj(value);
    const start = date(p?.start);
    const end = date(p?.end);
    if (!start && !end) return null;
    return (
      <>
        {start}
        {" – "}
        {end ?? t("ongoing")}
      </>
    );
  };

  /** A choice element such as onset[x]: the first of the given types that is present, with its key. */
  const choice = (r: Json, prefix: string): { node: ReactNode; key: string } | null => {
    const renderers: [string, (value: unknown) => ReactNode][] = [
      ["DateTime", date],
      ["Instant", date],
      ["Date", date],
      ["Period", period],
      ["Quantity", quantityText],
      ["Age", quantityText],
      ["Duration", quantityText],
      ["CodeableConcept", conceptText],
      ["String", str],
      ["Range", rangeText],
      ["Ratio", ratioText],
      ["Time", str],
      ["Integer", (v) => (num(v) === undefined ? null : String(v))],
      ["PositiveInt", (v) => (num(v) === undefined ? null : String(v))],
      ["Boolean", (v) => (typeof v === "boolean" ? (v ? t("yes") : t("no")) : null)],
      ["Reference", referenceText],
    ];
    for (const [suffix, render] of renderers) {
      const key = `${prefix}${suffix}`;
      if (r[key] === undefined) continue;
      const node = render(r[key]);
      if (node !== null && node !== undefined && node !== "") return { node, key };
    }
    return null;
  };

  return { t, status, statusOf, criticality, hasCode, code, codeOf, conceptStatus, date, period, choice };
}

type View = ReturnType<typeof useView>;

/** One fact: its label, its value and the resource keys it shows (anything not shown goes to "Other fields"). */
type Row = { label: string; value: ReactNode; keys: string[] };

function row(label: string, value: ReactNode, ...keys: string[]): Row | null {
  return value === null || value === undefined || value === "" || value === false ? null : { label, value, keys };
}

function Facts({ rows }: { rows: Row[] }) {
  if (rows.length === 0) return null;
  return (
    <dl className="grid grid-cols-1 gap-x-4 gap-y-1 sm:grid-cols-[11rem_minmax(0,1fr)]">
      {rows.map((r, i) => (
        <Fragment key={`${r.label}-${i}`}>
          <dt className="font-medium text-ink-muted">{r.label}</dt>
          <dd className="min-w-0 break-words pb-1 text-ink sm:pb-0">{r.value}</dd>
        </Fragment>
      ))}
    </dl>
  );
}

/** A short coded fact; a dangerous one (abnormal, high risk, severe) is red and also marked in words or a sign. */
function Chip({ tone, children }: { tone: "danger" | "neutral"; children: ReactNode }) {
  const styles = {
    danger: "border-danger bg-danger-soft text-danger font-semibold",
    neutral: "border-line-strong bg-surface text-ink-muted",
  } as const;
  return <span className={`inline-flex items-center gap-1 rounded border px-1.5 py-0.5 text-xs ${styles[tone]}`}>{children}</span>;
}

function Notes({ notes, v }: { notes: unknown; v: View }) {
  const items = list(notes).map(obj).filter((n): n is Json => n !== undefined && str(n.text) !== undefined);
  if (items.length === 0) return null;
  return (
    <ul className="space-y-1">
      {items.map((note, i) => {
        const by = str(note.authorString) ?? referenceText(note.authorReference);
        const when = v.date(note.time);
        return (
          <li key={i}>
            <p className="whitespace-pre-line">{str(note.text)}</p>
            {by || when ? (
              <p className="text-xs text-ink-muted">
                {by}
                {by && when ? " · " : null}
                {when}
              </p>
            ) : null}
          </li>
        );
      })}
    </ul>
  );
}

/** The interpretation of a value: translated when it is a known flag; abnormal ones in red, and in words. */
function Interpretation({ concepts, v }: { concepts: unknown; v: View }) {
  const tf = useTranslations("fhirCodes");
  const items = list(concepts)
    .map((concept) => {
      const flag = conceptCode(concept);
      const text = flag && tf.has(`flag.${flag}`) ? tf(`flag.${flag}`) : conceptText(concept);
      return text ? { flag, text } : null;
    })
    .filter((item): item is { flag: string | undefined; text: string } => item !== null);
  if (items.length === 0) return null;
  return (
    <span className="inline-flex flex-wrap gap-1">
      {items.map((item, i) =>
        item.flag === undefined || item.flag === "N" ? (
          <Chip key={i} tone="neutral">{item.text}</Chip>
        ) : (
          <Chip key={i} tone="danger">
            <span aria-hidden="true">⚠</span>
            <span className="sr-only">{v.t("abnormal")}: </span>
            {item.text}
          </Chip>
        ),
      )}
    </span>
  );
}

function referenceRanges(ranges: unknown): string | undefined {
  const texts = list(ranges)
    .map((range) => {
      const r = obj(range);
      const span = rangeText(r);
      const text = str(r?.text);
      const applies = conceptText(r?.type) ?? conceptsText(r?.appliesTo);
      const main = span ?? text;
      if (!main) return undefined;
      const extra = [span ? text : undefined, applies].filter(Boolean).join(", ");
      return extra ? `${main} (${extra})` : main;
    })
    .filter((text): text is string => text !== undefined);
  return texts.length > 0 ? texts.join("; ") : undefined;
}

// ---- per type ---------------------------------------------------------------------------------------------------

/** `title` is the resource's main concept, shown as the heading line; `titleKeys` are the fields it shows. */
type Detail = { title: string | undefined; titleKeys: string[]; rows: (Row | null)[] };

function notesRow(r: Json, v: View): Row | null {
  return list(r.note).some((n) => str(obj(n)?.text) !== undefined) ? row(v.t("fields.note"), <Notes notes={r.note} v={v} />, "note") : null;
}

function observation(r: Json, v: View): Detail {
  const { t } = v;
  const value = v.choice(r, "value");
  const components = list(r.component).map(obj).filter((c): c is Json => c !== undefined);
  const componentList =
    components.length > 0 ? (
      <ul className="space-y-1">
        {components.map((c, i) => {
          const cv = v.choice(c, "value");
          const range = referenceRanges(c.referenceRange);
          return (
            <li key={i}>
              <span className="text-ink-muted">{conceptText(c.code) ?? t("component")}: </span>
              <span className="font-semibold">{cv?.node ?? conceptText(c.dataAbsentReason) ?? "—"}</span>{" "}
              <Interpretation concepts={c.interpretation} v={v} />
              {range ? <span className="block text-xs text-ink-muted">{t("fields.referenceRange")}: {range}</span> : null}
            </li>
          );
        })}
      </ul>
    ) : null;
  const interpretation = list(r.interpretation).some((c) => conceptText(c) !== undefined) ? <Interpretation concepts={r.interpretation} v={v} /> : null;
  const effective = v.choice(r, "effective");
  return {
    title: conceptText(r.code),
    titleKeys: ["code"],
    rows: [
      value ? row(t("fields.value"), <span className="text-base font-semibold">{value.node}</span>, value.key) : null,
      row(t("fields.dataAbsent"), conceptText(r.dataAbsentReason), "dataAbsentReason"),
      row(t("fields.interpretation"), interpretation, "interpretation"),
      row(t("fields.referenceRange"), referenceRanges(r.referenceRange), "referenceRange"),
      row(t("fields.components"), componentList, "component"),
      row(t("fields.status"), v.statusOf(r.status), "status"),
      row(t("fields.category"), conceptsText(r.category), "category"),
      effective ? row(t("fields.effective"), effective.node, effective.key) : null,
      row(t("fields.issued"), v.date(r.issued), "issued"),
      row(t("fields.bodySite"), conceptText(r.bodySite), "bodySite"),
      row(t("fields.method"), conceptText(r.method), "method"),
      row(t("fields.performer"), referencesText(r.performer), "performer"),
      notesRow(r, v),
    ],
  };
}

function condition(r: Json, v: View): Detail {
  const { t } = v;
  const onset = v.choice(r, "onset");
  const abatement = v.choice(r, "abatement");
  return {
    title: conceptText(r.code),
    titleKeys: ["code"],
    rows: [
      row(t("fields.clinicalStatus"), v.conceptStatus(r.clinicalStatus), "clinicalStatus"),
      row(t("fields.verificationStatus"), v.conceptStatus(r.verificationStatus, "verification"), "verificationStatus"),
      row(t("fields.severity"), conceptText(r.severity), "severity"),
      row(t("fields.category"), conceptsText(r.category), "category"),
      onset ? row(t("fields.onset"), onset.node, onset.key) : null,
      abatement ? row(t("fields.abatement"), abatement.node, abatement.key) : null,
      row(t("fields.bodySite"), conceptsText(r.bodySite), "bodySite"),
      row(t("fields.recordedDate"), v.date(r.recordedDate), "recordedDate"),
      notesRow(r, v),
    ],
  };
}

function allergy(r: Json, v: View): Detail {
  const { t } = v;
  const criticality = str(r.criticality);
  const onset = v.choice(r, "onset");
  const reactions = list(r.reaction).map(obj).filter((x): x is Json => x !== undefined);
  const reactionList =
    reactions.length > 0 ? (
      <ul className="space-y-1">
        {reactions.map((reaction, i) => {
          const severity = str(reaction.severity);
          return (
            <li key={i}>
              <span className="font-semibold">{conceptsText(reaction.manifestation) ?? str(reaction.description) ?? "—"}</span>
              {severity ? (
                <>
                  {" "}
                  <Chip tone={severity === "severe" ? "danger" : "neutral"}>
                    {severity === "severe" ? <span aria-hidden="true">⚠</span> : null}
                    {t("fields.reactionSeverity")}: {v.code("reactionSeverity", severity)}
                  </Chip>
                </>
              ) : null}
              {conceptText(reaction.substance) || v.date(reaction.onset) ? (
                <span className="block text-xs text-ink-muted">
                  {conceptText(reaction.substance)}
                  {conceptText(reaction.substance) && reaction.onset ? " · " : null}
                  {v.date(reaction.onset)}
                </span>
              ) : null}
            </li>
          );
        })}
      </ul>
    ) : null;
  return {
    title: conceptText(r.code),
    titleKeys: ["code"],
    rows: [
      criticality
        ? row(
            t("fields.criticality"),
            <Chip tone={criticality === "high" ? "danger" : "neutral"}>
              {criticality === "high" ? <span aria-hidden="true">⚠</span> : null}
              {v.criticality(criticality)}
            </Chip>,
            "criticality",
          )
        : null,
      row(t("fields.allergyType"), v.codeOf("allergyType", r.type), "type"),
      row(
        t("fields.category"),
        list(r.category).filter((c): c is string => typeof c === "string").map((c) => v.code("allergyCategory", c)).join(", "),
        "category",
      ),
      row(t("fields.reactions"), reactionList, "reaction"),
      row(t("fields.clinicalStatus"), v.conceptStatus(r.clinicalStatus), "clinicalStatus"),
      row(t("fields.verificationStatus"), v.conceptStatus(r.verificationStatus, "verification"), "verificationStatus"),
      onset ? row(t("fields.onset"), onset.node, onset.key) : null,
      row(t("fields.lastOccurrence"), v.date(r.lastOccurrence), "lastOccurrence"),
      row(t("fields.recordedDate"), v.date(r.recordedDate), "recordedDate"),
      notesRow(r, v),
    ],
  };
}

function timingText(timing: unknown, v: View): string | undefined {
  const tm = obj(timing);
  if (!tm) return undefined;
  const repeat = obj(tm.repeat);
  const period = num(repeat?.period);
  const unit = str(repeat?.periodUnit);
  const parts = [
    conceptText(tm.code),
    period !== undefined && unit
      ? v.t("timing", { frequency: num(repeat?.frequency) ?? 1, period, periodUnit: unit })
      : undefined,
    list(repeat?.when).filter((w): w is string => typeof w === "string").join(", ") || undefined,
    list(repeat?.timeOfDay).filter((w): w is string => typeof w === "string").join(", ") || undefined,
  ].filter((part): part is string => part !== undefined);
  return parts.length > 0 ? parts.join(" · ") : undefined;
}

function doseText(dosage: Json): string | undefined {
  const doses = list(dosage.doseAndRate)
    .map(obj)
    .map((d) => quantityText(d?.doseQuantity) ?? rangeText(d?.doseRange))
    .filter((d): d is string => d !== undefined);
  return doses.length > 0 ? doses.join(", ") : undefined;
}

function dosageRows(dosage: Json, v: View): (Row | null)[] {
  const { t } = v;
  return [
    row(t("fields.dosageText"), str(dosage.text), "text"),
    row(t("fields.dose"), doseText(dosage), "doseAndRate"),
    row(t("fields.route"), conceptText(dosage.route), "route"),
    row(t("fields.timing"), timingText(dosage.timing, v), "timing"),
    row(t("fields.asNeeded"), dosage.asNeededBoolean === true ? t("yes") : conceptText(dosage.asNeededCodeableConcept), "asNeeded"),
    row(t("fields.patientInstruction"), str(dosage.patientInstruction), "patientInstruction"),
    row(t("fields.site"), conceptText(dosage.site), "site"),
  ];
}

function medication(r: Json, v: View): Detail {
  const { t } = v;
  const dosageKey = r.resourceType === "MedicationRequest" ? "dosageInstruction" : "dosage";
  const dosages = list(r[dosageKey]).map(obj).filter((d): d is Json => d !== undefined);
  const effective = v.choice(r, "effective");
  const dosageFacts: (Row | null)[] =
    dosages.length === 1
      ? dosageRows(dosages[0]!, v).map((x) => (x ? { ...x, keys: [dosageKey] } : null))
      : [
          row(
            t("fields.dosage"),
            dosages.length > 0 ? (
              <ol className="list-decimal space-y-2 pl-5">
                {dosages.map((d, i) => (
                  <li key={i}>
                    <Facts rows={dosageRows(d, v).filter((x): x is Row => x !== null)} />
                  </li>
                ))}
              </ol>
            ) : null,
            dosageKey,
          ),
        ];
  const medicationName = conceptText(r.medicationCodeableConcept) ?? referenceText(r.medicationReference);
  return {
    title: medicationName,
    titleKeys: ["medicationCodeableConcept", "medicationReference"],
    rows: [
      row(t("fields.status"), v.statusOf(r.status), "status"),
      row(t("fields.statusReason"), conceptsText(r.statusReason) ?? conceptText(r.statusReason), "statusReason"),
      row(t("fields.intent"), v.codeOf("intent", r.intent), "intent"),
      ...dosageFacts,
      row(t("fields.authoredOn"), v.date(r.authoredOn), "authoredOn"),
      effective ? row(t("fields.effective"), effective.node, effective.key) : null,
      row(t("fields.dateAsserted"), v.date(r.dateAsserted), "dateAsserted"),
      row(t("fields.requester"), referenceText(r.requester), "requester"),
      row(t("fields.reason"), conceptsText(r.reasonCode), "reasonCode"),
      row(t("fields.reasonReference"), referencesText(r.reasonReference), "reasonReference"),
      notesRow(r, v),
    ],
  };
}

function immunization(r: Json, v: View): Detail {
  const { t } = v;
  const occurrence = v.choice(r, "occurrence");
  const protocols = list(r.protocolApplied).map(obj).filter((p): p is Json => p !== undefined);
  const doses = protocols
    .map((p) => {
      const dose = num(p.doseNumberPositiveInt) ?? str(p.doseNumberString);
      const series = num(p.seriesDosesPositiveInt) ?? str(p.seriesDosesString);
      if (dose === undefined) return undefined;
      return series === undefined ? t("doseNumber", { dose: String(dose) }) : t("doseOfSeries", { dose: String(dose), series: String(series) });
    })
    .filter((d): d is string => d !== undefined);
  return {
    title: conceptText(r.vaccineCode),
    titleKeys: ["vaccineCode"],
    rows: [
      row(t("fields.status"), v.statusOf(r.status), "status"),
      row(t("fields.statusReason"), conceptText(r.statusReason), "statusReason"),
      occurrence ? row(t("fields.occurrence"), occurrence.node, occurrence.key) : null,
      row(t("fields.doseNumber"), doses.length > 0 ? doses.join(", ") : null, "protocolApplied"),
      row(t("fields.lotNumber"), str(r.lotNumber), "lotNumber"),
      row(t("fields.expirationDate"), v.date(r.expirationDate), "expirationDate"),
      row(t("fields.site"), conceptText(r.site), "site"),
      row(t("fields.route"), conceptText(r.route), "route"),
      row(t("fields.dose"), quantityText(r.doseQuantity), "doseQuantity"),
      row(t("fields.manufacturer"), referenceText(r.manufacturer), "manufacturer"),
      row(t("fields.performer"), referencesText(list(r.performer).map((p) => obj(p)?.actor)), "performer"),
      notesRow(r, v),
    ],
  };
}

function procedure(r: Json, v: View): Detail {
  const { t } = v;
  const performed = v.choice(r, "performed");
  return {
    title: conceptText(r.code),
    titleKeys: ["code"],
    rows: [
      row(t("fields.status"), v.statusOf(r.status), "status"),
      performed ? row(t("fields.performed"), performed.node, performed.key) : null,
      row(t("fields.category"), conceptText(r.category), "category"),
      row(t("fields.bodySite"), conceptsText(r.bodySite), "bodySite"),
      row(t("fields.outcome"), conceptText(r.outcome), "outcome"),
      row(t("fields.reason"), conceptsText(r.reasonCode), "reasonCode"),
      row(t("fields.performer"), referencesText(list(r.performer).map((p) => obj(p)?.actor)), "performer"),
      row(t("fields.complication"), conceptsText(r.complication), "complication"),
      row(t("fields.followUp"), conceptsText(r.followUp), "followUp"),
      notesRow(r, v),
    ],
  };
}

const STORED_RECORD = /^[A-Z][A-Za-z]+\/([0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12})$/;

/**
 * A report's results, each a link to the stored record it names (intake resolves them to `<Type>/<record id>`), as a
 * link relative to this record's own page: `…/records/<id>` is a sibling. Anything else is shown as text.
 */
function ResultLinks({ results, label }: { results: unknown[]; label: string }) {
  return (
    <>
      <span>{label}</span>
      <ul className="mt-1 list-disc pl-5">
        {results.map((result, i) => {
          const ref = str(obj(result)?.reference);
          const id = ref ? STORED_RECORD.exec(ref)?.[1] : undefined;
          const text = referenceText(result) ?? ref ?? "?";
          return (
            <li key={i} data-result-reference={ref ?? ""}>
              {id ? (
                <a href={id} className="text-brand hover:underline">
                  {text}
                </a>
              ) : (
                text
              )}
            </li>
          );
        })}
      </ul>
    </>
  );
}

function diagnosticReport(r: Json, v: View, attachments: AttachmentCheck[]): Detail {
  const { t } = v;
  const effective = v.choice(r, "effective");
  const results = list(r.result).length;
  return {
    title: conceptText(r.code),
    titleKeys: ["code"],
    rows: [
      row(t("fields.status"), v.statusOf(r.status), "status"),
      row(t("fields.category"), conceptsText(r.category), "category"),
      effective ? row(t("fields.effective"), effective.node, effective.key) : null,
      row(t("fields.issued"), v.date(r.issued), "issued"),
      row(t("fields.conclusion"), str(r.conclusion) ? <p className="whitespace-pre-line">{str(r.conclusion)}</p> : null, "conclusion"),
      row(t("fields.conclusionCode"), conceptsText(r.conclusionCode), "conclusionCode"),
      row(t("fields.results"), results > 0 ? <ResultLinks results={list(r.result)} label={t("resultCount", { count: results })} /> : null, "result"),
      row(t("fields.performer"), referencesText(r.performer), "performer"),
      row(
        t("fields.attachments"),
        list(r.presentedForm).length > 0 ? <Attachments attachments={list(r.presentedForm)} checks={attachments} /> : null,
        "presentedForm",
      ),
    ],
  };
}

function encounter(r: Json, v: View): Detail {
  const { t } = v;
  const cls = obj(r.class);
  const classCode = str(cls?.code);
  const classText = classCode && v.hasCode("encounterClass", classCode) ? v.code("encounterClass", classCode) : (str(cls?.display) ?? classCode);
  return {
    title: conceptsText(r.type),
    titleKeys: ["type"],
    rows: [
      row(t("fields.status"), v.statusOf(r.status), "status"),
      row(t("fields.class"), classText, "class"),
      row(t("fields.period"), v.period(r.period), "period"),
      row(t("fields.reason"), conceptsText(r.reasonCode), "reasonCode"),
      row(t("fields.reasonReference"), referencesText(r.reasonReference), "reasonReference"),
      row(t("fields.serviceProvider"), referenceText(r.serviceProvider), "serviceProvider"),
      row(t("fields.location"), referencesText(list(r.location).map((l) => obj(l)?.location)), "location"),
      row(t("fields.dischargeDisposition"), conceptText(obj(r.hospitalization)?.dischargeDisposition), "hospitalization"),
    ],
  };
}

function documentReference(r: Json, v: View, attachments: AttachmentCheck[]): Detail {
  const { t } = v;
  const contents = list(r.content).map((c) => obj(c)?.attachment);
  return {
    title: conceptText(r.type),
    titleKeys: ["type"],
    rows: [
      row(t("fields.category"), conceptsText(r.category), "category"),
      row(t("fields.description"), str(r.description), "description"),
      row(t("fields.date"), v.date(r.date), "date"),
      row(t("fields.status"), v.statusOf(r.status), "status"),
      row(t("fields.docStatus"), v.statusOf(r.docStatus), "docStatus"),
      row(t("fields.author"), referencesText(r.author), "author"),
      row(t("fields.period"), v.period(obj(r.context)?.period), "context"),
      row(t("fields.attachments"), contents.length > 0 ? <Attachments attachments={contents} checks={attachments} /> : null, "content"),
    ],
  };
}

// ---- attachments ------------------------------------------------------------------------------------------------

const attachmentMarks: Record<AttachmentCheck["state"] | "unchecked", string> = {
  match: "✓",
  mismatch: "⚠",
  invalid: "⚠",
  unhashed: "–",
  external: "↗",
  unchecked: "?",
};

/**
 * Each attachment with what its integrity check found (computed by the caller with checkAttachments). An attachment
 * the checks do not cover is shown as not checked, never as matching.
 */
function Attachments({ attachments, checks }: { attachments: unknown[]; checks: AttachmentCheck[] }) {
  const t = useTranslations("fhirView");
  return (
    <ul className="space-y-2">
      {attachments.map((attachment, index) => {
        const a = obj(attachment);
        const check = checks.find((c) => c.index === index);
        const state = check?.state ?? "unchecked";
        const title = check?.title ?? str(a?.title) ?? t("attachmentNumber", { number: index + 1 });
        const contentType = check?.contentType ?? str(a?.contentType);
        const size = check ? check.size : (num(a?.size) ?? null);
        const bad = state === "mismatch" || state === "invalid";
        return (
          <li
            key={index}
            data-attachment-state={state}
            className={`rounded-md border p-2 ${bad ? "border-danger bg-danger-soft" : "border-line bg-surface"}`}
          >
            <p className="break-words font-medium text-ink">{title}</p>
            {contentType || size !== null ? (
              <p className="text-xs text-ink-muted">
                {contentType}
                {contentType && size !== null ? " · " : null}
                {size !== null ? t("sizeBytes", { size }) : null}
              </p>
            ) : null}
            <p
              className={`mt-1 inline-flex items-center gap-1 text-xs ${
                bad ? "font-semibold text-danger" : state === "match" ? "font-semibold text-ok" : "text-ink-muted"
              }`}
            >
              <span aria-hidden="true">{attachmentMarks[state]}</span>
              {t(`attachment.${state}`)}
            </p>
            {bad ? <p className="text-xs text-danger">{t("attachment.mismatchAdvice")}</p> : null}
          </li>
        );
      })}
    </ul>
  );
}

// ---- the structured fallback ------------------------------------------------------------------------------------

/** The common data types read as in the typed views: a concept as its text, a reference as its display, and so on. */
function compact(value: Json, v: View): ReactNode {
  const keys = Object.keys(value);
  const only = (...allowed: string[]) => keys.length > 0 && keys.every((key) => allowed.includes(key));
  if (only("coding", "text")) return conceptText(value) ?? null;
  if (only("system", "code", "display", "version", "userSelected")) return str(value.display) ?? str(value.code) ?? null;
  if (only("reference", "display", "type")) return str(value.display) ?? str(value.reference) ?? null;
  if (only("value", "unit", "system", "code", "comparator")) return quantityText(value) ?? null;
  if (only("start", "end")) return v.period(value);
  return null;
}

function Structured({ value, depth, v }: { value: unknown; depth: number; v: View }) {
  const { t } = v;
  if (value === null || value === undefined) return <span className="text-ink-muted">—</span>;
  if (typeof value === "string") {
    const long = value.length > MAX_STRING;
    return (
      <span className="whitespace-pre-wrap break-words">
        {long ? `${value.slice(0, MAX_STRING)}…` : value}
        {long ? <span className="text-xs text-ink-muted"> {t("truncated", { count: value.length })}</span> : null}
      </span>
    );
  }
  if (typeof value === "number") return <>{String(value)}</>;
  if (typeof value === "boolean") return <>{value ? t("yes") : t("no")}</>;
  if (typeof value !== "object") return <>{String(value)}</>;
  if (depth >= MAX_DEPTH) return <span className="text-xs text-ink-muted">{t("tooDeep")}</span>;
  if (Array.isArray(value)) {
    if (value.length === 0) return <span className="text-ink-muted">—</span>;
    return (
      <ol className="list-decimal space-y-1 pl-5">
        {value.slice(0, MAX_ITEMS).map((item, i) => (
          <li key={i}>
            <Structured value={item} depth={depth + 1} v={v} />
          </li>
        ))}
        {value.length > MAX_ITEMS ? <li className="list-none text-xs text-ink-muted">{t("moreItems", { count: value.length - MAX_ITEMS })}</li> : null}
      </ol>
    );
  }
  const short = compact(value as Json, v);
  if (short !== null) return <>{short}</>;
  const entries = Object.entries(value as Json);
  if (entries.length === 0) return <span className="text-ink-muted">—</span>;
  return <StructuredEntries entries={entries} depth={depth} v={v} />;
}

function StructuredEntries({ entries, depth, v }: { entries: [string, unknown][]; depth: number; v: View }) {
  const { t } = v;
  const shown = entries.slice(0, MAX_ITEMS);
  return (
    <>
      <dl className={`grid grid-cols-1 gap-x-4 gap-y-1 sm:grid-cols-[minmax(7rem,max-content)_minmax(0,1fr)] ${depth > 0 ? "border-l border-line pl-3" : ""}`}>
        {shown.map(([key, item]) => (
          <Fragment key={key}>
            <dt className="font-medium text-ink-muted">{humanise(key)}</dt>
            <dd className="min-w-0 break-words pb-1 text-ink sm:pb-0">
              {key === "status" && typeof item === "string" ? v.status(item) : <Structured value={item} depth={depth + 1} v={v} />}
            </dd>
          </Fragment>
        ))}
      </dl>
      {entries.length > MAX_ITEMS ? <p className="text-xs text-ink-muted">{t("moreItems", { count: entries.length - MAX_ITEMS })}</p> : null}
    </>
  );
}

// ---- the view ---------------------------------------------------------------------------------------------------

function detailFor(r: Json, v: View, attachments: AttachmentCheck[]): Detail | null {
  switch (r.resourceType) {
    case "Observation":
      return observation(r, v);
    case "Condition":
      return condition(r, v);
    case "AllergyIntolerance":
      return allergy(r, v);
    case "MedicationStatement":
    case "MedicationRequest":
      return medication(r, v);
    case "Immunization":
      return immunization(r, v);
    case "Procedure":
      return procedure(r, v);
    case "DiagnosticReport":
      return diagnosticReport(r, v, attachments);
    case "Encounter":
      return encounter(r, v);
    case "DocumentReference":
      return documentReference(r, v, attachments);
    default:
      return null;
  }
}

/**
 * A readable rendering of one FHIR R4 resource. `attachments` is `checkAttachments(resource)` (lib/fhir/attachment),
 * computed where node:crypto is at hand. Renders on the server; needs no client JavaScript (the toggles are
 * `<details>`).
 */
export function FhirResourceView({ resource, attachments }: { resource: Record<string, unknown>; attachments: AttachmentCheck[] }) {
  const v = useView();
  const { t } = v;
  const detail = detailFor(resource, v, attachments);
  const rows = (detail?.rows ?? []).filter((x): x is Row => x !== null);
  const handled = new Set([...rows.flatMap((x) => x.keys), ...(detail?.title ? detail.titleKeys : [])]);
  const rest = Object.entries(resource).filter(([key]) => !OMITTED.has(key) && !handled.has(key));
  const narrative = narrativeText(obj(resource.text)?.div);
  const json = JSON.stringify(resource, null, 2);

  return (
    <div className="space-y-3 text-sm text-ink" data-fhir-type={typeof resource.resourceType === "string" ? resource.resourceType : undefined}>
      {detail ? (
        <>
          {detail.title ? <p className="break-words text-base font-semibold text-ink">{detail.title}</p> : null}
          <Facts rows={rows} />
          {rest.length > 0 ? (
            <details className="rounded-md border border-line bg-surface">
              <summary className="cursor-pointer px-3 py-2 font-medium text-ink">
                {t("otherFields", { count: rest.length })}
              </summary>
              <div className="border-t border-line px-3 py-2">
                <StructuredEntries entries={rest} depth={0} v={v} />
              </div>
            </details>
          ) : null}
        </>
      ) : rest.length > 0 ? (
        <StructuredEntries entries={rest} depth={0} v={v} />
      ) : (
        <p className="text-ink-muted">{t("empty")}</p>
      )}
      {narrative ? (
        <details className="rounded-md border border-line bg-surface">
          <summary className="cursor-pointer px-3 py-2 font-medium text-ink">{t("narrative")}</summary>
          <p className="whitespace-pre-line break-words border-t border-line px-3 py-2 text-ink">{narrative}</p>
        </details>
      ) : null}
      <details className="rounded-md border border-line bg-surface">
        <summary className="cursor-pointer px-3 py-2 font-medium text-ink">{t("rawJson")}</summary>
        {/* Focusable so that its scrolled content can be reached from the keyboard. */}
        <pre tabIndex={0} className="max-h-96 overflow-auto whitespace-pre-wrap break-all border-t border-line bg-surface-muted px-3 py-2 font-mono text-xs text-ink">
          {json}
        </pre>
      </details>
    </div>
  );
}
