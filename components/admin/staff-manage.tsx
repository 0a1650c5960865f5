"use client";

import { useTranslations } from "next-intl";
import Link from "next/link";
import { useActionState, useState } from "react";
import {
  changeStaffRoleAction,
  issueStaffCodeAction,
  moveStaffDepartmentAction,
  reactivateStaffAction,
  resetStaffMfaAction,
  suspendStaffAction,
  updateStaffAction,
} from "@/lib/actions/staff";
import type { FormState, PrivilegedOutcome, StaffDetailDto } from "@/lib/dto/admin";
import { ConfirmSubmit, Field, Notice, SubmitButton } from "@/components/ui/form-bits";
import { PrivilegedOutcomeView } from "./privileged-outcome";

const idle = { status: "idle" } as const;

function useErrors(state: FormState<unknown>) {
  const t = useTranslations("admin");
  return {
    field: (name: string) => {
      const key = state.status === "error" ? state.fieldErrors[name] : undefined;
      return key ? t(`formErrors.${key}`) : null;
    },
  };
}

export function ProfileForm({ staff }: { staff: StaffDetailDto }) {
  const t = useTranslations("admin");
  const [state, action] = useActionState(updateStaffAction, idle as FormState);
  const errors = useErrors(state);
  // Controlled, so a refused edit keeps what was typed.
  const [values, setValues] = useState({ name: staff.name, email: staff.email, licenceNumber: staff.licenceNumber ?? "" });
  const bind = (field: keyof typeof values) => ({ value: values[field], onChange: (e: { target: { value: string } }) => setValues((v) => ({ ...v, [field]: e.target.value })) });
  return (
    <form action={action} className="max-w-xl space-y-4" noValidate>
      <input type="hidden" name="staffId" value={staff.id} />
      {state.status === "success" ? <Notice tone="ok">{t("saved")}</Notice> : null}
      {state.status === "error" && state.formError ? <Notice tone="danger">{t(`formErrors.${state.formError}`)}</Notice> : null}
      <Field label={t("name")} name="name" {...bind("name")} error={errors.field("name")} required maxLength={200} autoComplete="off" />
      <Field label={t("email")} name="email" type="email" {...bind("email")} error={errors.field("email")} required maxLength={254} autoComplete="off" />
      <Field
        label={t("licenceNumber")}
        name="licenceNumber"
        {...bind("licenceNumber")}
        error={errors.field("licenceNumber")}
        hint={t("licenceHint")}
        maxLength={40}
        autoComplete="off"
      />
      <SubmitButton pendingLabel={t("saving")}>{t("save")}</SubmitButton>
    </form>
  );
}

/** The confirmation step of a previewed role or department change. */
export function ConfirmChangeForm({ staffId, kind, value }: { staffId: string; kind: "role" | "department"; value: string }) {
  const t = useTranslations("admin");
  const [state, action] = useActionState(kind === "role" ? changeStaffRoleAction : moveStaffDepartmentAction, idle as FormState);
  const errorKey = state.status === "error" ? (state.formError ?? Object.values(state.fieldErrors)[0]) : undefined;
  return (
    <form action={action} className="flex flex-wrap items-center gap-3">
      <input type="hidden" name="staffId" value={staffId} />
      <input type="hidden" name={kind === "role" ? "role" : "departmentId"} value={value} />
      {errorKey ? <Notice tone="danger">{t(`formErrors.${errorKey}`)}</Notice> : null}
      <SubmitButton tone="danger">{t("confirm")}</SubmitButton>
      <Link href={`/admin/staff/${staffId}`} className="px-2 py-2 text-sm text-brand hover:underline">
        {t("cancel")}
      </Link>
    </form>
  );
}

type SimpleAction = "suspend" | "reactivate";

const SIMPLE_ACTIONS = { suspend: suspendStaffAction, reactivate: reactivateStaffAction } as const;

export function StaffActionButton({ staffId, kind, hint, disabled }: { staffId: string; kind: SimpleAction; hint?: string; disabled?: boolean }) {
  const t = useTranslations("admin");
  const [state, action] = useActionState(SIMPLE_ACTIONS[kind], idle as FormState);
  const errorKey = state.status === "error" ? (state.formError ?? Object.values(state.fieldErrors)[0]) : undefined;
  return (
    <form action={action} className="space-y-2">
      <input type="hidden" name="staffId" value={staffId} />
      <div className="flex flex-wrap items-center gap-3">
        {kind === "suspend" ? (
          <ConfirmSubmit question={t("suspendConfirm")} confirmLabel={t("suspendYes")} disabled={disabled}>
            {t(kind)}
          </ConfirmSubmit>
        ) : (
          <SubmitButton tone="primary" disabled={disabled}>
            {t(kind)}
          </SubmitButton>
        )}
        {hint ? <span className="text-sm text-ink-muted">{hint}</span> : null}
      </div>
      {errorKey ? <Notice tone="danger">{t(`formErrors.${errorKey}`)}</Notice> : null}
      {state.status === "success" ? <Notice tone="ok">{t("statusUpdated")}</Notice> : null}
    </form>
  );
}

/** Four eyes: the reset is requested here and approved by another administrator; the code never reaches this screen. */
export function ResetMfaForm({ staff, hint, disabled }: { staff: StaffDetailDto; hint: string; disabled?: boolean }) {
  const t = useTranslations("admin");
  const [state, action] = useActionState(resetStaffMfaAction, idle as FormState<PrivilegedOutcome>);
  const errorKey = state.status === "error" ? (state.formError ?? Object.values(state.fieldErrors)[0]) : undefined;
  return (
    <form action={action} className="space-y-2">
      <input type="hidden" name="staffId" value={staff.id} />
      <div className="flex flex-wrap items-center gap-3">
        <SubmitButton tone="plain" disabled={disabled}>
          {t("resetMfa")}
        </SubmitButton>
        <span className="text-sm text-ink-muted">{hint}</span>
      </div>
      {errorKey ? <Notice tone="danger">{t(`formErrors.${errorKey}`)}</Notice> : null}
      {state.status === "success" ? <PrivilegedOutcomeView outcome={state.result} name={staff.name} /> : null}
    </form>
  );
}

export function IssueCodeForm({ staff, disabled }: { staff: StaffDetailDto; disabled?: boolean }) {
  const t = useTranslations("admin");
  const [state, action] = useActionState(issueStaffCodeAction, idle as FormState<PrivilegedOutcome>);
  const errorKey = state.status === "error" ? (state.formError ?? Object.values(state.fieldErrors)[0]) : undefined;
  const pending = staff.status === "PENDING";
  return (
    <form action={action} className="space-y-2">
      <input type="hidden" name="staffId" value={staff.id} />
      <div className="flex flex-wrap items-center gap-3">
        <SubmitButton tone="plain" disabled={disabled}>
          {pending ? t("issueActivation") : t("resetPassword")}
        </SubmitButton>
        {pending ? null : <span className="text-sm text-ink-muted">{t("resetPasswordHint")}</span>}
      </div>
      {errorKey ? <Notice tone="danger">{t(`formErrors.${errorKey}`)}</Notice> : null}
      {state.status === "success" ? <PrivilegedOutcomeView outcome={state.result} name={staff.name} /> : null}
    </form>
  );
}
