"use client";

import { useActionState } from "react";
import { useFormatter, useTranslations } from "next-intl";
import { issueServiceCredentialAction, revokeServiceCredentialAction } from "@/lib/actions/service-credentials";
import type { FormState } from "@/lib/dto/admin";
import type { IssuedServiceCredentialDto, ServiceCredentialDto } from "@/lib/dto/uploads";
import { Field, Notice, SubmitButton } from "@/components/ui/form-bits";

/** Issue form; the new token is shown here once, in full, and never again. */
export function IssueCredentialForm() {
  const t = useTranslations("upload");
  const [state, action] = useActionState(issueServiceCredentialAction, { status: "idle" } as FormState<IssuedServiceCredentialDto>);
  const nameError = state.status === "error" && state.fieldErrors.name ? t(`credentials.errors.${state.fieldErrors.name}`) : null;
  return (
    <section aria-labelledby="issue-credential" className="mb-8 rounded-lg border border-line bg-surface p-4">
      <h2 id="issue-credential" className="mb-3 text-lg font-semibold text-ink">
        {t("credentials.issueTitle")}
      </h2>
      <form action={action} className="max-w-xl space-y-3" noValidate>
        <Field label={t("credentials.name")} name="name" hint={t("credentials.nameHint")} error={nameError} required maxLength={100} autoComplete="off" />
        <SubmitButton pendingLabel={t("credentials.issuing")}>{t("credentials.issue")}</SubmitButton>
      </form>
      {state.status === "success" ? (
        <div className="mt-4 rounded-lg border-2 border-warn bg-warn-soft p-4" data-testid="issued-credential">
          <p className="text-sm font-semibold text-ink">{t("credentials.issued", { name: state.result.name })}</p>
          <p className="mt-2 text-xs text-ink-muted">{t("credentials.token")}</p>
          <p className="select-all break-all font-mono text-sm font-bold text-ink" data-testid="issued-token">
            {state.result.token}
          </p>
        </div>
      ) : null}
    </section>
  );
}

function RevokeButton({ credential }: { credential: ServiceCredentialDto }) {
  const t = useTranslations("upload");
  const [state, action] = useActionState(revokeServiceCredentialAction, { status: "idle" } as FormState);
  return (
    <form action={action}>
      <input type="hidden" name="credentialId" value={credential.id} />
      <button type="submit" aria-label={t("credentials.revokeLabel", { name: credential.name })} className="rounded border border-danger px-3 py-1 text-sm font-semibold text-danger hover:bg-danger-soft">
        {t("credentials.revoke")}
      </button>
      {state.status === "error" && state.formError ? <Notice tone="danger">{t(`credentials.errors.${state.formError}`)}</Notice> : null}
    </form>
  );
}

export function CredentialTable({ credentials }: { credentials: ServiceCredentialDto[] }) {
  const t = useTranslations("upload");
  const format = useFormatter();
  const when = (iso: string) => format.dateTime(new Date(iso), "audit");
  if (credentials.length === 0) return <p className="text-ink-muted">{t("credentials.none")}</p>;
  return (
    <table className="w-full border-collapse text-sm">
      <caption className="sr-only">{t("credentials.listTitle")}</caption>
      <thead>
        <tr className="border-b border-line-strong text-left">
          <th scope="col" className="py-2 pr-3">{t("credentials.colName")}</th>
          <th scope="col" className="py-2 pr-3">{t("credentials.colPrefix")}</th>
          <th scope="col" className="py-2 pr-3">{t("credentials.colCreated")}</th>
          <th scope="col" className="py-2 pr-3">{t("credentials.colLastUsed")}</th>
          <th scope="col" className="py-2 pr-3">{t("credentials.colStatus")}</th>
          <th scope="col" className="py-2">{t("credentials.colActions")}</th>
        </tr>
      </thead>
      <tbody>
        {credentials.map((c) => (
          <tr key={c.id} data-credential-id={c.id} className="border-b border-line align-top">
            <td className="py-2 pr-3 font-semibold">{c.name}</td>
            <td className="py-2 pr-3 font-mono">{c.tokenPrefix}…</td>
            <td className="py-2 pr-3">
              {when(c.createdAt)}
              {c.createdBy ? <span className="block text-xs text-ink-muted">{c.createdBy}</span> : null}
            </td>
            <td className="py-2 pr-3">{c.lastUsedAt ? when(c.lastUsedAt) : t("credentials.never")}</td>
            <td className="py-2 pr-3">{c.revokedAt ? <span className="text-danger">{t("credentials.revoked", { date: when(c.revokedAt) })}</span> : <span className="text-ok">{t("credentials.active")}</span>}</td>
            <td className="py-2">{c.revokedAt ? null : <RevokeButton credential={c} />}</td>
          </tr>
        ))}
      </tbody>
    </table>
  );
}
