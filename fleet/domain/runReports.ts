/**
 * The JSON reports of the stack commands and `audit` (`--report FILE`) read back, and the shards'
 * reports of one command merged into one (`report merge`), as if one run had covered every shard.
 * Pure: the command reads the files.
 */
import { UsageError } from "./errors";
import { type FleetReport, type StackResult, exitCodeFor, totalsOf } from "./results";
import { auditTotals } from "./verdicts";

/** Whether a parsed JSON document is a run report (`--report` of up, audit, drift, …). */
export function isRunReport(doc: unknown): boolean {
  if (doc === null || typeof doc !== "object") return false;
  const d = doc as Record<string, unknown>;
  return typeof d.command === "string" && Array.isArray(d.results);
}

/** A parsed JSON document as a run report, or a `UsageError` naming `subject`. */
export function parseRunReport(doc: unknown, subject: string): FleetReport {
  const d = doc as Partial<FleetReport> | null;
  const ok =
    isRunReport(doc) &&
    d!.schemaVersion === 1 &&
    typeof d!.startedAt === "string" &&
    typeof d!.finishedAt === "string" &&
    typeof d!.fleetFile === "string" &&
    d!.results!.every(
      (r: Partial<StackResult> | null) =>
        r !== null && typeof r.accountId === "string" && typeof r.stack === "string",
    );
  if (!ok) {
    throw new UsageError(
      `${subject}: not a run report of this version (schemaVersion 1 with command and results); pass the file --report wrote`,
    );
  }
  return doc as FleetReport;
}

/**
 * The reports of one command's shards as one report: the results of all (a stack in two reports
 * is an error: merge disjoint shards), from the earliest start to the latest end, aborted if any
 * was, totals and the exit code worked out again over every result. Options are the first's,
 * without the shard and account selection.
 */
export function mergeRunReports(
  inputs: readonly { readonly file: string; readonly report: FleetReport }[],
): FleetReport {
  if (inputs.length === 0) throw new UsageError("report merge: name at least one report");
  const [first] = inputs;
  const seen = new Map<string, string>();
  for (const { file, report } of inputs) {
    if (report.command !== first.report.command) {
      throw new UsageError(
        `report merge: ${file} is a report of ${report.command} and ${first.file} of ${first.report.command}; merge the reports of one command`,
      );
    }
    for (const r of report.results) {
      const other = seen.get(r.stack);
      if (other !== undefined) {
        throw new UsageError(
          `report merge: stack ${r.stack} (account ${r.accountId}) is in both ${other} and ${file}; merge the reports of disjoint shards (--shard K/N)`,
        );
      }
      seen.set(r.stack, file);
    }
  }
  const reports = inputs.map((i) => i.report);
  const results = reports
    .flatMap((r) => r.results)
    .sort((a, b) => a.accountId.localeCompare(b.accountId) || a.stack.localeCompare(b.stack));
  const startedAt = reports.map((r) => r.startedAt).sort()[0];
  const finishedAt = reports.map((r) => r.finishedAt).sort()[reports.length - 1];
  const aborted = reports.some((r) => r.aborted);
  const command = first.report.command;
  const options = Object.fromEntries(
    Object.entries(first.report.options).filter(([k]) => k !== "shard" && k !== "accounts"),
  ) as FleetReport["options"];
  return {
    schemaVersion: 1,
    command,
    fleetFile: first.report.fleetFile,
    startedAt,
    finishedAt,
    durationMs: Date.parse(finishedAt) - Date.parse(startedAt),
    exitCode: exitCodeFor(command, results, aborted),
    options,
    aborted,
    totals: totalsOf(results),
    ...(command === "audit" ? { audit: auditTotals(results) } : {}),
    results,
  };
}
