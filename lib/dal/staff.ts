import "server-only";
import { db } from "@/lib/db";
import { can } from "@/lib/authz";
import type { StaffListItemDto } from "@/lib/dto";
import { AccessDeniedError, type Caller } from "./caller";

export async function listStaff(caller: Caller): Promise<StaffListItemDto[]> {
  if (!can(caller.actor, "staff.list")) throw new AccessDeniedError();
  const staff = await db().staff.findMany({
    select: { id: true, name: true, email: true, role: true, status: true, department: { select: { name: true } } },
    orderBy: [{ name: "asc" }, { id: "asc" }],
    take: 500,
  });
  return staff.map((s) => ({ id: s.id, name: s.name, email: s.email, role: s.role, status: s.status, department: s.department?.name ?? null }));
}
