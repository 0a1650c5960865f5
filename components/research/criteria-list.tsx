"use client";

import { useTranslations } from "next-intl";
import type { CohortCriteria } from "@/lib/dto/research";

/** Criteria as a definition list (codes, ranges and words only). */
export function CriteriaList({ criteria, study }: { criteria: CohortCriteria; study: { code: string; title: string } | null }) {
  const t = useTranslations("research.builder");
  const tTypes = useTranslations("research.recordTypes");
  const tSex = useTranslations("common.sex");
  const rows: [string, string][] = [];
  rows.push([t("study"), study ? `${study.code} · ${study.title}` : t("noStudy")]);
  if (criteria.conditions.length) rows.push([t("conditions"), criteria.conditions.join(", ")]);
  for (const o of criteria.observations) rows.push([t("observation"), `${o.code}${o.min !== undefined || o.max !== undefined ? ` (${o.min ?? "…"} – ${o.max ?? "…"})` : ""}`]);
  if (criteria.medications.length) rows.push([t("medications"), criteria.medications.join(", ")]);
  if (criteria.ageMin !== undefined || criteria.ageMax !== undefined) rows.push([`${t("ageMin")} – ${t("ageMax")}`, `${criteria.ageMin ?? "…"} – ${criteria.ageMax ?? "…"}`]);
  if (criteria.sex) rows.push([t("sex"), tSex(criteria.sex)]);
  if (criteria.from || criteria.to) rows.push([`${t("from")} – ${t("to")}`, `${criteria.from ?? "…"} – ${criteria.to ?? "…"}`]);
  if (criteria.types.length) rows.push([t("types"), criteria.types.map((x) => tTypes(x)).join(", ")]);
  return (
    <>
    <dl className="grid gap-x-4 gap-y-1 text-sm sm:grid-cols-[max-content_1fr]">
      {rows.map(([k, v]) => (
        <div key={k} className="contents">
          <dt className="font-semibold">{k}</dt>
          <dd className="break-words">{v}</dd>
        </div>
      ))}
    </dl>
    {rows.length === 1 ? <p className="mt-1 text-sm text-ink-muted">{t("noCriteria")}</p> : null}
    </>
  );
}
