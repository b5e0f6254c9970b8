// The search box of the conversation and sender lists: a GET form, so results have a URL.
import { useTranslations } from "next-intl";

/** `keep`: other parameters of the list that a search keeps (the robots' state filter). */
export function ListSearch({ action, value, label, placeholder, keep = {} }: { action: string; value?: string; label: string; placeholder: string; keep?: Record<string, string | undefined> }) {
  const t = useTranslations("filters");
  return (
    <form method="get" action={action} role="search" aria-label={label} className="flex max-w-xl gap-2">
      {Object.entries(keep).map(([name, v]) => v !== undefined && <input key={name} type="hidden" name={name} value={v} />)}
      <label htmlFor="list-q" className="sr-only">{label}</label>
      <input id="list-q" name="q" type="search" defaultValue={value} placeholder={placeholder} className="input" autoComplete="off" />
      <button type="submit" className="btn">{t("search")}</button>
    </form>
  );
}
