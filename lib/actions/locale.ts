"use server";

import { cookies } from "next/headers";
import { z } from "zod";
import { LOCALES, LOCALE_COOKIE } from "@/lib/i18n/locale";

const localeSchema = z.enum(LOCALES);

/** Anyone, signed in or not, may choose their language; the choice touches no data. */
export async function setLocaleAction(formData: FormData): Promise<void> {
  const parsed = localeSchema.safeParse(formData.get("locale"));
  if (!parsed.success) return;
  (await cookies()).set(LOCALE_COOKIE, parsed.data, { path: "/", sameSite: "lax", httpOnly: true, maxAge: 60 * 60 * 24 * 365 });
}
