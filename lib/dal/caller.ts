import type { Actor } from "@/lib/authz";
import type { AuditContext } from "@/lib/audit";

/** Who is asking and from where; built per request by lib/auth from a fresh database lookup. */
export type Caller = { actor: Actor; context: AuditContext; /** The server-side session the request came with (lib/dal/sessions.ts). */ sessionId?: string };

/** Thrown when the caller may not see something; pages turn it into a 404 so existence is not revealed. */
export class AccessDeniedError extends Error {
  override name = "AccessDeniedError";
  constructor(message = "Access denied") {
    super(message);
  }
}
