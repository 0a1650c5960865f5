"use client";

import { useActionState, useState } from "react";
import { useFormatter, useTranslations } from "next-intl";
import { issueServiceCredentialAction, revokeServiceCredentialAction } from "@/lib/actions/service-credentials";
import type { DepartmentOptionDto, FormState, PrivilegedOutcome } from "@/lib/dto/admin";
import type { ServiceCredentialDto } from "@/lib/dto/uploads";
import { ConfirmSubmit, Field, Notice, SubmitButton } from "@/components/ui/form-bits";
import { PrivilegedOutcomeView } from "./privileged-outcome";

/** Request form (four eyes): the token is shown once, to the approving administrator (or here in alert-only mode). */
export function IssueCredentialForm({ departments }: { departments: DepartmentOptionDto[] }) {
  const t = useTranslations("upload");
  const ta = useTranslations("approvals");
  const [state, action] = useActionState(issueServiceCredentialAction, { status: "idle" } as FormState<PrivilegedOutcome>);
  const error = (field: string) => (state.status === "error" && state.fieldErrors[field] ? t(`credentials.errors.${state.fieldErrors[field]}`) : null);
  const [name, setName] = useState("");
  return (
    <section aria-labelledby="issue-credential" className="mb-8 rounded-lg border border-line bg-surface p-4">
      <h2 id="issue-credential" className="mb-3 text-lg font-semibold text-ink">
        {t("credentials.issueTitle")}
      </h2>
      <form action={action} className="max-w-xl space-y-3" noValidate>
        {state.status === "error" && state.formError ? <Notice tone="danger">{t(`credentials.errors.${state.formError}`)}</Notice> : null}
        <Field label={t("credentials.name")} name="name" hint={t("credentials.nameHint")} error={error("name")} required maxLength={100} autoComplete="off" value={name} onChange={(e) => setName(e.target.value)} />
        <Field label={ta("credentialExpiry")} name="expiresInDays" type="number" min={1} max={365} defaultValue="365" hint={ta("credentialExpiryHint")} error={error("expiresInDays")} required />
        <Field label={ta("credentialScopeMrn")} name="scopeMrn" hint={ta("credentialScopeHint")} error={error("scopeMrn")} maxLength={20} autoComplete="off" />
        <Field label={ta("credentialScopeDepartment")} name="scopeDepartmentId" error={error("scopeDepartmentId")}>
          {(props) => (
            <select {...props} defaultValue="">
              <option value="">{ta("credentialScopeNone")}</option>
              {departments
                .filter((d) => d.active)
                .map((d) => (
                  <option key={d.id} value={d.id}>
                    {d.name}
                  </option>
                ))}
            </select>
          )}
        </Field>
        <SubmitButton pendingLabel={t("credentials.issuing")}>{t("credentials.issue")}</SubmitButton>
      </form>
      {state.status === "success" ? (
        <div className="mt-4">
          <PrivilegedOutcomeView outcome={state.result} name={name} />
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
      <ConfirmSubmit
        ariaLabel={t("credentials.revokeLabel", { name: credential.name })}
        question={t("credentials.revokeConfirm", { name: credential.name })}
        confirmLabel={t("credentials.revokeYes")}
      >
        {t("credentials.revoke")}
      </ConfirmSubmit>
      {state.status === "error" && state.formError ? <Notice tone="danger">{t(`credentials.errors.${state.formError}`)}</Notice> : null}
    </form>
  );
}

export function CredentialTable({ credentials }: { credentials: ServiceCredentialDto[] }) {
  const t = useTranslations("upload");
  const ta = useTranslations("approvals");
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
          <th scope="col" className="py-2 pr-3">{ta("colExpires")}</th>
          <th scope="col" className="py-2 pr-3">{ta("colScope")}</th>
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
            <td className="py-2 pr-3">{new Date(c.expiresAt) <= new Date() ? <span className="text-danger">{ta("expired")}</span> : when(c.expiresAt)}</td>
            <td className="py-2 pr-3">{c.scope === "mrn" ? ta("scopeMrnShort") : c.scope === "department" ? ta("scopeDepartmentShort") : ta("scopeNone")}</td>
            <td className="py-2 pr-3">{c.revokedAt ? <span className="text-danger">{t("credentials.revoked", { date: when(c.revokedAt) })}</span> : <span className="text-ok">{t("credentials.active")}</span>}</td>
            <td className="py-2">{c.revokedAt ? null : <RevokeButton credential={c} />}</td>
          </tr>
        ))}
      </tbody>
    </table>
  );
}
