/**
 * The port that runs one account's stack, and what a run gives it (fleet/run/ implements it over the
 * Automation API; the tests pass fakes). Types only.
 */
import type { Target } from "../settings/schema";
import type { AccountView } from "./adoption";
import type { ArchiveRulesOption } from "./archiveRules";
import type { Operation } from "./outcomes";
import type { StackResult } from "./results";
import type { BackendSource, SetupCheck } from "./setup";

export interface StackRunnerOptions {
  /** Folder with the program's Pulumi.yaml. */
  readonly workDir: string;
  /** Added to the bot's own environment for every Pulumi command (see fleet/domain/workspace.ts). */
  readonly envVars: Record<string, string>;
  /** Secrets provider for stacks the bot creates. */
  readonly secretsProvider?: string;
  /** `--parallel`: resource operations the engine runs at once. */
  readonly parallel?: number;
  /** `--refresh`: refresh state before preview/up/destroy. */
  readonly refresh: boolean;
  /** Folder for this run's per-stack logs. */
  readonly logDir: string;
  /** Folder holding `bin/pulumi`; default: `pulumi` on PATH. */
  readonly pulumiRoot?: string;
  /** Masks secrets in everything written to logs or returned. */
  readonly redact: (text: string) => string;
  /**
   * Reads the account before the engine runs (enabled regions, analyzers per region), for
   * adoption and disabled regions (fleet/domain/adoption.ts). Absent: nothing is read, nothing adopted.
   */
  readonly readAccount?: (
    target: Target,
    signal?: AbortSignal,
    options?: { readonly archiveRules?: readonly string[] },
  ) => Promise<AccountView>;
  /** `--adopt`: also adopt analyzers made outside the stack (ours are adopted without it). */
  readonly adopt?: boolean;
  /**
   * After a successful `up`, the archive rules it created or changed are applied to the existing
   * findings (fleet/flows/archiveRules.ts). Absent: the engine's events are not even collected.
   */
  readonly archiveRules?: ArchiveRulesOption;
  /**
   * `up` only: report an account `unchanged (verified)` without the engine when the read before
   * it proves nothing can differ (fleet/domain/unchanged.ts); on by default, `--force-engine` turns
   * it off. Needs `readAccount`.
   */
  readonly fastPath?: boolean;
}

export interface RunOptions {
  /** Aborting sends SIGINT to the engine so it stops cleanly and releases the stack lock. */
  readonly signal?: AbortSignal;
  /** Engine output, in chunks as they arrive (not split into lines). */
  readonly onOutput?: (text: string) => void;
}

/** Runs one operation on one account's stack. Never throws: every problem becomes an outcome. */
export interface StackRunner {
  run(target: Target, operation: Operation, options: RunOptions): Promise<StackResult>;
  /**
   * The Pulumi set-up, before any stack starts: a CLI of at least `MIN_PULUMI_CLI`, and a backend it
   * can read (fleet/domain/setup.ts). Never throws: each problem comes back with its fix.
   */
  checkSetup?(source: BackendSource): Promise<SetupCheck>;
  /** The program's stacks in the backend (names as the backend gives them). */
  listStacks?(): Promise<string[]>;
  /**
   * The stack's exported state (`pulumi stack export`: `{ version, deployment }`), read-only: no
   * lock, no config written, secrets left encrypted. For `audit`.
   */
  exportState?(target: Target): Promise<unknown>;
}
