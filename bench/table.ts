// Plain-text tables for the bench's output.

/** `value` with `digits` decimals, or `n/a` when there is no value. */
export const num = (value: number | null | undefined, digits = 2): string =>
  value == null || !Number.isFinite(value) ? "n/a" : value.toFixed(digits);

export const usd = (value: number | null | undefined): string =>
  value == null ? "n/a" : `$${value < 10 ? value.toFixed(2) : value.toFixed(1)}`;

export const percent = (value: number | null | undefined): string =>
  value == null ? "n/a" : `${(value * 100).toFixed(value < 0.1 && value > 0 ? 1 : 0)}%`;

/** Right-aligned columns (the first left-aligned), two spaces apart. */
export function printTable(rows: string[][]): void {
  const widths = rows[0].map((_, c) => Math.max(...rows.map((r) => (r[c] ?? "").length)));
  for (const row of rows)
    console.log(
      row
        .map((cell, c) => (c === 0 ? cell.padEnd(widths[c]) : cell.padStart(widths[c])))
        .join("  ")
        .trimEnd(),
    );
}
