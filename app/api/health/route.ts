import { db } from "@/lib/db/client";
import { config } from "@/lib/config";
import { oldestPendingSeconds } from "@/lib/forwarding/targets";
import { checkHealth, publicHealth } from "@/lib/health";
import { mayReadProtected } from "@/lib/http/access";
import { handle } from "@/lib/http/responses";
import { countRobots, listRobots } from "@/lib/robots/list";
import { ingestor } from "@/lib/ingest/ingestor";
import { oldestPendingSeconds as oldestPendingArchive } from "@/lib/media/archive-state";
import { mediaStore } from "@/lib/media/stores";

/** A store that does not answer within `s` seconds counts as unreachable. */
function withinSeconds<T>(s: number, work: Promise<T>): Promise<T> {
  return Promise.race([work, new Promise<T>((_, reject) => setTimeout(() => reject(new Error(`no answer within ${s} s`)), s * 1000).unref())]);
}

export const dynamic = "force-dynamic";

/** Silent robots named in the health answer; `silentRobotCount` says how many there are. */
const SILENT_ROBOTS_LISTED = 20;

export async function GET(request: Request): Promise<Response> {
  return handle(request, async () => {
    const spool = await ingestor().then(
      (i) => i.status(),
      (err: Error) => err,
    );
    const cfg = config();
    const health = await checkHealth(db(), spool, {
      silentRobots: async () => {
        const options = { silentAfterMs: cfg.ROBOT_SILENT_AFTER, now: new Date() };
        const [page, counts] = await Promise.all([listRobots(db(), { state: "silent", limit: SILENT_ROBOTS_LISTED }, options), countRobots(db(), options)]);
        return { robotIds: page.items.map((r) => r.robotId), count: counts.silent };
      },
      forwardLag: cfg.FORWARD_URLS.length > 0 ? () => oldestPendingSeconds(db()) : undefined,
      archive:
        cfg.MEDIA_ARCHIVE === "on"
          ? {
              oldestPending: () => oldestPendingArchive(db()),
              storeReachable: () => withinSeconds(2, mediaStore().check()).then(() => true as const),
            }
          : undefined,
    });
    return Response.json((await mayReadProtected(request)) ? health : publicHealth(health), { status: health.status === "down" ? 503 : 200, headers: { "cache-control": "no-store" } });
  });
}
