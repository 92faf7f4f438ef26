// Statistics of `npm run bench` (scripts/bench.ts), apart so that a unit test can hold them.

/** The median: the middle value, or the mean of the two middle values of an even count; 0 for none. */
export function median(values: readonly number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  const n = sorted.length;
  if (n === 0) return 0;
  return n % 2 === 1 ? sorted[(n - 1) / 2] : (sorted[n / 2 - 1] + sorted[n / 2]) / 2;
}
