"use client";

import { useTranslations } from "next-intl";
import { useActionState } from "react";
import { createDepartmentAction, renameDepartmentAction, setDepartmentActiveAction } from "@/lib/actions/departments";
import type { DepartmentRowDto, FormState } from "@/lib/dto/admin";
import { ConfirmSubmit, Field, inputClass, Notice, SubmitButton } from "@/components/ui/form-bits";

const idle: FormState = { status: "idle" };

function useMessage(state: FormState) {
  const t = useTranslations("admin");
  return (field: string) => {
    const key = state.status === "error" ? state.fieldErrors[field] : undefined;
    return key ? t(`formErrors.${key}`) : null;
  };
}

export function CreateDepartmentForm() {
  const t = useTranslations("admin");
  const [state, action] = useActionState(createDepartmentAction, idle);
  const message = useMessage(state);
  return (
    <form action={action} className="flex flex-wrap items-start gap-3" noValidate>
      <div className="w-40">
        <Field label={t("code")} name="code" error={message("code")} hint={t("codeHint")} maxLength={16} autoComplete="off" />
      </div>
      <div className="min-w-64 flex-1">
        <Field label={t("departmentName")} name="name" error={message("name")} maxLength={200} autoComplete="off" />
      </div>
      <div className="pt-6">
        <SubmitButton>{t("createDepartment")}</SubmitButton>
      </div>
      {state.status === "success" ? <Notice tone="ok">{t("saved")}</Notice> : null}
    </form>
  );
}

function RenameForm({ department }: { department: DepartmentRowDto }) {
  const t = useTranslations("admin");
  const [state, action] = useActionState(renameDepartmentAction, idle);
  const message = useMessage(state);
  const error = message("name") ?? (state.status === "error" && state.formError ? t(`formErrors.${state.formError}`) : null);
  return (
    <form action={action} className="flex items-start gap-2">
      <input type="hidden" name="departmentId" value={department.id} />
      <label className="sr-only" htmlFor={`rename-${department.id}`}>
        {t("newName", { name: department.name })}
      </label>
      <div>
        <input id={`rename-${department.id}`} name="name" defaultValue={department.name} maxLength={200} className={`${inputClass.replace("w-full", "w-72")} py-1`} aria-invalid={Boolean(error)} />
        {error ? <p className="mt-1 text-sm text-danger">{error}</p> : null}
      </div>
      <SubmitButton tone="plain">{t("rename")}</SubmitButton>
    </form>
  );
}

function ActiveToggle({ department }: { department: DepartmentRowDto }) {
  const t = useTranslations("admin");
  const [state, action] = useActionState(setDepartmentActiveAction, idle);
  return (
    <form action={action} className="space-y-1">
      <input type="hidden" name="departmentId" value={department.id} />
      <input type="hidden" name="active" value={department.active ? "false" : "true"} />
      {department.active ? (
        <ConfirmSubmit question={t("deactivateConfirm", { name: department.name })} confirmLabel={t("deactivateYes")} ariaLabel={`${t("deactivate")} ${department.name}`}>
          {t("deactivate")}
        </ConfirmSubmit>
      ) : (
        <SubmitButton tone="primary">{t("activate")}</SubmitButton>
      )}
      {state.status === "error" && state.formError ? (
        <Notice tone="danger">{t(`formErrors.${state.formError}`, state.formErrorValues ?? { staff: 0, consents: 0 })}</Notice>
      ) : null}
    </form>
  );
}

export function DepartmentTable({ departments }: { departments: DepartmentRowDto[] }) {
  const t = useTranslations("admin");
  return (
    <div className="overflow-x-auto rounded-lg border border-line bg-surface">
      <table className="w-full text-left text-sm">
        <caption className="sr-only">{t("departmentsTitle")}</caption>
        <thead className="bg-surface-muted text-ink-muted">
          <tr>
            <th scope="col" className="px-3 py-2">{t("code")}</th>
            <th scope="col" className="px-3 py-2">{t("departmentName")}</th>
            <th scope="col" className="px-3 py-2">{t("status")}</th>
            <th scope="col" className="px-3 py-2">{t("staffCount")}</th>
            <th scope="col" className="px-3 py-2">{t("consentCount")}</th>
            <th scope="col" className="px-3 py-2">{t("actions")}</th>
          </tr>
        </thead>
        <tbody>
          {departments.map((d) => (
            <tr key={d.id} className="border-t border-line align-top" data-department-code={d.code}>
              <td className="px-3 py-2 font-mono">{d.code}</td>
              <td className="px-3 py-2">
                <RenameForm department={d} />
              </td>
              <td className="px-3 py-2">{d.active ? t("active") : t("inactive")}</td>
              <td className="px-3 py-2">{d.staffCount}</td>
              <td className="px-3 py-2">{d.activeConsentCount}</td>
              <td className="px-3 py-2">
                <ActiveToggle department={d} />
              </td>
            </tr>
          ))}
        </tbody>
      </table>
    </div>
  );
}
