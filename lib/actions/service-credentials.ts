"use server";

import { revalidatePath } from "next/cache";
import { z } from "zod";
import { requireActionCaller } from "@/lib/auth/require-caller";
import { AccessDeniedError } from "@/lib/dal/caller";
import { issueServiceCredential, revokeServiceCredential } from "@/lib/dal/service-credentials";
import { fieldErrorState, formErrorState, type FormState } from "@/lib/dto/admin";
import type { IssuedServiceCredentialDto } from "@/lib/dto/uploads";

const issueSchema = z.object({ name: z.string({ error: "required" }).trim().min(1, "required").max(100, "too_long") });
const revokeSchema = z.object({ credentialId: z.uuid() });

/** An administrator issues a credential for a hospital system; the token comes back once, in the result. */
export async function issueServiceCredentialAction(_previous: FormState<IssuedServiceCredentialDto>, formData: FormData): Promise<FormState<IssuedServiceCredentialDto>> {
  const caller = await requireActionCaller("service_credential.manage");
  const parsed = issueSchema.safeParse({ name: formData.get("name") ?? undefined });
  if (!parsed.success) return fieldErrorState(parsed.error);
  const issued = await issueServiceCredential(caller, parsed.data.name);
  revalidatePath("/admin/service-credentials");
  return { status: "success", result: issued };
}

/** An administrator revokes a credential: the system's next request is refused. */
export async function revokeServiceCredentialAction(_previous: FormState, formData: FormData): Promise<FormState> {
  const caller = await requireActionCaller("service_credential.manage");
  const parsed = revokeSchema.safeParse({ credentialId: formData.get("credentialId") });
  if (!parsed.success) return fieldErrorState(parsed.error);
  try {
    await revokeServiceCredential(caller, parsed.data.credentialId);
  } catch (error) {
    if (error instanceof AccessDeniedError) return formErrorState("already_revoked");
    throw error;
  }
  revalidatePath("/admin/service-credentials");
  return { status: "success", result: null };
}
