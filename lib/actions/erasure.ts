"use server";

import { revalidatePath } from "next/cache";
import { z } from "zod";
import { requireActionCaller } from "@/lib/auth/require-caller";
import { PrivilegedRuleError, rejectPrivilegedRequest, requestPrivileged } from "@/lib/dal/privileged-requests";
import { RecordEraseRuleError } from "@/lib/dal/record-erasure";
import { fieldErrorState, formErrorState, type FormState } from "@/lib/dto/admin";
import { ERASURE_LEGAL_BASES } from "@/lib/integrity/tombstone";

// A compliance officer asks for a record's lawful erasure; an administrator approves it on the Approvals page
// (docs/decisions/016-database-refuses-to-rewrite-history.md, "Erasure"). Every refusal is logged by the DAL.

const eraseRequestSchema = z.object({
  recordId: z.uuid({ error: "record_id_invalid" }).transform((id) => id.toLowerCase()),
  legalBasis: z.enum(ERASURE_LEGAL_BASES, { error: "basis_required" }),
  reason: z.string({ error: "reason_required" }).trim().min(10, { error: "reason_required" }).max(1000, { error: "reason_required" }),
});

const withdrawSchema = z.object({ requestId: z.uuid({ error: "request_not_found" }) });

export async function requestRecordErasureAction(_previous: FormState, formData: FormData): Promise<FormState> {
  const caller = await requireActionCaller("record.erase.request");
  const parsed = eraseRequestSchema.safeParse({ recordId: formData.get("recordId"), legalBasis: formData.get("legalBasis"), reason: formData.get("reason") });
  if (!parsed.success) return fieldErrorState(parsed.error);
  try {
    await requestPrivileged(caller, { kind: "RECORD_ERASE", ...parsed.data });
  } catch (error) {
    if (error instanceof RecordEraseRuleError || error instanceof PrivilegedRuleError) return formErrorState(error.code);
    throw error;
  }
  revalidatePath("/compliance/erasures");
  return { status: "success", result: null };
}

export async function withdrawRecordErasureAction(_previous: FormState, formData: FormData): Promise<FormState> {
  const caller = await requireActionCaller("record.erase.request");
  const parsed = withdrawSchema.safeParse({ requestId: formData.get("requestId") });
  if (!parsed.success) return fieldErrorState(parsed.error);
  try {
    await rejectPrivilegedRequest(caller, parsed.data.requestId);
  } catch (error) {
    if (error instanceof PrivilegedRuleError) return formErrorState(error.code);
    throw error;
  }
  revalidatePath("/compliance/erasures");
  return { status: "success", result: null };
}
