"use client";

import { useActionState } from "react";
import { useFormatter, useTranslations } from "next-intl";
import { revokeOtherSessionsAction, revokeOwnSessionAction } from "@/lib/actions/sessions";
import type { FormState, SessionDto } from "@/lib/dto/admin";
import { Notice, SubmitButton } from "@/components/ui/form-bits";

function RevokeOne({ session }: { session: SessionDto }) {
  const t = useTranslations("approvals");
  const [state, action] = useActionState(revokeOwnSessionAction, { status: "idle" } as FormState);
  if (state.status === "success") return <Notice tone="ok">{t("sessionRevoked")}</Notice>;
  return (
    <form action={action}>
      <input type="hidden" name="sessionId" value={session.id} />
      <SubmitButton tone="plain">{t("sessionRevoke")}</SubmitButton>
    </form>
  );
}

/** The staff member's own open sessions; any but this one can be ended here. */
export function SessionList({ sessions }: { sessions: SessionDto[] }) {
  const t = useTranslations("approvals");
  const format = useFormatter();
  const [state, revokeOthers] = useActionState(revokeOtherSessionsAction, { status: "idle" } as FormState);
  const when = (iso: string) => format.dateTime(new Date(iso), "audit");
  const others = sessions.filter((s) => !s.current);
  return (
    <section aria-labelledby="sessions-title" className="mt-8 rounded-lg border border-line bg-surface p-5">
      <h2 id="sessions-title" className="mb-1 text-lg font-bold">
        {t("sessionsTitle")}
      </h2>
      <p className="mb-4 text-sm text-ink-muted">{t("sessionsDescription")}</p>
      <ul className="mb-4 space-y-3">
        {sessions.map((s) => (
          <li key={s.id} data-session-id={s.id} className="flex flex-wrap items-center justify-between gap-3 border-b border-line pb-3 text-sm">
            <div>
              <p className="font-semibold">{s.current ? t("sessionCurrent") : (s.userAgent ?? "—")}</p>
              <p className="text-ink-muted">
                {t("sessionStarted", { time: when(s.createdAt) })} · {t("sessionSeen", { time: when(s.lastSeenAt) })}
                {s.ip ? ` · ${t("sessionFrom", { ip: s.ip })}` : null}
              </p>
            </div>
            {s.current ? null : <RevokeOne session={s} />}
          </li>
        ))}
      </ul>
      {others.length === 0 ? (
        <p className="text-sm text-ink-muted">{t("sessionsNone")}</p>
      ) : state.status === "success" ? (
        <Notice tone="ok">{t("sessionRevoked")}</Notice>
      ) : (
        <form action={revokeOthers}>
          <SubmitButton tone="danger">{t("sessionRevokeOthers")}</SubmitButton>
        </form>
      )}
    </section>
  );
}
