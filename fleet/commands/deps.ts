/** What the command line takes from the process, so tests can drive it with fakes. */
import type { AwsPorts } from "../domain/ports";
import type { StackRunner, StackRunnerOptions } from "../domain/runner";

/** The process's streams, environment, signals, memory and clock, and its ways to Pulumi and AWS. */
export interface CliDeps extends AwsPorts {
  readonly stdout: (text: string) => void;
  readonly stderr: (text: string) => void;
  readonly env: Record<string, string | undefined>;
  readonly cwd: string;
  readonly memory: () => { total: number; free: number };
  readonly createRunner: (options: StackRunnerOptions) => StackRunner;
  /** Subscribes to SIGINT/SIGTERM; returns the unsubscribe function. */
  readonly onSignal: (handler: (signal: "SIGINT" | "SIGTERM") => void) => () => void;
  /** Whether a person at a terminal runs the bot (Ctrl-C then reaches the engines directly). */
  readonly interactive: boolean;
  /** Immediate exit, used only on the third Ctrl-C. */
  readonly exit: (code: number) => void;
  readonly now: () => Date;
  /** This package's version (`--version`, SARIF's `tool.driver.version`). */
  readonly version: string;
  /** Default --work-dir: the package root holding Pulumi.yaml, if found. */
  readonly programDir?: string;
}
