/**
 * `findings`: reads the findings of every selected account (read-only, like `audit`) and prints or
 * writes them as a table, JSON, SARIF 2.1.0 or a self-contained HTML page (fleet/report/findings/).
 */
import { type Command, Option } from "commander";
import * as fs from "fs";
import * as path from "path";
import { DEFAULT_AUDIT_CONCURRENCY, DEFAULT_REGION_CONCURRENCY } from "../domain/account";
import { type FindingsReport, parseFindingsFilter } from "../domain/findings";
import { EXIT } from "../domain/outcomes";
import { makeRedactor } from "../domain/redact";
import { runFindings } from "../flows/findings";
import {
  FINDINGS_FORMATS,
  type FindingsFormat,
  parseFindingsFormat,
  renderFindings,
} from "../report/findings/index";
import { type CliDeps } from "./deps";
import { analyzerTargets, awsAccess, loadFleet, loadRunFleet } from "./loader";
import {
  type RunFlags,
  addReadConcurrencyOptions,
  addSelectionOptions,
  outputFileProblem,
  throwProblems,
} from "./options";
import { allowReadListeners, handleAuditSignals } from "./signals";

/** `findings`' own options on top of the shared ones. */
export interface FindingsFlags extends RunFlags {
  format?: string;
  output?: string;
  resourceType?: string[];
  public?: boolean;
  since?: string;
  status?: string;
  details?: boolean;
}

const FINDINGS_HELP = `
Read-only, like audit: assumes each account's role, lists the enabled regions and the analyzers,
then reads the findings of every ACTIVE external-access and unused-access analyzer
(access-analyzer:ListFindings, which authorises ListFindingsV2; access-analyzer:GetFinding, which
authorises GetFindingV2, for each external-access finding's principal and condition unless
--no-details).

Exit codes:
  ${EXIT.ok}    every account and region in scope was read (with or without findings)
  ${EXIT.failed}    an account or a region could not be read (the others are still reported)
  ${EXIT.usage}    bad input: invalid fleet file, unknown account, bad option or path; nothing ran
  ${EXIT.aborted}  aborted by Ctrl-C/SIGTERM; what was read is still written
When several apply, the first in this order wins: 3, 130, 1, 0.`;

export function addFindingsOptions(cmd: Command): Command {
  return addReadConcurrencyOptions(
    addSelectionOptions(cmd, "read shard K of N (accounts sorted by id, dealt round-robin)"),
  )
    .addOption(
      new Option("--format <format>", "table, json, sarif or html")
        .choices([...FINDINGS_FORMATS])
        .default("table"),
    )
    .option("--output <file>", "write the report to FILE instead of stdout")
    .addOption(
      new Option(
        "--resource-type <types>",
        "only these resource types, e.g. AWS::S3::Bucket (comma-separated or repeated)",
      ).argParser((value: string, previous: string[] | undefined) => [...(previous ?? []), value]),
    )
    .option("--public", "only public findings")
    .option("--since <when>", "only findings updated since an ISO date or a duration ago (7d)")
    .option("--status <status>", "ACTIVE (default), ARCHIVED or RESOLVED")
    .option(
      "--no-details",
      "skip GetFindingV2 (no principal or condition; one call less per finding)",
    )
    .addHelpText("after", FINDINGS_HELP);
}

/** Exit code of a findings report: aborted, then unreadable, then ok. Pure. */
export function findingsExitCode(report: FindingsReport, aborted: boolean): number {
  if (aborted) return EXIT.aborted;
  if (report.accounts.some((a) => a.outcome !== "succeeded")) return EXIT.failed;
  return EXIT.ok;
}

export async function runFindingsCommand(flags: FindingsFlags, deps: CliDeps): Promise<number> {
  const fleet = loadFleet(flags.fleet, deps.cwd);
  // commander's `choices` already rejected anything else.
  const format: FindingsFormat = parseFindingsFormat(flags.format ?? "table");
  // A bad filter is a FindingsFilterError, a UsageError: exit 3, nothing read.
  const filter = parseFindingsFilter(
    {
      status: flags.status,
      resourceType: flags.resourceType,
      publicOnly: flags.public === true,
      since: flags.since,
    },
    deps.now(),
  );
  throwProblems([
    flags.output !== undefined
      ? outputFileProblem("--output", flags.output, path.resolve(deps.cwd, flags.output))
      : undefined,
  ]);
  const outputPath = flags.output !== undefined ? path.resolve(deps.cwd, flags.output) : undefined;
  // The same accounts as `audit`: with `organization:`, those read from AWS Organizations now.
  const targets = analyzerTargets(await loadRunFleet(fleet, deps), flags);

  const concurrency = flags.concurrency ?? DEFAULT_AUDIT_CONCURRENCY;
  const regionConcurrency = flags.regionConcurrency ?? DEFAULT_REGION_CONCURRENCY;
  const redact = makeRedactor(deps.env);
  const say = (line: string) => deps.stderr(`${line}\n`);
  say(
    `findings: ${targets.length} account(s), ${concurrency} at a time, ${regionConcurrency} region(s) at a time per account`,
  );
  const stop = new AbortController();
  allowReadListeners(stop.signal, concurrency, regionConcurrency);
  const write = (report: FindingsReport): number => {
    const text = renderFindings(report, format, deps.version);
    if (outputPath !== undefined) {
      fs.mkdirSync(path.dirname(outputPath), { recursive: true });
      fs.writeFileSync(outputPath, text);
    } else {
      deps.stdout(text);
    }
    const code = findingsExitCode(report, stop.signal.aborted);
    const t = report.totals;
    say(
      `findings: ${t.findings} finding(s) (${t.public} public, ${t.crossAccount} cross-account, ${t.unused} unused) in ${t.accounts} account(s), ${t.failedAccounts} not fully read; exit code ${code}` +
        (flags.output !== undefined ? `; ${format} in ${flags.output}` : ""),
    );
    return code;
  };
  const unsubscribe = handleAuditSignals(deps, say, stop, () => EXIT.aborted);
  try {
    const report = await runFindings({
      targets,
      fleetFile: flags.fleet,
      filter,
      details: flags.details !== false,
      concurrency,
      regionConcurrency,
      signal: stop.signal,
      redact,
      now: deps.now,
      onProgress: say,
      createReader: awsAccess(deps).findingsReader,
    });
    return write(report);
  } finally {
    unsubscribe();
  }
}
