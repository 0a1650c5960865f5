import Link from "next/link";
import { useTranslations } from "next-intl";
import { SignOutButton } from "@/components/auth/sign-out-button";
import { LanguageSwitcher } from "./language-switcher";

import type { ActorRole, NavItem } from "@/lib/authz";

export type HeaderUser = { name: string; roleKey: ActorRole; links: NavItem[] };

export const PRODUCT_NAME = "Chartproof";

/** Sign-in security is the account's own page: reached from the name, not from the menu of the role's work. */
const ACCOUNT_HREF = "/account/security";

function Who({ name, role }: { name: string; role: string }) {
  return (
    <>
      <span className="block max-w-48 truncate font-semibold text-ink">{name}</span>
      <span className="block text-xs text-ink-muted">{role}</span>
    </>
  );
}

export function AppHeader({ user }: { user: HeaderUser | null }) {
  const t = useTranslations("common");
  return (
    <header className="border-b border-line bg-surface">
      <div className="mx-auto flex max-w-7xl flex-wrap items-center justify-between gap-3 px-4 py-3">
        <div className="flex min-w-0 items-center gap-5">
          <Link href="/" className="text-lg font-bold text-brand">
            {PRODUCT_NAME}
            <span className="ml-2 hidden text-xs font-normal text-ink-muted 2xl:inline">{t("tagline")}</span>
          </Link>
          {user && user.links.length > 0 ? (
            <nav aria-label={t("mainNavigation")}>
              <ul className="flex flex-wrap gap-x-3 gap-y-1 text-sm whitespace-nowrap">
                {user.links.filter((link) => link.href !== ACCOUNT_HREF).map((link) => (
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
        <div className="flex shrink-0 items-center gap-3">
          <LanguageSwitcher />
          {user ? (
            <>
              {/* Name over role, and the account's own page behind the name: the row stays one line at 1,280 px. */}
              {user.links.some((link) => link.href === ACCOUNT_HREF) ? (
                <Link href={ACCOUNT_HREF} className="text-sm leading-tight hover:underline" aria-label={t("accountLink", { name: user.name })}>
                  <Who name={user.name} role={t(`roles.${user.roleKey}`)} />
                </Link>
              ) : (
                <span className="text-sm leading-tight">
                  <span className="sr-only">{t("signedInAs", { name: "" })}</span>
                  <Who name={user.name} role={t(`roles.${user.roleKey}`)} />
                </span>
              )}
              <SignOutButton label={t("signOut")} />
            </>
          ) : null}
        </div>
      </div>
    </header>
  );
}
