"use client";
// Light, dark or the system's choice; kept in a cookie so the server renders the right theme
// (no flash, no inline script).
import { useState } from "react";
import { useTranslations } from "next-intl";
import { Icon } from "./icons";

export type Theme = "system" | "light" | "dark";
const NEXT: Record<Theme, Theme> = { system: "light", light: "dark", dark: "system" };
const ICON = { system: "monitor", light: "sun", dark: "moon" } as const;

export function ThemeToggle({ initial }: { initial: Theme }) {
  const t = useTranslations("theme");
  const [theme, setTheme] = useState<Theme>(initial);
  return (
    <button
      type="button"
      className="btn"
      aria-label={t("label", { theme: t(theme), next: t(NEXT[theme]) })}
      title={t("title", { theme: t(theme) })}
      onClick={() => {
        const next = NEXT[theme];
        setTheme(next);
        document.cookie = `theme=${next}; path=/; max-age=31536000; samesite=lax`;
        try {
          localStorage.setItem("theme", next);
        } catch {}
        const root = document.documentElement;
        root.classList.toggle("dark", next === "dark");
        root.classList.toggle("light", next === "light");
      }}
    >
      <Icon name={ICON[theme]} className="h-4 w-4" />
    </button>
  );
}
