/**
 * What one stack (or one audited account) did, the run's report, and the port that runs one stack.
 * Data flows one way: fleet file ─▶ targets ─▶ scheduler ─▶ StackRunner ─▶ results ─▶ report. Pure.
 */
import { type Phase, type Target } from "../settings/schema";
import {
  type ChangeCounts,
  type Command,
  EXIT,
  OUTCOMES,
  type Outcome,
  isFailure,
  noChanges,
} from "./outcomes";
import { type AccountAudit, type AuditTotals } from "./verdicts";

/** What one stack did. Carries no credentials. */
import type { ArchiveRuleApplied, StackNote } from "./notes";
import type { ResourceChange } from "./resourceChanges";

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
  /**
   * `preview` and `drift`: each resource the preview would create, update, replace or delete, with
   * its region (what drifted, and where). Absent when none would change.
   */
  readonly changedResources?: ResourceChange[];
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

/** The result of a target whose stack never ran: no changes, no regions, no time. */
function notRun(target: Target, operation: Command, outcome: Outcome): StackResult {
  return {
    accountId: target.accountId,
    stack: target.stack,
    operation,
    outcome,
    changes: noChanges(),
    regions: [],
    analyzerArns: {},
    durationMs: 0,
    ...(target.name !== undefined ? { name: target.name } : {}),
  };
}

/** A target that was never started (failure tolerance reached, aborted before its turn, phase blocked). */
export function skippedResult(target: Target, operation: Command, reason: string): StackResult {
  return { ...notRun(target, operation, "skipped"), skippedReason: reason };
}

/** A target that failed, or was aborted, without a result of its own (its runner threw, the run was abandoned). */
export function failedResult(
  target: Target,
  operation: Command,
  outcome: "failed" | "aborted",
  error: string,
): StackResult {
  return { ...notRun(target, operation, outcome), error };
}

/** An orphaned stack: the fleet no longer covers its account; reported, never touched. */
export function orphanedResult(target: Target, operation: Command, reason: string): StackResult {
  return { ...notRun(target, operation, "orphaned"), orphanedReason: reason };
}

export function exitCodeFor(
  operation: Command,
  results: readonly StackResult[],
  aborted: boolean,
): number {
  if (aborted) return EXIT.aborted;
  if (results.some((r) => isFailure(r.outcome))) return EXIT.failed;
  if (
    operation === "drift" &&
    results.some((r) => r.outcome === "drifted" || r.outcome === "missing")
  ) {
    return EXIT.drift;
  }
  if (
    operation === "audit" &&
    results.some((r) => r.outcome === "noncompliant" || r.outcome === "stale-state")
  ) {
    return EXIT.noncompliant;
  }
  return EXIT.ok;
}

export function totalsOf(results: readonly StackResult[]): FleetReport["totals"] {
  const totals = { stacks: results.length, ...noChanges() } as FleetReport["totals"];
  for (const o of OUTCOMES) totals[o] = 0;
  for (const r of results) {
    totals[r.outcome]++;
    for (const k of Object.keys(noChanges()) as (keyof ChangeCounts)[]) totals[k] += r.changes[k];
    if (r.archivedFindings !== undefined) {
      totals.archivedFindings = (totals.archivedFindings ?? 0) + r.archivedFindings;
    }
  }
  return totals;
}

export interface ReportInput {
  readonly command: Command;
  readonly fleetFile: string;
  readonly startedAt: Date;
  readonly finishedAt: Date;
  readonly options: FleetReport["options"];
  readonly aborted: boolean;
  readonly results: readonly StackResult[];
  /** `audit` only. */
  readonly audit?: AuditTotals;
}

export function buildReport(input: ReportInput): FleetReport {
  return {
    schemaVersion: 1,
    command: input.command,
    fleetFile: input.fleetFile,
    startedAt: input.startedAt.toISOString(),
    finishedAt: input.finishedAt.toISOString(),
    durationMs: input.finishedAt.getTime() - input.startedAt.getTime(),
    exitCode: exitCodeFor(input.command, input.results, input.aborted),
    options: input.options,
    aborted: input.aborted,
    totals: totalsOf(input.results),
    ...(input.audit ? { audit: input.audit } : {}),
    results: [...input.results],
  };
}
