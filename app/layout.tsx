import type { Metadata } from "next";
import { cookies } from "next/headers";
import Link from "next/link";
import { NextIntlClientProvider } from "next-intl";
import { getLocale, getTimeZone, getTranslations } from "next-intl/server";
import { LanguageSwitch } from "@/components/language-switch";
import { LiveIndicator } from "@/components/live/live-indicator";
import { LiveProvider } from "@/components/live/live-provider";
import { NavLinks } from "@/components/nav-links";
import { DeletedNotice } from "@/components/deleted-notice";
import { HiddenOnLogin } from "@/components/status/hidden-on-login";
import { NavigationProgress } from "@/components/status/navigation-progress";
import { ThemeToggle, type Theme } from "@/components/theme-toggle";
import { pageAccess } from "@/lib/http/access";
import "./globals.css";

export async function generateMetadata(): Promise<Metadata> {
  const t = await getTranslations("layout");
  return { title: { default: t("siteTitle"), template: `%s · ${t("siteTitle")}` }, description: t("description") };
}

export const dynamic = "force-dynamic";

export default async function RootLayout({ children }: { children: React.ReactNode }) {
  // Access decided here too, not only in the proxy (which Next can skip): lib/http/access.ts.
  const access = await pageAccess();
  const saved = (await cookies()).get("theme")?.value;
  const theme: Theme = saved === "light" || saved === "dark" ? saved : "system";
  const [locale, timeZone, t] = await Promise.all([getLocale(), getTimeZone(), getTranslations("layout")]);
  return (
    <html lang={locale} className={theme === "system" ? undefined : theme}>
      <body className="min-h-screen bg-zinc-50 font-sans text-zinc-900 antialiased dark:bg-zinc-950 dark:text-zinc-100">
        <NextIntlClientProvider>
          <a href="#main" className="sr-only focus:not-sr-only focus:absolute focus:top-2 focus:left-2 focus:z-50 focus:rounded focus:bg-white focus:px-3 focus:py-2 dark:focus:bg-zinc-900">
            {t("skip")}
          </a>
          <LiveProvider>
            <header className="sticky top-0 z-20 border-b border-zinc-200 bg-white/90 backdrop-blur dark:border-zinc-800 dark:bg-zinc-950/90">
              <div className="mx-auto flex max-w-7xl flex-wrap items-center gap-x-4 gap-y-2 px-4 py-2">
                <Link href="/" className="flex items-center gap-2 font-semibold">
                  <span aria-hidden="true">▶</span> {t("brand")}
                </Link>
                <HiddenOnLogin>
                  <nav aria-label={t("mainNav")} className="order-3 w-full min-w-0 sm:order-none sm:w-auto sm:flex-1">
                    <NavLinks />
                  </nav>
                </HiddenOnLogin>
                <div className="ml-auto flex items-center gap-2">
                  <HiddenOnLogin>
                    <LiveIndicator />
                  </HiddenOnLogin>
                  <LanguageSwitch />
                  <ThemeToggle initial={theme} />
                </div>
              </div>
              <NavigationProgress />
            </header>
            <main id="main" className="mx-auto max-w-7xl px-4 py-6">
              <DeletedNotice />
              {access.allowed ? children : <p role="alert">{access.reason}</p>}
            </main>
            <footer className="mx-auto max-w-7xl px-4 pb-6 text-xs muted" data-testid="footer">
              {t("timeZone", { zone: timeZone })}
            </footer>
          </LiveProvider>
        </NextIntlClientProvider>
      </body>
    </html>
  );
}
