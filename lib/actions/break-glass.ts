"use server";

import { revalidatePath } from "next/cache";
import { requireActionCaller } from "@/lib/auth/require-caller";
import { AccessDeniedError } from "@/lib/dal/caller";
import { reviewBreakGlass } from "@/lib/dal/break-glass";
import { fieldErrorState, formErrorState, type FormState } from "@/lib/dto/admin";
import { breakGlassReviewSchema } from "@/lib/dto/patients";

/** Compliance marks an emergency grant reviewed, with a note. */
export async function reviewBreakGlassAction(_previous: FormState, formData: FormData): Promise<FormState> {
  const caller = await requireActionCaller("break_glass.review");
  const parsed = breakGlassReviewSchema.safeParse({ grantId: formData.get("grantId"), note: formData.get("note") });
  if (!parsed.success) return fieldErrorState(parsed.error);
  try {
    await reviewBreakGlass(caller, parsed.data.grantId, parsed.data.note);
  } catch (error) {
    if (error instanceof AccessDeniedError) return formErrorState("already_reviewed");
    throw error;
  }
  revalidatePath("/compliance/break-glass");
  return { status: "success", result: null };
}
