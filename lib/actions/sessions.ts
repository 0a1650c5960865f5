"use server";

import { revalidatePath } from "next/cache";
import { z } from "zod";
import { requireActionCaller } from "@/lib/auth/require-caller";
import { AccessDeniedError } from "@/lib/dal/caller";
import { revokeOtherSessions, revokeOwnSession } from "@/lib/dal/sessions";
import { fieldErrorState, formErrorState, type FormState } from "@/lib/dto/admin";

const revokeSchema = z.object({ sessionId: z.uuid({ error: "not_found" }) });

/** Ends one of the caller's own sessions: that browser is signed out at its next request. */
export async function revokeOwnSessionAction(_previous: FormState, formData: FormData): Promise<FormState> {
  const caller = await requireActionCaller("account.security");
  const parsed = revokeSchema.safeParse({ sessionId: formData.get("sessionId") });
  if (!parsed.success) return fieldErrorState(parsed.error);
  try {
    await revokeOwnSession(caller, parsed.data.sessionId);
  } catch (error) {
    if (error instanceof AccessDeniedError) return formErrorState("not_found");
    throw error;
  }
  revalidatePath("/account/security");
  return { status: "success", result: null };
}

export async function revokeOtherSessionsAction(_previous: FormState, _formData: FormData): Promise<FormState> {
  const caller = await requireActionCaller("account.security");
  await revokeOtherSessions(caller);
  revalidatePath("/account/security");
  return { status: "success", result: null };
}
