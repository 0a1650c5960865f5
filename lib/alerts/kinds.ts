/**
 * Every kind of alert. `raiseAlert` takes `AlertKind`, so an unlisted kind fails typecheck, and a unit test fails when
 * one has no label in both languages (compliance.alertKinds.<kind with "." as "_">). The database's own alert (the
 * tombstone trigger's `record.erased`) uses a name from this list too.
 */
export const ALERT_KINDS = [
  "admin.created_by_operator",
  "admin.privileged_request_tampered",
  "admin.privileged_step_approved",
  "admin.privileged_step_unapproved",
  "anchoring.batch_conflict",
  "anchoring.checkpoint_conflict",
  "anchoring.number_squatted",
  "anchoring.overdue",
  "auth.lockout",
  "auth.password_spraying",
  "auth.second_factor_failures",
  "break_glass.frequent",
  "database.worker_unrestricted",
  "integrity.access_log_behind_seal",
  "integrity.access_log_break",
  "integrity.access_log_unchecked",
  "integrity.backfill_mismatch",
  "integrity.chain_unaccounted",
  "integrity.commitment_mismatch",
  "integrity.creation_unaccounted",
  "integrity.identity_unverified",
  "integrity.manifest_mismatch",
  "integrity.reanchor_refused",
  "integrity.reconcile_mismatch",
  "integrity.record_missing",
  "integrity.record_reported",
  "integrity.record_tampered",
  "integrity.second_creation_event",
  "integrity.tombstone_mismatch",
  "patient_account.activated_by_opener",
  "patient_account.lookup_misses",
  "privacy.break_glass_used",
  "privacy.denied_attempts",
  "privacy.off_hours",
  "privacy.own_record",
  "privacy.same_household",
  "privacy.volume_spike",
  "record.erased",
  "service_credential.first_use",
  "service_credential.out_of_scope",
] as const;

export type AlertKind = (typeof ALERT_KINDS)[number];

const known: ReadonlySet<string> = new Set(ALERT_KINDS);

export function isAlertKind(value: string): value is AlertKind {
  return known.has(value);
}

/** The message key of a kind's label, under compliance.alertKinds (next-intl reads "." as nesting). */
export function alertKindKey(kind: AlertKind): string {
  return kind.replace(".", "_");
}
