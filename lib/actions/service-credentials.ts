"use server";

import { revalidatePath } from "next/cache";
import { z } from "zod";
import { requireActionCaller } from "@/lib/auth/require-caller";
import { AccessDeniedError } from "@/lib/dal/caller";
import { PrivilegedRuleError, requestPrivileged, type PrivilegedOutcome } from "@/lib/dal/privileged-requests";
import { SERVICE_CREDENTIAL_MAX_DAYS, ServiceCredentialRuleError, revokeServiceCredential } from "@/lib/dal/service-credentials";
import { fieldErrorState, formErrorState, type FormState } from "@/lib/dto/admin";

const blankToNull = (v: unknown) => (v === "" || v === undefined || v === null ? null : v);

const issueSchema = z.object({
  name: z.string({ error: "required" }).trim().min(1, "required").max(100, "too_long"),
  expiresInDays: z.coerce.number({ error: "expiry_invalid" }).int("expiry_invalid").min(1, "expiry_invalid").max(SERVICE_CREDENTIAL_MAX_DAYS, "expiry_invalid"),
  scopeMrn: z.preprocess(blankToNull, z.string().trim().regex(/^[0-9A-Za-z-]{1,20}$/, "mrn_invalid").nullable()),
  scopeDepartmentId: z.preprocess(blankToNull, z.uuid({ error: "department_unknown" }).nullable()),
});
const revokeSchema = z.object({ credentialId: z.uuid() });

/**
 * An administrator requests a credential for a hospital system (four eyes): on approval the token is shown once, to
 * the approving administrator. It expires within a year and may be scoped to one MRN or one department.
 */
export async function issueServiceCredentialAction(_previous: FormState<PrivilegedOutcome>, formData: FormData): Promise<FormState<PrivilegedOutcome>> {
  const caller = await requireActionCaller("service_credential.manage");
  const parsed = issueSchema.safeParse({
    name: formData.get("name") ?? undefined,
    expiresInDays: formData.get("expiresInDays") ?? undefined,
    scopeMrn: formData.get("scopeMrn"),
    scopeDepartmentId: formData.get("scopeDepartmentId"),
  });
  if (!parsed.success) return fieldErrorState(parsed.error);
  const { name, expiresInDays, scopeMrn, scopeDepartmentId } = parsed.data;
  if (scopeMrn && scopeDepartmentId) return { status: "error", fieldErrors: { scopeMrn: "scope_one" } };
  try {
    const result = await requestPrivileged(caller, {
      kind: "SERVICE_CREDENTIAL",
      credential: { name, expiresAt: new Date(Date.now() + expiresInDays * 24 * 3600_000).toISOString(), scopeMrn, scopeDepartmentId },
    });
    revalidatePath("/admin/service-credentials");
    revalidatePath("/admin/approvals");
    return { status: "success", result };
  } catch (error) {
    if (error instanceof ServiceCredentialRuleError) return { status: "error", fieldErrors: { [error.code === "expiry_invalid" ? "expiresInDays" : "scopeMrn"]: error.code } };
    if (error instanceof PrivilegedRuleError) return formErrorState(error.code);
    throw error;
  }
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
