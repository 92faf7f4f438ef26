/**
 * The findings report for a terminal: one row per finding, the accounts and regions that could not
 * be read, and a totals line. Pure.
 */
import { type FindingsReport, describeFilter, grantDescription } from "../../domain/findings";
import { accountLabel, firstLine } from "../../domain/text";
import { alignColumns } from "../columns";

/**
 * Control characters (ANSI escapes, carriage returns, …) replaced by `?`: finding fields such as
 * resource names come from whoever named the resource, and must not drive the terminal.
 */
export function printable(text: string): string {
  return text.replace(/[\u0000-\u001f\u007f-\u009f]/g, "?");
}

const COLUMNS = [
  "ACCOUNT",
  "REGION",
  "ANALYZER",
  "FINDING",
  "ACCESS",
  "RESOURCE TYPE",
  "RESOURCE",
  "GRANTED TO",
  "UPDATED",
] as const;

/** The `--format table` output. */
export function formatFindingsTable(report: FindingsReport): string {
  const rows = report.accounts.flatMap((a) =>
    a.findings.map((f) =>
      [
        accountLabel(a),
        f.region,
        f.analyzer.name,
        f.findingType,
        f.exposure,
        f.resourceType,
        f.resource ?? "-",
        grantDescription(f) || "-",
        f.updatedAt.slice(0, 19).replace("T", " "),
      ].map((cell) => printable(cell)),
    ),
  );
  const lines = rows.length > 0 ? alignColumns([[...COLUMNS], ...rows]) : ["No findings."];
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
  lines.push(
    "",
    `${t.findings} finding(s) (${describeFilter(report.filter)}): ${t.public} public, ${t.crossAccount} cross-account, ` +
      `${t.unused} unused access; ${t.accounts} account(s) read, ${t.failedAccounts} with errors, ` +
      `${t.unreadableRegions} region(s) unreadable`,
  );
  return lines.join("\n");
}
