import type { Formats } from "next-intl";

/**
 * Named formats, so every screen writes a time the same way. Clinical times use the 24-hour clock, as on the
 * wards; birth dates are calendar dates and are formatted in UTC so that no time zone shifts them by a day.
 */
export const formats = {
  dateTime: {
    clinical: { year: "numeric", month: "2-digit", day: "2-digit", hour: "2-digit", minute: "2-digit", hourCycle: "h23" },
    audit: { year: "numeric", month: "2-digit", day: "2-digit", hour: "2-digit", minute: "2-digit", second: "2-digit", hourCycle: "h23" },
    birthDate: { year: "numeric", month: "long", day: "numeric", timeZone: "UTC" },
  },
} satisfies Formats;

/**
 * The calendar day (YYYY-MM-DD) of an instant in a time zone: how the chart groups and filters records by date,
 * so that "today" means the hospital's today, not UTC's.
 */
export function calendarDay(instant: Date, timeZone: string): string {
  return new Intl.DateTimeFormat("en-CA", { timeZone, year: "numeric", month: "2-digit", day: "2-digit" }).format(instant);
}
