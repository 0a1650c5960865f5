"use server";

import { revalidatePath } from "next/cache";
import { z } from "zod";
import { requireActionCaller } from "@/lib/auth/require-caller";
import { dismissOwnNotice } from "@/lib/dal/patient-notices";

/** The patient dismisses a notice about their own account (lib/dal/patient-notices.ts). A bad id changes nothing. */
export async function dismissPatientNoticeAction(formData: FormData): Promise<void> {
  const caller = await requireActionCaller("own_records.view");
  const parsed = z.object({ noticeId: z.uuid() }).safeParse({ noticeId: formData.get("noticeId") });
  if (!parsed.success) return;
  await dismissOwnNotice(caller, parsed.data.noticeId);
  revalidatePath("/me");
}
