"use client";

import Link from "next/link";
import { useFormatter, useTranslations } from "next-intl";
import type { ApprovalResult, PrivilegedOutcome } from "@/lib/dto/admin";
import { Notice } from "@/components/ui/form-bits";
import { IssuedCode } from "./issued-code";

/** What an executed privileged step shows once: a new account's code, a credential's token, or a confirmation. */
export function ApprovalResultView({ result }: { result: ApprovalResult }) {
  const t = useTranslations("approvals");
  const format = useFormatter();
  switch (result.kind) {
    case "STAFF_CREATE":
      return (
        <div className="space-y-3" data-testid="approval-result">
          <Notice tone="ok">{t("approvedStaff", { name: result.name })}</Notice>
          <IssuedCode code={result.code} name={result.name} />
          <Link href={`/admin/staff/${result.staffId}`} className="inline-block text-sm text-brand hover:underline">
            {result.name}
          </Link>
        </div>
      );
    case "ROLE_CHANGE":
      return <Notice tone="ok">{t("approvedRole")}</Notice>;
    case "PASSWORD_RESET":
      return <Notice tone="ok">{t("approvedReset", { name: result.name, time: format.dateTime(new Date(result.codeSent.expiresAt), "audit") })}</Notice>;
    case "MFA_RESET":
      return <Notice tone="ok">{t("approvedMfa")}</Notice>;
    case "RECORD_ERASE":
      return (
        <Notice tone="ok">
          <span data-testid="erasure-approved">{t("approvedErase", { recordId: result.recordId, hash: result.statementHash })}</span>
        </Notice>
      );
    case "SERVICE_CREDENTIAL":
      return (
        <div className="rounded-lg border-2 border-warn bg-warn-soft p-4" data-testid="issued-credential">
          <p className="text-sm font-semibold text-ink">{t("approvedCredential", { name: result.credential.name })}</p>
          <p className="select-all break-all font-mono text-sm font-bold text-ink" data-testid="issued-token">
            {result.credential.token}
          </p>
        </div>
      );
  }
}

/** After a privileged step is asked for: "sent for approval", or (alert-only mode) what was done. */
export function PrivilegedOutcomeView({ outcome }: { outcome: PrivilegedOutcome; name?: string }) {
  const t = useTranslations("approvals");
  if (outcome.status === "pending") {
    return (
      <div className="space-y-2" data-testid="request-pending">
        <Notice tone="ok">{t("requested")}</Notice>
        <Link href="/admin/approvals" className="text-sm text-brand hover:underline">
          {t("openApprovals")}
        </Link>
      </div>
    );
  }
  return (
    <div className="space-y-2">
      <Notice tone="warn">{t("executedAlertOnly")}</Notice>
      <ApprovalResultView result={outcome.result} />
    </div>
  );
}
