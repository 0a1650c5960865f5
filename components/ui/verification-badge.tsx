import { useTranslations } from "next-intl";
import type { Verification } from "@/lib/integrity/judge";

const styles: Record<Verification, string> = {
  verified: "bg-ok-soft text-ok border-ok",
  tampered: "bg-danger-soft text-danger border-danger",
  pending: "bg-warn-soft text-warn border-warn",
  unavailable: "bg-surface-muted text-ink-muted border-line-strong",
  erased: "bg-surface-muted text-ink border-ink-muted",
};

const marks: Record<Verification, string> = { verified: "✓", tampered: "✗", pending: "…", unavailable: "?", erased: "∅" };

/** The state is given in words and a mark, never by colour alone. */
export function VerificationBadge({ verification }: { verification: Verification }) {
  const t = useTranslations("verification");
  return (
    <span
      className={`inline-flex items-center gap-1 rounded-full border px-2 py-0.5 text-xs font-semibold ${styles[verification]}`}
      title={t(`${verification}Hint`)}
    >
      <span aria-hidden="true">{marks[verification]}</span>
      {t(verification)}
    </span>
  );
}
