"use server";

import { z } from "zod";
import { requireActionCaller } from "@/lib/auth/require-caller";
import { AccessDeniedError } from "@/lib/dal/caller";
import { reportRecordToCompliance, type RecordReportOutcome } from "@/lib/dal/record-report";
import { formErrorState, type FormState } from "@/lib/dto/admin";

const recordReportSchema = z.object({ patientId: z.uuid(), recordId: z.uuid() });

/** "Report to compliance" on the page of a record that fails verification. */
export async function reportRecordAction(_previous: FormState<RecordReportOutcome>, formData: FormData): Promise<FormState<RecordReportOutcome>> {
  const caller = await requireActionCaller("chart.view");
  const parsed = recordReportSchema.safeParse({ patientId: formData.get("patientId"), recordId: formData.get("recordId") });
  if (!parsed.success) return formErrorState("invalid");
  try {
    return { status: "success", result: await reportRecordToCompliance(caller, parsed.data.patientId, parsed.data.recordId) };
  } catch (error) {
    if (error instanceof AccessDeniedError) return formErrorState("not_found");
    throw error;
  }
}
