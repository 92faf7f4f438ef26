/**
 * What to do on Ctrl-C / SIGTERM. Pure.
 *
 * The Automation API aborts an operation by sending SIGINT to its `pulumi` process; a second
 * SIGINT makes the CLI terminate at once, without finishing in-flight resource operations. When
 * Ctrl-C is pressed in a terminal, the terminal already delivers SIGINT to the whole process group,
 * engine processes included, so forwarding it again would be that harmful second SIGINT.
 *
 * - 1st signal: stop starting stacks. Forward the abort to the engines too, unless it is SIGINT
 *   and the bot runs in a terminal (the engines already got it).
 * - 2nd signal: forward the abort to the engines (the person insists).
 * - 3rd signal: write the report with what is known and exit now.
 */

export interface AbortStep {
  /** Stop starting new stacks. */
  readonly stop: boolean;
  /** Abort in-flight operations through the Automation API `signal`. */
  readonly abortEngines: boolean;
  /** Give up waiting: write the report and exit. */
  readonly exitNow: boolean;
}

export function abortStep(
  signal: "SIGINT" | "SIGTERM",
  count: number,
  interactive: boolean,
): AbortStep {
  if (count >= 3) return { stop: true, abortEngines: true, exitNow: true };
  if (count === 2) return { stop: true, abortEngines: true, exitNow: false };
  return { stop: true, abortEngines: signal === "SIGTERM" || !interactive, exitNow: false };
}
