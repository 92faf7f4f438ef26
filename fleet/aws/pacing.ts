/**
 * Calls to a rate-limited AWS API, many at once but never more than it takes: a bound on the calls
 * in flight that halves when the service throttles and grows back by one after a window of calls
 * that passed (additive increase, multiplicative decrease), and a retry of each throttled call
 * after an exponential, fully jittered pause. The reader of AWS Organizations uses it
 * (./organizations.ts): Organizations answers `TooManyRequestsException` when its request rate is
 * used up, and publishes no figure for that rate.
 *
 * The SDK clients behind it are built with `maxAttempts: 1`: the pacer sees every throttle (the
 * SDK's own retries would hide them, and its retry quota runs dry under sustained throttling).
 */

/** What a call that failed tells the pacer. */
export type Failure = "throttled" | "transient" | "final";

/** AWS's throttling error codes for the services the pacer fronts (Organizations, STS, EC2, …). */
const THROTTLING = new Set([
  "TooManyRequestsException",
  "ThrottlingException",
  "Throttling",
  "RequestLimitExceeded",
]);
/** Node's network errors and the SDK's timeouts: worth another try. */
const NETWORK = new Set([
  "ECONNRESET",
  "ECONNREFUSED",
  "EPIPE",
  "ETIMEDOUT",
  "EAI_AGAIN",
  "TimeoutError",
  "RequestTimeout",
  "RequestTimeoutException",
]);

/**
 * Whether an SDK error is a throttle (retry after a pause, and slow down), a transient fault (a
 * server error or a dropped connection: retry a few times), or final (an answer). Pure.
 */
export function classifyFailure(error: unknown): Failure {
  if (!(error instanceof Error)) return "final";
  if (error.name === "AbortError") return "final";
  const e = error as Error & {
    code?: string;
    $retryable?: { throttling?: boolean };
    $metadata?: { httpStatusCode?: number };
  };
  if (THROTTLING.has(e.name) || e.$retryable?.throttling === true) return "throttled";
  const status = e.$metadata?.httpStatusCode;
  if ((status !== undefined && status >= 500) || NETWORK.has(e.name) || NETWORK.has(e.code ?? "")) {
    return "transient";
  }
  return "final";
}

/**
 * The pause before retry `attempt` (1 for the first retry): uniformly random up to
 * `min(capMs, baseMs × 2^(attempt−1))` ("full jitter"), so callers throttled together spread out.
 * Pure, given `random`.
 */
export function backoffDelay(
  attempt: number,
  policy: Pick<PacingPolicy, "baseMs" | "capMs">,
  random: () => number,
): number {
  const ceiling = Math.min(policy.capMs, policy.baseMs * 2 ** Math.max(0, attempt - 1));
  return Math.floor(random() * ceiling);
}

export interface PacingPolicy {
  /** Calls in flight at most (the bound before any throttle). */
  readonly concurrency: number;
  /** Tries of one call the service throttles before it is given up (first try included). */
  readonly throttleAttempts: number;
  /** Tries of one call that fails transiently (server error, dropped connection). */
  readonly transientAttempts: number;
  /** First retry pause ceiling; doubles per retry. */
  readonly baseMs: number;
  /** Largest retry pause ceiling. */
  readonly capMs: number;
}

/**
 * 8 calls at once; a throttled call is tried 10 times, pausing up to 0.2, 0.4, … then 10 s between
 * tries (about half a minute on average before it gives up); a transient failure 3 times.
 */
export const DEFAULT_PACING: PacingPolicy = {
  concurrency: 8,
  throttleAttempts: 10,
  transientAttempts: 3,
  baseMs: 200,
  capMs: 10_000,
};

/** A call the service kept throttling through every try: `attempts` of them, over `waitedMs`. */
export class ThrottledError extends Error {
  constructor(
    readonly attempts: number,
    readonly waitedMs: number,
    readonly last: unknown,
  ) {
    super(`throttled ${attempts} times over ${Math.round(waitedMs / 1000)} s`);
    this.name = "ThrottledError";
  }
}

/** Resolves after `ms`, or rejects with an AbortError when `signal` aborts first. */
export function sleep(ms: number, signal?: AbortSignal): Promise<void> {
  return new Promise((resolve, reject) => {
    const aborted = () => Object.assign(new Error("aborted"), { name: "AbortError" });
    if (signal?.aborted) return reject(aborted());
    const timer = setTimeout(() => {
      signal?.removeEventListener("abort", onAbort);
      resolve();
    }, ms);
    const onAbort = () => {
      clearTimeout(timer);
      reject(aborted());
    };
    signal?.addEventListener("abort", onAbort, { once: true });
  });
}

export interface PacerStats {
  /** Calls sent, retries included. */
  calls: number;
  /** Of them, throttled. */
  throttled: number;
  /** The bound on calls in flight now, and its lowest point. */
  limit: number;
  lowestLimit: number;
}

/**
 * Runs calls at most `limit` at a time. The limit starts at `policy.concurrency`, halves (at most
 * once per round of calls in flight) when one is throttled, and grows by one after `limit` calls in
 * a row passed. Each call is retried as `classifyFailure` says; a call throttled through every try
 * rejects with `ThrottledError`, anything final with its own error.
 */
export class Pacer {
  private limit: number;
  private inFlight = 0;
  private passedInARow = 0;
  /** Calls started since the last cut: a throttle of a call sent before it does not cut again. */
  private sentSinceCut = Number.POSITIVE_INFINITY;
  private readonly waiting: (() => void)[] = [];
  readonly stats: PacerStats;

  constructor(
    private readonly policy: PacingPolicy = DEFAULT_PACING,
    private readonly options: {
      readonly signal?: AbortSignal;
      readonly random?: () => number;
      readonly sleep?: (ms: number, signal?: AbortSignal) => Promise<void>;
      readonly now?: () => number;
    } = {},
  ) {
    if (!Number.isInteger(policy.concurrency) || policy.concurrency < 1) {
      throw new RangeError(`concurrency must be a whole number ≥ 1 (got ${policy.concurrency})`);
    }
    this.limit = policy.concurrency;
    this.stats = { calls: 0, throttled: 0, limit: this.limit, lowestLimit: this.limit };
  }

  /** Runs `call` (again, as its failures warrant) within the limit. */
  async run<T>(call: () => Promise<T>): Promise<T> {
    const now = this.options.now ?? Date.now;
    const started = now();
    let throttles = 0;
    let transients = 0;
    for (;;) {
      await this.acquire();
      let failure: Failure;
      let error: unknown;
      try {
        const value = await call();
        this.release("passed");
        return value;
      } catch (e) {
        error = e;
        failure = classifyFailure(e);
        this.release(failure === "throttled" ? "throttled" : "failed");
      }
      if (failure === "final") throw error;
      const tries = failure === "throttled" ? ++throttles : ++transients;
      const most =
        failure === "throttled" ? this.policy.throttleAttempts : this.policy.transientAttempts;
      if (tries >= most) {
        if (failure === "throttled") throw new ThrottledError(tries, now() - started, error);
        throw error;
      }
      const random = this.options.random ?? Math.random;
      await (this.options.sleep ?? sleep)(
        backoffDelay(tries, this.policy, random),
        this.options.signal,
      );
    }
  }

  private acquire(): Promise<void> {
    if (this.inFlight < this.limit) {
      this.started();
      return Promise.resolve();
    }
    return new Promise((resolve) =>
      this.waiting.push(() => {
        this.started();
        resolve();
      }),
    );
  }

  private started(): void {
    this.inFlight++;
    this.sentSinceCut++;
    this.stats.calls++;
  }

  private release(outcome: "passed" | "throttled" | "failed"): void {
    this.inFlight--;
    if (outcome === "throttled") {
      this.stats.throttled++;
      this.passedInARow = 0;
      // Calls already in flight when the limit was cut were sent at the old rate: their throttles
      // are the same news, not a reason to cut again.
      if (this.sentSinceCut >= this.limit) {
        this.limit = Math.max(1, Math.floor(this.limit / 2));
        this.sentSinceCut = 0;
      }
    } else if (outcome === "passed" && ++this.passedInARow >= this.limit) {
      this.passedInARow = 0;
      this.limit = Math.min(this.policy.concurrency, this.limit + 1);
    }
    this.stats.limit = this.limit;
    this.stats.lowestLimit = Math.min(this.stats.lowestLimit, this.limit);
    while (this.inFlight < this.limit && this.waiting.length > 0) this.waiting.shift()!();
  }
}
