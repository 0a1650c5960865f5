"use server";

import { revalidatePath } from "next/cache";
import { z } from "zod";
import { requireActionCaller } from "@/lib/auth/require-caller";
import { DepartmentRuleError, createDepartment, renameDepartment, setDepartmentActive } from "@/lib/dal/departments";
import { fieldErrorState, formErrorState, type FormState } from "@/lib/dto/admin";

const code = z
  .string()
  .trim()
  .toUpperCase()
  .regex(/^[A-Z][A-Z0-9_-]{1,15}$/, "code_invalid");
const name = z.string().trim().min(1, "required").max(200, "too_long");
const departmentId = z.uuid({ error: "department_unknown" });

const createSchema = z.object({ code, name });
const renameSchema = z.object({ departmentId, name });
const activeSchema = z.object({ departmentId, active: z.enum(["true", "false"], { error: "invalid" }).transform((v) => v === "true") });

function ruleState(error: unknown): FormState {
  if (!(error instanceof DepartmentRuleError)) throw error;
  if (error.code === "code_taken") return { status: "error", fieldErrors: { code: "code_taken" } };
  return formErrorState(error.code, error.counts);
}

function fields(formData: FormData): Record<string, unknown> {
  return Object.fromEntries([...formData.entries()].filter(([key]) => !key.startsWith("$")));
}

export async function createDepartmentAction(_previous: FormState, formData: FormData): Promise<FormState> {
  const caller = await requireActionCaller("department.manage");
  const parsed = createSchema.safeParse(fields(formData));
  if (!parsed.success) return fieldErrorState(parsed.error);
  try {
    await createDepartment(caller, parsed.data);
  } catch (error) {
    return ruleState(error);
  }
  revalidatePath("/admin/departments");
  return { status: "success", result: null };
}

export async function renameDepartmentAction(_previous: FormState, formData: FormData): Promise<FormState> {
  const caller = await requireActionCaller("department.manage");
  const parsed = renameSchema.safeParse(fields(formData));
  if (!parsed.success) return fieldErrorState(parsed.error);
  try {
    await renameDepartment(caller, parsed.data.departmentId, parsed.data.name);
  } catch (error) {
    return ruleState(error);
  }
  revalidatePath("/admin/departments");
  return { status: "success", result: null };
}

/** Deactivation is refused (with the counts that block it) while staff or consents in force depend on it. */
export async function setDepartmentActiveAction(_previous: FormState, formData: FormData): Promise<FormState> {
  const caller = await requireActionCaller("department.manage");
  const parsed = activeSchema.safeParse(fields(formData));
  if (!parsed.success) return fieldErrorState(parsed.error);
  try {
    await setDepartmentActive(caller, parsed.data.departmentId, parsed.data.active);
  } catch (error) {
    return ruleState(error);
  }
  revalidatePath("/admin/departments");
  return { status: "success", result: null };
}
