"use server";

import { redirect } from "next/navigation";
import { z } from "zod";
import { requireActionCaller } from "@/lib/auth/require-caller";
import { seal } from "@/lib/auth/sealed-box";
import { env } from "@/lib/env";
import { BreakGlassRefusedError, openBreakGlass } from "@/lib/dal/break-glass";
import { fieldErrorState, type FormState } from "@/lib/dto/admin";
import { PATIENT_PAGE_SIZES, PATIENT_SORT_COLUMNS, breakGlassSchema, patientSearchTermsSchema } from "@/lib/dto/patients";

function fields(formData: FormData): Record<string, unknown> {
  return Object.fromEntries([...formData.entries()].filter(([key]) => !key.startsWith("$")));
}

const keepSchema = z.object({
  sort: z.enum(PATIENT_SORT_COLUMNS).catch("name").default("name"),
  dir: z.enum(["asc", "desc"]).catch("asc").default("asc"),
  size: z.coerce.number().catch(25).default(25),
});

/**
 * Turns typed search terms into a search link. Names and birth dates are PHI, so they are sealed into an opaque
 * `s` parameter (readable only by this server) instead of travelling in the query string. The search itself, and
 * its audit event, happen when the list page loads.
 */
export async function searchPatientsAction(_previous: FormState, formData: FormData): Promise<FormState> {
  await requireActionCaller("patient.list");
  const input = fields(formData);
  const parsed = patientSearchTermsSchema.safeParse(input);
  if (!parsed.success) return fieldErrorState(parsed.error);
  const keep = keepSchema.parse(input);
  const params = new URLSearchParams();
  if (parsed.data.q || parsed.data.born) params.set("s", seal("patient-search-v1", JSON.stringify(parsed.data), env().AUTH_SECRET));
  if (keep.sort !== "name") params.set("sort", keep.sort);
  if (keep.dir !== "asc") params.set("dir", keep.dir);
  if ((PATIENT_PAGE_SIZES as readonly number[]).includes(keep.size) && keep.size !== 25) params.set("size", String(keep.size));
  const text = params.toString();
  redirect(text ? `/patients?${text}` : "/patients");
}

/** Break-glass: a grant to one patient's chart by exact MRN, with a mandatory reason; then straight to the chart. */
export async function openBreakGlassAction(_previous: FormState, formData: FormData): Promise<FormState> {
  const caller = await requireActionCaller("break_glass.open");
  const parsed = breakGlassSchema.safeParse(fields(formData));
  if (!parsed.success) return fieldErrorState(parsed.error);
  let patientId: string;
  try {
    ({ patientId } = await openBreakGlass(caller, parsed.data));
  } catch (error) {
    if (error instanceof BreakGlassRefusedError) return { status: "error", fieldErrors: { mrn: error.code } };
    throw error;
  }
  redirect(`/patients/${patientId}`);
}
