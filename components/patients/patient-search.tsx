"use client";

import Link from "next/link";
import { useActionState, useState } from "react";
import { useTranslations } from "next-intl";
import { searchPatientsAction } from "@/lib/actions/patients";
import type { FormState } from "@/lib/dto/admin";
import type { PatientListQuery, PatientSearchTerms } from "@/lib/dto/patients";
import { Field, SubmitButton } from "@/components/ui/form-bits";

const initial: FormState = { status: "idle" };

/**
 * Name, MRN and birth date go to a server action, not a GET form: the action seals them into an opaque link so that
 * no PHI lands in the address bar, browser history or proxy logs.
 */
export function PatientSearch({ terms, query }: { terms: PatientSearchTerms | null; query: PatientListQuery }) {
  // Remounted when the terms in the URL change (a new search, "clear search"), so the fields always show them.
  return <SearchForm key={JSON.stringify(terms)} terms={terms} query={query} />;
}

function SearchForm({ terms, query }: { terms: PatientSearchTerms | null; query: PatientListQuery }) {
  const t = useTranslations("patients");
  const [state, action] = useActionState(searchPatientsAction, initial);
  // Controlled, so that a refused search keeps what was typed (React resets uncontrolled fields after an action).
  const [q, setQ] = useState(terms?.q ?? "");
  const [born, setBorn] = useState(terms?.born ?? "");
  const errors = state.status === "error" ? state.fieldErrors : {};
  const error = (field: string) => (errors[field] ? t(`errors.${errors[field]}`) : null);
  return (
    <form action={action} role="search" aria-label={t("searchLabel")} className="mb-4 flex flex-wrap items-start gap-3">
      <input type="hidden" name="sort" value={query.sort} />
      <input type="hidden" name="dir" value={query.dir} />
      <input type="hidden" name="size" value={query.size} />
      <div className="min-w-64 flex-1">
        <Field label={t("searchTerms")} name="q" type="search" value={q} onChange={(e) => setQ(e.target.value)} maxLength={100} hint={t("searchHint")} error={error("q")} autoComplete="off" />
      </div>
      <div>
        <Field label={t("birthDate")} name="born" type="date" value={born} onChange={(e) => setBorn(e.target.value)} error={error("born")} />
      </div>
      <div className="mt-7 flex items-center gap-2">
        <SubmitButton>{t("search")}</SubmitButton>
        {terms ? (
          <Link href="/patients" className="px-2 py-2 text-sm text-brand hover:underline">
            {t("clearSearch")}
          </Link>
        ) : null}
      </div>
    </form>
  );
}
