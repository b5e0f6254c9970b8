// A logout button that works without JavaScript. The dashboard's navigation can render it too.
export function LogoutForm({ className }: { className?: string }) {
  return (
    <form method="post" action="/api/logout" className={className}>
      <button type="submit" className="rounded border border-zinc-300 px-3 py-1.5 text-sm dark:border-zinc-700">
        Log out
      </button>
    </form>
  );
}
