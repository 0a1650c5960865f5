import type { Metadata } from "next";
import { redirect } from "next/navigation";
import { getTranslations } from "next-intl/server";
import { currentCaller } from "@/lib/auth/require-caller";
import { homePath } from "@/lib/authz";
import { safeReturnPath } from "@/lib/net/return-path";
import { LoginForm } from "@/components/auth/login-form";

export async function generateMetadata(): Promise<Metadata> {
  return { title: (await getTranslations("login"))("title") };
}

export default async function LoginPage({ searchParams }: { searchParams: Promise<Record<string, string | string[] | undefined>> }) {
  const params = await searchParams;
  // An off-site or malformed callbackUrl is dropped: the sign-in then lands on the role's home.
  const returnTo = safeReturnPath(params.callbackUrl);
  const caller = await currentCaller();
  if (caller) redirect(returnTo ?? homePath(caller.actor));
  const t = await getTranslations("login");
  return (
    <div className="mx-auto max-w-md rounded-lg border border-line bg-surface p-6 shadow-sm">
      <h1 className="mb-4 text-2xl font-bold">{t("title")}</h1>
      <LoginForm activated={params.activated === "1"} returnTo={returnTo} />
    </div>
  );
}
