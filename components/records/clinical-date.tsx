import { useFormatter } from "next-intl";
import type { ClinicalDate } from "@/lib/chart-summary/types";

/**
 * A clinical date as precise as the record is: a year or a month as written, a date-only value as a calendar date
 * (never shifted by a time zone), a date-time in the viewer's zone. Never an invented time.
 */
export function ClinicalDateText({ date }: { date: ClinicalDate }) {
  const format = useFormatter();
  if (date.precision === "year" || date.precision === "month") return <time dateTime={date.value}>{date.value}</time>;
  if (date.precision === "day") {
    return <time dateTime={date.value}>{format.dateTime(new Date(`${date.value}T00:00:00Z`), { year: "numeric", month: "2-digit", day: "2-digit", timeZone: "UTC" })}</time>;
  }
  return <time dateTime={date.value}>{format.dateTime(new Date(date.sortKey), { year: "numeric", month: "2-digit", day: "2-digit" })}</time>;
}

/** An instant (recordedAt) as a date in the viewer's zone. */
export function DayText({ iso }: { iso: string }) {
  const format = useFormatter();
  return <time dateTime={iso}>{format.dateTime(new Date(iso), { year: "numeric", month: "2-digit", day: "2-digit" })}</time>;
}
