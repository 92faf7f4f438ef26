/**
 * The scheduling shared by the stack commands and `audit`: `runAll` over the targets with the
 * progress lines, the results of targets that threw or never started, and the results to report
 * when a run is abandoned mid-way.
 */
import { type Command, isFailure } from "../domain/outcomes";
import { estimateRemainingMs, progressLine } from "../domain/progress";
import { failedResult, type StackResult, skippedResult } from "../domain/results";
import { runAll } from "../domain/scheduler";
import { type Target } from "../settings/schema";

export interface ScheduleTargetsOptions {
  readonly concurrency: number;
  /** Memory admission (see `runAll`'s `budget`); absent for `audit`, which starts no plugin. */
  readonly budget?: { readonly limit: number; readonly cost: (target: Target) => number };
  /** Stop starting targets after this many failed. Absent: never stop. */
  readonly failureTolerance?: number | undefined;
  /** Once aborted, no more targets start. */
  readonly stop: AbortSignal;
  /** The progress line as a target starts. */
  readonly startLine: (target: Target) => string;
  /** The progress line as a target ends (none for a skipped one). */
  readonly endLine: (target: Target, result: StackResult) => string;
  /**
   * The clock for the progress said at the end of each end line (`… | [12/340] 2 failed, ~14 min
   * left`), when more than one target runs. Absent: no progress.
   */
  readonly now?: () => number;
}

/** One command's run over its targets; remembers which started and which finished. */
export class TargetRun {
  private readonly started = new Set<Target>();
  private readonly done = new Map<Target, StackResult>();

  constructor(
    private readonly targets: readonly Target[],
    private readonly command: Command,
    private readonly say: (line: string) => void,
    private readonly redact: (text: string) => string,
  ) {}

  /**
   * Runs `run` on the targets through `runAll`: says a line as each starts and ends, turns a
   * runner that throws into an internal error, and skips the targets left once stopped or once
   * --failure-tolerance is reached. Resolves to the results in target order.
   */
  async schedule(
    run: (target: Target) => Promise<StackResult>,
    options: ScheduleTargetsOptions,
  ): Promise<StackResult[]> {
    const { command, redact, say } = this;
    const { failureTolerance, now } = options;
    const clock = now ? { now, startedAt: now() } : undefined;
    let finished = 0;
    let failed = 0;
    // The pace for the estimate: when each running target started, how long each finished one took,
    // and the most that ran at once.
    const running = new Map<Target, number>();
    const took: number[] = [];
    let slots = 0;
    const outcome = await runAll(this.targets, run, {
      concurrency: options.concurrency,
      ...(options.budget ? { budget: options.budget } : {}),
      ...(failureTolerance !== undefined ? { failureTolerance } : {}),
      signal: options.stop,
      isFailure: (r) => isFailure(r.outcome),
      onError: (target, error) =>
        failedResult(target, command, "failed", `internal error: ${redact(String(error))}`),
      onSkip: (target, reason) =>
        skippedResult(
          target,
          command,
          reason === "aborted"
            ? "run aborted before it started"
            : `not started: ${failureTolerance} failure(s) reached --failure-tolerance`,
        ),
      onStart: (target) => {
        this.started.add(target);
        if (clock) running.set(target, clock.now());
        slots = Math.max(slots, running.size);
        say(options.startLine(target));
      },
      onFinish: (target, result) => {
        this.done.set(target, result);
        finished++;
        if (result.outcome === "skipped") return;
        if (isFailure(result.outcome)) failed++;
        const line = options.endLine(target, result);
        if (!clock || this.targets.length <= 1) {
          say(line);
          return;
        }
        const at = clock.now();
        took.push(at - (running.get(target) ?? clock.startedAt));
        running.delete(target);
        const remainingMs = estimateRemainingMs({
          finishedMs: took,
          runningMs: [...running.values()].map((started) => at - started),
          queued: this.targets.length - finished - running.size,
          slots,
        });
        say(
          `${line} | ${progressLine({ done: finished, total: this.targets.length, failed, remainingMs })}`,
        );
      },
    });
    return outcome;
  }

  /**
   * Every target's result for a report written before the run ends: its own if it finished,
   * `aborted` with `stillRunning` as the error if it started, skipped otherwise.
   */
  abandonedResults(stillRunning: string): StackResult[] {
    const { command } = this;
    return this.targets.map(
      (t) =>
        this.done.get(t) ??
        (this.started.has(t)
          ? failedResult(t, command, "aborted", stillRunning)
          : skippedResult(t, command, "run aborted before it started")),
    );
  }
}
