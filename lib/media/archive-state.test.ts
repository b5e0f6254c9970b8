// The retry behind POST /api/videos/<id>/archive (202 queued, 404 not_found, 409
// nothing_to_retry), against a real PostgreSQL with graphile-worker's schema.
import { describe, expect, test } from "vitest";
import { useTestDatabase } from "../../test/support/db";
import { postVideo } from "../../test/support/example-video";
import { retryArchive, videoArchive } from "./archive-state";

const db = useTestDatabase();

async function setState(id: string, kind: string, state: string, reason: string | null) {
  await db.pool.query(`UPDATE media_archive SET state = $3::archive_state, reason = $4, error = $4, attempts = 1 WHERE "videoEventId" = $1 AND kind = $2::media_kind`, [id, kind, state, reason]);
}

/** The archive jobs queued for the video (its one key, and the per-file keys of older versions), with their payloads. */
const jobsOf = async (id: string) =>
  (
    await db.pool.query<{ key: string; payload: unknown }>(`SELECT key, payload FROM graphile_worker._private_jobs WHERE key = $1 OR key LIKE $1 || ':%' ORDER BY key`, [`archive:${id}`])
  ).rows;

describe("retrying a video's archive", () => {
  test("queues its expired and failed files again (pending, the video's one job for both) and leaves an archived one; then there is nothing to retry", async () => {
    const { videoId: id } = (await postVideo(db.client)) as { videoId: string };
    await setState(id, "video", "expired", "link_expired");
    await setState(id, "preview", "failed", "no_link");
    await db.pool.query(`DELETE FROM graphile_worker._private_jobs WHERE key = $1`, [`archive:${id}`]);

    const result = await retryArchive(db.client, id);
    expect(result.kind).toBe("queued");
    expect(result.kind === "queued" && [...result.kinds].sort()).toEqual(["preview", "video"]);
    const archive = await videoArchive(db.client, id);
    expect(archive.video).toMatchObject({ state: "pending", reason: null, error: null });
    expect(archive.preview).toMatchObject({ state: "pending", reason: null });
    expect(await jobsOf(id)).toEqual([{ key: `archive:${id}`, payload: { videoId: id } }]);

    // Pending now: a second press changes nothing.
    expect(await retryArchive(db.client, id)).toEqual({ kind: "nothing_to_retry" });
    await setState(id, "video", "archived", null);
    await setState(id, "preview", "expired", "link_expired");
    expect(await retryArchive(db.client, id)).toEqual({ kind: "queued", kinds: ["preview"] });
    const { rows } = await db.pool.query(`SELECT kind::text, state::text FROM media_archive WHERE "videoEventId" = $1 ORDER BY kind::text`, [id]);
    expect(rows).toEqual([{ kind: "preview", state: "pending" }, { kind: "video", state: "archived" }]);
  });

  test("a video that does not exist, or an id that is no id, is not found", async () => {
    expect(await retryArchive(db.client, "999999999")).toEqual({ kind: "not_found" });
    expect(await retryArchive(db.client, "1 OR 1=1")).toEqual({ kind: "not_found" });
  });
});
