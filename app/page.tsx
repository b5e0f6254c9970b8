import { pool } from "@/lib/db/client";
import { NO_FILTERS } from "@/lib/videos/filters";
import { listVideos } from "@/lib/videos/list";

export const dynamic = "force-dynamic";

export default async function OverviewPage() {
  const { items } = await listVideos(pool(), NO_FILTERS, { limit: 20 });
  return (
    <main className="mx-auto max-w-5xl p-6">
      <h1 className="text-2xl font-semibold">Overview</h1>
      <h2 className="mt-6 text-lg font-medium">Latest videos</h2>
      {items.length === 0 ? (
        <p className="mt-2 text-zinc-600 dark:text-zinc-400">No videos yet. Point your provider&apos;s callback at /api/callback.</p>
      ) : (
        <ul className="mt-2 divide-y divide-zinc-200 dark:divide-zinc-800">
          {items.map((v) => (
            <li key={v.id} className="py-2">
              <span className="font-medium">{v.fromNickName ?? v.fromWxId}</span>{" "}
              <span className="text-zinc-500">({v.fromWxId})</span> · {v.duration}s · {v.conversationId}
            </li>
          ))}
        </ul>
      )}
    </main>
  );
}
