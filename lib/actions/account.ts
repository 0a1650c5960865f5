"use server";

import { revalidatePath } from "next/cache";
import { z } from "zod";
import { currentCaller, requestContext, requireActionCaller } from "@/lib/auth/require-caller";
import { PASSWORD_MAX_LENGTH } from "@/lib/auth/password";
import {
  MfaRuleError,
  beginMfaEnrolment,
  beginSignInMfaEnrolment,
  confirmMfaEnrolment,
  disableMfa,
  redeemOneTimeCode,
  regenerateRecoveryCodes,
} from "@/lib/dal/actors";
import { fieldErrorState, formErrorState, type FormState, type MfaEnrolmentDto } from "@/lib/dto/admin";

const activationSchema = z
  .object({
    code: z.string().trim().min(1, "required").max(64, "code_invalid"),
    password: z.string().min(1, "required").max(PASSWORD_MAX_LENGTH * 4, "too_long"),
    confirm: z.string(),
  })
  .refine((v) => v.password === v.confirm, { path: ["confirm"], message: "password_mismatch" });

const signInSchema = z.object({
  email: z.string().trim().max(254).pipe(z.email("email_invalid")),
  password: z.string().min(1, "required").max(1024),
});

const totpSchema = z.object({ code: z.string().trim().regex(/^\d{6}$/, "totp_invalid") });

function fields(formData: FormData): Record<string, unknown> {
  return Object.fromEntries([...formData.entries()].filter(([key]) => !key.startsWith("$")));
}

/**
 * Public: the one-time code is the credential. Sets the holder's own password (first sign-in, or after a reset by an
 * administrator). Password rules (length, common list) are checked only once the code is known to be good.
 */
export async function activateAccountAction(_previous: FormState<"ACTIVATION" | "PASSWORD_RESET">, formData: FormData): Promise<FormState<"ACTIVATION" | "PASSWORD_RESET">> {
  const parsed = activationSchema.safeParse(fields(formData));
  if (!parsed.success) return fieldErrorState(parsed.error);
  // Public, but a staff session in the same browser is noted: the desk opener activating the account is alerted.
  const signedIn = await currentCaller();
  const result = await redeemOneTimeCode(parsed.data.code, parsed.data.password, await requestContext(), signedIn ? { kind: signedIn.actor.kind, id: signedIn.actor.id } : null);
  if (result.ok) return { status: "success", result: result.purpose };
  if (result.error === "invalid_code") return { status: "error", fieldErrors: { code: "code_invalid" } };
  if (result.error === "throttled") return formErrorState("throttled");
  return { status: "error", fieldErrors: { password: `password_${result.error}` } };
}

/**
 * Public (password-authenticated, throttled like a sign-in): the first sign-in of a role that requires a second
 * factor enrols one. Returns the secret and recovery codes once; sign-in then completes with a code.
 */
export async function beginSignInMfaEnrolmentAction(_previous: FormState<MfaEnrolmentDto>, formData: FormData): Promise<FormState<MfaEnrolmentDto>> {
  const parsed = signInSchema.safeParse(fields(formData));
  if (!parsed.success) return fieldErrorState(parsed.error);
  const result = await beginSignInMfaEnrolment(parsed.data.email, parsed.data.password, await requestContext());
  if (result === "throttled") return formErrorState("throttled");
  if (!result) return formErrorState("sign_in_failed");
  return { status: "success", result };
}

function mfaRuleState(error: unknown) {
  if (!(error instanceof MfaRuleError)) throw error;
  return error.code === "invalid_code" ? { status: "error" as const, fieldErrors: { code: "totp_invalid" } } : formErrorState(error.code);
}

export async function beginMfaEnrolmentAction(_previous: FormState<{ secret: string; uri: string }>, _formData: FormData): Promise<FormState<{ secret: string; uri: string }>> {
  const caller = await requireActionCaller("account.security");
  try {
    const result = await beginMfaEnrolment(caller);
    return { status: "success", result };
  } catch (error) {
    return mfaRuleState(error);
  }
}

export async function confirmMfaEnrolmentAction(_previous: FormState<string[]>, formData: FormData): Promise<FormState<string[]>> {
  const caller = await requireActionCaller("account.security");
  const parsed = totpSchema.safeParse(fields(formData));
  if (!parsed.success) return fieldErrorState(parsed.error);
  try {
    // No revalidation here: the page must keep showing the new recovery codes until the user leaves it.
    const codes = await confirmMfaEnrolment(caller, parsed.data.code);
    return { status: "success", result: codes };
  } catch (error) {
    return mfaRuleState(error);
  }
}

export async function regenerateRecoveryCodesAction(_previous: FormState<string[]>, _formData: FormData): Promise<FormState<string[]>> {
  const caller = await requireActionCaller("account.security");
  try {
    const codes = await regenerateRecoveryCodes(caller);
    revalidatePath("/account/security");
    return { status: "success", result: codes };
  } catch (error) {
    return mfaRuleState(error);
  }
}

export async function disableMfaAction(_previous: FormState, formData: FormData): Promise<FormState> {
  const caller = await requireActionCaller("account.security");
  const parsed = totpSchema.safeParse(fields(formData));
  if (!parsed.success) return fieldErrorState(parsed.error);
  try {
    await disableMfa(caller, parsed.data.code);
  } catch (error) {
    return mfaRuleState(error);
  }
  revalidatePath("/account/security");
  return { status: "success", result: null };
}
