"use client";
// A plain form that posts to /api/login (and works without JavaScript); with JavaScript it
// posts by fetch and shows the error in place, keeping the typed password out of history.
import { useState, type FormEvent } from "react";
import { useTranslations } from "next-intl";

export function LoginForm({ next, initialError }: { next: string; initialError?: string }) {
  const t = useTranslations("login");
  const w = useTranslations("plain");
  const [error, setError] = useState(initialError);
  const [busy, setBusy] = useState(false);

  // The server's error is English for scripts; the person reads it in their language.
  function loginError(res: Response, error: string): string {
    if (res.status === 401) return t("errors.wrong");
    if (res.status === 429) {
      const seconds = Number(res.headers.get("retry-after"));
      return seconds > 0 ? w("limitedIn", { seconds }) : t("errors.limited");
    }
    if (res.status === 400) return error.startsWith("login is off") ? t("errors.off") : t("errors.missing");
    if (res.status === 503) return w("loginDatabaseDown");
    return t("failed", { status: res.status });
  }

  async function submit(event: FormEvent<HTMLFormElement>) {
    event.preventDefault();
    const password = new FormData(event.currentTarget).get("password");
    setBusy(true);
    setError(undefined);
    try {
      const res = await fetch("/api/login", {
        method: "POST",
        headers: { "content-type": "application/json" },
        body: JSON.stringify({ password, next }),
      });
      const answer = await res.json().catch(() => ({}));
      if (res.ok) {
        window.location.assign(typeof answer.next === "string" ? answer.next : "/");
        return;
      }
      setError(loginError(res, typeof answer.error === "string" ? answer.error : ""));
    } catch {
      setError(t("noAnswer"));
    }
    setBusy(false);
  }

  return (
    <form method="post" action="/api/login" onSubmit={submit} className="mt-6 space-y-4" aria-describedby={error ? "login-error" : undefined}>
      <input type="hidden" name="next" value={next} />
      <div>
        <label htmlFor="password" className="block text-sm font-medium">
          {t("password")}
        </label>
        <input
          id="password"
          name="password"
          type="password"
          required
          autoFocus
          autoComplete="current-password"
          aria-invalid={error ? true : undefined}
          className="mt-1 w-full rounded border border-zinc-300 bg-white px-3 py-2 dark:border-zinc-700 dark:bg-zinc-900"
        />
      </div>
      {error ? (
        <p id="login-error" role="alert" className="text-sm text-red-700 dark:text-red-400">
          {error}
        </p>
      ) : null}
      <button
        type="submit"
        disabled={busy}
        className="w-full whitespace-nowrap rounded bg-zinc-900 px-3 py-2 font-medium text-white disabled:opacity-60 dark:bg-zinc-100 dark:text-zinc-900"
      >
        {busy ? t("loggingIn") : t("logIn")}
      </button>
    </form>
  );
}

