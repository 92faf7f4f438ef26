/** Lines about the fleet itself: where each account came from, and what an organization fleet leaves out. Pure. */
import { internalAccessPlan, internalAccessSummary } from "../../components/billing";
import { type LeftOutTarget, type Target } from "../settings/schema";

/** Where a target came from, in words: its OU path, `fleet file`, or both. */
export function originLabel(target: Target): string {
  const o = target.origin;
  if (o === undefined) return "fleet file";
  if (target.phase === "registration") return "management account (registration)";
  if (o.ouPath === undefined) return "fleet file";
  return o.fleetFile ? `${o.ouPath} + fleet file` : o.ouPath;
}

/** The lines listing the accounts left out of an organization fleet (none: no lines). */
export function leftOutLines(leftOut: readonly LeftOutTarget[]): string[] {
  if (leftOut.length === 0) return [];
  return [
    `left out: ${leftOut.length} account(s)`,
    ...leftOut.map(
      (a) =>
        `  ${a.accountId}  ${a.reason.padEnd(13)} ${a.ouPath}  (${a.detail}${a.accountName ? `; ${a.accountName}` : ""})`,
    ),
  ];
}

/** The header line of an organization fleet. */
export function organizationLine(run: {
  readonly organizationId?: string;
  readonly managementAccountId?: string;
  readonly targets: readonly unknown[];
  readonly leftOut: readonly unknown[];
}): string | undefined {
  if (run.organizationId === undefined) return undefined;
  return `organization ${run.organizationId} (management account ${run.managementAccountId}): ${run.targets.length} stack(s), ${run.leftOut.length} account(s) left out`;
}

/**
 * What the internal-access analyzers of the targets will be billed for (validate and preview):
 * a line per account that asks for any, and a total. None asked for: no lines.
 */
export function internalAccessLines(targets: readonly Target[]): string[] {
  const lines: string[] = [];
  let total = 0;
  for (const t of targets) {
    const summary = internalAccessSummary(t.settings);
    if (summary === undefined) continue;
    total += internalAccessPlan(t.settings)?.count ?? 0;
    lines.push(`  [${t.stack}] ${summary}`);
  }
  if (lines.length === 0) return [];
  return [`internal access: ${total} analyzer(s) in ${lines.length} account(s)`, ...lines];
}
