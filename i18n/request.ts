// next-intl's per-request settings: the language (lib/i18n/locale.ts), its messages, and the one
// time zone (TZ) and the request's time, which next-intl hands to the browser too so both format every time alike.
import { cookies, headers } from "next/headers";
import { getRequestConfig } from "next-intl/server";
import { config } from "@/lib/config";
import { LOCALE_COOKIE, negotiateLocale } from "@/lib/i18n/locale";

export default getRequestConfig(async () => {
  const locale = negotiateLocale((await headers()).get("accept-language"), (await cookies()).get(LOCALE_COOKIE)?.value);
  return {
    locale,
    timeZone: config().TZ,
    // The request's time: relative times on the server are computed against it, and the browser
    // hydrates with the same value before its own clock takes over (components/relative-time.tsx).
    now: new Date(),
    messages: (await import(`../messages/${locale}.json`)).default,
  };
});
