import type { Metadata } from "next";
import { cookies } from "next/headers";
import Link from "next/link";
import { LiveIndicator } from "@/components/live/live-indicator";
import { LiveProvider } from "@/components/live/live-provider";
import { NavLinks } from "@/components/nav-links";
import { ThemeToggle, type Theme } from "@/components/theme-toggle";
import { pageAccess } from "@/lib/http/access";
import "./globals.css";

export const metadata: Metadata = {
  title: { default: "WeChat video dashboard", template: "%s · WeChat video dashboard" },
  description: "Every video message your WeChat robots receive, live.",
};

export const dynamic = "force-dynamic";

export default async function RootLayout({ children }: { children: React.ReactNode }) {
  // Access decided here too, not only in the proxy (which Next can skip): lib/http/access.ts.
  const access = await pageAccess();
  const saved = (await cookies()).get("theme")?.value;
  const theme: Theme = saved === "light" || saved === "dark" ? saved : "system";
  return (
    <html lang="en" className={theme === "system" ? undefined : theme}>
      <body className="min-h-screen bg-zinc-50 font-sans text-zinc-900 antialiased dark:bg-zinc-950 dark:text-zinc-100">
        <a href="#main" className="sr-only focus:not-sr-only focus:absolute focus:top-2 focus:left-2 focus:z-50 focus:rounded focus:bg-white focus:px-3 focus:py-2 dark:focus:bg-zinc-900">
          Skip to content
        </a>
        <LiveProvider>
          <header className="sticky top-0 z-20 border-b border-zinc-200 bg-white/90 backdrop-blur dark:border-zinc-800 dark:bg-zinc-950/90">
            <div className="mx-auto flex max-w-7xl flex-wrap items-center gap-x-4 gap-y-2 px-4 py-2">
              <Link href="/" className="flex items-center gap-2 font-semibold">
                <span aria-hidden="true">▶</span> Robot videos
              </Link>
              <nav aria-label="Main" className="order-3 w-full min-w-0 sm:order-none sm:w-auto sm:flex-1">
                <NavLinks />
              </nav>
              <div className="ml-auto flex items-center gap-2">
                <LiveIndicator />
                <ThemeToggle initial={theme} />
              </div>
            </div>
          </header>
          <main id="main" className="mx-auto max-w-7xl px-4 py-6">
            {access.allowed ? children : <p role="alert">{access.reason}</p>}
          </main>
        </LiveProvider>
      </body>
    </html>
  );
}
