import Link from "next/link";
import { useTranslations } from "next-intl";
import { CHART_SOURCE_FILTERS, CHART_VERIFICATION_FILTERS, type ChartFilters } from "@/lib/dto/patients";

const control = "mt-1 rounded border border-line-strong bg-surface px-3 py-2 text-sm";

/**
 * A plain GET form: the timeline's filters (record type, dates, verification state — no PHI) live in the chart's
 * URL, so they survive reloads and the back button, and work without JavaScript.
 */
export function TimelineFilters({ patientId, filters, types, sources = [] }: { patientId: string; filters: ChartFilters; types: string[]; sources?: string[] }) {
  const t = useTranslations("chart");
  const ts = useTranslations("summary");
  const tt = useTranslations("resourceTypes");
  const tv = useTranslations("verification");
  const active = Object.values(filters).some(Boolean);
  return (
    <form method="get" action={`/patients/${patientId}`} aria-label={t("filters")} className="mb-4 flex flex-wrap items-end gap-3 rounded-lg border border-line bg-surface p-2">
      <div className="flex flex-col">
        <label htmlFor="filter-type" className="text-sm font-semibold">
          {t("filterType")}
        </label>
        <select id="filter-type" name="type" defaultValue={filters.type ?? ""} className={control}>
          <option value="">{t("allTypes")}</option>
          {types.map((type) => (
            <option key={type} value={type}>
              {tt.has(type) ? tt(type) : type}
            </option>
          ))}
        </select>
      </div>
      <div className="flex flex-col">
        <label htmlFor="filter-from" className="text-sm font-semibold">
          {t("filterFrom")}
        </label>
        <input id="filter-from" type="date" name="from" defaultValue={filters.from ?? ""} className={control} />
      </div>
      <div className="flex flex-col">
        <label htmlFor="filter-to" className="text-sm font-semibold">
          {t("filterTo")}
        </label>
        <input id="filter-to" type="date" name="to" defaultValue={filters.to ?? ""} className={control} />
      </div>
      <div className="flex flex-col">
        <label htmlFor="filter-status" className="text-sm font-semibold">
          {t("filterStatus")}
        </label>
        <select id="filter-status" name="status" defaultValue={filters.status ?? ""} className={control}>
          <option value="">{t("allStates")}</option>
          {CHART_VERIFICATION_FILTERS.map((state) => (
            <option key={state} value={state}>
              {tv(state)}
            </option>
          ))}
        </select>
      </div>
      <div className="flex flex-col">
        <label htmlFor="filter-source" className="text-sm font-semibold">
          {ts("filterSource")}
        </label>
        <select id="filter-source" name="source" defaultValue={filters.source ?? ""} className={control}>
          <option value="">{ts("allSources")}</option>
          {CHART_SOURCE_FILTERS.filter((source) => sources.includes(source) || filters.source === source).map((source) => (
            <option key={source} value={source}>
              {ts(`source.${source}`)}
            </option>
          ))}
        </select>
      </div>
      <button type="submit" className="rounded bg-brand px-4 py-2 text-sm font-semibold text-white hover:bg-brand-strong">
        {t("applyFilters")}
      </button>
      {active ? (
        <Link href={`/patients/${patientId}`} className="px-2 py-2 text-sm text-brand hover:underline">
          {t("clearFilters")}
        </Link>
      ) : null}
    </form>
  );
}

/** Newer / older pages of the timeline, keeping its filters in the URL. */
export function TimelinePager({ patientId, filters, page, pageCount }: { patientId: string; filters: ChartFilters; page: number; pageCount: number }) {
  const t = useTranslations("chart");
  if (pageCount <= 1) return null;
  const href = (n: number) => {
    const params = new URLSearchParams(Object.entries(filters).filter((e): e is [string, string] => typeof e[1] === "string" && e[1] !== ""));
    if (n > 1) params.set("page", String(n));
    const text = params.toString();
    return text ? `/patients/${patientId}?${text}` : `/patients/${patientId}`;
  };
  const link = "rounded border border-line-strong px-3 py-1 font-semibold text-brand hover:bg-surface-muted";
  return (
    <nav aria-label={t("timelinePages")} className="my-3 flex items-center justify-between gap-3 text-sm">
      {page > 1 ? (
        <Link href={href(page - 1)} className={link}>
          ← {t("newer")}
        </Link>
      ) : (
        <span />
      )}
      <span className="text-ink-muted">{t("pageOf", { page, pages: pageCount })}</span>
      {page < pageCount ? (
        <Link href={href(page + 1)} className={link}>
          {t("older")} →
        </Link>
      ) : (
        <span />
      )}
    </nav>
  );
}
