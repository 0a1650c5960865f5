import type { Metadata } from "next";
import { notFound } from "next/navigation";
import { getFormatter, getTranslations } from "next-intl/server";
import { requireCaller } from "@/lib/auth/require-caller";
import { can } from "@/lib/authz";
import { AccessDeniedError } from "@/lib/dal/caller";
import { listConsentTargets, listOwnConsents } from "@/lib/dal/own-consents";
import type { ConsentDto } from "@/lib/dto/consents";
import { PageHeader } from "@/components/ui/page-header";
import { GrantConsentForm, RevokeConsentButton } from "@/components/patients/consent-forms";

export async function generateMetadata(): Promise<Metadata> {
  return { title: (await getTranslations("consents"))("title") };
}

const section = "rounded-lg border border-line bg-surface p-5";
const STATE_TONE: Record<ConsentDto["state"], string> = {
  ACTIVE: "border-ok bg-ok-soft text-ok",
  SCHEDULED: "border-line-strong bg-surface-muted text-ink",
  EXPIRED: "border-line-strong bg-surface-muted text-ink-muted",
  REVOKED: "border-danger bg-danger-soft text-danger",
};

export default async function MyConsentsPage() {
  const caller = await requireCaller("own_records.view");
  const [own, targets] = await Promise.all([listOwnConsents(caller), can(caller.actor, "own_consents.manage") ? listConsentTargets(caller) : null]).catch(
    (error: unknown) => {
      if (error instanceof AccessDeniedError) notFound();
      throw error;
    },
  );
  const t = await getTranslations("consents");
  const tr = await getTranslations("resourceTypes");
  const format = await getFormatter();
  const dateOf = (iso: string) => format.dateTime(new Date(iso), { dateStyle: "medium" });
  const who = (g: ConsentDto["grantee"]) =>
    g.kind === "staff" ? (g.department ? `${g.name} — ${g.department}` : g.name) : g.kind === "department" ? t("wholeDepartment", { name: g.name }) : (g.study ?? t("anyResearch"));
  const inForce = own.consents.filter((c) => c.state === "ACTIVE" || c.state === "SCHEDULED");
  const past = own.consents.filter((c) => c.state === "EXPIRED" || c.state === "REVOKED");

  return (
    <>
      <PageHeader title={t("title")} description={t("description")} />
      <div className="mb-6 flex flex-wrap gap-3 text-sm">
        <a href="/me/consents/export" className="rounded border border-line-strong bg-surface px-3 py-2 font-semibold text-brand hover:bg-surface-muted" download>
          {t("exportFhir")}
        </a>
      </div>

      <section aria-labelledby="in-force-title" className="mb-8">
        <h2 id="in-force-title" className="mb-3 text-lg font-semibold">
          {t("inForce")}
        </h2>
        {inForce.length === 0 ? <p className="text-ink-muted">{t("noneInForce")}</p> : null}
        <ul className="space-y-3">
          {inForce.map((c) => (
            <li key={c.id} className={section} data-testid="consent" data-consent-id={c.id} data-state={c.state}>
              <div className="flex flex-wrap items-start justify-between gap-3">
                <div>
                  <p className="font-semibold">
                    {t(`scopes.${c.scope}`)} · {who(c.grantee)}
                  </p>
                  <p className="mt-1 text-sm text-ink-muted">
                    {c.recordClasses.length === 0 ? t("allRecords") : c.recordClasses.map((r) => tr(r)).join(", ")}
                    {c.dataFrom || c.dataUntil ? ` · ${t("recordsDated", { from: c.dataFrom ? dateOf(c.dataFrom) : "…", until: c.dataUntil ? dateOf(c.dataUntil) : "…" })}` : ""}
                  </p>
                  <p className="mt-1 text-sm text-ink-muted">
                    {t("givenOn", { date: dateOf(c.createdAt) })} · {c.validUntil ? t("validUntilDate", { date: dateOf(c.validUntil) }) : t("untilRevoked")}
                  </p>
                </div>
                <div className="flex items-center gap-3">
                  <span className={`rounded border px-2 py-0.5 text-xs font-semibold ${STATE_TONE[c.state]}`}>{t(`states.${c.state}`)}</span>
                  {targets ? <RevokeConsentButton consentId={c.id} label={who(c.grantee)} /> : null}
                </div>
              </div>
            </li>
          ))}
        </ul>
      </section>

      {targets ? (
        <section aria-labelledby="grant-title" className={`${section} mb-8`}>
          <h2 id="grant-title" className="mb-3 text-lg font-semibold">
            {t("grantTitle")}
          </h2>
          <GrantConsentForm targets={targets} />
        </section>
      ) : null}

      <section aria-labelledby="history-title">
        <h2 id="history-title" className="mb-3 text-lg font-semibold">
          {t("history")}
        </h2>
        {own.history.length === 0 ? <p className="text-ink-muted">{t("noHistory")}</p> : null}
        <ol className="divide-y divide-line rounded-lg border border-line bg-surface">
          {own.history.map((h) => (
            <li key={`${h.consentId}-${h.kind}`} className="flex flex-wrap justify-between gap-2 px-4 py-2 text-sm" data-testid="consent-history">
              <span>
                <span className={h.kind === "revoked" ? "font-semibold text-danger" : "font-semibold text-ok"}>{t(`historyKinds.${h.kind}`)}</span> · {t(`scopes.${h.scope}`)} ·{" "}
                {who(h.grantee)}
              </span>
              <time dateTime={h.at} className="text-ink-muted">
                {format.dateTime(new Date(h.at), "audit")}
              </time>
            </li>
          ))}
        </ol>
        {past.length > 0 ? <p className="mt-2 text-xs text-ink-muted">{t("pastCount", { count: past.length })}</p> : null}
      </section>
    </>
  );
}
