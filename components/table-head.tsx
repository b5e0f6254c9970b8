// A data table's header row, styled like every list's.
export function TableHead({ labels }: { labels: string[] }) {
  return (
    <thead className="border-b border-zinc-200 text-xs text-zinc-700 uppercase dark:border-zinc-800 dark:text-zinc-300">
      <tr>
        {labels.map((label) => (
          <th key={label} scope="col" className="px-3 py-2">{label}</th>
        ))}
      </tr>
    </thead>
  );
}
