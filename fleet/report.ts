/**
 * Results → summary table, JSON report and exit code. Pure.
 */
import type {
  AuditTotals,
  ChangeCounts,
  Command,
  FleetReport,
  Outcome,
  StackResult,
  Target,
} from "./types";

/**
 * Exit codes (also in `--help` and docs/FLEET.md). When several apply, the first in this order
 * wins: usage (before anything runs), aborted, failed, drift / non-compliant, ok.
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

/** A result for a target that never got to run. */
export function skippedResult(
  target: Target,
  operation: Command,
  outcome: "skipped" | "failed",
  reason: string,
): StackResult {
  const result: StackResult = {
    accountId: target.accountId,
    stack: target.stack,
    operation,
    outcome,
    changes: noChanges(),
    regions: [],
    analyzerArns: {},
    durationMs: 0,
    ...(target.name !== undefined ? { name: target.name } : {}),
    ...(outcome === "skipped" ? { skippedReason: reason } : { error: reason }),
  };
  return result;
}

/** Outcomes that make the exit code 1 and count towards --failure-tolerance. */
export function isFailure(outcome: Outcome): boolean {
  return outcome === "failed" || outcome === "locked" || outcome === "aborted";
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
    results.some((r) => r.outcome === "noncompliant" || r.outcome === "drifted")
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

/** `[prod-eu 111122223333]`: how every line about an account starts. */
export function accountLabel(t: { accountId: string; name?: string }): string {
  return t.name !== undefined ? `${t.name} ${t.accountId}` : t.accountId;
}

export function firstLine(text: string | undefined, max = 100): string {
  if (!text) return "";
  const line =
    text
      .split("\n")
      .map((l) => l.trim())
      .find((l) => l !== "") ?? "";
  return line.length > max ? `${line.slice(0, max - 1)}…` : line;
}

export function formatDuration(ms: number): string {
  const seconds = Math.round(ms / 1000);
  if (seconds < 60) return `${seconds}s`;
  const minutes = Math.floor(seconds / 60);
  return `${minutes}m${String(seconds % 60).padStart(2, "0")}s`;
}

const COLUMNS = [
  "ACCOUNT",
  "STACK",
  "RESULT",
  "CREATE",
  "UPDATE",
  "REPLACE",
  "DELETE",
  "SAME",
  "REGIONS",
  "DURATION",
  "ERROR",
] as const;

function row(r: StackResult): string[] {
  const ran =
    r.outcome === "succeeded" ||
    r.outcome === "drifted" ||
    hasChanges(r.changes) ||
    r.changes.same > 0;
  const n = (v: number) => (ran ? String(v) : "-");
  return [
    accountLabel(r),
    r.stack,
    r.outcome,
    n(r.changes.create),
    n(r.changes.update),
    n(r.changes.replace),
    n(r.changes.delete),
    n(r.changes.same),
    r.regions.length > 0 ? String(r.regions.length) : "-",
    r.outcome === "skipped" ? "-" : formatDuration(r.durationMs),
    firstLine(r.error ?? r.skippedReason ?? r.orphanedReason),
  ];
}

/**
 * Rows of cells → aligned lines: every column but the last padded to its widest cell, two spaces
 * apart, no trailing blanks. The first row is usually the header. Pure.
 */
export function alignColumns(rows: readonly (readonly string[])[]): string[] {
  if (rows.length === 0) return [];
  const widths = rows[0].map((_, i) => Math.max(...rows.map((r) => r[i].length)));
  return rows.map((r) =>
    r
      // The last cell's padding is trailing blanks, which trimEnd drops.
      .map((cell, i) => cell.padEnd(widths[i]))
      .join("  ")
      .trimEnd(),
  );
}

/** The summary table people read at the end of a run, with a totals line. */
export function formatTable(results: readonly StackResult[]): string {
  const lines = alignColumns([COLUMNS, ...results.map(row)]);
  const t = totalsOf(results);
  const counts = OUTCOMES.filter((o) => t[o] > 0).map((o) => `${t[o]} ${o}`);
  lines.push(
    "",
    `${t.stacks} stack(s): ${counts.join(", ") || "none"}; changes: +${t.create} ~${t.update} ±${t.replace} -${t.delete} (=${t.same})` +
      (t.archivedFindings !== undefined
        ? `; archive rules archived ${t.archivedFindings} existing finding(s)`
        : ""),
  );
  return lines.join("\n");
}

/** Per-stack outputs for the `outputs` command: region → analyzer ARN. */
export function formatOutputs(results: readonly StackResult[]): string {
  const lines: string[] = [];
  for (const r of results) {
    lines.push(`${accountLabel(r)} (${r.stack}): ${r.outcome}`);
    for (const region of r.regions) {
      lines.push(`  ${region.padEnd(16)} ${r.analyzerArns[region] ?? "-"}`);
    }
    if (r.unusedAccessAnalyzerArn) lines.push(`  unused-access    ${r.unusedAccessAnalyzerArn}`);
  }
  return lines.join("\n");
}
