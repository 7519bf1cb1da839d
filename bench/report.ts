/** Formatting for the benchmark: plain-text tables, number formats, and the targets list. */

/** A benchmark target and whether this run met it. */
export interface Target {
  figure: string;
  value: string;
  target: string;
  met: boolean | null;
}

/** Renders rows as a left-aligned first column and right-aligned other columns. */
export function table(head: string[], rows: string[][]): string {
  const all = [head, ...rows];
  const widths = head.map((_, c) =>
    Math.max(...all.map((r) => (r[c] ?? "").length))
  );
  const line = (r: string[]) =>
    r.map((cell, c) =>
      c === 0
        ? (cell ?? "").padEnd(widths[c])
        : (cell ?? "").padStart(widths[c])
    ).join("  ");
  return [
    line(head),
    widths.map((w) => "-".repeat(w)).join("  "),
    ...rows.map(line),
  ].join("\n");
}

/** `12.3` with `digits` decimals; `–` for missing values. */
export function num(v: number | null | undefined, digits = 1): string {
  return v === null || v === undefined || !Number.isFinite(v)
    ? "–"
    : v.toFixed(digits);
}

/** Bytes as MB (10^6) with one decimal, or KB under 1 MB. */
export function bytes(v: number): string {
  if (!Number.isFinite(v)) return "–";
  return v >= 1e6 ? `${(v / 1e6).toFixed(1)} MB` : `${(v / 1e3).toFixed(1)} KB`;
}

/** `2.07×` */
export function times(v: number): string {
  return Number.isFinite(v) ? `${v.toFixed(2)}×` : "–";
}

/** Renders the targets with ✔ / ✘ (– where there is nothing to compare). */
export function targetTable(targets: Target[]): string {
  return table(
    ["figure", "value", "target", "met"],
    targets.map((t) => [
      t.figure,
      t.value,
      t.target,
      t.met === null ? "–" : t.met ? "yes" : "NO",
    ]),
  );
}
