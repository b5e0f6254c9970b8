// A JSON value as a collapsible tree (native <details>: keyboard and screen reader friendly,
// no script). Values are rendered as text, never as markup.
type Json = null | boolean | number | string | Json[] | { [k: string]: Json };

export function JsonTree({ value, label = "payload", depth = 0 }: { value: unknown; label?: string; depth?: number }) {
  const v = value as Json;
  if (v !== null && typeof v === "object") {
    const entries: [string, Json][] = Array.isArray(v) ? v.map((x, i) => [String(i), x]) : Object.entries(v);
    const [open, close] = Array.isArray(v) ? ["[", "]"] : ["{", "}"];
    return (
      <details open={depth < 2} className="pl-4">
        <summary className="-ml-4 cursor-pointer">
          <span className="text-zinc-700 dark:text-zinc-300">{label}</span>{" "}
          <span className="muted">
            {open}
            {entries.length} {Array.isArray(v) ? "items" : "keys"}
            {close}
          </span>
        </summary>
        <ul>
          {entries.map(([k, x]) => (
            <li key={k}>
              <JsonTree value={x} label={k} depth={depth + 1} />
            </li>
          ))}
        </ul>
      </details>
    );
  }
  return (
    <div className="pl-4">
      <span className="text-zinc-700 dark:text-zinc-300">{label}</span>: <Scalar value={v} />
    </div>
  );
}

/** CDN links carry signed parameters: only their origin is shown. */
function displayString(value: string): string {
  if (!/^https?:\/\//i.test(value)) return JSON.stringify(value);
  try {
    return JSON.stringify(`${new URL(value).origin}/…`);
  } catch {
    return JSON.stringify("(link hidden)");
  }
}

function Scalar({ value }: { value: Json }) {
  if (typeof value === "string") return <span className="break-all text-emerald-800 dark:text-emerald-300" title={/^https?:/i.test(value) ? "link hidden: only its host is shown" : undefined}>{displayString(value)}</span>;
  if (typeof value === "number") return <span className="text-sky-800 dark:text-sky-300">{value}</span>;
  return <span className="text-violet-800 dark:text-violet-300">{String(value)}</span>;
}
