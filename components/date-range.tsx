// One date-range control for the lists and the export: presets (today, yesterday, last 7 and 30
// days, this month) and two native date inputs for a custom range, all as `from`/`to` calendar days
// in the dashboard's zone (lib/time/ranges.ts). Links and a GET form: it works without JavaScript.
import { getNow, getTimeZone, getTranslations } from "next-intl/server";
import { activePreset, asDay, dayIn, presetRange, RANGE_PRESETS } from "@/lib/time/ranges";

type Props = {
  /** The page's path, e.g. "/videos". */
  path: string;
  /** The URL's current `from` and `to`. */
  from?: string | null;
  to?: string | null;
  /** The page's other parameters a new range keeps (filters, view); never `from`, `to` or a cursor. */
  keep: URLSearchParams;
};

export async function DateRange({ path, from, to, keep }: Props) {
  const [t, now, timeZone] = await Promise.all([getTranslations("dateRange"), getNow(), getTimeZone()]);
  const active = activePreset(from, to, now, timeZone);
  const today = dayIn(now, timeZone);
  const href = (range: { from: string; to: string } | null) => {
    const params = new URLSearchParams(keep);
    if (range) {
      params.set("from", range.from);
      params.set("to", range.to);
    }
    return params.size ? `${path}?${params}` : path;
  };
  const custom = (from || to) && !active;
  return (
    <section aria-label={t("label")} className="card flex flex-wrap items-end gap-x-4 gap-y-2 p-3" data-testid="date-range">
      <ul className="flex flex-wrap gap-1" aria-label={t("presets")}>
        {RANGE_PRESETS.map((preset) => (
          <li key={preset}>
            <a
              href={href(presetRange(preset, now, timeZone))}
              aria-current={active === preset ? "true" : undefined}
              className={`btn px-2.5 py-1 text-sm whitespace-nowrap ${active === preset ? "border-sky-700 bg-sky-700 text-white hover:bg-sky-800 dark:bg-sky-700" : ""}`}
            >
              {t(preset)}
            </a>
          </li>
        ))}
      </ul>
      <form method="get" action={path} className="flex flex-wrap items-end gap-2" aria-label={t("custom")}>
        {[...keep].map(([name, value]) => <input key={name} type="hidden" name={name} value={value} />)}
        <div>
          <label htmlFor="range-from" className="label">{t("from")}</label>
          <input id="range-from" name="from" type="date" max={today} defaultValue={asDay(from)} className="input py-1" />
        </div>
        <div>
          <label htmlFor="range-to" className="label">{t("to")}</label>
          <input id="range-to" name="to" type="date" max={today} defaultValue={asDay(to)} className="input py-1" />
        </div>
        <button type="submit" className="btn px-2.5 py-1 text-sm whitespace-nowrap">{t("apply")}</button>
      </form>
      {(from || to) && (
        <p className="flex items-center gap-2 text-sm">
          {custom && <span className="muted" data-testid="date-range-custom">{t("customActive")}</span>}
          <a href={href(null)} className="link whitespace-nowrap">{t("clear")}</a>
        </p>
      )}
      <p className="w-full text-xs muted">{t("zone", { zone: timeZone })}</p>
    </section>
  );
}
