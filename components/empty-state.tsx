// What a new user sees before the first video: the one thing to do, with the URL to paste.
import { callbackUrl } from "./callback-url";
import { CopyButton } from "./copy-button";

export async function EmptyState({ title = "No videos yet", filtered = false }: { title?: string; filtered?: boolean }) {
  if (filtered) {
    return (
      <div className="card p-8 text-center">
        <p className="text-lg font-medium">Nothing matches these filters</p>
        <p className="mt-1 muted">Loosen a filter or clear them all; new matching videos appear here as they arrive.</p>
      </div>
    );
  }
  const url = await callbackUrl();
  return (
    <div className="card p-8 text-center" data-testid="empty-state">
      <p className="text-lg font-medium">{title}</p>
      <p className="mt-1 muted">Paste this URL into your provider&apos;s console as the callback address. Videos appear here the moment they arrive.</p>
      <div className="mx-auto mt-4 flex max-w-xl flex-wrap items-center justify-center gap-2">
        <code className="rounded bg-zinc-100 px-3 py-2 font-mono text-sm break-all dark:bg-zinc-900" data-testid="callback-url">
          {url}
        </code>
        <CopyButton text={url} label="Copy callback URL" />
      </div>
      <p className="mt-3 text-sm muted">
        To try it now: <code className="font-mono">curl -X POST -H &apos;Content-Type: application/json&apos; -d @example.json {url}</code>
      </p>
    </div>
  );
}
