import "server-only";
import { cache } from "react";
import { getServerSession } from "next-auth";
import { headers } from "next/headers";
import { notFound, redirect } from "next/navigation";
import { can, type Permission } from "@/lib/authz";
import { findActiveActor } from "@/lib/dal/actors";
import type { Caller } from "@/lib/dal/caller";
import { authOptions } from "./options";

type SessionActor = { kind?: unknown; id?: unknown };

/**
 * The current caller as the database sees them now, or null (no session, suspended, or deleted).
 * Memoised per request, so the layout and the page share one lookup.
 */
export const currentCaller = cache(async (): Promise<Caller | null> => {
  const session = (await getServerSession(authOptions())) as { actor?: SessionActor } | null;
  const kind = session?.actor?.kind;
  const id = session?.actor?.id;
  if ((kind !== "STAFF" && kind !== "PATIENT") || typeof id !== "string") return null;
  const actor = await findActiveActor(kind, id);
  if (!actor) return null;
  const h = await headers();
  return {
    actor,
    context: {
      ip: h.get("x-forwarded-for")?.split(",")[0]?.trim() ?? null,
      requestId: h.get("x-request-id"),
    },
  };
});

/**
 * For pages: signs out to /login without a valid session; answers 404 when the caller lacks the permission,
 * so a page's existence is not revealed to roles that may not use it.
 */
export async function requireCaller(permission?: Permission): Promise<Caller> {
  const caller = await currentCaller();
  if (!caller) redirect("/login");
  if (permission && !can(caller.actor, permission)) notFound();
  return caller;
}
