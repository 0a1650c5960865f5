"use client";

import { useId, useState } from "react";
import { useTranslations } from "next-intl";
import type { CodeOptionDto } from "@/lib/dto/research";
import { inputClass } from "@/components/ui/form-bits";

const SYSTEM_NAMES: Readonly<Record<string, string>> = {
  "http://snomed.info/sct": "SNOMED CT",
  "http://loinc.org": "LOINC",
  "http://www.nlm.nih.gov/research/umls/rxnorm": "RxNorm",
  "http://hl7.org/fhir/sid/icd-10": "ICD-10",
};

/**
 * A code look-up beside a criterion: search the codes the research-covered records carry (by name or code) and add
 * one. The list comes from the server, already limited to codes held by enough patients to be shown.
 */
export function CodePicker({ options, label, onPick }: { options: readonly CodeOptionDto[]; label: string; onPick: (value: string) => void }) {
  const t = useTranslations("research.builder");
  const id = useId();
  const [query, setQuery] = useState("");
  const q = query.trim().toLowerCase();
  const matches = (q ? options.filter((o) => o.display.toLowerCase().includes(q) || o.value.toLowerCase().includes(q)) : options).slice(0, 8);
  return (
    <details className="mt-1 text-sm">
      <summary className="cursor-pointer text-brand underline">{t("lookUp", { what: label })}</summary>
      <div className="mt-2 space-y-2 rounded border border-line bg-surface-muted p-2">
        <label htmlFor={id} className="block text-xs font-semibold">
          {t("lookUpSearch")}
        </label>
        <input id={id} type="search" className={inputClass} value={query} onChange={(e) => setQuery(e.target.value)} maxLength={80} autoComplete="off" />
        {matches.length === 0 ? (
          <p className="text-xs text-ink-muted">{options.length === 0 ? t("lookUpNone") : t("lookUpNoMatch")}</p>
        ) : (
          <ul className="divide-y divide-line" data-code-options>
            {matches.map((o) => (
              <li key={`${o.system ?? "text"}|${o.value}`} className="flex items-center justify-between gap-2 py-1">
                <span>
                  <span className="font-semibold">{o.display}</span>{" "}
                  <span className="text-xs text-ink-muted">{o.system ? `${SYSTEM_NAMES[o.system] ?? o.system} ${o.value}` : t("lookUpText")}</span>
                </span>
                <button
                  type="button"
                  className="shrink-0 rounded border border-line-strong bg-surface px-2 py-0.5 text-xs font-semibold hover:bg-surface-muted"
                  aria-label={t("lookUpAdd", { name: o.display })}
                  onClick={() => onPick(o.value)}
                >
                  {t("lookUpAddShort")}
                </button>
              </li>
            ))}
          </ul>
        )}
      </div>
    </details>
  );
}
