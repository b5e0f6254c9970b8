// Why a media URL failed, in words: the proxy answers refusals as JSON {error, reason}.
export async function mediaFailureReason(src: string): Promise<string> {
  try {
    // A one-byte range: a video that does load is not downloaded whole just to learn it is fine.
    const res = await fetch(src, { headers: { Range: "bytes=0-0" } });
    if (res.ok) return "the browser could not display this file";
    const body = (await res.json().catch(() => null)) as { error?: string } | null;
    return body?.error ?? `the server answered HTTP ${res.status}`;
  } catch {
    return "could not reach the server";
  }
}
