"use client";
// The header's language menu: the choice goes in the NEXT_LOCALE cookie (for a year) and the
// server renders the page again in that language.
import { useRouter } from "next/navigation";
import { useLocale, useTranslations } from "next-intl";
import { LOCALE_COOKIE, LOCALES, type Locale } from "@/lib/i18n/locale";

const NAMES: Record<Locale, string> = { en: "English", "zh-CN": "简体中文" };

export function LanguageSwitch() {
  const t = useTranslations("layout");
  const locale = useLocale();
  const router = useRouter();
  return (
    <select
      aria-label={t("language")}
      data-testid="language-switch"
      className="btn py-1"
      value={locale}
      onChange={(e) => {
        document.cookie = `${LOCALE_COOKIE}=${e.target.value}; path=/; max-age=31536000; samesite=lax`;
        router.refresh();
      }}
    >
      {LOCALES.map((l) => (
        <option key={l} value={l} lang={l}>{NAMES[l]}</option>
      ))}
    </select>
  );
}
