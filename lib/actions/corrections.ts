"use server";

import { revalidatePath } from "next/cache";
import { redirect } from "next/navigation";
import { z } from "zod";
import { requireActionCaller } from "@/lib/auth/require-caller";
import { CorrectionRuleError, correctOwnRecord } from "@/lib/dal/corrections";
import { IntakeRejectedError } from "@/lib/fhir/ingest";
import type { CorrectionState } from "@/lib/dto/uploads";

const correctionSchema = z.object({ recordId: z.uuid(), resource: z.string().min(1).max(2 * 1024 * 1024) });

/** A patient corrects one of their own uploaded records: a new version, validated like an upload. */
export async function correctRecordAction(_previous: CorrectionState, formData: FormData): Promise<CorrectionState> {
  const caller = await requireActionCaller("own_records.upload");
  const parsed = correctionSchema.safeParse({ recordId: formData.get("recordId"), resource: formData.get("resource") });
  if (!parsed.success) return { status: "error", code: "empty", problems: [] };
  try {
    await correctOwnRecord(caller, parsed.data.recordId, parsed.data.resource);
  } catch (error) {
    if (error instanceof IntakeRejectedError) return { status: "error", code: error.reason, problems: error.problems };
    if (error instanceof CorrectionRuleError) return { status: "error", code: error.code, problems: [] };
    throw error;
  }
  revalidatePath("/me");
  redirect("/me?corrected=1");
}
