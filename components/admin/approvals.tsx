"use client";

import { useActionState } from "react";
import { useFormatter, useTranslations } from "next-intl";
import { approvePrivilegedRequestAction, rejectPrivilegedRequestAction } from "@/lib/actions/approvals";
import type { ApprovalResult } from "@/lib/dto/admin";
import type { FormState, PrivilegedRequestDto } from "@/lib/dto/admin";
import { Notice, SubmitButton } from "@/components/ui/form-bits";
import { ApprovalResultView } from "./privileged-outcome";

function useWhat() {
  const t = useTranslations("approvals");
  const tc = useTranslations("common");
  const tl = useTranslations("erasure");
  const format = useFormatter();
  return (r: PrivilegedRequestDto): string[] => {
    if (r.erasure) {
      return [t("eraseRecord", { recordId: r.erasure.recordId }), t("eraseBasis", { basis: tl(`bases.${r.erasure.legalBasis}`) }), t("eraseReason", { reason: r.erasure.reason }), t("eraseWarning")];
    }
    if (r.newStaff) {
      return [
        t("newStaff", { name: r.newStaff.name, email: r.newStaff.email, role: tc(`roles.${r.newStaff.role}`) }),
        ...(r.newStaff.department ? [t("department", { name: r.newStaff.department })] : []),
        ...(r.newStaff.licenceNumber ? [t("licence", { licence: r.newStaff.licenceNumber })] : []),
      ];
    }
    if (r.credential) {
      return [
        t("credential", { name: r.credential.name, time: format.dateTime(new Date(r.credential.expiresAt), "audit") }),
        r.credential.scopeMrn ? t("scopeMrn", { mrn: r.credential.scopeMrn }) : r.credential.scopeDepartment ? t("scopeDepartment", { name: r.credential.scopeDepartment }) : t("scopeNone"),
      ];
    }
    if (r.subject && r.newRole) return [t("roleChange", { name: r.subject.name, email: r.subject.email, from: tc(`roles.${r.subject.role}`), to: tc(`roles.${r.newRole}`) })];
    if (r.subject) return [t("subject", { name: r.subject.name, email: r.subject.email })];
    return [];
  };
}

type Decisions = { approve: (formData: FormData) => void; reject: (formData: FormData) => void };

function Decide({ request, decisions }: { request: PrivilegedRequestDto; decisions: Decisions }) {
  const t = useTranslations("approvals");
  return (
    <div className="space-y-2">
      <div className="flex flex-wrap gap-3">
        {request.canApprove ? (
          <form action={decisions.approve}>
            <input type="hidden" name="requestId" value={request.id} />
            <SubmitButton pendingLabel={t("approving")}>{t("approve")}</SubmitButton>
          </form>
        ) : null}
        {request.canApprove || request.own ? (
          <form action={decisions.reject}>
            <input type="hidden" name="requestId" value={request.id} />
            <SubmitButton tone="plain">{request.own ? t("withdraw") : t("reject")}</SubmitButton>
          </form>
        ) : null}
      </div>
      {request.own ? <p className="text-sm text-ink-muted">{t("ownNote")}</p> : !request.canApprove ? <p className="text-sm text-ink-muted">{t("subjectNote")}</p> : null}
    </div>
  );
}

/**
 * The approvals page's lists. The decisions' state lives here, above the lists: after an approval the page re-renders
 * and the request moves from "waiting" to "decided", but what the approval produced (a code, a token, shown once)
 * must stay on screen.
 */
export function ApprovalBoard({ requests }: { requests: PrivilegedRequestDto[] }) {
  const t = useTranslations("approvals");
  const ta = useTranslations("admin");
  const [approved, approve] = useActionState(approvePrivilegedRequestAction, { status: "idle" } as FormState<ApprovalResult>);
  const [rejected, reject] = useActionState(rejectPrivilegedRequestAction, { status: "idle" } as FormState);
  const error = approved.status === "error" ? approved.formError : rejected.status === "error" ? rejected.formError : undefined;
  const decisions = { approve, reject };
  return (
    <>
      <div aria-live="polite" className="mb-6 space-y-3 empty:hidden">
        {approved.status === "success" ? <ApprovalResultView result={approved.result} /> : null}
        {rejected.status === "success" ? <Notice tone="ok">{t("rejected")}</Notice> : null}
        {error ? <Notice tone="danger">{ta(`formErrors.${error}`)}</Notice> : null}
      </div>
      <section aria-labelledby="pending-title" className="mb-8">
        <h2 id="pending-title" className="mb-3 text-lg font-semibold">
          {t("pendingTitle")}
        </h2>
        <ApprovalList requests={requests.filter((r) => r.status === "PENDING")} decisions={decisions} />
      </section>
      <section aria-labelledby="decided-title">
        <h2 id="decided-title" className="mb-3 text-lg font-semibold">
          {t("decidedTitle")}
        </h2>
        <ApprovalList requests={requests.filter((r) => r.status !== "PENDING")} />
      </section>
    </>
  );
}

function ApprovalList({ requests, decisions }: { requests: PrivilegedRequestDto[]; decisions?: Decisions }) {
  const pending = decisions !== undefined;
  const t = useTranslations("approvals");
  const format = useFormatter();
  const what = useWhat();
  const when = (iso: string) => format.dateTime(new Date(iso), "audit");
  if (requests.length === 0) return <p className="text-ink-muted">{pending ? t("none") : t("noneDecided")}</p>;
  return (
    <ul className="space-y-4">
      {requests.map((r) => (
        <li key={r.id} data-request-id={r.id} className="rounded-lg border border-line bg-surface p-4">
          <div className="mb-1 flex flex-wrap items-baseline justify-between gap-2">
            <h3 className="font-bold">{t(`kinds.${r.kind}`)}</h3>
            <span className="text-sm" data-testid="request-status">
              {t(`statuses.${r.status}`)}
            </span>
          </div>
          {what(r).map((line) => (
            <p key={line} className="text-sm">
              {line}
            </p>
          ))}
          <p className="mt-1 text-xs text-ink-muted">
            {t("requestedBy", { name: r.requestedBy ?? "—", time: when(r.createdAt) })}
            {r.status === "PENDING" ? ` · ${t("expires", { time: when(r.expiresAt) })}` : null}
            {r.decidedAt && r.decidedBy ? ` · ${t("decidedBy", { status: t(`statuses.${r.status}`), name: r.decidedBy, time: when(r.decidedAt) })}` : null}
          </p>
          {pending ? (
            <div className="mt-3">
              <Decide request={r} decisions={decisions!} />
            </div>
          ) : null}
        </li>
      ))}
    </ul>
  );
}
