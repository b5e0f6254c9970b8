// Why a media URL failed: the proxy answers refusals as JSON {error, code, reason}. The reason
// (a code) becomes a sentence for people; the server's own text is kept as the technical detail.
import { useTranslations } from "next-intl";
import type { MediaFailure } from "@/lib/media/errors";

/** What the browser found out: a refusal's reason and its technical text, or what it saw itself. */
export type Failure = { reason?: string; detail?: string; status?: number; unreachable?: boolean };

export async function mediaFailure(src: string): Promise<Failure> {
  try {
    // A one-byte range: a video that does load is not downloaded whole just to learn it is fine.
    const res = await fetch(src, { headers: { Range: "bytes=0-0" } });
    if (res.ok) return {};
    const body = (await res.json().catch(() => null)) as { error?: string; reason?: string } | null;
    return { reason: body?.reason, detail: body?.error, status: res.status };
  } catch {
    return { unreachable: true };
  }
}

const REASONS: readonly MediaFailure[] = [
  "not_found",
  "no_link",
  "host_not_allowed",
  "link_expired",
  "upstream_failed",
  "timeout",
  "too_large",
  "decryption_failed",
  "md5_mismatch",
  "not_media",
  "unauthorized",
  "store_unavailable",
];

/** The sentence for people, and the technical detail (null when there is none beyond the sentence). */
export function useFailureWords(): (failure: Failure) => { sentence: string; detail: string | null } {
  const t = useTranslations("media");
  const w = useTranslations("plain.mediaReasons");
  return (failure) => {
    if (failure.unreachable) return { sentence: t("unreachable"), detail: null };
    const known = REASONS.find((r) => r === failure.reason);
    if (known) return { sentence: w(known), detail: failure.detail ?? null };
    if (failure.status === undefined) return { sentence: t("undisplayable"), detail: null };
    return { sentence: t("httpStatus", { status: failure.status }), detail: failure.detail ?? null };
  };
}
