"use client";

import Link from "next/link";
import { useRouter } from "next/navigation";
import { useState, useTransition, type FormEvent } from "react";
import { useTranslations } from "next-intl";
import { COHORT_RECORD_TYPES, COHORT_SEXES, criteriaToSearchParams, type CohortCriteria } from "@/lib/research/criteria";
import type { CodeLookupDto, StudyOptionDto } from "@/lib/dto/research";
import { inputClass } from "@/components/ui/form-bits";
import { CodePicker } from "./code-picker";

const split = (text: string) =>
  text
    .split(",")
    .map((s) => s.trim())
    .filter(Boolean);

const numberOrUndefined = (text: string) => (text.trim() === "" || !Number.isFinite(Number(text)) ? undefined : Number(text));

function Labelled({ id, label, hint, children }: { id: string; label: string; hint?: string; children: React.ReactNode }) {
  return (
    <div>
      <label htmlFor={id} className="mb-1 block text-sm font-semibold">
        {label}
      </label>
      {children}
      {hint ? (
        <p id={`${id}-hint`} className="mt-1 text-xs text-ink-muted">
          {hint}
        </p>
      ) : null}
    </div>
  );
}

/**
 * The builder's criteria. Submitting writes them to the URL (criteria are codes and ranges, never PHI), and the page
 * counts what the URL says: a count can be bookmarked, shared and reloaded, and is logged each time it is computed.
 */
export function CohortBuilder({ criteria, studyId, studies, codes }: { criteria: CohortCriteria; studyId: string | null; studies: StudyOptionDto[]; codes: CodeLookupDto }) {
  const t = useTranslations("research.builder");
  const tTypes = useTranslations("research.recordTypes");
  const tSex = useTranslations("common.sex");
  const router = useRouter();
  const [pending, startTransition] = useTransition();
  const obs = criteria.observations[0];
  const [form, setForm] = useState({
    study: studyId ?? "",
    conditions: criteria.conditions.join(", "),
    obsCode: obs?.code ?? "",
    obsMin: obs?.min?.toString() ?? "",
    obsMax: obs?.max?.toString() ?? "",
    medications: criteria.medications.join(", "),
    ageMin: criteria.ageMin?.toString() ?? "",
    ageMax: criteria.ageMax?.toString() ?? "",
    sex: criteria.sex ?? "",
    from: criteria.from ?? "",
    to: criteria.to ?? "",
    types: new Set<string>(criteria.types),
  });
  const set = (key: keyof typeof form) => (e: { target: { value: string } }) => setForm((f) => ({ ...f, [key]: e.target.value }));
  const append = (key: "conditions" | "medications") => (value: string) =>
    setForm((f) => (split(f[key]).includes(value) ? f : { ...f, [key]: [...split(f[key]), value].join(", ") }));

  const submit = (e: FormEvent) => {
    e.preventDefault();
    const next: CohortCriteria = {
      conditions: split(form.conditions),
      observations: form.obsCode.trim() ? [{ code: form.obsCode.trim(), min: numberOrUndefined(form.obsMin), max: numberOrUndefined(form.obsMax) }] : [],
      medications: split(form.medications),
      ageMin: numberOrUndefined(form.ageMin),
      ageMax: numberOrUndefined(form.ageMax),
      sex: (COHORT_SEXES as readonly string[]).includes(form.sex) ? (form.sex as CohortCriteria["sex"]) : undefined,
      from: form.from || undefined,
      to: form.to || undefined,
      types: COHORT_RECORD_TYPES.filter((type) => form.types.has(type)),
    };
    const params = criteriaToSearchParams(next);
    if (form.study) params.set("study", form.study);
    startTransition(() => router.push(`/research/cohorts${params.size ? `?${params}` : ""}`));
  };

  return (
    <form onSubmit={submit} aria-busy={pending} className="space-y-4 rounded-lg border border-line bg-surface p-4">
      <h2 className="text-lg font-semibold">{t("criteria")}</h2>
      <Labelled id="cb-study" label={t("study")} hint={t("studyHint")}>
        <select id="cb-study" aria-describedby="cb-study-hint" className={inputClass} value={form.study} onChange={set("study")}>
          <option value="">{t("noStudy")}</option>
          {studies.map((s) => (
            <option key={s.id} value={s.id}>
              {s.code} · {s.title}
            </option>
          ))}
        </select>
      </Labelled>
      <Labelled id="cb-conditions" label={t("conditions")} hint={t("conditionsHint")}>
        <input id="cb-conditions" aria-describedby="cb-conditions-hint" className={inputClass} maxLength={400} value={form.conditions} onChange={set("conditions")} />
      </Labelled>
      <CodePicker options={codes.conditions} label={t("conditions")} onPick={append("conditions")} />
      <div className="grid gap-3 sm:grid-cols-3">
        <Labelled id="cb-obs" label={t("observation")} hint={t("observationHint")}>
          <input id="cb-obs" aria-describedby="cb-obs-hint" className={inputClass} maxLength={32} value={form.obsCode} onChange={set("obsCode")} />
        </Labelled>
        <Labelled id="cb-obs-min" label={t("min")}>
          <input id="cb-obs-min" type="number" step="any" className={inputClass} value={form.obsMin} onChange={set("obsMin")} />
        </Labelled>
        <Labelled id="cb-obs-max" label={t("max")}>
          <input id="cb-obs-max" type="number" step="any" className={inputClass} value={form.obsMax} onChange={set("obsMax")} />
        </Labelled>
      </div>
      <CodePicker options={codes.observations} label={t("observation")} onPick={(value) => setForm((f) => ({ ...f, obsCode: value }))} />
      <Labelled id="cb-meds" label={t("medications")} hint={t("medicationsHint")}>
        <input id="cb-meds" aria-describedby="cb-meds-hint" className={inputClass} maxLength={400} value={form.medications} onChange={set("medications")} />
      </Labelled>
      <CodePicker options={codes.medications} label={t("medications")} onPick={append("medications")} />
      <div className="grid gap-3 sm:grid-cols-3">
        <Labelled id="cb-age-min" label={t("ageMin")}>
          <input id="cb-age-min" type="number" min={0} max={130} className={inputClass} value={form.ageMin} onChange={set("ageMin")} />
        </Labelled>
        <Labelled id="cb-age-max" label={t("ageMax")}>
          <input id="cb-age-max" type="number" min={0} max={130} className={inputClass} value={form.ageMax} onChange={set("ageMax")} />
        </Labelled>
        <Labelled id="cb-sex" label={t("sex")}>
          <select id="cb-sex" className={inputClass} value={form.sex} onChange={set("sex")}>
            <option value="">{t("anySex")}</option>
            {COHORT_SEXES.map((s) => (
              <option key={s} value={s}>
                {tSex(s)}
              </option>
            ))}
          </select>
        </Labelled>
      </div>
      <div className="grid gap-3 sm:grid-cols-2">
        <Labelled id="cb-from" label={t("from")}>
          <input id="cb-from" type="date" className={inputClass} value={form.from} onChange={set("from")} />
        </Labelled>
        <Labelled id="cb-to" label={t("to")}>
          <input id="cb-to" type="date" className={inputClass} value={form.to} onChange={set("to")} />
        </Labelled>
      </div>
      <fieldset>
        <legend className="mb-1 text-sm font-semibold">{t("types")}</legend>
        <p className="mb-2 text-xs text-ink-muted">{t("typesHint")}</p>
        <div className="flex flex-wrap gap-x-4 gap-y-2">
          {COHORT_RECORD_TYPES.map((type) => (
            <label key={type} className="inline-flex items-center gap-2 text-sm">
              <input
                type="checkbox"
                checked={form.types.has(type)}
                onChange={(e) =>
                  setForm((f) => {
                    const types = new Set(f.types);
                    if (e.target.checked) types.add(type);
                    else types.delete(type);
                    return { ...f, types };
                  })
                }
              />
              {tTypes(type)}
            </label>
          ))}
        </div>
      </fieldset>
      <div className="flex flex-wrap gap-3">
        <button type="submit" disabled={pending} className="rounded bg-brand px-4 py-2 text-sm font-semibold text-white hover:bg-brand-strong disabled:opacity-60">
          {t("count")}
        </button>
        <Link href="/research/cohorts" className="rounded border border-line-strong px-4 py-2 text-sm font-semibold text-ink hover:bg-surface-muted">
          {t("reset")}
        </Link>
      </div>
    </form>
  );
}
