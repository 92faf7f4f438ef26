/**
 * The types the fleet modules share. Data flows one way:
 * fleet file ─▶ targets ─▶ scheduler ─▶ StackRunner (one stack per account) ─▶ results ─▶ report.
 */
import type { z } from "zod";
import type { ArchiveRuleApplied } from "./archiveRules";
import type { FleetDefaults, fleetSettings } from "./fleetFile";
import type { OrganizationSettings } from "./organization";

/**
 * The component settings a fleet file can set for every account (`defaults`) or for one account:
 * the fleet file's schema (`fleetSettings`, picked from the component's own schema) decides.
 */
export type AnalyzerSettings = Readonly<z.infer<typeof fleetSettings>>;

/** How the bot reaches an account from its own base credentials. Never holds a credential. */
export interface AccountAccess {
  /** Role to assume in the account (its account must be the target account). */
  readonly roleArn?: string;
  /** A named AWS profile for the providers to start from. */
  readonly profile?: string;
  readonly externalId?: string;
  readonly sessionName?: string;
}

/**
 * Where a target came from: the organization (its OU path, `Root/Workloads/Prod`), the fleet
 * file's `accounts:` list, or both (a discovered account whose settings an entry overrides).
 */
export interface TargetOrigin {
  /** The OU path in AWS Organizations; absent for an account only the fleet file lists. */
  readonly ouPath?: string;
  /** The account's name in AWS Organizations. */
  readonly accountName?: string;
  /** An `accounts:` entry lists it. */
  readonly fleetFile: boolean;
}

/**
 * The run's phases, in order: the delegated administrator's registration (management account),
 * then the delegated administrator's own stack (its organization analyzers), then every member.
 */
export type Phase = "registration" | "delegated-administrator" | "members";

/** One account of the fleet, with defaults already applied: one stack. */
export interface Target {
  readonly accountId: string;
  readonly name?: string;
  readonly stack: string;
  readonly access: AccountAccess;
  readonly settings: AnalyzerSettings;
  /** Absent: the fleet file lists it and there is no `organization:` section. */
  readonly origin?: TargetOrigin;
  /** Absent: `members`. */
  readonly phase?: Phase;
  /**
   * Program config keys beyond the settings, as JSON values (docs/CONTRACTS.md):
   * `delegatedAdministrator` for the registration stack, `organization` for the administrator's.
   */
  readonly programConfig?: Readonly<Record<string, unknown>>;
  /**
   * An orphaned stack (why the fleet no longer covers it): only `destroy --accounts` runs it, and
   * with the stack's own config (nothing is rewritten).
   */
  readonly orphaned?: string;
}

/** An organization account the run leaves out, and why (validate/preview list them). */
export interface LeftOutTarget {
  readonly accountId: string;
  readonly accountName?: string;
  readonly ouPath: string;
  /** `suspended`, `excluded OU`, `excluded id`, `outside scope`. */
  readonly reason: string;
  readonly detail: string;
}

/** A validated fleet file. */
export interface Fleet {
  /** The file it came from, as given (used in messages). */
  readonly file: string;
  /** Pulumi backend URL (`file://…`, `s3://…`, `https://api.pulumi.com`). */
  readonly backend?: string;
  /** `passphrase`, `awskms://…`, … */
  readonly secretsProvider?: string;
  /** The `accounts:` entries, in file order (without `organization:`: the whole fleet). */
  readonly targets: Target[];
  /** The `organization:` section: the targets are only known once the organization is read. */
  readonly organization?: OrganizationSettings;
  /** With `organization:`: the `defaults` every discovered account gets. */
  readonly defaults?: FleetDefaults;
}

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
 * - `drifted` (`audit`): every region was read and covered, but the stack's state still holds a
 *   region the account no longer has enabled (`stale-state`): the next `up` drops it.
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
  | "orphaned";

/** Resource change counts, folded from the engine's per-operation counts. */
export interface ChangeCounts {
  create: number;
  update: number;
  replace: number;
  delete: number;
  same: number;
}

/** What one stack did. Carries no credentials. */
export interface StackResult {
  readonly accountId: string;
  readonly name?: string;
  readonly stack: string;
  readonly operation: Command;
  readonly outcome: Outcome;
  readonly changes: ChangeCounts;
  /** Regions with an analyzer (stack output `regions`), when known. */
  readonly regions: string[];
  /** Region → external-access analyzer ARN (stack output `analyzerArns`), when known. */
  readonly analyzerArns: Record<string, string>;
  readonly unusedAccessAnalyzerArn?: string;
  /** ISO time it started; absent when skipped. */
  readonly startedAt?: string;
  readonly durationMs: number;
  /** The whole error message (first line shown in the table). */
  readonly error?: string;
  /** Why it was skipped. */
  readonly skippedReason?: string;
  /** `orphaned` only: why the fleet no longer covers the account (`status SUSPENDED`, …). */
  readonly orphanedReason?: string;
  /** The run phase it ran in (organization fleets with a delegated administrator). */
  readonly phase?: Phase;
  /** The full engine log of this stack. */
  readonly logFile?: string;
  /** `audit` only: what was read from AWS, region by region. */
  readonly audit?: AccountAudit;
  /**
   * What the bot did (or would do) before the engine ran, per region: a region no longer enabled
   * left the state, an existing analyzer was (or would be) adopted, pending creates were cleared.
   */
  readonly notes?: StackNote[];
  /**
   * `up` only: the archive rules it created or changed, applied to the findings that already
   * existed (`ApplyArchiveRule`), and how many each archived. Absent when none changed.
   */
  readonly archiveRulesApplied?: ArchiveRuleApplied[];
  /** `up` only: the findings those rules archived, summed. */
  readonly archivedFindings?: number;
}

/**
 * - `region-disabled`: the stack held the region, the account no longer has it enabled; its
 *   resources left the state (no AWS call); AWS keeps the analyzer.
 * - `adopted`: an existing analyzer is taken into the stack (ours, lost; or with `--adopt`).
 * - `would-adopt`: an analyzer made outside the stack is there; `--adopt` takes it.
 * - `unmanageable`: an analyzer the provider cannot manage (a `_`-leading name) is there.
 * - `pending-cleared`: creates a killed run left pending were cleared (`refresh --clear-pending-creates`).
 * - `archive-rule-applied`: after `up`, a rule it created or changed was applied to the existing
 *   findings (`ApplyArchiveRule`).
 * - `archive-rule-not-applied`: the same, switched off (`--no-apply-archive-rules`,
 *   `applyArchiveRules: false`); the detail gives the AWS CLI command.
 */
export type NoteStatus =
  | "region-disabled"
  | "adopted"
  | "would-adopt"
  | "unmanageable"
  | "pending-cleared"
  | "archive-rule-applied"
  | "archive-rule-not-applied";

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

/**
 * `audit`'s verdict on one enabled region (Security Hub IAM.28 counts only `ACCOUNT` analyzers):
 * - `covered`: an ACTIVE `ACCOUNT` analyzer is there (any name, made by anyone).
 * - `missing`: no `ACCOUNT` analyzer (an `ORGANIZATION` analyzer does not count).
 * - `pending`: the `ACCOUNT` analyzer is CREATING (AWS makes it ACTIVE by itself; IAM.28 does not
 *   count it yet). Neither compliant nor a failure; `audit` can wait for it (`waitForActiveMs`).
 * - `not-active`: an `ACCOUNT` analyzer exists but is DISABLED or FAILED.
 * - `excluded`: left out by the fleet file (`excludeRegions`, or not in `regions`); not read.
 * - `error`: a read failed (after the SDK's retries); the verdict is unknown.
 * - `stale-state`: NOT enabled, but the account's stack still holds resources there (its state
 *   was read from the backend). Not an IAM.28 verdict: Security Hub does not count a disabled
 *   region; the next `up` drops it from the state without an AWS call, and AWS keeps the analyzer
 *   until the region is enabled again.
 */
export type RegionVerdict =
  "covered" | "pending" | "missing" | "not-active" | "excluded" | "error" | "stale-state";

/** Active finding counts, by analyzer family. */
export interface FindingCounts {
  /** Findings of external-access analyzers (`ACCOUNT`, `ORGANIZATION`). */
  externalAccess: number;
  /** Findings of unused-access analyzers (`ACCOUNT_UNUSED_ACCESS`, `ORGANIZATION_UNUSED_ACCESS`). */
  unusedAccess: number;
}

/** One analyzer as `audit` read it. */
export interface AuditedAnalyzer {
  readonly name: string;
  readonly arn: string;
  /** `ACCOUNT`, `ORGANIZATION`, `ACCOUNT_UNUSED_ACCESS`, … */
  readonly type: string;
  /** `ACTIVE`, `CREATING`, `DISABLED` or `FAILED`. */
  readonly status: string;
  /** Why it is not ACTIVE (AWS's `statusReason.code`). */
  readonly statusReason?: string;
  /** ACTIVE findings; absent when not counted (internal-access analyzers, analyzers not ACTIVE). */
  readonly activeFindings?: number;
}

/**
 * The organization view of one region: does an `ORGANIZATION` analyzer of the delegated
 * administrator cover it for the whole organization? `outside-organization`: the account is not a
 * member (listed only in the fleet file), so the organization's analyzers do not see it.
 */
export type OrganizationVerdict =
  "covered" | "pending" | "missing" | "not-active" | "outside-organization" | "error";

/** What the delegated administrator's analyzers say about one region (audit's organization view). */
export interface OrganizationRegionView {
  readonly verdict: OrganizationVerdict;
  /** The delegated administrator's account id. */
  readonly administratorAccountId: string;
  /** The `ORGANIZATION` analyzer the verdict rests on (covered, pending, not-active). */
  readonly analyzer?: AuditedAnalyzer;
  readonly detail?: string;
  /** The read error (verdict `error`). */
  readonly error?: string;
}

/** Regions per organization-view verdict (excluded regions are not read, so not counted). */
export interface OrganizationViewCounts {
  covered: number;
  pending: number;
  missing: number;
  notActive: number;
  outsideOrganization: number;
  error: number;
}

export interface RegionAudit {
  readonly region: string;
  readonly verdict: RegionVerdict;
  /** The `ACCOUNT` analyzer the verdict rests on (covered, pending, not-active). */
  readonly analyzer?: AuditedAnalyzer;
  /** Every analyzer found in the region (empty when excluded or unreadable). */
  readonly analyzers: AuditedAnalyzer[];
  readonly activeFindings: FindingCounts;
  /** Why, in words: the exclusion, the analyzer status, an organization analyzer that does not count. */
  readonly detail?: string;
  /** The read error (verdict `error`). */
  readonly error?: string;
  /**
   * The organization view (organization fleets with a delegated administrator; absent otherwise
   * and in excluded regions). Informational: `verdict` (the IAM.28 view) decides the outcome.
   */
  readonly organizationView?: OrganizationRegionView;
}

/** Regions per verdict; `enabled` counts every enabled region, excluded ones too. */
export interface RegionCounts {
  enabled: number;
  covered: number;
  /** `ACCOUNT` analyzer still CREATING. */
  pending: number;
  missing: number;
  notActive: number;
  excluded: number;
  error: number;
  /** Disabled regions the stack's state still holds; present only when the state was read. */
  staleState?: number;
}

/**
 * Whether `audit` read the account's stack state (fleet file with a `backend`, no `--no-state`):
 * `read`; `no-stack` (the backend has no stack for it: nothing held); `unreadable` (the backend
 * or the stack could not be read: disabled regions it still holds are not reported).
 */
export interface StateCheck {
  readonly status: "read" | "no-stack" | "unreadable";
  /** Why it was not read. */
  readonly detail?: string;
}

/** `audit`'s reading of one account. */
export interface AccountAudit {
  /** Regions the account has enabled, sorted; empty when they could not be read. */
  readonly enabledRegions: string[];
  readonly counts: RegionCounts;
  /** The organization view's verdicts over the regions read (absent without a delegated administrator). */
  readonly organizationView?: OrganizationViewCounts;
  readonly activeFindings: FindingCounts;
  /** One entry per enabled region, and per `stale-state` region, sorted by region. */
  readonly regions: RegionAudit[];
  /** Whether the stack's state was read (absent: not asked, `--no-state` or no `backend`). */
  readonly state?: StateCheck;
}

/** `audit` totals over every account of the run. */
export interface AuditTotals extends RegionCounts {
  accounts: number;
  /** Summed over the accounts with an organization view (absent when none has one). */
  organizationView?: OrganizationViewCounts;
  activeFindings: FindingCounts;
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
  /** The program's stacks in the backend (names as the backend gives them). */
  listStacks?(): Promise<string[]>;
  /**
   * The stack's exported state (`pulumi stack export`: `{ version, deployment }`), read-only: no
   * lock, no config written, secrets left encrypted. For `audit`.
   */
  exportState?(target: Target): Promise<unknown>;
}

/** Summary of a whole run: what `--report FILE` and `--json` write. */
export interface FleetReport {
  /**
   * 1 while changes stay backward compatible: new optional fields, new commands and outcomes may
   * appear (`audit`, `noncompliant`); a field is never removed or changes meaning without a bump.
   */
  readonly schemaVersion: 1;
  readonly command: Command;
  readonly fleetFile: string;
  readonly startedAt: string;
  readonly finishedAt: string;
  readonly durationMs: number;
  readonly exitCode: number;
  readonly options: {
    readonly concurrency: number;
    /**
     * Stack commands: the memory budget the scheduler kept the stacks in flight within, the
     * memory counted per plugin process, the largest stack's plugin count, and why.
     */
    readonly memory?: {
      readonly budgetBytes: number;
      readonly pluginMemoryBytes: number;
      readonly maxPluginsPerStack: number;
      readonly reason: string;
    };
    readonly accounts?: string[];
    readonly shard?: string;
    readonly failureTolerance?: number;
    readonly parallel?: number;
    readonly refresh: boolean;
    /** Absent for `audit` (no Pulumi program runs). */
    readonly workDir?: string;
    /** Absent for `audit` (no engine logs). */
    readonly logDir?: string;
    /** `audit` only: regions read at once in each account. */
    readonly regionConcurrency?: number;
  };
  readonly aborted: boolean;
  readonly totals: Record<Outcome, number> &
    ChangeCounts & {
      stacks: number;
      /** `up`: findings archived by applying changed archive rules (absent when none changed). */
      archivedFindings?: number;
    };
  /** `audit` only: region verdicts and findings over every account. */
  readonly audit?: AuditTotals;
  readonly results: StackResult[];
}
