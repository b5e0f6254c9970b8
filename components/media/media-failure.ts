// Why a media URL failed, in words: the proxy answers refusals as JSON {error, reason}.
/** The words for what the browser finds out by itself (the server's reasons come as they are). */
export type FailureWords = { undisplayable: string; unreachable: string; httpStatus: (status: number) => string };

export async function mediaFailureReason(src: string, words: FailureWords): Promise<string> {
  try {
    // A one-byte range: a video that does load is not downloaded whole just to learn it is fine.
    const res = await fetch(src, { headers: { Range: "bytes=0-0" } });
    if (res.ok) return words.undisplayable;
    const body = (await res.json().catch(() => null)) as { error?: string } | null;
    return body?.error ?? words.httpStatus(res.status);
  } catch {
    return words.unreachable;
  }
}
