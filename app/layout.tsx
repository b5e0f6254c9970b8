import type { Metadata } from "next";
import "./globals.css";

export const metadata: Metadata = {
  title: { default: "WeChat video dashboard", template: "%s · WeChat video dashboard" },
  description: "Every video message your WeChat robots receive, live.",
};

export default function RootLayout({ children }: { children: React.ReactNode }) {
  return (
    <html lang="en">
      <body className="min-h-screen bg-white font-sans text-zinc-900 antialiased dark:bg-zinc-950 dark:text-zinc-100">
        {children}
      </body>
    </html>
  );
}
