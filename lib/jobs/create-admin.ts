import { z } from "zod";
import { db } from "@/lib/db";
import { appendAccessEvent } from "@/lib/audit";
import { hashPassword } from "@/lib/auth/password";

export const newAdminSchema = z.object({
  email: z.string().trim().toLowerCase().email().max(254),
  name: z.string().trim().min(1).max(200),
  // NIST 800-63B: length, not composition rules.
  password: z.string().min(12, "The password must be at least 12 characters.").max(1024),
});

export type NewAdmin = z.infer<typeof newAdminSchema>;

/** Creates the first (or another) administrator from the operator's console; logged as a SYSTEM action. */
export async function createAdmin(input: NewAdmin): Promise<{ id: string }> {
  const data = newAdminSchema.parse(input);
  if (await db().staff.findUnique({ where: { email: data.email }, select: { id: true } })) {
    throw new Error(`A staff account with the email ${data.email} already exists.`);
  }
  const admin = await db().staff.create({
    data: { email: data.email, name: data.name, role: "ADMIN", passwordHash: await hashPassword(data.password) },
    select: { id: true },
  });
  await appendAccessEvent(
    { actor: "SYSTEM", action: "staff.created", outcome: "ALLOWED", purpose: "OPERATIONS", details: { staffId: admin.id, role: "ADMIN", via: "create-admin" } },
    { ip: null, requestId: null },
  );
  return admin;
}
