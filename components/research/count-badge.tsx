"use client";

import { useTranslations } from "next-intl";
import type { CohortCountDto } from "@/lib/dto/research";

/** A cohort's count, or "< threshold" when suppressed (never why: the reason itself could be differenced). */
export function CountBadge({ count, size = "lg" }: { count: CohortCountDto; size?: "lg" | "sm" }) {
  const t = useTranslations("research.builder");
  const text = count.released ? String(count.count) : t("suppressed", { threshold: count.threshold });
  return (
    <span data-cohort-count={text} className={size === "lg" ? "text-3xl font-bold tabular-nums text-ink" : "font-semibold tabular-nums"}>
      {text}
    </span>
  );
}
