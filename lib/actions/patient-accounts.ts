"use server";

import { revalidatePath } from "next/cache";
import { redirect } from "next/navigation";
import { z } from "zod";
import { requireActionCaller } from "@/lib/auth/require-caller";
import {
  PatientAccountRuleError,
  createPatientAccount,
  disablePatientAccount,
  findPatientForAccount,
  reissuePatientCode,
} from "@/lib/dal/patient-accounts";
import { ID_DOCUMENTS, fieldErrorState, formErrorState, type FormState, type IssuedCodeDto } from "@/lib/dto/admin";

// The registration desk. Permission first, then zod (nothing is written on bad input), then one DAL call.
// Messages are keys into the "admin" catalogue's formErrors.

const patientId = z.uuid({ error: "not_found" });
const idDocument = z.enum(ID_DOCUMENTS, { error: "id_document_required" });
const identityChecked = z.literal("on", { error: "identity_unchecked" });

const lookupSchema = z.object({
  mrn: z.string().trim().regex(/^[0-9A-Za-z-]{1,20}$/, "mrn_invalid"),
  birthDate: z.iso.date({ error: "date_invalid" }),
});
const createSchema = z.object({
  patientId,
  email: z.string().trim().toLowerCase().max(254, "too_long").pipe(z.email("email_invalid")),
  idDocument,
  identityChecked,
});
const reissueSchema = z.object({ patientId, idDocument, identityChecked });
const disableSchema = z.object({ patientId });

function fields(formData: FormData): Record<string, unknown> {
  return Object.fromEntries([...formData.entries()].filter(([key]) => !key.startsWith("$")));
}

function ruleState(error: unknown) {
  if (!(error instanceof PatientAccountRuleError)) throw error;
  return error.code === "email_taken" ? { status: "error" as const, fieldErrors: { email: error.code } } : formErrorState(`account_${error.code}`);
}

/** Finds the patient by MRN and birth date together; only then does the desk see the account page. */
export async function lookupPatientAccountAction(_previous: FormState, formData: FormData): Promise<FormState> {
  const caller = await requireActionCaller("patient_account.manage");
  const parsed = lookupSchema.safeParse(fields(formData));
  if (!parsed.success) return fieldErrorState(parsed.error);
  let found: string | null;
  try {
    found = await findPatientForAccount(caller, parsed.data.mrn, parsed.data.birthDate);
  } catch (error) {
    return ruleState(error);
  }
  if (!found) return formErrorState("identity_no_match");
  redirect(`/admin/patient-accounts/${found}`);
}

export async function createPatientAccountAction(_previous: FormState<IssuedCodeDto>, formData: FormData): Promise<FormState<IssuedCodeDto>> {
  const caller = await requireActionCaller("patient_account.manage");
  const parsed = createSchema.safeParse(fields(formData));
  if (!parsed.success) return fieldErrorState(parsed.error);
  try {
    // No revalidation: re-rendering the page would replace this form, and with it the code shown only once.
    const code = await createPatientAccount(caller, parsed.data.patientId, { email: parsed.data.email, idDocument: parsed.data.idDocument });
    return { status: "success", result: code };
  } catch (error) {
    return ruleState(error);
  }
}

export async function reissuePatientCodeAction(_previous: FormState<IssuedCodeDto>, formData: FormData): Promise<FormState<IssuedCodeDto>> {
  const caller = await requireActionCaller("patient_account.manage");
  const parsed = reissueSchema.safeParse(fields(formData));
  if (!parsed.success) return fieldErrorState(parsed.error);
  try {
    const code = await reissuePatientCode(caller, parsed.data.patientId, parsed.data.idDocument);
    return { status: "success", result: code };
  } catch (error) {
    return ruleState(error);
  }
}

export async function disablePatientAccountAction(_previous: FormState, formData: FormData): Promise<FormState> {
  const caller = await requireActionCaller("patient_account.manage");
  const parsed = disableSchema.safeParse(fields(formData));
  if (!parsed.success) return fieldErrorState(parsed.error);
  try {
    await disablePatientAccount(caller, parsed.data.patientId);
    revalidatePath(`/admin/patient-accounts/${parsed.data.patientId}`);
    return { status: "success", result: null };
  } catch (error) {
    return ruleState(error);
  }
}
