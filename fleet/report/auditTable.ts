/** `audit`'s summary: a row per account, the regions to act on, the totals, and the notes on the state read. Pure. */
import { OUTCOMES } from "../domain/outcomes";
import { type StackResult, totalsOf } from "../domain/results";
import { accountLabel, firstLine, formatDuration } from "../domain/text";
import {
  type Iam28Counts,
  type OrganizationViewCounts,
  type RegionAudit,
  auditTotals,
  isNonCompliant,
} from "../domain/verdicts";
import { alignColumns } from "./columns";

const AUDIT_COLUMNS = [
  "ACCOUNT",
  "RESULT",
  "ENABLED",
  "COVERED",
  "IAM.28",
  "ORG-VIEW",
  "PENDING",
  "MISSING",
  "NOT-ACTIVE",
  "EXCLUDED",
  "STALE-STATE",
  "EXT-FINDINGS",
  "UNUSED-FINDINGS",
  "DURATION",
  "ERROR",
] as const;

function auditRow(r: StackResult): string[] {
  const a = r.audit;
  const n = (v: number | undefined) => (a && v !== undefined ? String(v) : "-");
  return [
    accountLabel(r),
    r.outcome,
    n(a?.counts.enabled),
    n(a?.counts.covered),
    iam28Cell(a?.iam28),
    organizationCell(a?.organizationView),
    n(a?.counts.pending),
    n(a?.counts.missing),
    n(a?.counts.notActive),
    n(a?.counts.excluded),
    n(a?.counts.staleState),
    n(a?.activeFindings.externalAccess),
    n(a?.activeFindings.unusedAccess),
    r.outcome === "skipped" ? "-" : formatDuration(r.durationMs),
    firstLine(r.error ?? r.skippedReason),
  ];
}

/** Security Hub IAM.28 in the table: regions it passes over the regions read; `-` when none was. */
function iam28Cell(counts: Iam28Counts | undefined): string {
  if (!counts) return "-";
  const read = counts.passed + counts.failed + counts.unknown;
  return read > 0 ? `${counts.passed}/${read}` : "-";
}

/**
 * The organization view of an account in the table: regions covered by the delegated
 * administrator's ORGANIZATION analyzers over the regions read; `outside` for an account outside
 * the organization; `-` without an organization view.
 */
function organizationCell(view: OrganizationViewCounts | undefined): string {
  if (!view) return "-";
  const read = (Object.values(view) as number[]).reduce((sum, v) => sum + v, 0);
  if (read > 0 && view.outsideOrganization === read) return "outside";
  return `${view.covered}/${read - view.outsideOrganization}`;
}

/**
 * One section of the `audit` summary: a blank line, `title`, then a line per account and region
 * that `pick` selects (its verdict and the first line of its reason); nothing when none is.
 */
function regionSection(
  results: readonly StackResult[],
  title: string,
  pick: (g: RegionAudit) => [verdict: string, reason: string | undefined] | undefined,
): string[] {
  const rows = results.flatMap((r) =>
    (r.audit?.regions ?? []).flatMap((g) => {
      const picked = pick(g);
      return picked ? [[accountLabel(r), g.region, picked[0], firstLine(picked[1], 200)]] : [];
    }),
  );
  return rows.length > 0 ? ["", title, ...alignColumns(rows).map((l) => `  ${l}`)] : [];
}

/**
 * The `audit` summary: one row per account (STALE-STATE `-` when the stack's state was not read),
 * then one line per region that is not covered (missing, not-active, error), one per disabled
 * region still in a stack's state, then the totals.
 */
export function formatAuditTable(results: readonly StackResult[]): string {
  const lines = alignColumns([[...AUDIT_COLUMNS], ...results.map(auditRow)]);
  lines.push(
    ...regionSection(results, "Regions not covered:", (g) =>
      isNonCompliant(g) || g.verdict === "error" || g.verdict === "pending"
        ? [g.verdict, g.error ?? g.detail]
        : undefined,
    ),
    ...regionSection(results, "Disabled regions still in the stack's state (run up):", (g) =>
      g.verdict === "stale-state" ? [g.verdict, g.detail] : undefined,
    ),
    ...regionSection(
      results,
      "Regions the organization view does not cover (informational; the coverage rule decides the exit code):",
      (g) =>
        g.organizationView && g.organizationView.verdict !== "covered"
          ? [g.organizationView.verdict, g.organizationView.error ?? g.organizationView.detail]
          : undefined,
    ),
  );
  const t = totalsOf(results);
  const a = auditTotals(results);
  const outcomes = OUTCOMES.filter((o) => t[o] > 0).map((o) => `${t[o]} ${o}`);
  lines.push(
    "",
    `${t.stacks} account(s): ${outcomes.join(", ") || "none"}; regions: ${a.enabled} enabled, ` +
      `${a.covered} covered, ${a.pending} pending, ${a.missing} missing, ${a.notActive} not-active, ${a.excluded} excluded, ` +
      `${a.error} unreadable` +
      `; Security Hub IAM.28: ${a.iam28.passed} passed, ${a.iam28.failed} failed, ${a.iam28.unknown} unknown` +
      (a.staleState !== undefined ? `, ${a.staleState} disabled but still in the state` : "") +
      `; active findings: ${a.activeFindings.externalAccess} external-access, ` +
      `${a.activeFindings.unusedAccess} unused-access` +
      (a.organizationView
        ? `; organization view: ${a.organizationView.covered} covered, ${a.organizationView.pending} pending, ` +
          `${a.organizationView.missing} missing, ${a.organizationView.notActive} not-active, ` +
          `${a.organizationView.outsideOrganization} outside the organization, ${a.organizationView.error} unreadable`
        : ""),
  );
  return lines.join("\n");
}

/**
 * The note on the regions read where Security Hub does not offer IAM.28 (only this audit checks
 * them), naming each region once however many accounts enable it; none when there are none. Pure.
 */
export function iam28Notes(results: readonly StackResult[]): string[] {
  const regions = new Set(
    results.flatMap((r) =>
      (r.audit?.regions ?? []).flatMap((g) => (g.iam28 && !g.iam28.offered ? [g.region] : [])),
    ),
  );
  if (regions.size === 0) return [];
  return [
    `note: Security Hub does not offer IAM.28 (the AWS Config rule iam-external-access-analyzer-enabled) ` +
      `in ${[...regions].sort().join(", ")}: there this audit is the only check.`,
  ];
}

/**
 * The run's notes on the state read, one line per kind (never one per account): the accounts whose
 * state could not be read (with the first reason), and those without a stack. Pure.
 */
export function stateNotes(results: readonly StackResult[]): string[] {
  const of = (status: string) =>
    results.flatMap((r) => {
      const state = r.audit?.state;
      return state?.status === status ? [{ ...r, state }] : [];
    });
  const labels = (rs: readonly StackResult[]) =>
    rs.length <= 5
      ? rs.map(accountLabel).join(", ")
      : `${rs.slice(0, 5).map(accountLabel).join(", ")} and ${rs.length - 5} more`;
  const lines: string[] = [];
  const unreadable = of("unreadable");
  if (unreadable.length > 0) {
    lines.push(
      `note: the stack state of ${unreadable.length} account(s) could not be read (${labels(unreadable)}): ` +
        `${unreadable[0].state.detail ?? ""}. Disabled regions their stacks still hold are ` +
        `not reported; pass --no-state when the audit role has no access to the backend.`,
    );
  }
  const none = of("no-stack");
  if (none.length > 0) {
    lines.push(
      `note: ${none.length} account(s) have no stack in the backend yet (${labels(none)}): no state to check.`,
    );
  }
  return lines;
}
