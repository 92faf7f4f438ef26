/**
 * What the bot says it did, or would do, to a stack besides the engine's changes: the notes on a
 * region (disabled, adopted, pending creates cleared) and the archive rules it applied after `up`.
 * Types only; a leaf, so both the decisions that make notes and the results that carry them use it.
 */

/**
 * - `region-disabled`: the stack held the region, the account no longer has it enabled; its
 *   resources left the state (no AWS call); AWS keeps the analyzer.
 * - `adopted`: an existing analyzer is taken into the stack (ours, lost; or with `--adopt`).
 * - `would-adopt`: an analyzer made outside the stack is there; `--adopt` takes it.
 * - `unmanageable`: an analyzer the provider cannot manage (a `_`-leading name) is there.
 * - `pending-cleared`: creates a killed run left pending were cleared (`refresh --clear-pending-creates`).
 * - `checkpoint-repaired`: an empty attribute file a killed run left beside the stack's checkpoint
 *   (file backend) was removed; it held nothing (fleet/domain/checkpoint.ts).
 * - `archive-rule-applied`: after `up`, a rule it created or changed was applied to the existing
 *   findings (`ApplyArchiveRule`).
 * - `archive-rule-not-applied`: the same, switched off (`--no-apply-archive-rules`,
 *   `applyArchiveRules: false`); the detail gives the AWS CLI command.
 * - `unchanged-verified`: `up` did not start the engine: the read before it proved the account is
 *   as the last `up` left it (fleet/domain/unchanged.ts); the detail says what was checked.
 * - `drift-found`: the read before `up` found the account differs from the stack's state (an
 *   analyzer deleted or replaced, a tag or an archive rule changed out of band), so `up` refreshed
 *   the state first and repaired it; the detail says what differed.
 */
export type NoteStatus =
  | "region-disabled"
  | "adopted"
  | "would-adopt"
  | "unmanageable"
  | "pending-cleared"
  | "checkpoint-repaired"
  | "archive-rule-applied"
  | "archive-rule-not-applied"
  | "unchanged-verified"
  | "drift-found";

export interface StackNote {
  /** Absent for a note about the whole stack. */
  readonly region?: string;
  readonly status: NoteStatus;
  /** The analyzer the note is about. */
  readonly analyzer?: string;
  readonly detail?: string;
}

/** A note about one region. */
export type RegionNote = StackNote & { readonly region: string };

// ---- applying them after `up` -----------------------------------------------------------------

/** One rule applied to the findings that existed before it, and how many it archived. */
export interface ArchiveRuleApplied {
  readonly region: string;
  readonly analyzer: string;
  readonly rule: string;
  /** ACTIVE findings of the analyzer before the call, less those after it. */
  readonly archived: number;
}
