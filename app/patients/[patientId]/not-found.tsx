import Link from "next/link";
import { getTranslations } from "next-intl/server";
import { currentCaller } from "@/lib/auth/require-caller";
import { can } from "@/lib/authz";

// A refused chart and a chart that does not exist answer with this same page: it never says which it was. A doctor is
// told where emergency access is (the one way to a chart without consent, itself logged and reviewed); other roles
// see the plain 404.
export default async function ChartNotFound() {
  const t = await getTranslations("errors");
  const caller = await currentCaller();
  const doctor = caller?.actor.kind === "STAFF" && caller.actor.role === "DOCTOR" && can(caller.actor, "break_glass.open");
  return (
    <div className="mx-auto max-w-lg text-center">
      <h1 className="mb-2 text-2xl font-bold">{t("notFoundTitle")}</h1>
      <p className="mb-4 text-ink-muted">{t("notFoundBody")}</p>
      {doctor ? (
        <p className="mb-4 rounded border border-line bg-surface px-3 py-2 text-sm" data-testid="emergency-hint">
          {t("chartEmergencyHint")}{" "}
          <Link href="/patients/emergency" className="font-semibold text-danger underline">
            {t("chartEmergencyLink")}
          </Link>
        </p>
      ) : null}
      <Link href="/" className="text-brand underline">
        {t("home")}
      </Link>
    </div>
  );
}
