import { appendAccessEvent } from "@/lib/audit";
import { checkAccessLog, unsealedGraceSeconds, type LogCheck } from "@/lib/audit/check-log";
import { LedgerError } from "@/lib/ledger";
import { log } from "@/lib/log";
import type { Ledger } from "@/lib/verification";
import { raiseAlert } from "./alerts";

export type AccessLogCheckOutcome = { status: "checked"; check: LogCheck; alertsRaised: number } | { status: "unavailable" };

/**
 * The scheduled check of the access log against the seals on chain (AUDIT_CHECK_CRON, every ≤ 5 minutes): each break
 * raises a critical alert (one per seal, or per chain and position, while it stays open); a chain that cannot be read
 * raises a warning, because then nothing was checked. The run itself is logged as an access event.
 */
export async function runAccessLogCheck(ledger: Ledger): Promise<AccessLogCheckOutcome> {
  let check: LogCheck;
  try {
    check = await checkAccessLog({ ledger, unsealedGraceSeconds: unsealedGraceSeconds() });
  } catch (error) {
    if (!(error instanceof LedgerError)) throw error;
    await raiseAlert({ kind: "integrity.access_log_unchecked", severity: "WARNING", details: { chainId: ledger.chainId, reason: error.shortMessage }, dedupeKey: `unchecked:${ledger.chainId}` });
    return { status: "unavailable" };
  }
  const alertsRaised = await alertOnLogBreaks(check);
  if (check.breaks.length > 0) log.error({ breaks: check.breaks.length, firstBreak: check.firstBreak }, "access log check found breaks");
  await appendAccessEvent(
    {
      actor: "SYSTEM",
      action: "access_log.integrity_checked",
      outcome: "ALLOWED",
      purpose: "OPERATIONS",
      details: { checkedEvents: check.checkedEvents, sealsOnChain: check.sealsOnChain, breaks: check.breaks.length, firstBreak: check.firstBreak, unsealedEvents: check.unsealedEvents },
    },
    { ip: null, requestId: null },
  );
  return { status: "checked", check, alertsRaised };
}

/**
 * One critical alert per break, whoever ran the check (the schedule or an officer's "Run check now"), kept open per
 * seal or per chain and position so that a break seen on every run is one alert. Returns how many were new.
 */
export async function alertOnLogBreaks(check: LogCheck): Promise<number> {
  let raised = 0;
  for (const b of check.breaks) {
    const where = b.chain === null ? `seal:${b.sealNumber}` : `${b.chain}:${b.chainSeq}`;
    if (await raiseAlert({ kind: "integrity.access_log_break", severity: "CRITICAL", details: { ...b }, dedupeKey: `${b.kind}:${where}` })) raised += 1;
  }
  return raised;
}
