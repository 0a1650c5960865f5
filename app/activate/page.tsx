import type { Metadata } from "next";
import { getTranslations } from "next-intl/server";
import { ActivateForm } from "@/components/auth/activate-form";

export async function generateMetadata(): Promise<Metadata> {
  return { title: (await getTranslations("account"))("activateTitle") };
}

/** Public: the one-time code handed over by an administrator is the credential. */
export default async function ActivatePage() {
  const t = await getTranslations("account");
  return (
    <div className="mx-auto max-w-md rounded-lg border border-line bg-surface p-6 shadow-sm">
      <h1 className="mb-2 text-2xl font-bold">{t("activateTitle")}</h1>
      <p className="mb-4 text-sm text-ink-muted">{t("activateIntro")}</p>
      <ActivateForm />
    </div>
  );
}
