"use server";

import { revalidatePath } from "next/cache";
import { z } from "zod";
import { requireActionCaller } from "@/lib/auth/require-caller";
import { ConsentRuleError, grantConsent, revokeConsent } from "@/lib/dal/own-consents";
import { fieldErrorState, formErrorState, type FormState } from "@/lib/dto/admin";
import { grantConsentSchema } from "@/lib/dto/consents";

// A patient's consents. Permission first, then zod (nothing is written on bad input), then one DAL call.
// Messages are keys into the "consents" catalogue's errors.

const FIELD_OF: Partial<Record<ConsentRuleError["code"], string>> = { grantee_unknown: "grantee", study_unknown: "grantee", valid_until_past: "validUntil" };

function ruleState(error: unknown) {
  if (!(error instanceof ConsentRuleError)) throw error;
  const field = FIELD_OF[error.code];
  return field ? { status: "error" as const, fieldErrors: { [field]: error.code } } : formErrorState(error.code);
}

export async function grantConsentAction(_previous: FormState, formData: FormData): Promise<FormState> {
  const caller = await requireActionCaller("own_consents.manage");
  const parsed = grantConsentSchema.safeParse({
    scope: formData.get("scope"),
    grantee: formData.get("grantee") ?? "",
    recordClasses: formData.getAll("recordClasses"),
    dataFrom: formData.get("dataFrom") ?? "",
    dataUntil: formData.get("dataUntil") ?? "",
    validUntil: formData.get("validUntil") ?? "",
  });
  if (!parsed.success) return fieldErrorState(parsed.error);
  try {
    await grantConsent(caller, parsed.data);
    revalidatePath("/me/consents");
    return { status: "success", result: null };
  } catch (error) {
    return ruleState(error);
  }
}

export async function revokeConsentAction(_previous: FormState, formData: FormData): Promise<FormState> {
  const caller = await requireActionCaller("own_consents.manage");
  const parsed = z.object({ consentId: z.uuid({ error: "not_found" }) }).safeParse({ consentId: formData.get("consentId") });
  if (!parsed.success) return fieldErrorState(parsed.error);
  try {
    await revokeConsent(caller, parsed.data.consentId);
    revalidatePath("/me/consents");
    return { status: "success", result: null };
  } catch (error) {
    return ruleState(error);
  }
}
