"use client";
// The /videos filters, as a plain GET form (works without JavaScript); with JavaScript, empty
// fields are left out so the shared URL names only what is filtered.
import { useRouter } from "next/navigation";
import { useEffect, useRef } from "react";
import { useTranslations } from "next-intl";
import { ArchiveFilter } from "@/components/archive/archive-filter";

type Values = Partial<Record<string, string>>;

// The range (from, to) has its own control (components/date-range.tsx); this form keeps it.
const ADVANCED = ["fromWxId", "conversationId", "minDuration", "maxDuration", "direction", "robotId", "instanceId", "archive"];

// The orders of lib/videos/sort.ts, as the select offers them.
const SORTS = ["-time", "time", "-duration", "duration", "-size", "size"] as const;

export function FilterForm({ values, view, sort }: { values: Values; view: string; sort?: string }) {
  const t = useTranslations("filters");
  const w = useTranslations("plain");
  const router = useRouter();
  const search = useRef<HTMLInputElement>(null);
  // "/" jumps to the search box, as on most sites with one.
  useEffect(() => {
    const onKey = (e: KeyboardEvent) => {
      if (e.key !== "/" || e.ctrlKey || e.metaKey || e.altKey) return;
      if ((e.target as HTMLElement | null)?.closest("input, textarea, select, [contenteditable]")) return;
      e.preventDefault();
      search.current?.focus();
    };
    window.addEventListener("keydown", onKey);
    return () => window.removeEventListener("keydown", onKey);
  }, []);
  const advancedOpen = ADVANCED.some((k) => values[k]);
  return (
    <form
      method="get"
      action="/videos"
      role="search"
      aria-label={t("form")}
      className="card p-3"
      onSubmit={(e) => {
        e.preventDefault();
        const params = new URLSearchParams();
        for (const [k, v] of new FormData(e.currentTarget)) if (typeof v === "string" && v.trim() !== "") params.set(k, v.trim());
        if (params.get("view") === "grid") params.delete("view");
        if (params.get("sort") === "-time") params.delete("sort");
        router.push(`/videos${params.size ? `?${params}` : ""}`);
      }}
    >
      <input type="hidden" name="view" value={view} />
      {values.from && <input type="hidden" name="from" value={values.from} />}
      {values.to && <input type="hidden" name="to" value={values.to} />}
      {values.limit && <input type="hidden" name="limit" value={values.limit} />}
      <div className="flex flex-wrap items-end gap-2">
        <div className="min-w-48 flex-1">
          <label htmlFor="filter-q" className="label">{t("search")}</label>
          <input ref={search} id="filter-q" name="q" aria-keyshortcuts="/" type="search" defaultValue={values.q} placeholder={t("searchPlaceholder")} className="input" autoComplete="off" />
        </div>
        <div>
          <label htmlFor="filter-sort" className="label">{t("sort")}</label>
          {/* A new order applies at once (with JavaScript); without, with Apply. */}
          <select id="filter-sort" name="sort" defaultValue={sort ?? "-time"} className="input" onChange={(e) => e.currentTarget.form?.requestSubmit()}>
            {SORTS.map((s) => (
              <option key={s} value={s}>{t(`sorts.${s}`)}</option>
            ))}
          </select>
        </div>
        <button type="submit" className="btn bg-sky-700 text-white hover:bg-sky-800 dark:bg-sky-700 dark:hover:bg-sky-600 border-sky-700">{t("apply")}</button>
        <a href={view === "table" ? "/videos?view=table" : "/videos"} className="btn">{t("clear")}</a>
      </div>
      <details className="mt-2" open={advancedOpen}>
        <summary className="cursor-pointer text-sm font-medium text-zinc-700 dark:text-zinc-300">{t("more")}</summary>
        <div className="mt-2 grid grid-cols-1 gap-2 sm:grid-cols-2 lg:grid-cols-4">
          <Field name="fromWxId" label={t("senderId")} values={values} placeholder="wxid_…" />
          <Field name="conversationId" label={t("conversation")} values={values} placeholder={w("conversationPlaceholder")} />
          <Field name="minDuration" label={t("minDuration")} values={values} inputMode="numeric" />
          <Field name="maxDuration" label={t("maxDuration")} values={values} inputMode="numeric" />
          <div>
            <label htmlFor="filter-direction" className="label">{t("direction")}</label>
            <select id="filter-direction" name="direction" defaultValue={values.direction ?? ""} className="input">
              <option value="">{t("any")}</option>
              <option value="in">{t("received")}</option>
              <option value="out">{t("sentByRobot")}</option>
            </select>
          </div>
          <ArchiveFilter value={values.archive} />
          <Field name="robotId" label={t("robotId")} values={values} />
          <Field name="instanceId" label={t("instanceId")} values={values} />
        </div>
      </details>
    </form>
  );
}

function Field({ name, label, values, placeholder, inputMode }: { name: string; label: string; values: Values; placeholder?: string; inputMode?: "numeric" }) {
  return (
    <div>
      <label htmlFor={`filter-${name}`} className="label">{label}</label>
      <input id={`filter-${name}`} name={name} defaultValue={values[name]} placeholder={placeholder} inputMode={inputMode} className="input" autoComplete="off" />
    </div>
  );
}
