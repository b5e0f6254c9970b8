"use client";
import Link from "next/link";
import { usePathname } from "next/navigation";
import { useTranslations } from "next-intl";

const LINKS = [
  { href: "/", label: "overview" },
  { href: "/videos", label: "videos" },
  { href: "/conversations", label: "conversations" },
  { href: "/senders", label: "senders" },
  { href: "/robots", label: "robots" },
  { href: "/deliveries", label: "deliveries" },
  { href: "/forwarding", label: "forwarding" },
] as const;

export function NavLinks() {
  const t = useTranslations("nav");
  const path = usePathname();
  return (
    <ul className="flex flex-wrap gap-1 text-sm">
      {LINKS.map(({ href, label }) => {
        const current = href === "/" ? path === "/" : path === href || path.startsWith(`${href}/`);
        return (
          <li key={href}>
            <Link
              href={href}
              aria-current={current ? "page" : undefined}
              className={`block rounded px-2.5 py-1.5 font-medium whitespace-nowrap ${
                current ? "bg-zinc-200 text-zinc-950 dark:bg-zinc-800 dark:text-white" : "text-zinc-700 hover:bg-zinc-100 dark:text-zinc-300 dark:hover:bg-zinc-900"
              }`}
            >
              {t(label)}
            </Link>
          </li>
        );
      })}
    </ul>
  );
}
