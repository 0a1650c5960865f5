"use server";

import { revalidatePath } from "next/cache";
import { z } from "zod";
import { requireActionCaller } from "@/lib/auth/require-caller";
import { PrivilegedRuleError, approvePrivilegedRequest, rejectPrivilegedRequest, type ApprovalResult } from "@/lib/dal/privileged-requests";
import { StaffRuleError } from "@/lib/dal/staff";
import { ServiceCredentialRuleError } from "@/lib/dal/service-credentials";
import { RecordEraseRuleError } from "@/lib/dal/record-erasure";
import { fieldErrorState, formErrorState, type FormState } from "@/lib/dto/admin";

// The second administrator's side of four eyes. The DAL refuses the requester and the subject, expired or decided
// requests, and parameters that no longer match their hash; every refusal is logged there.

const decisionSchema = z.object({ requestId: z.uuid({ error: "request_not_found" }) });

function ruleState(error: unknown) {
  if (error instanceof PrivilegedRuleError || error instanceof StaffRuleError || error instanceof ServiceCredentialRuleError || error instanceof RecordEraseRuleError) {
    return formErrorState(error.code);
  }
  throw error;
}

/** Approves and executes a request; the result (a new account's code, a credential's token) is shown this once. */
export async function approvePrivilegedRequestAction(_previous: FormState<ApprovalResult>, formData: FormData): Promise<FormState<ApprovalResult>> {
  const caller = await requireActionCaller("staff.manage");
  const parsed = decisionSchema.safeParse({ requestId: formData.get("requestId") });
  if (!parsed.success) return fieldErrorState(parsed.error);
  try {
    // No revalidation: re-rendering the list would replace this form, and with it the code or token shown only once.
    return { status: "success", result: await approvePrivilegedRequest(caller, parsed.data.requestId) };
  } catch (error) {
    return ruleState(error);
  }
}

export async function rejectPrivilegedRequestAction(_previous: FormState, formData: FormData): Promise<FormState> {
  const caller = await requireActionCaller("staff.manage");
  const parsed = decisionSchema.safeParse({ requestId: formData.get("requestId") });
  if (!parsed.success) return fieldErrorState(parsed.error);
  try {
    await rejectPrivilegedRequest(caller, parsed.data.requestId);
  } catch (error) {
    return ruleState(error);
  }
  revalidatePath("/admin/approvals");
  return { status: "success", result: null };
}
