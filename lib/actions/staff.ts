"use server";

import { revalidatePath } from "next/cache";
import { redirect } from "next/navigation";
import { z } from "zod";
import { STAFF_ROLES } from "@/lib/authz";
import { requireActionCaller } from "@/lib/auth/require-caller";
import { PrivilegedRuleError, requestPrivileged, type PrivilegedOutcome } from "@/lib/dal/privileged-requests";
import { StaffRuleError, moveStaffDepartment, reactivateStaff, suspendStaff, updateStaffProfile, type StaffRuleCode } from "@/lib/dal/staff";
import { fieldErrorState, formErrorState, type FormState } from "@/lib/dto/admin";

// Every action: permission first, then zod (nothing is written on bad input), then one DAL call, then revalidate.
// Messages are keys into the "admin" catalogue's formErrors, translated by the form.

const name = z.string().trim().min(1, "required").max(200, "too_long");
const email = z.string().trim().toLowerCase().max(254, "too_long").pipe(z.email("email_invalid"));
const role = z.enum(STAFF_ROLES, { error: "role_invalid" });
const staffId = z.uuid({ error: "not_found" });
const departmentId = z.preprocess((v) => (v === "" || v === "none" ? null : v), z.uuid({ error: "department_unknown" }).nullable());
const licenceNumber = z.preprocess((v) => (typeof v === "string" && v.trim() === "" ? null : v), z.string().trim().max(40, "too_long").nullable());

const doctorsNeedLicence = <T extends { role: string; licenceNumber: string | null }>(v: T, ctx: z.RefinementCtx) => {
  if (v.role === "DOCTOR" && !v.licenceNumber) ctx.addIssue({ code: "custom", path: ["licenceNumber"], message: "licence_required" });
};

const createStaffSchema = z.object({ name, email, role, departmentId, licenceNumber }).superRefine(doctorsNeedLicence);
const updateStaffSchema = z.object({ staffId, name, email, licenceNumber });
const changeRoleSchema = z.object({ staffId, role });
const moveDepartmentSchema = z.object({ staffId, departmentId });
const staffOnlySchema = z.object({ staffId });

const FIELD_OF: Partial<Record<StaffRuleCode, string>> = {
  email_taken: "email",
  department_unknown: "departmentId",
  department_inactive: "departmentId",
  licence_required: "licenceNumber",
};

function ruleState(error: unknown) {
  if (error instanceof PrivilegedRuleError) return formErrorState(error.code);
  if (!(error instanceof StaffRuleError)) throw error;
  const field = FIELD_OF[error.code];
  return field ? { status: "error" as const, fieldErrors: { [field]: error.code } } : formErrorState(error.code);
}

function fields(formData: FormData): Record<string, unknown> {
  return Object.fromEntries([...formData.entries()].filter(([key]) => !key.startsWith("$")));
}

function revalidateStaff(id?: string) {
  revalidatePath("/admin/staff");
  if (id) revalidatePath(`/admin/staff/${id}`);
}

/**
 * A new account is a four-eyes request (lib/dal/privileged-requests.ts): another administrator approves it, and the
 * activation code appears on the approver's screen. In the alert-only mode it executes at once.
 */
export async function createStaffAction(_previous: FormState<PrivilegedOutcome>, formData: FormData): Promise<FormState<PrivilegedOutcome>> {
  const caller = await requireActionCaller("staff.manage");
  const parsed = createStaffSchema.safeParse(fields(formData));
  if (!parsed.success) return fieldErrorState(parsed.error);
  try {
    const result = await requestPrivileged(caller, { kind: "STAFF_CREATE", staff: parsed.data });
    revalidateStaff();
    revalidatePath("/admin/approvals");
    return { status: "success", result };
  } catch (error) {
    return ruleState(error);
  }
}

export async function updateStaffAction(_previous: FormState, formData: FormData): Promise<FormState> {
  const caller = await requireActionCaller("staff.manage");
  const parsed = updateStaffSchema.safeParse(fields(formData));
  if (!parsed.success) return fieldErrorState(parsed.error);
  const { staffId: id, ...profile } = parsed.data;
  try {
    await updateStaffProfile(caller, id, profile);
  } catch (error) {
    return ruleState(error);
  }
  revalidateStaff(id);
  return { status: "success", result: null };
}

/** Requests a role change the administrator has previewed (the preview is the page's GET with ?role=). */
export async function changeStaffRoleAction(_previous: FormState, formData: FormData): Promise<FormState> {
  const caller = await requireActionCaller("staff.manage");
  const parsed = changeRoleSchema.safeParse(fields(formData));
  if (!parsed.success) return fieldErrorState(parsed.error);
  let outcome: PrivilegedOutcome;
  try {
    outcome = await requestPrivileged(caller, { kind: "ROLE_CHANGE", staffId: parsed.data.staffId, role: parsed.data.role });
  } catch (error) {
    return ruleState(error);
  }
  revalidateStaff(parsed.data.staffId);
  revalidatePath("/admin/approvals");
  redirect(`/admin/staff/${parsed.data.staffId}?done=${outcome.status === "pending" ? "role_requested" : "role"}`);
}

export async function moveStaffDepartmentAction(_previous: FormState, formData: FormData): Promise<FormState> {
  const caller = await requireActionCaller("staff.manage");
  const parsed = moveDepartmentSchema.safeParse(fields(formData));
  if (!parsed.success) return fieldErrorState(parsed.error);
  try {
    await moveStaffDepartment(caller, parsed.data.staffId, parsed.data.departmentId);
  } catch (error) {
    return ruleState(error);
  }
  revalidateStaff(parsed.data.staffId);
  redirect(`/admin/staff/${parsed.data.staffId}?done=department`);
}

export async function suspendStaffAction(_previous: FormState, formData: FormData): Promise<FormState> {
  const caller = await requireActionCaller("staff.manage");
  const parsed = staffOnlySchema.safeParse(fields(formData));
  if (!parsed.success) return fieldErrorState(parsed.error);
  try {
    await suspendStaff(caller, parsed.data.staffId);
  } catch (error) {
    return ruleState(error);
  }
  revalidateStaff(parsed.data.staffId);
  return { status: "success", result: null };
}

export async function reactivateStaffAction(_previous: FormState, formData: FormData): Promise<FormState> {
  const caller = await requireActionCaller("staff.manage");
  const parsed = staffOnlySchema.safeParse(fields(formData));
  if (!parsed.success) return fieldErrorState(parsed.error);
  try {
    await reactivateStaff(caller, parsed.data.staffId);
  } catch (error) {
    return ruleState(error);
  }
  revalidateStaff(parsed.data.staffId);
  return { status: "success", result: null };
}

/**
 * A replacement activation code, or a password reset: a four-eyes request. The code itself goes to the operator's
 * outbox, never to this screen (lib/dal/code-outbox.ts).
 */
export async function issueStaffCodeAction(_previous: FormState<PrivilegedOutcome>, formData: FormData): Promise<FormState<PrivilegedOutcome>> {
  const caller = await requireActionCaller("staff.manage");
  const parsed = staffOnlySchema.safeParse(fields(formData));
  if (!parsed.success) return fieldErrorState(parsed.error);
  try {
    const result = await requestPrivileged(caller, { kind: "PASSWORD_RESET", staffId: parsed.data.staffId });
    revalidateStaff(parsed.data.staffId);
    revalidatePath("/admin/approvals");
    return { status: "success", result };
  } catch (error) {
    return ruleState(error);
  }
}

export async function resetStaffMfaAction(_previous: FormState<PrivilegedOutcome>, formData: FormData): Promise<FormState<PrivilegedOutcome>> {
  const caller = await requireActionCaller("staff.manage");
  const parsed = staffOnlySchema.safeParse(fields(formData));
  if (!parsed.success) return fieldErrorState(parsed.error);
  try {
    const result = await requestPrivileged(caller, { kind: "MFA_RESET", staffId: parsed.data.staffId });
    revalidateStaff(parsed.data.staffId);
    revalidatePath("/admin/approvals");
    return { status: "success", result };
  } catch (error) {
    return ruleState(error);
  }
}
