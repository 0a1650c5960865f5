import { useTranslations } from "next-intl";
import type { Verification } from "@/lib/integrity/judge";

const marks: Record<Verification, string> = { verified: "✓", tampered: "✗", pending: "…", unavailable: "?", erased: "∅" };
const styles: Record<Verification, string> = {
  verified: "text-ok",
  tampered: "rounded border border-danger bg-danger-soft px-1 font-bold text-danger",
  pending: "rounded border border-warn bg-warn-soft px-1 font-bold text-warn",
  unavailable: "rounded border border-line-strong bg-surface-muted px-1 font-bold text-ink-muted",
  erased: "rounded border border-ink-muted bg-surface-muted px-1 font-bold text-ink",
};

/**
 * A record's integrity state as a small mark with its words for assistive technology and on hover: quiet when the
 * record is unchanged since recorded, loud (words shown) when it is not.
 */
export function IntegrityMark({ verification }: { verification: Verification }) {
  const t = useTranslations("summary");
  const words = t(`integrity.${verification}`);
  return (
    <span className={`inline-flex items-center gap-1 text-xs ${styles[verification]}`} title={words} data-integrity={verification}>
      <span aria-hidden="true">{marks[verification]}</span>
      {verification === "verified" ? <span className="sr-only">{words}</span> : <span>{words}</span>}
    </span>
  );
}
