"use server";

import { revalidatePath } from "next/cache";
import { requireActionCaller } from "@/lib/auth/require-caller";
import { AlertReviewRefusedError, reviewAlert, runIntegrityCheck, signOffMonth, SignOffRefusedError } from "@/lib/dal/compliance";
import { fieldErrorState, formErrorState, type FormState } from "@/lib/dto/admin";
import { alertReviewSchema, integrityCheckSchema, signOffSchema, type AuditReviewDto, type LogCheckDto } from "@/lib/dto/compliance";

/** Compliance runs the access log's integrity check now; the result (first broken link, or none) is shown back. */
export async function runIntegrityCheckAction(_previous: FormState<LogCheckDto>, formData: FormData): Promise<FormState<LogCheckDto>> {
  const caller = await requireActionCaller("access_log.read");
  const parsed = integrityCheckSchema.safeParse({ run: formData.get("run") });
  if (!parsed.success) return fieldErrorState(parsed.error);
  return { status: "success", result: await runIntegrityCheck(caller) };
}

/** Compliance marks an alert reviewed, with a note. */
export async function reviewAlertAction(_previous: FormState, formData: FormData): Promise<FormState> {
  const caller = await requireActionCaller("alerts.review");
  const parsed = alertReviewSchema.safeParse({ alertId: formData.get("alertId"), note: formData.get("note") });
  if (!parsed.success) return fieldErrorState(parsed.error);
  try {
    await reviewAlert(caller, parsed.data.alertId, parsed.data.note);
  } catch (error) {
    if (error instanceof AlertReviewRefusedError) return formErrorState(error.code);
    throw error;
  }
  revalidatePath("/compliance/alerts");
  return { status: "success", result: null };
}

/** Compliance signs off a month of the access log, with a note. */
export async function signOffMonthAction(_previous: FormState<AuditReviewDto>, formData: FormData): Promise<FormState<AuditReviewDto>> {
  const caller = await requireActionCaller("access_log.sign_off");
  const parsed = signOffSchema.safeParse({ period: formData.get("period"), note: formData.get("note") });
  if (!parsed.success) return fieldErrorState(parsed.error);
  try {
    const review = await signOffMonth(caller, parsed.data.period, parsed.data.note);
    revalidatePath("/compliance/sign-off");
    return { status: "success", result: review };
  } catch (error) {
    if (error instanceof SignOffRefusedError) return formErrorState(error.code);
    throw error;
  }
}
