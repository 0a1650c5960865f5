"use client";

import { useTranslations } from "next-intl";
import Link from "next/link";
import { useActionState, useState } from "react";
import { createStaffAction } from "@/lib/actions/staff";
import type { DepartmentOptionDto, FormState, PrivilegedOutcome } from "@/lib/dto/admin";
import { STAFF_ROLES } from "@/lib/authz";
import { Field, Notice, SubmitButton } from "@/components/ui/form-bits";
import { PrivilegedOutcomeView } from "./privileged-outcome";

const initial: FormState<PrivilegedOutcome> = { status: "idle" };

export function CreateStaffForm({ departments }: { departments: DepartmentOptionDto[] }) {
  const t = useTranslations("admin");
  const tc = useTranslations("common");
  const [state, action] = useActionState(createStaffAction, initial);
  // Controlled, so that a refused submission keeps what was typed (React resets uncontrolled fields after an action).
  const [role, setRole] = useState("DOCTOR");
  const [name, setName] = useState("");
  const [email, setEmail] = useState("");
  const [departmentId, setDepartmentId] = useState("");
  const [licence, setLicence] = useState("");
  const error = (field: string) => {
    const key = state.status === "error" ? state.fieldErrors[field] : undefined;
    return key ? t(`formErrors.${key}`) : null;
  };

  if (state.status === "success") {
    return (
      <div className="space-y-4">
        <PrivilegedOutcomeView outcome={state.result} name={name} />
        <div className="flex gap-4">
          <Link href="/admin/staff" className="px-2 py-2 text-sm text-brand hover:underline">
            {t("backToList")}
          </Link>
        </div>
      </div>
    );
  }

  return (
    <form action={action} className="max-w-xl space-y-4" noValidate>
      {state.status === "error" && state.formError ? <Notice tone="danger">{t(`formErrors.${state.formError}`)}</Notice> : null}
      <Field label={t("name")} name="name" error={error("name")} required autoComplete="off" value={name} onChange={(e) => setName(e.target.value)} maxLength={200} />
      <Field label={t("email")} name="email" type="email" error={error("email")} required autoComplete="off" maxLength={254} value={email} onChange={(e) => setEmail(e.target.value)} />
      <Field label={t("role")} name="role" error={error("role")}>
        {(props) => (
          <select {...props} value={role} onChange={(e) => setRole(e.target.value)}>
            {STAFF_ROLES.map((r) => (
              <option key={r} value={r}>
                {tc(`roles.${r}`)}
              </option>
            ))}
          </select>
        )}
      </Field>
      <Field label={t("department")} name="departmentId" error={error("departmentId")}>
        {(props) => (
          <select {...props} value={departmentId} onChange={(e) => setDepartmentId(e.target.value)}>
            <option value="">{t("noDepartmentOption")}</option>
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
      <Field label={t("licenceNumber")} name="licenceNumber" error={error("licenceNumber")} hint={t("licenceHint")} required={role === "DOCTOR"} maxLength={40} autoComplete="off" value={licence} onChange={(e) => setLicence(e.target.value)} />
      <SubmitButton pendingLabel={t("creating")}>{t("create")}</SubmitButton>
    </form>
  );
}
