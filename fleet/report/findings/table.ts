/**
 * The findings report for a terminal: one row per finding across the fleet, most urgent first
 * (the triage order of fleet/domain/findings.ts), what changed since an earlier report, the
 * suppressions, the accounts and regions that could not be read, and a totals line. Pure.
 */
import {
  type Finding,
  type FindingsReport,
  ageInWords,
  describeFilter,
  grantDescription,
  lastUsedDescription,
  rankedFindings,
} from "../../domain/findings";
import { accountLabel, firstLine } from "../../domain/text";
import { alignColumns } from "../columns";

/**
 * Control characters (ANSI escapes, carriage returns, …) replaced by `?`: finding fields such as
 * resource names come from whoever named the resource, and must not drive the terminal.
 */
export function printable(text: string): string {
  return text.replace(/[\u0000-\u001f\u007f-\u009f]/g, "?");
}

/** `s3:GetObject, s3:ListBucket, +3`: the first actions granted. */
export function actionsSummary(actions: readonly string[] | undefined, shown = 3): string {
  if (!actions || actions.length === 0) return "";
  const more = actions.length > shown ? `, +${actions.length - shown}` : "";
  return `${actions.slice(0, shown).join(", ")}${more}`;
}

function accountOf(f: Finding): string {
  return accountLabel({ accountId: f.accountId, name: f.accountName });
}

/** The `--format table` output. */
export function formatFindingsTable(report: FindingsReport): string {
  const now = report.generatedAt;
  const shown = rankedFindings(report).filter((f) => f.suppressed === undefined);
  const compared = report.changes !== undefined;
  const unused = shown.some((f) => f.exposure === "unused");
  const header = [
    "ACCESS",
    ...(compared ? ["CHANGE"] : []),
    "ACCOUNT",
    "REGION",
    "FINDING",
    "RESOURCE TYPE",
    "RESOURCE",
    "GRANTED TO",
    "ACTIONS",
    ...(unused ? ["LAST USED"] : []),
    "UPDATED",
  ];
  const rows = shown.map((f) =>
    [
      f.exposure,
      ...(compared ? [f.change ?? "-"] : []),
      accountOf(f),
      f.region,
      f.findingType,
      f.resourceType,
      f.resource ?? "-",
      grantDescription(f) || "-",
      actionsSummary(f.action) || "-",
      ...(unused ? [f.exposure === "unused" ? lastUsedDescription(f, now) || "-" : "-"] : []),
      ageInWords(f.updatedAt, now),
    ].map((cell) => printable(cell)),
  );
  const lines = rows.length > 0 ? alignColumns([header, ...rows]) : ["No findings."];

  const resolved = report.changes?.resolved ?? [];
  if (resolved.length > 0) {
    lines.push(
      "",
      `Resolved since ${report.changes!.baseline.file} (${report.changes!.baseline.generatedAt}):`,
      ...alignColumns(
        resolved.map((f) =>
          [f.exposure, accountOf(f), f.region, f.resourceType, f.resource ?? "-", f.id].map(
            printable,
          ),
        ),
      ).map((l) => `  ${l}`),
    );
  }

  const rules = report.suppressions?.rules ?? [];
  const expired = rules.filter((r) => r.expired);
  if (expired.length > 0) {
    lines.push(
      "",
      `Expired suppressions in ${report.suppressions!.file} (their findings are shown again):`,
      ...expired.map((r) =>
        printable(
          `  #${r.rule} ${r.match}: ${r.reason} (expired ${r.expires}; ${r.matched} finding(s))`,
        ),
      ),
    );
  }

  const problems = report.accounts.flatMap((a) => [
    ...(a.outcome !== "succeeded" && a.regionErrors.length === 0
      ? [[accountLabel(a), "-", a.outcome, printable(firstLine(a.error, 200))]]
      : []),
    ...a.regionErrors.map((e) => [
      accountLabel(a),
      e.region,
      "unreadable",
      printable(firstLine(e.error, 200)),
    ]),
  ]);
  if (problems.length > 0) {
    lines.push("", "Not read:", ...alignColumns(problems).map((l) => `  ${l}`));
  }
  const t = report.totals;
  const changes = report.changes
    ? `; ${t.new ?? 0} new, ${t.resolved ?? 0} resolved since ${report.changes.baseline.generatedAt}` +
      (report.changes.notCompared > 0 ? ` (${report.changes.notCompared} not compared)` : "")
    : "";
  const suppressed =
    t.suppressed !== undefined
      ? `; ${t.suppressed} suppressed` +
        (expired.length > 0 ? `, ${expired.length} suppression(s) expired` : "")
      : "";
  lines.push(
    "",
    `${t.findings} finding(s) (${describeFilter(report.filter)}): ${t.public} public, ${t.crossAccount} cross-account, ` +
      `${t.unused} unused access${changes}${suppressed}; ${t.accounts} account(s) read, ${t.failedAccounts} with errors, ` +
      `${t.unreadableRegions} region(s) unreadable`,
  );
  return lines.join("\n");
}
