/**
 * Reads a request body, stopping as soon as it exceeds `limit` bytes: an oversize body is
 * never held in memory whole. `bytes` is the declared length when known, else what was read.
 */
export async function readBodyWithLimit(
  request: Request,
  limit: number,
): Promise<{ data: Buffer; bytes: number; tooLarge: boolean }> {
  const declared = Number(request.headers.get("content-length") ?? NaN);
  const chunks: Buffer[] = [];
  let read = 0;
  if (request.body) {
    const reader = request.body.getReader();
    for (;;) {
      const { done, value } = await reader.read();
      if (done) break;
      // A view on the chunk, not a copy: the one copy is the concat below.
      chunks.push(Buffer.from(value.buffer, value.byteOffset, value.byteLength));
      read += value.byteLength;
      if (read > limit) {
        await reader.cancel().catch(() => {});
        break;
      }
    }
  }
  const tooLarge = read > limit;
  return { data: chunks.length === 1 ? chunks[0] : Buffer.concat(chunks), bytes: tooLarge && Number.isFinite(declared) ? Math.max(declared, read) : read, tooLarge };
}
