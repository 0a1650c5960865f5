/** Alert kinds with a translated name (compliance.alertKinds.<kind with "_" for the first ".">); others show their code. */
export const KNOWN_ALERT_KINDS: readonly string[] = [
  "break_glass.frequent",
  "integrity.record_tampered",
  "integrity.commitment_mismatch",
  "integrity.backfill_mismatch",
  "integrity.reconcile_mismatch",
  "anchoring.overdue",
  "anchoring.batch_conflict",
  "anchoring.checkpoint_conflict",
  "anchoring.number_squatted",
  "privacy.break_glass_used",
  "privacy.denied_attempts",
  "privacy.off_hours",
  "privacy.volume_spike",
  "privacy.same_household",
  "privacy.own_record",
];
