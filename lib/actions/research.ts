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

/** A researcher exports a saved cohort in an explicitly chosen mode, then lands on the export's page. */
export async function createExportAction(_previous: FormState, formData: FormData): Promise<FormState> {
  const caller = await requireActionCaller("research.export");
  const parsed = createExportSchema.safeParse({ cohortId: formData.get("cohortId"), mode: formData.get("mode") ?? undefined, acknowledge: formData.get("acknowledge") });
  if (!parsed.success) return fieldErrorState(parsed.error);
  let exportId: string;
  try {
    ({ exportId } = await exportCohort(caller, parsed.data.cohortId, parsed.data.mode));
  } catch (error) {
    if (error instanceof ResearchExportRefusedError) return formErrorState(error.code);
    throw error;
  }
  revalidatePath(`/research/cohorts/${parsed.data.cohortId}`);
  redirect(`/research/exports/${exportId}`);
}

/** Re-hashes an export's files and manifest and reads its root from the chain; the result is shown back. */
export async function verifyExportAction(_previous: FormState<ExportVerificationDto>, formData: FormData): Promise<FormState<ExportVerificationDto>> {
  const caller = await requireActionCaller("research.export");
  const parsed = verifyExportSchema.safeParse({ exportId: formData.get("exportId") });
  if (!parsed.success) return fieldErrorState(parsed.error);
  return { status: "success", result: await verifyExport(caller, parsed.data.exportId) };
}
