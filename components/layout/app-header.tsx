import Link from "next/link";
import { useTranslations } from "next-intl";
import { SignOutButton } from "@/components/auth/sign-out-button";
import { LanguageSwitcher } from "./language-switcher";

import type { ActorRole, NavItem } from "@/lib/authz";

export type HeaderUser = { name: string; roleKey: ActorRole; links: NavItem[] };

export const PRODUCT_NAME = "Chartproof";

export function AppHeader({ user }: { user: HeaderUser | null }) {
  const t = useTranslations("common");
  return (
    <header className="border-b border-line bg-surface">
      <div className="mx-auto flex max-w-7xl flex-wrap items-center justify-between gap-3 px-4 py-3">
        <div className="flex items-center gap-6">
          <Link href="/" className="text-lg font-bold text-brand">
            {PRODUCT_NAME}
            <span className="ml-2 hidden text-xs font-normal text-ink-muted sm:inline">{t("tagline")}</span>
          </Link>
          {user && user.links.length > 0 ? (
            <nav aria-label={t("mainNavigation")}>
              <ul className="flex gap-4 text-sm">
                {user.links.map((link) => (
                  <li key={link.href}>
                    <Link href={link.href} className="text-ink hover:text-brand hover:underline">
                      {t(`nav.${link.labelKey}`)}
                    </Link>
                  </li>
                ))}
              </ul>
            </nav>
          ) : null}
        </div>
        <div className="flex items-center gap-3">
          <LanguageSwitcher />
          {user ? (
            <>
              <span className="text-sm text-ink-muted">
                {t("signedInAs", { name: user.name })} · {t(`roles.${user.roleKey}`)}
              </span>
              <SignOutButton label={t("signOut")} />
            </>
          ) : null}
        </div>
      </div>
    </header>
  );
}
