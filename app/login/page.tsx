import type { Metadata } from "next";
import Link from "next/link";
import { cookies } from "next/headers";
import { connection } from "next/server";
import { safeNextPath } from "@/lib/auth/access";
import { liveSessionId } from "@/lib/auth/login";
import { SESSION_COOKIE } from "@/lib/auth/session";
import { authSettings } from "@/lib/auth/settings";
import { pool } from "@/lib/db/client";
import { LoginForm } from "./login-form";
import { LogoutForm } from "./logout-form";

export const metadata: Metadata = { title: "Log in" };

// Known codes only: the page never echoes text from its query string.
const ERRORS: Record<string, string> = {
  wrong: "Wrong password.",
  limited: "Too many failed attempts. Wait a minute, then try again.",
  missing: "Enter the password.",
  off: "Login is off on this server: DASHBOARD_PASSWORD is not set.",
};

export default async function LoginPage({ searchParams }: { searchParams: Promise<Record<string, string | string[] | undefined>> }) {
  // Rendered per request, so Next puts this request's CSP nonce on its scripts.
  await connection();
  const query = await searchParams;
  const first = (v: string | string[] | undefined) => (Array.isArray(v) ? v[0] : v);
  const next = safeNextPath(first(query.next));
  const error = ERRORS[first(query.error) ?? ""];
  const settings = authSettings();
  const token = (await cookies()).get(SESSION_COOKIE)?.value;
  const signedIn = (await liveSessionId(pool(), settings, token)) !== null;

  return (
    <main className="mx-auto mt-24 max-w-sm p-6">
      <h1 className="text-2xl font-semibold">WeChat video dashboard</h1>
      {!settings.loginRequired ? (
        <p className="mt-4 text-zinc-600 dark:text-zinc-400">
          Login is off: this server listens on loopback only. Set DASHBOARD_PASSWORD to require a password.{" "}
          <Link className="underline" href="/">Open the dashboard</Link>
        </p>
      ) : signedIn ? (
        <div className="mt-4 space-y-4">
          <p>You are signed in.</p>
          <p>
            <Link className="underline" href={next}>Continue to the dashboard</Link>
          </p>
          <LogoutForm />
        </div>
      ) : (
        <LoginForm next={next} initialError={error} />
      )}
    </main>
  );
}
