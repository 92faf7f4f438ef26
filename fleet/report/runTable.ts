/** The stack commands' summary table and the `outputs` listing. Pure. */
import { OUTCOMES, hasChanges } from "../domain/outcomes";
import { describeChanges } from "../domain/resourceChanges";
import { type StackResult, totalsOf } from "../domain/results";
import { accountLabel, firstLine, formatDuration } from "../domain/text";
import { alignColumns } from "./columns";

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

/** An `up` the read before the engine proved unchanged (fleet/domain/unchanged.ts). */
const verified = (r: StackResult): boolean =>
  r.outcome === "succeeded" && (r.notes ?? []).some((n) => n.status === "unchanged-verified");

export function row(r: StackResult): string[] {
  const ran =
    r.outcome === "succeeded" ||
    r.outcome === "drifted" ||
    hasChanges(r.changes) ||
    r.changes.same > 0;
  const n = (v: number) => (ran ? String(v) : "-");
  return [
    accountLabel(r),
    r.stack,
    verified(r) ? "unchanged (verified)" : r.outcome,
    n(r.changes.create),
    n(r.changes.update),
    n(r.changes.replace),
    n(r.changes.delete),
    n(r.changes.same),
    r.regions.length > 0 ? String(r.regions.length) : "-",
    r.outcome === "skipped" ? "-" : formatDuration(r.durationMs),
    firstLine(
      r.error ??
        r.skippedReason ??
        r.orphanedReason ??
        // What drifted: the first change by name and region, and how many more.
        (r.outcome === "drifted" && r.changedResources
          ? describeChanges(r.changedResources, 1)
          : undefined),
    ),
  ];
}

/** The summary table people read at the end of a run, with a totals line. */
export function formatTable(results: readonly StackResult[]): string {
  const lines = alignColumns([COLUMNS, ...results.map(row)]);
  const t = totalsOf(results);
  const unchanged = results.filter(verified).length;
  const counts = OUTCOMES.filter((o) => t[o] > 0).map((o) =>
    o === "succeeded" && unchanged > 0
      ? `${t[o]} ${o} (${unchanged} unchanged (verified), no engine)`
      : `${t[o]} ${o}`,
  );
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
