// How many videos match the filters: what a filtered export will hold, said on its links before
// anyone downloads it. Exact (the same WHERE as the export's COPY), but bounded in time: a count
// that would read for longer than `timeoutMs` is given up and answered null ("not known"), so a
// common search term over millions of rows never holds a connection for the sake of a label.
import type { Db } from "../db/client";
import { sqlState } from "../db/errors";
import { videoWhereSql, type VideoFilters } from "./filters";

/** PostgreSQL's query_canceled: what statement_timeout raises. */
const CANCELED = "57014";

export async function countVideos(db: Db, filters: VideoFilters, { timeoutMs = 3000 } = {}): Promise<number | null> {
  const params: unknown[] = [];
  const where = videoWhereSql(filters, params);
  try {
    return await db.$transaction(async (tx) => {
      // SET LOCAL: the limit ends with this transaction, never outliving it on the pooled connection.
      await tx.$executeRawUnsafe(`SET LOCAL statement_timeout = ${Math.max(1, Math.floor(timeoutMs))}`);
      const [{ n }] = await tx.$queryRawUnsafe<{ n: number }[]>(`SELECT count(*)::float8 AS n FROM video_events WHERE ${where}`, ...params);
      return n;
    });
  } catch (err) {
    if (sqlState(err) === CANCELED) return null;
    throw err;
  }
}
