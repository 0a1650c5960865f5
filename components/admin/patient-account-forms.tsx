"use client";

import { useTranslations } from "next-intl";
import { useActionState, useState } from "react";
import {
  createPatientAccountAction,
  disablePatientAccountAction,
  lookupPatientAccountAction,
  reissuePatientCodeAction,
} from "@/lib/actions/patient-accounts";
import { ID_DOCUMENTS, type FormState, type IssuedCodeDto, type PatientAccountDto } from "@/lib/dto/admin";
import { ConfirmSubmit, Field, Notice, SubmitButton } from "@/components/ui/form-bits";
import { IssuedCode } from "./issued-code";

const idle = { status: "idle" } as const;

function useErrors<R>(state: FormState<R>) {
  const t = useTranslations("admin");
  const field = (name: string) => {
    const key = state.status === "error" ? state.fieldErrors[name] : undefined;
    return key ? t(`formErrors.${key}`) : null;
  };
  const form = state.status === "error" && state.formError ? t(`formErrors.${state.formError}`) : null;
  return { field, form };
}

/** MRN and birth date together: the desk reads one from the hospital card and the other from an ID document. */
export function PatientLookupForm() {
  const t = useTranslations("admin");
  const [state, action] = useActionState(lookupPatientAccountAction, idle as FormState);
  // Controlled, so that a refused lookup keeps what was typed.
  const [mrn, setMrn] = useState("");
  const [birthDate, setBirthDate] = useState("");
  const errors = useErrors(state);
  return (
    <form action={action} className="max-w-xl space-y-4" noValidate>
      {errors.form ? <Notice tone="danger">{errors.form}</Notice> : null}
      <Field label={t("patientMrn")} name="mrn" error={errors.field("mrn")} required autoComplete="off" inputMode="numeric" maxLength={20} value={mrn} onChange={(e) => setMrn(e.target.value)} />
      <Field label={t("patientBirthDate")} name="birthDate" type="date" error={errors.field("birthDate")} required value={birthDate} onChange={(e) => setBirthDate(e.target.value)} />
      <SubmitButton pendingLabel={t("lookingUp")}>{t("lookUp")}</SubmitButton>
    </form>
  );
}

function IdentityFields({ errors }: { errors: ReturnType<typeof useErrors> }) {
  const t = useTranslations("admin");
  const [document, setDocument] = useState("");
  return (
    <>
      <Field label={t("idDocument")} name="idDocument" error={errors.field("idDocument")}>
        {(props) => (
          <select {...props} value={document} onChange={(e) => setDocument(e.target.value)} required>
            <option value="">{t("idDocumentChoose")}</option>
            {ID_DOCUMENTS.map((d) => (
              <option key={d} value={d}>
                {t(`idDocuments.${d}`)}
              </option>
            ))}
          </select>
        )}
      </Field>
      <div>
        <label className="flex items-start gap-2 text-sm">
          <input type="checkbox" name="identityChecked" className="mt-1" aria-invalid={Boolean(errors.field("identityChecked"))} />
          <span>{t("identityChecked")}</span>
        </label>
        {errors.field("identityChecked") ? <p className="mt-1 text-sm text-danger">{errors.field("identityChecked")}</p> : null}
      </div>
    </>
  );
}

type CodeAction = (formData: FormData) => void;

function CreatePatientAccountForm({ account, state, action }: { account: PatientAccountDto; state: FormState<IssuedCodeDto>; action: CodeAction }) {
  const t = useTranslations("admin");
  const [email, setEmail] = useState("");
  const errors = useErrors(state);
  return (
    <form action={action} className="max-w-xl space-y-4" noValidate>
      <input type="hidden" name="patientId" value={account.patientId} />
      {errors.form ? <Notice tone="danger">{errors.form}</Notice> : null}
      <Field label={t("patientEmail")} name="email" type="email" error={errors.field("email")} hint={t("patientEmailHint")} required autoComplete="off" maxLength={254} value={email} onChange={(e) => setEmail(e.target.value)} />
      <IdentityFields errors={errors} />
      <SubmitButton pendingLabel={t("creating")}>{t("createPortalAccount")}</SubmitButton>
    </form>
  );
}

function ReissuePatientCodeForm({ account, state, action }: { account: PatientAccountDto; state: FormState<IssuedCodeDto>; action: CodeAction }) {
  const t = useTranslations("admin");
  const errors = useErrors(state);
  return (
    <form action={action} className="max-w-xl space-y-4" noValidate>
      <input type="hidden" name="patientId" value={account.patientId} />
      {errors.form ? <Notice tone="danger">{errors.form}</Notice> : null}
      <p className="text-sm text-ink-muted">{account.status === "PENDING" ? t("reissueActivationHint") : t("resetPortalHint")}</p>
      <IdentityFields errors={errors} />
      <SubmitButton tone="plain">{account.status === "PENDING" ? t("issueActivation") : t("resetPortalPassword")}</SubmitButton>
    </form>
  );
}

const section = "rounded-lg border border-line bg-surface p-5";

/**
 * Everything the desk can do with one patient's account. One component whatever the account's state, so that a code
 * just issued stays on screen when the page re-renders with the new state (it is shown only this once).
 */
export function PortalAccountPanel({ account }: { account: PatientAccountDto }) {
  const t = useTranslations("admin");
  const [createState, create] = useActionState(createPatientAccountAction, idle as FormState<IssuedCodeDto>);
  const [reissueState, reissue] = useActionState(reissuePatientCodeAction, idle as FormState<IssuedCodeDto>);
  const issued = reissueState.status === "success" ? reissueState.result : createState.status === "success" ? createState.result : null;
  return (
    <div className="space-y-6">
      {issued ? <IssuedCode code={issued} name={account.name} /> : null}
      {account.status === "NONE" ? (
        <section className={section} aria-labelledby="create-title">
          <h2 id="create-title" className="mb-3 text-lg font-semibold">
            {t("createPortalAccount")}
          </h2>
          <CreatePatientAccountForm account={account} state={createState} action={create} />
        </section>
      ) : (
        <>
          <section className={section} aria-labelledby="code-title">
            <h2 id="code-title" className="mb-3 text-lg font-semibold">
              {account.status === "PENDING" ? t("issueActivation") : t("resetPortalPassword")}
            </h2>
            <ReissuePatientCodeForm account={account} state={reissueState} action={reissue} />
          </section>
          {account.status !== "DISABLED" ? (
            <section className={section} aria-labelledby="disable-title">
              <h2 id="disable-title" className="mb-3 text-lg font-semibold">
                {t("disablePortal")}
              </h2>
              <DisablePatientAccountForm account={account} />
            </section>
          ) : null}
        </>
      )}
    </div>
  );
}

function DisablePatientAccountForm({ account }: { account: PatientAccountDto }) {
  const t = useTranslations("admin");
  const [state, action] = useActionState(disablePatientAccountAction, idle as FormState);
  const errors = useErrors(state);
  return (
    <form action={action} className="space-y-2">
      <input type="hidden" name="patientId" value={account.patientId} />
      {errors.form ? <Notice tone="danger">{errors.form}</Notice> : null}
      {state.status === "success" ? <Notice tone="ok">{t("portalDisabled")}</Notice> : null}
      <div className="flex flex-wrap items-center gap-3">
        <ConfirmSubmit question={t("disablePortalConfirm")} confirmLabel={t("disablePortalYes")}>
          {t("disablePortal")}
        </ConfirmSubmit>
        <span className="text-sm text-ink-muted">{t("disablePortalHint")}</span>
      </div>
    </form>
  );
}
