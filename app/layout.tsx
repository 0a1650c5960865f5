import type { Metadata } from "next";
import localFont from "next/font/local";
import type { ReactNode } from "react";
import { NextIntlClientProvider } from "next-intl";
import { getLocale, getTranslations } from "next-intl/server";
import { AppHeader, PRODUCT_NAME, type HeaderUser } from "@/components/layout/app-header";
import { currentCaller } from "@/lib/auth/require-caller";
import { navItems, roleOf } from "@/lib/authz";
import "./globals.css";

export const metadata: Metadata = {
  title: { default: PRODUCT_NAME, template: `%s · ${PRODUCT_NAME}` },
  icons: {
    icon: [{ url: "/favicon.ico", sizes: "48x48" }, { url: "/icon.svg", type: "image/svg+xml" }],
    apple: "/apple-touch-icon.png",
  },
  manifest: "/manifest.webmanifest",
};

// Shipped, not fetched: the hospital's machines may be offline, and Korean text must not fall back to whatever a
// workstation happens to have. Pretendard (SIL OFL 1.1), one variable file of 2.0 MB covering Hangul and Latin.
const pretendard = localFont({
  src: "../node_modules/pretendard/dist/web/variable/woff2/PretendardVariable.woff2",
  weight: "45 920",
  display: "swap",
  variable: "--font-pretendard",
});

export default async function RootLayout({ children }: { children: ReactNode }) {
  const locale = await getLocale();
  const t = await getTranslations("common");
  // Display only (name and menu); every page decides access itself.
  const caller = await currentCaller();
  const user: HeaderUser | null = caller
    ? { name: caller.actor.name, roleKey: roleOf(caller.actor), links: navItems(caller.actor) }
    : null;
  return (
    <html lang={locale} className={pretendard.variable}>
      <body className="min-h-screen font-sans antialiased">
        <NextIntlClientProvider>
          <a href="#main" className="sr-only focus:not-sr-only focus:absolute focus:left-2 focus:top-2 focus:z-50 focus:rounded focus:bg-surface focus:p-2">
            {t("skipToContent")}
          </a>
          <AppHeader user={user} />
          <main id="main" className="mx-auto max-w-[96rem] px-4 py-8">
            {children}
          </main>
        </NextIntlClientProvider>
      </body>
    </html>
  );
}
