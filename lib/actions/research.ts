"use server";

import { revalidatePath } from "next/cache";
import { redirect } from "next/navigation";
import { requireActionCaller } from "@/lib/auth/require-caller";
import { exportCohort, ResearchExportRefusedError, saveCohort, UnknownStudyError, verifyExport } from "@/lib/dal/research";
import { fieldErrorState, formErrorState, type FormState } from "@/lib/dto/admin";
import { createExportSchema, saveCohortSchema, verifyExportSchema, type ExportVerificationDto } from "@/lib/dto/research";

/** A researcher saves the builder's criteria as a named cohort (with its consent snapshot), then opens it. */
export async function saveCohortAction(_previous: FormState, formData: FormData): Promise<FormState> {
  const caller = await requireActionCaller("research.cohort");
  const parsed = saveCohortSchema.safeParse({ name: formData.get("name") ?? "", studyId: formData.get("studyId") ?? "", criteria: formData.get("criteria") ?? "" });
  if (!parsed.success) return fieldErrorState(parsed.error);
  let id: string;
  try {
    ({ id } = await saveCohort(caller, { name: parsed.data.name, studyId: parsed.data.studyId ?? null, criteria: parsed.data.criteria }));
  } catch (error) {
    if (error instanceof UnknownStudyError) return { status: "error", fieldErrors: { studyId: "unknown_study" } };
    throw error;
  }
  revalidatePath("/research");
  redirect(`/research/cohorts/${id}`);
}

/** A researcher exports a saved cohort (Safe Harbor, or pseudonymised with PIPA's record), then lands on the export's page. */
export async function createExportAction(_previous: FormState, formData: FormData): Promise<FormState> {
  const caller = await requireActionCaller("research.export");
  const field = (name: string) => formData.get(name) ?? undefined;
  const parsed = createExportSchema.safeParse({
    cohortId: formData.get("cohortId"),
    mode: field("mode"),
    acknowledge: formData.get("acknowledge"),
    purpose: field("purpose"),
    irbApprovalNumber: field("irbApprovalNumber"),
    keyCustodian: field("keyCustodian"),
    retainUntil: field("retainUntil"),
  });
  if (!parsed.success) return fieldErrorState(parsed.error);
  const { cohortId, mode, purpose, irbApprovalNumber, keyCustodian, retainUntil } = parsed.data;
  const terms = mode === "PSEUDONYMISED" ? { purpose: purpose!, irbApprovalNumber: irbApprovalNumber!, keyCustodian: keyCustodian!, retainUntil: retainUntil! } : undefined;
  let exportId: string;
  try {
    ({ exportId } = await exportCohort(caller, cohortId, mode, terms));
  } catch (error) {
    if (error instanceof ResearchExportRefusedError) return formErrorState(error.code);
    throw error;
  }
  revalidatePath(`/research/cohorts/${cohortId}`);
  redirect(`/research/exports/${exportId}`);
}

/** Re-hashes an export's files and manifest and reads its root from the chain; the result is shown back. */
export async function verifyExportAction(_previous: FormState<ExportVerificationDto>, formData: FormData): Promise<FormState<ExportVerificationDto>> {
  const caller = await requireActionCaller("research.export");
  const parsed = verifyExportSchema.safeParse({ exportId: formData.get("exportId") });
  if (!parsed.success) return fieldErrorState(parsed.error);
  return { status: "success", result: await verifyExport(caller, parsed.data.exportId) };
}
