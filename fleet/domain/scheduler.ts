/**
 * Bounded-concurrency runner with failure tolerance and abort. Generic: it knows nothing about
 * stacks. Items start in input order, at most `concurrency` at a time; results come back in input
 * order. Written here rather than taken from p-limit, which went ESM-only (p-limit#63).
 */

export type SkipReason = "failure-tolerance" | "aborted";

export interface ScheduleOptions<T, R> {
  /** Most items in flight at once (≥ 1). */
  readonly concurrency: number;
  /** Stop STARTING items once this many have failed; the rest are skipped. Absent: never stop. */
  readonly failureTolerance?: number;
  /** Once aborted, nothing new starts; it is also handed to every runner so it can stop early. */
  readonly signal?: AbortSignal;
  /** Whether a result counts towards the failure tolerance. */
  readonly isFailure: (result: R) => boolean;
  /** The result for an item whose runner threw (runners should not, but one bug must not stop the rest). */
  readonly onError: (item: T, error: unknown) => R;
  /** The result for an item that never started. */
  readonly onSkip: (item: T, reason: SkipReason) => R;
  /**
   * What an item costs while it runs (e.g. bytes of memory), and the most the items in flight may
   * cost together. An item starts only when it fits beside those running, or when nothing runs
   * (an item bigger than the whole budget runs alone). Absent: only `concurrency` bounds.
   */
  readonly budget?: { readonly limit: number; readonly cost: (item: T) => number };
  readonly onStart?: (item: T, index: number) => void;
  readonly onFinish?: (item: T, result: R, index: number) => void;
}

export interface ScheduleOutcome<R> {
  readonly results: R[];
  readonly failures: number;
  /** Why items were skipped, if any were. */
  readonly stoppedBy?: SkipReason;
}

export async function runAll<T, R>(
  items: readonly T[],
  run: (item: T, signal: AbortSignal | undefined) => Promise<R>,
  options: ScheduleOptions<T, R>,
): Promise<ScheduleOutcome<R>> {
  if (!Number.isInteger(options.concurrency) || options.concurrency < 1) {
    throw new RangeError(`concurrency must be a whole number ≥ 1 (got ${options.concurrency})`);
  }
  const results = new Array<R>(items.length);
  let next = 0;
  let failures = 0;
  let stoppedBy: SkipReason | undefined;

  const reasonToStop = (): SkipReason | undefined => {
    if (options.signal?.aborted) return "aborted";
    if (options.failureTolerance !== undefined && failures >= options.failureTolerance) {
      return "failure-tolerance";
    }
    return undefined;
  };

  // Budget admission: the cost in flight, and the workers waiting for some of it to return.
  let inFlight = 0;
  let running = 0;
  const waiting: (() => void)[] = [];
  const admit = async (cost: number): Promise<void> => {
    const limit = options.budget?.limit ?? Infinity;
    while (running > 0 && inFlight + cost > limit && !options.signal?.aborted) {
      await new Promise<void>((resolve) => waiting.push(resolve));
    }
    inFlight += cost;
    running++;
  };
  const release = (cost: number): void => {
    inFlight -= cost;
    running--;
    for (const wake of waiting.splice(0)) wake();
  };

  const worker = async (): Promise<void> => {
    while (next < items.length) {
      const index = next++;
      const item = items[index];
      const cost = options.budget?.cost(item) ?? 0;
      await admit(cost);
      const stop = reasonToStop();
      if (stop) {
        stoppedBy ??= stop;
        results[index] = options.onSkip(item, stop);
        release(cost);
        options.onFinish?.(item, results[index], index);
        continue;
      }
      options.onStart?.(item, index);
      let result: R;
      try {
        result = await run(item, options.signal);
      } catch (error) {
        result = options.onError(item, error);
      }
      release(cost);
      if (options.isFailure(result)) failures++;
      results[index] = result;
      options.onFinish?.(item, result, index);
    }
  };

  const workers = Array.from({ length: Math.min(options.concurrency, items.length) }, () =>
    worker(),
  );
  await Promise.all(workers);
  return stoppedBy ? { results, failures, stoppedBy } : { results, failures };
}

/** A first-come, first-served lock: `await mutex.run(fn)` runs fn when no other holder runs. */
export class Mutex {
  private tail: Promise<void> = Promise.resolve();

  run<V>(fn: () => Promise<V>): Promise<V> {
    const result = this.tail.then(fn);
    this.tail = result.then(
      () => undefined,
      () => undefined,
    );
    return result;
  }
}
