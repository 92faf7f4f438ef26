/**
 * Ctrl-C / SIGTERM during a run: the stack commands stop in steps (fleet/abort.ts), `audit` stops
 * its reads at once. Both write the report with what is known when told a last time.
 */
import { abortStep } from "../domain/abort";

/** What signal handling takes from the process (fleet/commands/deps.ts `CliDeps`). */
export interface ProcessSignals {
  /** Subscribes to SIGINT/SIGTERM; returns the unsubscribe function. */
  readonly onSignal: (handler: (signal: "SIGINT" | "SIGTERM") => void) => () => void;
  /** Whether a person at a terminal runs the bot (Ctrl-C then reaches the engines directly). */
  readonly interactive: boolean;
  /** Immediate exit, used only on the third Ctrl-C. */
  readonly exit: (code: number) => void;
}

export interface StackRunSignals {
  /** Aborted on the first signal: no more stacks start. */
  readonly stop: AbortController;
  /** Aborted when the engines must stop (their Automation API `signal`). */
  readonly engines: AbortController;
  readonly unsubscribe: () => void;
}

/**
 * Subscribes the stack commands' handler. `abandon` writes the report of an abandoned run and
 * returns its exit code (third signal).
 */
export function handleStackRunSignals(
  deps: ProcessSignals,
  say: (line: string) => void,
  abandon: (stop: AbortController) => number,
): StackRunSignals {
  const stop = new AbortController();
  const engines = new AbortController();
  let signals = 0;
  const unsubscribe = deps.onSignal((signal) => {
    signals++;
    const step = abortStep(signal, signals, deps.interactive);
    if (step.exitNow) {
      say(`${signal} again: not waiting any longer; writing the report and exiting`);
      deps.exit(abandon(stop));
      return;
    }
    if (!stop.signal.aborted) {
      say(
        `${signal}: starting no more stacks; waiting for running stacks to stop cleanly (again to stop the engines, a third time to exit)`,
      );
      stop.abort();
    }
    if (step.abortEngines && !engines.signal.aborted) {
      say(`${signal}: asking running engines to stop (they release their stack locks)`);
      engines.abort();
    }
  });
  return { stop, engines, unsubscribe };
}

/**
 * Subscribes `audit`'s handler: reads change nothing, so the first signal aborts them at once;
 * a second one writes the report (`abandon`) and exits.
 */
export function handleAuditSignals(
  deps: Omit<ProcessSignals, "interactive">,
  say: (line: string) => void,
  stop: AbortController,
  abandon: () => number,
): () => void {
  let signals = 0;
  return deps.onSignal((signal) => {
    signals++;
    if (signals === 1) {
      say(`${signal}: aborting the reads in flight (again to exit at once)`);
      stop.abort();
      return;
    }
    say(`${signal} again: writing the report with what is known and exiting`);
    deps.exit(abandon());
  });
}
