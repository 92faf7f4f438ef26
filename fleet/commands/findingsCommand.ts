/**
 * `findings`: reads the findings of every selected account (read-only, like `audit`) and prints or
 * writes them as a table, JSON, SARIF 2.1.0 or a self-contained HTML page (fleet/report/findings/).
 */
import { type Command, Option } from "commander";
import * as fs from "fs";
import * as path from "path";
import { DEFAULT_AUDIT_CONCURRENCY, DEFAULT_REGION_CONCURRENCY } from "../domain/account";
import { describeError, UsageError } from "../domain/errors";
import {
  type FindingsFilter,
  type FindingsReport,
  finishReport,
  inOus,
  parseFindingsFilter,
  sinceIsTime,
  withOrigins,
} from "../domain/findings";
import { compareWithBaseline } from "../domain/findingsReports";
import { EXIT } from "../domain/outcomes";
import { makeRedactor } from "../domain/redact";
import { applySuppressions, expiredSuppressions } from "../domain/suppressions";
import { runFindings } from "../flows/findings";
import {
  FINDINGS_FORMATS,
  type FindingsFormat,
  parseFindingsFormat,
} from "../report/findings/index";
import { type Target } from "../settings/schema";
import { type CliDeps } from "./deps";
import { readFindingsReport, readSuppressions, writeFindings } from "./findingsFiles";
import { analyzerTargets, awsAccess, loadFleet, loadRunFleet, requireSelection } from "./loader";
import {
  LIMITS,
  type RunFlags,
  addReadConcurrencyOptions,
  addSelectionOptions,
  numberOption,
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
  access?: string[];
  region?: string[];
  ou?: string[];
  since?: string;
  suppressions?: string;
  sarifMaxResults?: number;
  status?: string;
  details?: boolean;
}

const FINDINGS_HELP = `
Read-only, like audit: assumes each account's role, lists the enabled regions and the analyzers,
then reads the findings of every ACTIVE external-access and unused-access analyzer
(access-analyzer:ListFindings, which authorises ListFindingsV2; access-analyzer:GetFinding, which
authorises GetFindingV2, for each finding's principal, condition and actions, or last use, unless
--no-details).

Findings are listed most urgent first, across the fleet: public, then cross-account (each without
a condition before those narrowed by one), then unused access keys and passwords, unused roles,
unused permissions; in a tier, new before unchanged, then the most recently changed (unused: the
longest unused). --since report.json marks each finding new or unchanged against an earlier
report and lists those resolved since; --suppressions mutes findings in the reports (not in AWS)
until each entry expires; an expired entry is reported.

Exit codes:
  ${EXIT.ok}    every account and region in scope was read (with or without findings)
  ${EXIT.failed}    an account or a region could not be read (the others are still reported)
  ${EXIT.usage}    bad input: invalid fleet file, unknown account, bad option or path; nothing ran
  ${EXIT.empty}    no account selected (organization scope, --accounts, --shard); nothing read
       (--allow-empty: exit 0 instead)
  ${EXIT.environment}    the environment failed: --output could not be written (full or read-only
       disk; the summary line is still printed), AWS Organizations throttled or unreachable
  ${EXIT.aborted}  aborted by Ctrl-C/SIGTERM; what was read is still written
When several apply, the first in this order wins: 3, 4, 130, 5, 1, 0.`;

const repeatable = (value: string, previous: string[] | undefined) => [...(previous ?? []), value];

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
    .option("--report <file>", "also write the JSON report to FILE (for --since and report merge)")
    .addOption(
      new Option(
        "--ou <paths>",
        "only accounts in these OUs or below, e.g. Workloads/Prod (organization fleets; comma-separated or repeated)",
      ).argParser(repeatable),
    )
    .addOption(
      new Option(
        "--region <regions>",
        "only findings in these regions (comma-separated or repeated)",
      ).argParser(repeatable),
    )
    .addOption(
      new Option(
        "--resource-type <types>",
        "only these resource types, e.g. AWS::S3::Bucket (comma-separated or repeated)",
      ).argParser(repeatable),
    )
    .addOption(
      new Option(
        "--access <kinds>",
        "only these access kinds: public, cross-account, unused (comma-separated or repeated)",
      ).argParser(repeatable),
    )
    .option("--public", "only public findings (the same as --access public)")
    .option(
      "--since <when>",
      "an earlier report.json: mark each finding new or unchanged and list the resolved ones; or a date or duration (7d): only findings updated since",
    )
    .option(
      "--suppressions <file>",
      "mute the findings this YAML file names (id, or resource ARN pattern; reason; expires) in the reports; AWS is not changed",
    )
    .addOption(
      numberOption(
        "--sarif-max-results <n>",
        "SARIF: at most N results, the most urgent (default 5000, what GitHub code scanning shows)",
        LIMITS.sarifMaxResults,
      ),
    )
    .option("--status <status>", "ACTIVE (default), ARCHIVED or RESOLVED")
    .option(
      "--no-details",
      "skip GetFindingV2 (no principal, condition, actions or last use; one call less per finding)",
    )
    .addHelpText("after", FINDINGS_HELP);
}

/** Exit code of a findings report: aborted, then unreadable, then ok. Pure. */
export function findingsExitCode(report: FindingsReport, aborted: boolean): number {
  if (aborted) return EXIT.aborted;
  if (report.accounts.some((a) => a.outcome !== "succeeded")) return EXIT.failed;
  return EXIT.ok;
}

/** `--ou`: the targets in those OUs, or a `UsageError` when the fleet has no OUs or none match. */
function selectByOu(targets: readonly Target[], ous: readonly string[], all: readonly Target[]) {
  const known = [...new Set(all.flatMap((t) => (t.origin?.ouPath ? [t.origin.ouPath] : [])))];
  if (known.length === 0) {
    throw new UsageError(
      `--ou ${ous.join(",")}: no account has an OU: OUs come from the fleet file's organization: section; select accounts with --accounts instead`,
    );
  }
  const kept = targets.filter((t) => inOus(t.origin?.ouPath, ous));
  if (kept.length === 0) {
    throw new UsageError(
      `--ou ${ous.join(",")}: no selected account is in it; the organization's OUs are ${known.sort().join(", ")}`,
    );
  }
  return kept;
}

/** A one-line summary of what changed and what was muted, for stderr. */
function changeSummary(report: FindingsReport): string {
  const t = report.totals;
  return [
    ...(report.changes
      ? [`${t.new ?? 0} new, ${t.resolved ?? 0} resolved since ${report.changes.baseline.file}`]
      : []),
    ...(t.suppressed !== undefined ? [`${t.suppressed} suppressed`] : []),
  ]
    .map((part) => `; ${part}`)
    .join("");
}

export async function runFindingsCommand(flags: FindingsFlags, deps: CliDeps): Promise<number> {
  const fleet = loadFleet(flags.fleet, deps.cwd);
  // commander's `choices` already rejected anything else.
  const format: FindingsFormat = parseFindingsFormat(flags.format ?? "table");
  // `--since`: an earlier report to compare with (a .json name, or a file that is there), else a
  // time (a value that is neither is refused by parseSince, which names both forms).
  const sinceReport =
    flags.since !== undefined &&
    !sinceIsTime(flags.since) &&
    (/\.json$/i.test(flags.since.trim()) || fs.existsSync(path.resolve(deps.cwd, flags.since)))
      ? flags.since
      : undefined;
  // A bad filter is a FindingsFilterError, a UsageError: exit 3, nothing read.
  const parsed = parseFindingsFilter(
    {
      status: flags.status,
      resourceType: flags.resourceType,
      publicOnly: flags.public === true,
      access: flags.access,
      region: flags.region,
      ...(sinceReport === undefined && flags.since !== undefined ? { since: flags.since } : {}),
    },
    deps.now(),
  );
  const baseline =
    sinceReport !== undefined ? readFindingsReport(sinceReport, deps.cwd, "--since") : undefined;
  const suppressions =
    flags.suppressions !== undefined ? readSuppressions(flags.suppressions, deps.cwd) : undefined;
  const ous =
    flags.ou !== undefined
      ? flags.ou
          .flatMap((o) => o.split(","))
          .map((o) => o.trim())
          .filter((o) => o !== "")
      : undefined;
  if (ous !== undefined && ous.length === 0) {
    throw new UsageError("--ou: empty; name an OU path such as Workloads/Prod, or leave it out");
  }
  throwProblems([
    ...(
      [
        ["--output", flags.output],
        ["--report", flags.report],
      ] as const
    ).map(([option, given]) =>
      given !== undefined
        ? outputFileProblem(option, given, path.resolve(deps.cwd, given))
        : undefined,
    ),
  ]);
  const filter: FindingsFilter = {
    ...parsed,
    ...(flags.accounts ? { accounts: flags.accounts } : {}),
    ...(ous ? { ous } : {}),
  };
  // The same accounts as `audit`: with `organization:`, those read from AWS Organizations now;
  // named as Organizations names them when the fleet file does not.
  const runFleet = await loadRunFleet(fleet, deps);
  const selected = analyzerTargets(runFleet, flags);
  const targets = (ous ? selectByOu(selected, ous, runFleet.targets) : selected).map((t) =>
    t.name === undefined && t.origin?.accountName !== undefined
      ? { ...t, name: t.origin.accountName }
      : t,
  );
  requireSelection("findings", targets, runFleet, flags);

  const concurrency = flags.concurrency ?? DEFAULT_AUDIT_CONCURRENCY;
  const regionConcurrency = flags.regionConcurrency ?? DEFAULT_REGION_CONCURRENCY;
  // The fleet's external ids are masked too, should an error message ever echo one.
  const redact = makeRedactor(
    deps.env,
    runFleet.targets.map((t) => t.access.externalId),
  );
  const say = (line: string) => deps.stderr(`${line}\n`);
  say(
    `findings: ${targets.length} account(s), ${concurrency} at a time, ${regionConcurrency} region(s) at a time per account`,
  );
  const stop = new AbortController();
  allowReadListeners(stop.signal, concurrency, regionConcurrency);
  const write = (read: FindingsReport): number => {
    let report = withOrigins(read, targets);
    if (suppressions)
      report = applySuppressions(report, suppressions, flags.suppressions!, deps.now());
    if (baseline) report = compareWithBaseline(report, baseline, sinceReport!);
    report = finishReport(report);
    // A file the disk refuses (full, read-only) does not lose the summary line: exit 5.
    let unwritten: string | undefined;
    try {
      writeFindings(
        report,
        format,
        {
          ...(flags.output !== undefined ? { output: flags.output } : {}),
          ...(flags.report !== undefined ? { report: flags.report } : {}),
          ...(flags.sarifMaxResults !== undefined
            ? { sarifMaxResults: flags.sarifMaxResults }
            : {}),
        },
        deps,
      );
    } catch (error) {
      unwritten = describeError(error);
    }
    const readCode = findingsExitCode(report, stop.signal.aborted);
    const code = unwritten !== undefined && readCode !== EXIT.aborted ? EXIT.environment : readCode;
    for (const r of expiredSuppressions(report)) {
      say(
        `warning: suppression ${r.rule} of ${flags.suppressions} (${r.match}: ${r.reason}) expired ${r.expires}; its ${r.matched} finding(s) are shown again`,
      );
    }
    const t = report.totals;
    say(
      `findings: ${t.findings} finding(s) (${t.public} public, ${t.crossAccount} cross-account, ${t.unused} unused)${changeSummary(report)} in ${t.accounts} account(s), ${t.failedAccounts} not fully read; exit code ${code}` +
        (flags.output !== undefined && unwritten === undefined
          ? `; ${format} in ${flags.output}`
          : "") +
        (flags.report !== undefined && unwritten === undefined ? `; JSON in ${flags.report}` : ""),
    );
    if (unwritten !== undefined) {
      say(
        `findings: could not write ${[flags.output, flags.report].filter((f) => f !== undefined).join(" and ")}: ${unwritten}; free space or pick another --output/--report, then run again`,
      );
    }
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
