/** The operations, their outcomes, the change counts and the exit codes a bot reads. Pure. */

/** What a StackRunner does to one account's stack. */
export type Operation = "preview" | "up" | "refresh" | "destroy" | "drift" | "outputs";

/** Every fleet command that produces a report: the stack operations, and `audit` (no stack, reads AWS). */
export type Command = Operation | "audit";

/**
 * - `succeeded`: the operation finished (for `drift`: no drift).
 * - `drifted`: `drift` found changes an `up` would make.
 * - `missing`: the stack does not exist (refresh, destroy, drift, outputs never create one).
 * - `failed`: the operation or the stack set-up failed.
 * - `locked`: another update holds the stack's lock (ConcurrentUpdateError); never cancelled.
 * - `aborted`: was running when the run was aborted (Ctrl-C / SIGTERM).
 * - `skipped`: never started (failure tolerance reached, or aborted before its turn).
 * - `orphaned`: the stack belongs to an account the fleet no longer covers (left the organization,
 *   suspended, out of scope): reported, never touched (only `destroy --accounts <it>` removes it).
 *   Not a failure.
 * - `noncompliant`: `audit` only: every region was read, and at least one enabled, non-excluded
 *   region has no ACTIVE `ACCOUNT` analyzer.
 * - `stale-state`: `audit` only: every region was read and covered, but the stack's state still
 *   holds a region the account no longer has enabled: the next `up` drops it.
 */
export type Outcome =
  | "succeeded"
  | "drifted"
  | "missing"
  | "failed"
  | "locked"
  | "aborted"
  | "skipped"
  | "noncompliant"
  | "stale-state"
  | "orphaned";

/** Resource change counts, folded from the engine's per-operation counts. */
export interface ChangeCounts {
  create: number;
  update: number;
  replace: number;
  delete: number;
  same: number;
}

/**
 * Exit codes (also in `--help`, the README and docs/FLEET.md). When several apply, the first in
 * this order wins: usage and empty selection (before anything runs), aborted, environment, failed,
 * drift / non-compliant, ok.
 */
export const EXIT = {
  /** Every stack succeeded (and, for `drift`, none drifted). */
  ok: 0,
  /** At least one stack failed or was locked (the rest still ran, within --failure-tolerance). */
  failed: 1,
  /** `drift` only: at least one stack drifted (or was never deployed), none failed. */
  drift: 2,
  /**
   * `audit` only: at least one enabled, non-excluded region is not covered, or a disabled region is
   * still in a stack's state (`up` drops it); none unreadable. Action needed either way.
   */
  noncompliant: 2,
  /** Bad input: invalid fleet file, unknown account, bad option. Nothing ran. */
  usage: 3,
  /**
   * The selection is empty (no account of the fleet file, the organization's scope, `--accounts`
   * and `--shard` together): nothing ran. `--allow-empty` makes it exit 0 instead.
   */
  empty: 4,
  /**
   * The bot's environment failed, not an account: the disk is full or read-only (`--report`,
   * `--output`), or AWS Organizations stayed throttled or unreachable after the SDK's retries.
   * The summary is still printed; retry once the environment is fixed.
   */
  environment: 5,
  /** Aborted by Ctrl-C / SIGTERM; in-flight stacks were stopped cleanly, the report was written. */
  aborted: 130,
} as const;

export const OUTCOMES: readonly Outcome[] = [
  "succeeded",
  "drifted",
  "missing",
  "failed",
  "locked",
  "aborted",
  "skipped",
  "noncompliant",
  "stale-state",
  "orphaned",
];

export function noChanges(): ChangeCounts {
  return { create: 0, update: 0, replace: 0, delete: 0, same: 0 };
}

/**
 * Folds the engine's per-operation counts (`OpMap`) into five columns. Replacements in any form
 * count once as `replace`; imports count as creates; reads and refresh steps are not changes.
 */
export function countChanges(opMap: Partial<Record<string, number>> | undefined): ChangeCounts {
  const counts = noChanges();
  for (const [op, n] of Object.entries(opMap ?? {})) {
    if (typeof n !== "number") continue;
    switch (op) {
      case "create":
      case "import":
        counts.create += n;
        break;
      case "update":
        counts.update += n;
        break;
      case "replace":
      case "import-replacement":
      case "read-replacement":
        counts.replace += n;
        break;
      case "delete":
      case "discard":
        counts.delete += n;
        break;
      case "same":
        counts.same += n;
        break;
      default:
        // create-replacement / delete-replaced are the two halves of a `replace` already counted;
        // read, refresh and remove-pending-replace change nothing in the account.
        break;
    }
  }
  return counts;
}

/** Whether an `up` would change anything. */
export function hasChanges(c: ChangeCounts): boolean {
  return c.create + c.update + c.replace + c.delete > 0;
}

/** Outcomes that make the exit code 1 and count towards --failure-tolerance. */
export function isFailure(outcome: Outcome): boolean {
  return outcome === "failed" || outcome === "locked" || outcome === "aborted";
}
