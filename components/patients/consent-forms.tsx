"use client";

import { useTranslations } from "next-intl";
import { useActionState, useState } from "react";
import { grantConsentAction, revokeConsentAction } from "@/lib/actions/consents";
import type { FormState } from "@/lib/dto/admin";
import { CONSENT_RECORD_CLASSES, type ConsentTargetsDto } from "@/lib/dto/consents";
import { ConfirmSubmit, Field, Notice, SubmitButton } from "@/components/ui/form-bits";

const idle = { status: "idle" } as const;

/** Case- and space-insensitive containment, so "lee seo" finds "이서연 Lee Seo-yeon" and "내과" finds the department. */
function matching<T>(items: readonly T[], query: string, text: (item: T) => string): T[] {
  const fold = (s: string) => s.normalize("NFC").toLowerCase().replace(/[\s-]+/g, "");
  const q = fold(query);
  return q ? items.filter((item) => fold(text(item)).includes(q)) : [...items];
}

/** Give a consent. Controlled, so a refused submission keeps every choice made. */
export function GrantConsentForm({ targets }: { targets: ConsentTargetsDto }) {
  const t = useTranslations("consents");
  const tr = useTranslations("resourceTypes");
  const [state, action] = useActionState(grantConsentAction, idle as FormState);
  const [scope, setScope] = useState<"TREATMENT" | "RESEARCH">("TREATMENT");
  const [grantee, setGrantee] = useState("");
  const [search, setSearch] = useState("");
  const departments = matching(targets.departments, search, (d) => d.name);
  const doctors = matching(targets.doctors, search, (d) => `${d.name} ${d.department ?? ""}`);
  const [classes, setClasses] = useState<string[]>([]);
  const [dataFrom, setDataFrom] = useState("");
  const [dataUntil, setDataUntil] = useState("");
  const [validUntil, setValidUntil] = useState("");
  const error = (field: string) => {
    const key = state.status === "error" ? state.fieldErrors[field] : undefined;
    return key ? t(`errors.${key}`) : null;
  };
  const toggle = (c: string) => setClasses((now) => (now.includes(c) ? now.filter((x) => x !== c) : [...now, c]));

  return (
    <form action={action} className="space-y-5" noValidate>
      {state.status === "error" && state.formError ? <Notice tone="danger">{t(`errors.${state.formError}`)}</Notice> : null}
      {state.status === "success" ? <Notice tone="ok">{t("granted")}</Notice> : null}
      <fieldset>
        <legend className="mb-2 text-sm font-semibold">{t("purpose")}</legend>
        <div className="flex flex-wrap gap-4">
          {(["TREATMENT", "RESEARCH"] as const).map((s) => (
            <label key={s} className="flex items-center gap-2 text-sm">
              <input
                type="radio"
                name="scope"
                value={s}
                checked={scope === s}
                onChange={() => {
                  setScope(s);
                  setGrantee("");
                  setSearch("");
                }}
              />
              {t(`scopes.${s}`)}
            </label>
          ))}
        </div>
        <p className="mt-1 text-xs text-ink-muted">{scope === "TREATMENT" ? t("treatmentHint") : t("researchHint")}</p>
      </fieldset>

      {scope === "TREATMENT" ? (
        <div>
          <label htmlFor="grantee-search" className="mb-1 block text-sm font-semibold">
            {t("searchGrantee")}
          </label>
          <input
            id="grantee-search"
            type="search"
            className="w-full rounded border border-line-strong bg-surface px-3 py-2"
            value={search}
            maxLength={80}
            autoComplete="off"
            aria-describedby="grantee-search-hint"
            onChange={(e) => {
              setSearch(e.target.value);
              // The only match is chosen; a choice the search hides is cleared, so nobody grants what they cannot see.
              const next = e.target.value;
              const visible = [...matching(targets.departments, next, (d) => d.name).map((d) => `department:${d.id}`), ...matching(targets.doctors, next, (d) => `${d.name} ${d.department ?? ""}`).map((d) => `staff:${d.id}`)];
              if (visible.length === 1) setGrantee(visible[0]!);
              else if (!visible.includes(grantee)) setGrantee("");
            }}
          />
          <p id="grantee-search-hint" className="mt-1 text-xs text-ink-muted">
            {t("searchGranteeHint", { count: departments.length + doctors.length })}
          </p>
        </div>
      ) : null}
      <Field label={scope === "TREATMENT" ? t("whoTreatment") : t("whoResearch")} name="grantee" error={error("grantee")}>
        {(props) => (
          <select {...props} value={grantee} onChange={(e) => setGrantee(e.target.value)}>
            {scope === "TREATMENT" ? (
              <>
                <option value="">{t("chooseGrantee")}</option>
                <optgroup label={t("departments")}>
                  {departments.map((d) => (
                    <option key={d.id} value={`department:${d.id}`}>
                      {d.name}
                    </option>
                  ))}
                </optgroup>
                <optgroup label={t("doctors")}>
                  {doctors.map((d) => (
                    <option key={d.id} value={`staff:${d.id}`}>
                      {d.department ? `${d.name} — ${d.department}` : d.name}
                    </option>
                  ))}
                </optgroup>
              </>
            ) : (
              <>
                <option value="">{t("anyResearch")}</option>
                {targets.studies.map((s) => (
                  <option key={s.id} value={`study:${s.id}`}>
                    {s.code} · {s.title}
                  </option>
                ))}
              </>
            )}
          </select>
        )}
      </Field>

      <fieldset>
        <legend className="mb-1 text-sm font-semibold">{t("whichRecords")}</legend>
        <p className="mb-2 text-xs text-ink-muted">{t("whichRecordsHint")}</p>
        <div className="grid grid-cols-2 gap-2 sm:grid-cols-3">
          {CONSENT_RECORD_CLASSES.map((c) => (
            <label key={c} className="flex items-center gap-2 text-sm">
              <input type="checkbox" name="recordClasses" value={c} checked={classes.includes(c)} onChange={() => toggle(c)} />
              {tr(c)}
            </label>
          ))}
        </div>
        {error("recordClasses") ? <p className="mt-1 text-sm text-danger">{error("recordClasses")}</p> : null}
      </fieldset>

      <div className="grid gap-4 sm:grid-cols-3">
        <Field label={t("dataFrom")} name="dataFrom" type="date" error={error("dataFrom")} value={dataFrom} onChange={(e) => setDataFrom(e.target.value)} />
        <Field label={t("dataUntil")} name="dataUntil" type="date" error={error("dataUntil")} value={dataUntil} onChange={(e) => setDataUntil(e.target.value)} />
        <Field label={t("validUntil")} name="validUntil" type="date" error={error("validUntil")} hint={t("validUntilHint")} value={validUntil} onChange={(e) => setValidUntil(e.target.value)} />
      </div>
      <SubmitButton pendingLabel={t("granting")}>{t("grant")}</SubmitButton>
    </form>
  );
}

/** Revoking takes effect at the doctor's next request: the patient confirms first, naming whom it concerns. */
export function RevokeConsentButton({ consentId, label }: { consentId: string; label: string }) {
  const t = useTranslations("consents");
  const [state, action] = useActionState(revokeConsentAction, idle as FormState);
  return (
    <form action={action} className="inline-flex flex-wrap items-center gap-2">
      <input type="hidden" name="consentId" value={consentId} />
      <ConfirmSubmit ariaLabel={`${t("revoke")} ${label}`} question={t("revokeConfirm", { who: label })} confirmLabel={t("revokeYes")} pendingLabel={t("revoking")}>
        {t("revoke")}
      </ConfirmSubmit>
      {state.status === "error" ? <p className="mt-1 w-full text-sm text-danger">{t(`errors.${state.formError ?? Object.values(state.fieldErrors)[0] ?? "not_found"}`)}</p> : null}
    </form>
  );
}
