import type { Metadata } from "next";
import Link from "next/link";
import { cookies } from "next/headers";
import { connection } from "next/server";
import { getTranslations } from "next-intl/server";
import { safeNextPath } from "@/lib/auth/access";
import { liveSessionId } from "@/lib/auth/login";
import { SESSION_COOKIE } from "@/lib/auth/session";
import { authSettings } from "@/lib/auth/settings";
import { db } from "@/lib/db/client";
import { LoginForm } from "./login-form";
import { LogoutForm } from "./logout-form";

export async function generateMetadata(): Promise<Metadata> {
  return { title: (await getTranslations("login"))("title") };
}

// Known codes only: the page never echoes text from its query string.
const ERRORS = ["wrong", "limited", "missing", "off"] as const;
const isError = (code: string | undefined): code is (typeof ERRORS)[number] => (ERRORS as readonly string[]).includes(code ?? "");

export default async function LoginPage({ searchParams }: { searchParams: Promise<Record<string, string | string[] | undefined>> }) {
  // Rendered per request, so Next puts this request's CSP nonce on its scripts.
  await connection();
  const query = await searchParams;
  const first = (v: string | string[] | undefined) => (Array.isArray(v) ? v[0] : v);
  const next = safeNextPath(first(query.next));
  const t = await getTranslations("login");
  const code = first(query.error);
  const error = isError(code) ? t(`errors.${code}`) : undefined;
  const settings = authSettings();
  const token = (await cookies()).get(SESSION_COOKIE)?.value;
  const signedIn = (await liveSessionId(db(), settings, token)) !== null;

  return (
    <main className="mx-auto mt-24 max-w-sm p-6">
      <h1 className="text-2xl font-semibold">{t("heading")}</h1>
      {!settings.loginRequired ? (
        <p className="mt-4 text-zinc-600 dark:text-zinc-400">
          {t("off")}{" "}
          <Link className="underline" href="/">{t("open")}</Link>
        </p>
      ) : signedIn ? (
        <div className="mt-4 space-y-4">
          <p>{t("signedIn")}</p>
          <p>
            <Link className="underline" href={next}>{t("continue")}</Link>
          </p>
          <LogoutForm />
        </div>
      ) : (
        <LoginForm next={next} initialError={error} />
      )}
    </main>
  );
}
