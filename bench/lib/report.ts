// Every benchmark reports figures in one shape; bench/run.ts prints them as one table.
export type Figure = {
  bench: string;
  name: string;
  /** The measured value, in `unit`. */
  value: number;
  unit: string;
  /** What it is compared with, measured in the same run, and how that was measured. */
  baseline?: { label: string; value: number };
  /** value / baseline, or as the goal defines it. */
  ratio?: number;
  goal: string;
  /** null: no goal, or it could not be judged (skipped). */
  met: boolean | null;
  note?: string;
};

const fmt = (n: number | undefined, digits = 1) =>
  n === undefined || Number.isNaN(n) ? "-" : Math.abs(n) >= 100 ? Math.round(n).toLocaleString("en-US") : n.toFixed(digits);

export function printFigures(figures: Figure[], out: (line: string) => void = console.log): void {
  const rows = [
    ["bench", "figure", "value", "baseline (same run)", "ratio", "goal", "met?"],
    ...figures.map((f) => [
      f.bench,
      f.name,
      `${fmt(f.value)} ${f.unit}`,
      f.baseline ? `${f.baseline.label}: ${fmt(f.baseline.value)}` : "-",
      f.ratio === undefined ? "-" : fmt(f.ratio, 2),
      f.goal,
      f.met === null ? (f.note ?? "n/a") : f.met ? "MET" : "NOT MET",
    ]),
  ];
  const widths = rows[0].map((_, c) => Math.max(...rows.map((r) => r[c].length)));
  rows.forEach((r, i) => {
    out(r.map((cell, c) => cell.padEnd(widths[c])).join("  ").trimEnd());
    if (i === 0) out(widths.map((w) => "-".repeat(w)).join("  "));
  });
  const judged = figures.filter((f) => f.met !== null);
  const met = judged.filter((f) => f.met).length;
  out(`\n${met} of ${judged.length} goals met${figures.length > judged.length ? `, ${figures.length - judged.length} figures without a verdict` : ""}.`);
  for (const f of figures.filter((x) => x.note && x.met !== null)) out(`  note on ${f.bench} / ${f.name}: ${f.note}`);
}

export function section(title: string): void {
  console.log(`\n=== ${title} ===`);
}
