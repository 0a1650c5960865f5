import { useFormatter } from "next-intl";
import type { ClinicalDate } from "@/lib/chart-summary/types";

/**
 * A clinical date as precise as the record is: a year or a month as written, a date-only value as a calendar date
 * (never shifted by a time zone), a date-time as a date in the viewer's zone. Never an invented time.
 */
export function useClinicalDate(): (date: ClinicalDate) => string {
  const format = useFormatter();
  return (date) => {
    if (date.precision === "year" || date.precision === "month") return date.value;
    if (date.precision === "day") return format.dateTime(new Date(`${date.value}T00:00:00Z`), { year: "numeric", month: "2-digit", day: "2-digit", timeZone: "UTC" });
    return format.dateTime(new Date(date.sortKey), { year: "numeric", month: "2-digit", day: "2-digit" });
  };
}

export function ClinicalDateText({ date }: { date: ClinicalDate }) {
  const text = useClinicalDate();
  return <time dateTime={date.value}>{text(date)}</time>;
}
