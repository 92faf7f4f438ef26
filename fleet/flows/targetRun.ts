/**
 * The scheduling shared by the stack commands and `audit`: `runAll` over the targets with the
 * progress lines, the results of targets that threw or never started, and the results to report
 * when a run is abandoned mid-way.
 */
import { type Command, isFailure } from "../domain/outcomes";
import { progressLine } from "../domain/progress";
import { type StackResult, skippedResult } from "../domain/results";
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
   * The clock for the progress line said after each end line (`[12/340] 2 failed, ~14 min left`),
   * when more than one target runs. Absent: no progress line.
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
    const outcome = await runAll(this.targets, run, {
      concurrency: options.concurrency,
      ...(options.budget ? { budget: options.budget } : {}),
      ...(failureTolerance !== undefined ? { failureTolerance } : {}),
      signal: options.stop,
      isFailure: (r) => isFailure(r.outcome),
      onError: (target, error) =>
        skippedResult(target, command, "failed", `internal error: ${redact(String(error))}`),
      onSkip: (target, reason) =>
        skippedResult(
          target,
          command,
          "skipped",
          reason === "aborted"
            ? "run aborted before it started"
            : `not started: ${failureTolerance} failure(s) reached --failure-tolerance`,
        ),
      onStart: (target) => {
        this.started.add(target);
        say(options.startLine(target));
      },
      onFinish: (target, result) => {
        this.done.set(target, result);
        finished++;
        if (result.outcome === "skipped") return;
        if (isFailure(result.outcome)) failed++;
        say(options.endLine(target, result));
        if (clock && this.targets.length > 1) {
          say(
            progressLine({
              done: finished,
              total: this.targets.length,
              failed,
              elapsedMs: clock.now() - clock.startedAt,
            }),
          );
        }
      },
    });
    return outcome.results;
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
          ? { ...skippedResult(t, command, "failed", stillRunning), outcome: "aborted" as const }
          : skippedResult(t, command, "skipped", "run aborted before it started")),
    );
  }
}
