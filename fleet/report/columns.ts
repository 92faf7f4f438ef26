/** Rows of cells as aligned lines. Pure. */

/**
 * Rows of cells → aligned lines: every column but the last padded to its widest cell, two spaces
 * apart, no trailing blanks. The first row is usually the header. Pure.
 */
export function alignColumns(rows: readonly (readonly string[])[]): string[] {
  if (rows.length === 0) return [];
  const widths = rows[0].map((_, i) => Math.max(...rows.map((r) => r[i].length)));
  return rows.map((r) =>
    r
      // The last cell's padding is trailing blanks, which trimEnd drops.
      .map((cell, i) => cell.padEnd(widths[i]))
      .join("  ")
      .trimEnd(),
  );
}
