// The /videos filter on the archive state of each video's file (archive=...).
import { useTranslations } from "next-intl";
import { ARCHIVE_STATES } from "@/lib/media/archive-states";

export function ArchiveFilter({ value }: { value?: string }) {
  const t = useTranslations("archive");
  const any = useTranslations("filters");
  return (
    <div>
      <label htmlFor="filter-archive" className="label">{t("filter")}</label>
      <select id="filter-archive" name="archive" defaultValue={value ?? ""} className="input">
        <option value="">{any("any")}</option>
        {ARCHIVE_STATES.map((s) => (
          <option key={s} value={s}>{t(`state.${s}`)}</option>
        ))}
      </select>
    </div>
  );
}
