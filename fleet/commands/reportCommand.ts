/**
 * `report merge FILE…`: the JSON reports of a sharded run joined into one, as if one run had
 * covered every shard. Findings reports (`findings --format json` or `--report`) become one
 * findings report in any format (table, JSON, SARIF, HTML), ranked across the whole fleet, and may
 * be compared with an earlier merged report (`--since`); the reports of `up`, `audit`, `drift`, …
 * (`--report`) become one report as JSON or its table. Reads files only: no AWS, no Pulumi.
 */
import { type Command, Option } from "commander";
import * as path from "path";
import { UsageError } from "../domain/errors";
import { type FindingsReport } from "../domain/findings";
import {
  compareWithBaseline,
  isFindingsReport,
  mergeFindingsReports,
  parseFindingsReport,
} from "../domain/findingsReports";
import { EXIT } from "../domain/outcomes";
import { type FleetReport } from "../domain/results";
import { isRunReport, mergeRunReports, parseRunReport } from "../domain/runReports";
import { formatAuditTable } from "../report/auditTable";
import { FINDINGS_FORMATS, type FindingsFormat } from "../report/findings/index";
import { formatOutputs, formatTable } from "../report/runTable";
import { type CliDeps } from "./deps";
import { readFindingsReport, readJson, writeFindings, writeOutput } from "./findingsFiles";
import { LIMITS, numberOption, outputFileProblem, throwProblems } from "./options";

export interface ReportMergeFlags {
  format?: string;
  output?: string;
  since?: string;
  sarifMaxResults?: number;
}

const MERGE_HELP = `
Joins the JSON reports of the shards of one run (--shard K/N) into one, as if one run had covered
every shard. Findings reports (findings --format json, or --report) become one findings report in
any --format, ranked across the whole fleet; --since compares it with an earlier (merged) report.
Reports of up, audit, drift, … (--report) become one report: its totals and exit code are worked
out again over every account; --format json or table.

A report given twice, an account in two reports, or reports of different commands or filters is
an error (exit ${EXIT.usage}); nothing is written. Otherwise exit ${EXIT.ok}: the merged report says what the
run's exit code is (exitCode in a run report).`;

export function addReportCommand(program: Command, deps: CliDeps, done: (code: number) => void) {
  const report = program
    .command("report")
    .description("work with the JSON reports the other commands write (report merge)");
  report
    .command("merge")
    .description(
      "join the JSON reports of a sharded run into one report (JSON, table, HTML, SARIF)",
    )
    .argument("<files...>", "the shards' JSON reports")
    .addOption(
      new Option(
        "--format <format>",
        "json, table, html or sarif (html and sarif: findings reports)",
      )
        .choices([...FINDINGS_FORMATS])
        .default("json"),
    )
    .option("--output <file>", "write the merged report to FILE instead of stdout")
    .option(
      "--since <report>",
      "findings reports: an earlier report.json; mark each finding new or unchanged and list the resolved ones",
    )
    .addOption(
      numberOption(
        "--sarif-max-results <n>",
        "SARIF: at most N results, the most urgent (default 5000)",
        LIMITS.sarifMaxResults,
      ),
    )
    .addHelpText("after", MERGE_HELP)
    .action((files: string[], flags: ReportMergeFlags) => {
      done(runReportMerge(files, flags, deps));
    });
}

/** `report merge`: reads, checks, merges and writes; returns the exit code. */
export function runReportMerge(files: readonly string[], flags: ReportMergeFlags, deps: CliDeps) {
  const format = (flags.format ?? "json") as FindingsFormat;
  const given = new Set<string>();
  for (const f of files) {
    const abs = path.resolve(deps.cwd, f);
    if (given.has(abs)) throw new UsageError(`report merge: ${f} is given twice`);
    given.add(abs);
  }
  throwProblems([
    flags.output !== undefined
      ? outputFileProblem("--output", flags.output, path.resolve(deps.cwd, flags.output))
      : undefined,
  ]);
  const docs = files.map((file) => ({ file, doc: readJson(path.resolve(deps.cwd, file), file) }));
  const say = (line: string) => deps.stderr(`${line}\n`);
  if (docs.every((d) => isFindingsReport(d.doc))) {
    let merged: FindingsReport = mergeFindingsReports(
      docs.map((d) => ({ file: d.file, report: parseFindingsReport(d.doc, d.file) })),
    );
    if (flags.since !== undefined) {
      merged = compareWithBaseline(
        merged,
        readFindingsReport(flags.since, deps.cwd, "--since"),
        flags.since,
      );
    }
    writeFindings(
      merged,
      format,
      {
        ...(flags.output !== undefined ? { output: flags.output } : {}),
        ...(flags.sarifMaxResults !== undefined ? { sarifMaxResults: flags.sarifMaxResults } : {}),
      },
      deps,
    );
    const t = merged.totals;
    say(
      `report merge: ${files.length} findings report(s), ${t.accounts} account(s), ${t.findings} finding(s) ` +
        `(${t.public} public, ${t.crossAccount} cross-account, ${t.unused} unused)` +
        (merged.changes ? `, ${t.new ?? 0} new, ${t.resolved ?? 0} resolved` : "") +
        `, ${t.failedAccounts} account(s) not fully read` +
        (flags.output !== undefined ? `; ${format} in ${flags.output}` : ""),
    );
    return EXIT.ok;
  }
  if (docs.every((d) => isRunReport(d.doc))) {
    if (format !== "json" && format !== "table") {
      throw new UsageError(
        `--format ${format}: the reports are run reports (up, audit, …); merge them as json or table (html and sarif are for findings reports)`,
      );
    }
    if (flags.since !== undefined) {
      throw new UsageError("--since: compares findings reports only; leave it out for run reports");
    }
    const merged: FleetReport = mergeRunReports(
      docs.map((d) => ({ file: d.file, report: parseRunReport(d.doc, d.file) })),
    );
    const text =
      format === "json"
        ? `${JSON.stringify(merged, null, 2)}\n`
        : merged.command === "audit"
          ? `${formatAuditTable(merged.results)}\n`
          : (merged.command === "outputs" ? `${formatOutputs(merged.results)}\n\n` : "") +
            `${formatTable(merged.results)}\n`;
    writeOutput(text, flags.output, deps);
    say(
      `report merge: ${files.length} ${merged.command} report(s), ${merged.results.length} stack(s); ` +
        `the merged run's exit code is ${merged.exitCode}` +
        (flags.output !== undefined ? `; ${format} in ${flags.output}` : ""),
    );
    return EXIT.ok;
  }
  const odd = docs.find((d) => !isFindingsReport(d.doc) && !isRunReport(d.doc));
  throw new UsageError(
    odd
      ? `report merge: ${odd.file} is neither a findings report nor a run report; pass the JSON files findings --format json (or --report) and up/audit --report wrote`
      : "report merge: the files mix findings reports and run reports; merge each kind apart",
  );
}
