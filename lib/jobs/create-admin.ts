import { z } from "zod";
import { db } from "@/lib/db";
import { appendAccessEvent } from "@/lib/audit";
import { hashPassword, passwordIssue } from "@/lib/auth/password";
import { raiseAlert } from "./alerts";

const PASSWORD_PROBLEMS = {
  too_short: "The password must be at least 12 characters.",
  too_long: "The password is too long.",
  common: "This password is too common; choose another.",
  contains_email: "The password must not contain the email's name part.",
} as const;

// The same password policy as every other account (NIST 800-63B: length and a common-password check).
export const newAdminSchema = z
  .object({
    email: z.string().trim().toLowerCase().email().max(254),
    name: z.string().trim().min(1).max(200),
    password: z.string(),
  })
  .superRefine((value, ctx) => {
    const issue = passwordIssue(value.password, { email: value.email });
    if (issue) ctx.addIssue({ code: "custom", path: ["password"], message: PASSWORD_PROBLEMS[issue] });
  });

export type NewAdmin = z.infer<typeof newAdminSchema>;

/** Creates the first (or another) administrator from the operator's console; logged as a SYSTEM action, alerted unless first. */
export async function createAdmin(input: NewAdmin): Promise<{ id: string }> {
  const data = newAdminSchema.parse(input);
  if (await db().staff.findUnique({ where: { email: data.email }, select: { id: true } })) {
    throw new Error(`A staff account with the email ${data.email} already exists.`);
  }
  const existingAdmins = await db().staff.count({ where: { role: "ADMIN", status: "ACTIVE" } });
  const admin = await db().staff.create({
    data: { email: data.email, name: data.name, role: "ADMIN", passwordHash: await hashPassword(data.password) },
    select: { id: true },
  });
  await appendAccessEvent(
    { actor: "SYSTEM", action: "staff.created", outcome: "ALLOWED", purpose: "OPERATIONS", details: { staffId: admin.id, role: "ADMIN", via: "create-admin" } },
    { ip: null, requestId: null },
  );
  // Four eyes rests on the number of administrators, so an administrator made outside the app (by whoever has a shell
  // on the server) is a critical alert whenever it is not the first.
  if (existingAdmins > 0) {
    await raiseAlert({ kind: "admin.created_by_operator", severity: "CRITICAL", details: { staffId: admin.id, adminIds: [admin.id], activeAdminsBefore: existingAdmins } });
  }
  return admin;
}
