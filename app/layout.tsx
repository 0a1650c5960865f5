import type { Metadata } from "next";
import type { ReactNode } from "react";
import { NextIntlClientProvider } from "next-intl";
import { getLocale, getTranslations } from "next-intl/server";
import { AppHeader, PRODUCT_NAME, type HeaderUser } from "@/components/layout/app-header";
import { currentCaller } from "@/lib/auth/require-caller";
import { navItems, roleOf } from "@/lib/authz";
import "./globals.css";

export const metadata: Metadata = { title: { default: PRODUCT_NAME, template: `%s · ${PRODUCT_NAME}` } };

export default async function RootLayout({ children }: { children: ReactNode }) {
  const locale = await getLocale();
  const t = await getTranslations("common");
  // Display only (name and menu); every page decides access itself.
  const caller = await currentCaller();
  const user: HeaderUser | null = caller
    ? { name: caller.actor.name, roleKey: roleOf(caller.actor), links: navItems(caller.actor) }
    : null;
  return (
    <html lang={locale}>
      <body className="min-h-screen font-sans antialiased">
        <NextIntlClientProvider>
          <a href="#main" className="sr-only focus:not-sr-only focus:absolute focus:left-2 focus:top-2 focus:z-50 focus:rounded focus:bg-surface focus:p-2">
            {t("skipToContent")}
          </a>
          <AppHeader user={user} />
          <main id="main" className="mx-auto max-w-6xl px-4 py-8">
            {children}
          </main>
        </NextIntlClientProvider>
      </body>
    </html>
  );
}
