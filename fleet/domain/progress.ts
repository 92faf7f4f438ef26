/**
 * The progress of a long run, said on stderr as each stack or account finishes, at the end of its
 * line: `[12/340] 2 failed, ~14 min left`. Pure. A few lines do it, so no progress-bar library:
 * the line suits logs and CI as well as terminals, and stdout stays free for `--json`.
 */

/** Where a run stands, as the estimate reads it. */
export interface Pace {
  /** How long each finished target took (ms); skipped targets are not in it. */
  readonly finishedMs: readonly number[];
  /** How long each target still running has run so far (ms). */
  readonly runningMs: readonly number[];
  /** Targets not started yet. */
  readonly queued: number;
  /**
   * Targets that run at once: the most seen in flight so far (the memory budget can hold a run
   * below `--concurrency`, so the option alone would promise too much).
   */
  readonly slots: number;
}

/**
 * Time left, by playing the rest of the run forward at the pace so far: every target takes the
 * mean time of those finished; a running one needs what it has not used of that mean (none once
 * past it); each queued one starts in the first slot to free up. The answer is when the last slot
 * frees. Undefined before the first target finishes (no pace yet).
 *
 * Dividing the elapsed time by the targets done, as a plain rate would, counts the first stack's
 * whole run against the targets behind it as if they ran one after another: 24 stacks at
 * concurrency 8 then read ~40 minutes left for a run that took 5.
 */
export function estimateRemainingMs(pace: Pace): number | undefined {
  const { finishedMs, runningMs, queued } = pace;
  if (finishedMs.length === 0) return undefined;
  const mean = finishedMs.reduce((a, b) => a + b, 0) / finishedMs.length;
  const slots = Math.max(1, pace.slots, runningMs.length);
  // When each slot frees: the running targets' remaining time, and 0 for the idle slots.
  const free = [
    ...runningMs.map((ran) => Math.max(0, mean - ran)),
    ...Array.from({ length: slots - runningMs.length }, () => 0),
  ];
  for (let i = 0; i < queued; i++) {
    let first = 0;
    for (let s = 1; s < free.length; s++) if (free[s] < free[first]) first = s;
    free[first] += mean;
  }
  return Math.round(Math.max(0, ...free));
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
  /** From `estimateRemainingMs`; undefined while there is no estimate. */
  readonly remainingMs: number | undefined;
}

/** `[12/340] 2 failed, ~14 min left`; `[340/340] 2 failed, all done` at the end. */
export function progressLine(p: Progress): string {
  const left =
    p.done >= p.total
      ? "all done"
      : p.remainingMs === undefined
        ? "estimating"
        : `${formatRemaining(p.remainingMs)} left`;
  return `[${p.done}/${p.total}] ${p.failed} failed, ${left}`;
}
