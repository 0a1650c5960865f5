import Link from "next/link";
import { useTranslations } from "next-intl";
import { ACCESS_ACTIONS, accessActionKey, isAccessAction } from "@/lib/audit/actions";
import { ACCESS_OUTCOMES, ACCESS_PURPOSES, ACCESS_ROLES, activeFilters, type AccessLogQuery, type StaffOptionDto } from "@/lib/dto/compliance";

const control = "rounded border border-line-strong bg-surface px-3 py-2 text-sm";

function Labelled({ id, label, children }: { id: string; label: string; children: React.ReactNode }) {
  return (
    <div className="flex flex-col">
      <label htmlFor={id} className="text-sm font-semibold">
        {label}
      </label>
      {children}
    </div>
  );
}

/**
 * A plain GET form: the filters live in the URL (ids, codes, an MRN and days — never a name), so a filtered view can
 * be shared, reloaded and bookmarked. Applying a filter starts from the newest events again.
 */
export function AccessLogFilters({ query, staff }: { query: AccessLogQuery; staff: StaffOptionDto[] }) {
  const t = useTranslations("accessLog");
  const tc = useTranslations("common");
  const ta = useTranslations("accessActions");
  // Labelled and sorted in the viewer's language; a code from an old link that is not in the vocabulary stays
  // selectable, so the filter shown is the filter applied.
  const actionOptions = ACCESS_ACTIONS.map((value) => ({ value: value as string, label: ta(accessActionKey(value)) })).sort((a, b) => a.label.localeCompare(b.label));
  if (query.action && !isAccessAction(query.action)) actionOptions.unshift({ value: query.action, label: t("otherAction") });
  return (
    <form method="get" action="/compliance/access-log" role="search" aria-label={t("filters")} className="mb-4 rounded-lg border border-line bg-surface p-4">
      {query.dir === "asc" ? <input type="hidden" name="dir" value="asc" /> : null}
      <div className="grid gap-3 sm:grid-cols-2 lg:grid-cols-4">
        <Labelled id="filter-from" label={t("from")}>
          <input id="filter-from" type="date" name="from" defaultValue={query.from ?? ""} className={`${control} mt-1`} />
        </Labelled>
        <Labelled id="filter-to" label={t("to")}>
          <input id="filter-to" type="date" name="to" defaultValue={query.to ?? ""} className={`${control} mt-1`} />
        </Labelled>
        <Labelled id="filter-staff" label={t("staffMember")}>
          <select id="filter-staff" name="staff" defaultValue={query.staff ?? ""} className={`${control} mt-1`}>
            <option value="">{t("anyone")}</option>
            {staff.map((s) => (
              <option key={s.id} value={s.id}>
                {s.name} · {tc(`roles.${s.role}`)}
              </option>
            ))}
          </select>
        </Labelled>
        <Labelled id="filter-role" label={t("role")}>
          <select id="filter-role" name="role" defaultValue={query.role ?? ""} className={`${control} mt-1`}>
            <option value="">{t("allRoles")}</option>
            {ACCESS_ROLES.map((role) => (
              <option key={role} value={role}>
                {tc(`roles.${role}`)}
              </option>
            ))}
          </select>
        </Labelled>
        <Labelled id="filter-mrn" label={t("patientMrn")}>
          <input
            id="filter-mrn"
            name="mrn"
            inputMode="numeric"
            autoComplete="off"
            maxLength={32}
            pattern="[A-Za-z0-9\-]{1,32}"
            defaultValue={query.mrn ?? ""}
            className={`${control} mt-1`}
          />
        </Labelled>
        <Labelled id="filter-action" label={t("action")}>
          <select id="filter-action" name="action" defaultValue={query.action ?? ""} className={`${control} mt-1`}>
            <option value="">{t("allActions")}</option>
            {actionOptions.map(({ value, label }) => (
              <option key={value} value={value}>
                {label}
              </option>
            ))}
          </select>
        </Labelled>
        <Labelled id="filter-outcome" label={t("outcome")}>
          <select id="filter-outcome" name="outcome" defaultValue={query.outcome ?? ""} className={`${control} mt-1`}>
            <option value="">{t("allOutcomes")}</option>
            {ACCESS_OUTCOMES.map((o) => (
              <option key={o} value={o}>
                {t(`outcomes.${o}`)}
              </option>
            ))}
          </select>
        </Labelled>
        <Labelled id="filter-purpose" label={t("purpose")}>
          <select id="filter-purpose" name="purpose" defaultValue={query.purpose ?? ""} className={`${control} mt-1`}>
            <option value="">{t("allPurposes")}</option>
            {ACCESS_PURPOSES.map((p) => (
              <option key={p} value={p}>
                {t(`purposes.${p}`)}
              </option>
            ))}
          </select>
        </Labelled>
      </div>
      <div className="mt-3 flex flex-wrap items-center gap-3">
        <label className="flex items-center gap-2 text-sm">
          <input type="checkbox" name="mine" value="1" defaultChecked={query.mine === "1"} className="h-4 w-4" />
          {t("showMine")}
        </label>
        <button type="submit" className="rounded bg-brand px-4 py-2 text-sm font-semibold text-white hover:bg-brand-strong">
          {t("apply")}
        </button>
        <Link href="/compliance/access-log" className="px-2 py-2 text-sm text-brand hover:underline">
          {t("clear")}
        </Link>
        <p className="text-xs text-ink-muted">{t("daysInZone")}</p>
      </div>
    </form>
  );
}

/**
 * The CSV export: the same filters (hidden) and a stated reason. A plain GET to the route handler, which logs the
 * export before the download starts.
 */
export function AccessLogExportForm({ query, error }: { query: AccessLogQuery; error: string | null }) {
  const t = useTranslations("accessLog");
  // The export is the log under the filters, the officer's own reading included: it ends with the export's own event.
  const { mine: _mine, ...filters } = activeFilters(query);
  return (
    <form method="get" action="/compliance/access-log/export" aria-labelledby="export-heading" className="mt-6 rounded-lg border border-line bg-surface p-4">
      <h2 id="export-heading" className="text-lg font-semibold">
        {t("exportTitle")}
      </h2>
      <p className="text-sm text-ink-muted">{Object.keys(filters).length ? t("exportFiltered") : t("exportAll")}</p>
      {Object.entries(filters).map(([name, value]) => (
        <input key={name} type="hidden" name={name} value={value} />
      ))}
      <div className="mt-3 flex flex-wrap items-end gap-3">
        <div className="flex min-w-72 flex-1 flex-col">
          <label htmlFor="export-reason" className="text-sm font-semibold">
            {t("exportReason")}
          </label>
          <input
            id="export-reason"
            name="reason"
            required
            minLength={5}
            maxLength={500}
            autoComplete="off"
            aria-describedby={error ? "export-reason-hint export-reason-error" : "export-reason-hint"}
            aria-invalid={error ? true : undefined}
            className={`${control} mt-1 aria-[invalid=true]:border-danger`}
          />
          <p id="export-reason-hint" className="mt-1 text-xs text-ink-muted">
            {t("exportReasonHint")}
          </p>
          {error ? (
            <p id="export-reason-error" role="alert" className="mt-1 text-sm text-danger">
              {error === "too_long" ? t("exportReasonTooLong") : t("exportReasonTooShort")}
            </p>
          ) : null}
        </div>
        <button type="submit" className="rounded border border-line-strong bg-surface px-4 py-2 text-sm font-semibold text-ink hover:bg-surface-muted">
          {t("exportButton")}
        </button>
      </div>
    </form>
  );
}
