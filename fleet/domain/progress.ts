/**
 * The progress line of a long run, said on stderr as each stack or account finishes:
 * `[12/340] 2 failed, ~14 min left`. Pure. A few lines do it, so no progress-bar library: the
 * line suits logs and CI as well as terminals, and stdout stays free for `--json`.
 */

/**
 * Time left, from the pace so far: the elapsed time per finished target (concurrency included)
 * times the targets left. Undefined before the first finishes.
 */
export function estimateRemainingMs(
  done: number,
  total: number,
  elapsedMs: number,
): number | undefined {
  if (done <= 0) return undefined;
  return Math.max(0, Math.round((elapsedMs / done) * (total - done)));
}

/** `<1 min`, `~14 min`, `~2 h 05 min`. */
export function formatRemaining(ms: number): string {
  const minutes = Math.round(ms / 60_000);
  if (minutes < 1) return "<1 min";
  if (minutes < 120) return `~${minutes} min`;
  return `~${Math.floor(minutes / 60)} h ${String(minutes % 60).padStart(2, "0")} min`;
}

export interface Progress {
  readonly done: number;
  readonly total: number;
  readonly failed: number;
  readonly elapsedMs: number;
}

/** `[12/340] 2 failed, ~14 min left`; `[340/340] 2 failed, all done` at the end. */
export function progressLine(p: Progress): string {
  const remaining = estimateRemainingMs(p.done, p.total, p.elapsedMs);
  const left =
    p.done >= p.total
      ? "all done"
      : remaining === undefined
        ? "estimating"
        : `${formatRemaining(remaining)} left`;
  return `[${p.done}/${p.total}] ${p.failed} failed, ${left}`;
}
