#!/usr/bin/env node
/**
 * access-analyzer-fleet: the thin command line over the fleet modules.
 * `main()` takes its I/O as arguments so tests can drive it with a fake StackRunner.
 */
import { setMaxListeners } from "events";
import * as fs from "fs";
import * as os from "os";
import * as path from "path";
import { Command, CommanderError, Option } from "commander";
import { parse as parseYaml } from "yaml";
import { abortStep } from "./abort";
import {
  auditAccount,
  auditTotals,
  DEFAULT_AUDIT_CONCURRENCY,
  DEFAULT_REGION_CONCURRENCY,
  formatAuditTable,
  type AccountReader,
} from "./audit";
import { preflightProblems, projectProblem, workspaceEnv } from "./config";
import { parseFleetFile } from "./fleetFile";
import { LineSplitter, makeRedactor, prefixLine } from "./output";
import {
  accountLabel,
  buildReport,
  EXIT,
  firstLine,
  formatDuration,
  formatOutputs,
  formatTable,
  isFailure,
} from "./report";
import { TargetRun } from "./targetRun";
import {
  defaultConcurrency,
  maxRegionCount,
  parseAccountList,
  parsePositiveInt,
  parseShard,
  selectTargets,
  UsageError,
  type Shard,
} from "./targets";
import type { Fleet, FleetReport, Operation, StackResult, StackRunner, Target } from "./types";
import type { AutomationRunnerOptions } from "./automation";
import type { SdkReaderOptions } from "./auditSdk";

export interface CliDeps {
  readonly stdout: (text: string) => void;
  readonly stderr: (text: string) => void;
  readonly env: Record<string, string | undefined>;
  readonly cwd: string;
  readonly memory: () => { total: number; free: number };
  readonly createRunner: (options: AutomationRunnerOptions) => StackRunner;
  /** Subscribes to SIGINT/SIGTERM; returns the unsubscribe function. */
  readonly onSignal: (handler: (signal: "SIGINT" | "SIGTERM") => void) => () => void;
  /** Whether a person at a terminal runs the bot (Ctrl-C then reaches the engines directly). */
  readonly interactive: boolean;
  /** Immediate exit, used only on the third Ctrl-C. */
  readonly exit: (code: number) => void;
  readonly now: () => Date;
  /** Default --work-dir: the package root holding Pulumi.yaml, if found. */
  readonly programDir?: string;
  /**
   * `audit`: how to read one account. Default: the AWS SDK (`fleet/auditSdk.ts`) from the bot's
   * own credentials, as the fleet file says.
   */
  readonly createAccountReader?: (
    target: Target,
    options: { signal?: AbortSignal },
  ) => AccountReader;
}

const EXIT_HELP = `
Exit codes:
  ${EXIT.ok}    every stack succeeded (drift: none drifted)
  ${EXIT.failed}    at least one stack failed or was locked by another update
  ${EXIT.drift}    drift: at least one stack drifted or was never deployed (and none failed);
       audit: at least one enabled region has no ACTIVE ACCOUNT analyzer (and all were read)
  ${EXIT.usage}    bad input: invalid fleet file, unknown account, bad option; nothing ran
  ${EXIT.aborted}  aborted by Ctrl-C/SIGTERM; in-flight stacks stopped cleanly, report written

Default --concurrency: floor(min(freemem, 0.75 x totalmem) / ((maxRegions + 1) x 430 MiB + 400 MiB)),
clamped to 1..min(8, stacks); maxRegions counts 17 for accounts that discover their regions.`;

const AUDIT_HELP = `
Read-only: never creates or changes anything, and never reads Pulumi state. For each account it
assumes the fleet file's role (or uses its profile) from the bot's own credentials, lists the
enabled regions (ec2:DescribeRegions), then in each region not excluded by the fleet file lists the
analyzers and counts ACTIVE findings (access-analyzer:ListAnalyzers, access-analyzer:ListFindings,
which authorises ListFindingsV2). Only an ACTIVE analyzer of type ACCOUNT covers a region: Security
Hub IAM.28 does not count ORGANIZATION analyzers.

Region verdicts: covered, missing, not-active (CREATING/DISABLED/FAILED), excluded (fleet file),
error (could not be read).

Exit codes:
  ${EXIT.ok}    every enabled, non-excluded region of every account is covered
  ${EXIT.failed}    an account or a region could not be read (the others are still reported)
  ${EXIT.noncompliant}    at least one region is missing or not-active, and everything was read
  ${EXIT.usage}    bad input: invalid fleet file, unknown account, bad option; nothing ran
  ${EXIT.aborted}  aborted by Ctrl-C/SIGTERM; the report was still written
When several apply, the first in this order wins: 3, 130, 1, 2, 0.`;

interface RunFlags {
  fleet: string;
  accounts?: string;
  all?: boolean;
  shard?: string;
  concurrency?: string;
  failureTolerance?: string;
  parallel?: string;
  refresh?: boolean;
  regionConcurrency?: string;
  report?: string;
  json?: boolean;
  logDir: string;
  workDir?: string;
  pulumiRoot?: string;
  yes?: boolean;
}

/** Walks up from `start` to the first folder holding Pulumi.yaml. */
export function findProgramDir(
  start: string,
  exists: (p: string) => boolean = fs.existsSync,
): string | undefined {
  let dir = path.resolve(start);
  for (;;) {
    if (exists(path.join(dir, "Pulumi.yaml"))) return dir;
    const parent = path.dirname(dir);
    if (parent === dir) return undefined;
    dir = parent;
  }
}

function loadFleet(file: string, cwd: string): Fleet {
  const full = path.resolve(cwd, file);
  let text: string;
  try {
    text = fs.readFileSync(full, "utf8");
  } catch {
    throw new UsageError(
      `${file}: cannot read the fleet file; pass --fleet FILE or start from fleet.example.yaml`,
    );
  }
  const parsed = parseFleetFile(text, file);
  if (!parsed.ok) {
    throw new UsageError(
      `${parsed.messages.join("\n")}\n${file}: ${parsed.problems.length} problem(s); nothing was run`,
    );
  }
  return parsed.fleet;
}

function selection(flags: RunFlags): { accounts?: string[]; shard?: Shard } {
  if (flags.all && flags.accounts) {
    throw new UsageError("--all and --accounts cannot be used together; pick one");
  }
  return {
    ...(flags.accounts !== undefined ? { accounts: parseAccountList(flags.accounts) } : {}),
    ...(flags.shard !== undefined ? { shard: parseShard(flags.shard) } : {}),
  };
}

function checkWorkDir(workDir: string | undefined): string {
  if (workDir === undefined) {
    throw new UsageError("cannot find the program's Pulumi.yaml; pass --work-dir DIR");
  }
  const projectFile = path.join(workDir, "Pulumi.yaml");
  let project: unknown;
  try {
    project = parseYaml(fs.readFileSync(projectFile, "utf8"));
  } catch {
    throw new UsageError(
      `${projectFile}: cannot read it; pass --work-dir pointing at the access-analyzer program`,
    );
  }
  const problem = projectProblem(projectFile, project);
  if (problem) throw new UsageError(problem);
  return workDir;
}

/** An optional option's value as a whole number ≥ 1; undefined when the option is not given. */
function optionalPositiveInt(option: string, text: string | undefined): number | undefined {
  return text !== undefined ? parsePositiveInt(option, text) : undefined;
}

function runDirName(command: Operation, started: Date, shard?: Shard): string {
  const stamp = started.toISOString().replace(/[:.]/g, "-");
  return `${stamp}-${command}${shard ? `-shard-${shard.index}-of-${shard.count}` : ""}`;
}

/**
 * Writes the report (`--report`), prints it (`--json`) or the table, says the exit code, and
 * returns it.
 */
function emitReport(
  report: FleetReport,
  flags: Pick<RunFlags, "report" | "json">,
  deps: CliDeps,
  table: () => string,
): number {
  if (flags.report) {
    const reportPath = path.resolve(deps.cwd, flags.report);
    fs.mkdirSync(path.dirname(reportPath), { recursive: true });
    fs.writeFileSync(reportPath, `${JSON.stringify(report, null, 2)}\n`);
  }
  deps.stdout(flags.json ? `${JSON.stringify(report, null, 2)}\n` : `${table()}\n`);
  deps.stderr(
    `${report.command}: exit code ${report.exitCode}${flags.report ? `; report in ${flags.report}` : ""}\n`,
  );
  return report.exitCode;
}

async function runCommand(command: Operation, flags: RunFlags, deps: CliDeps): Promise<number> {
  const startedAt = deps.now();
  const fleet = loadFleet(flags.fleet, deps.cwd);
  const sel = selection(flags);
  if (command === "destroy") {
    if (!flags.yes)
      throw new UsageError(
        "destroy deletes every analyzer of the chosen accounts; add --yes to confirm",
      );
    if (!flags.all && !sel.accounts) {
      throw new UsageError(
        "destroy needs an explicit choice of accounts: --accounts ID,NAME,… or --all",
      );
    }
  }
  const targets = selectTargets(fleet.targets, sel);
  const failureTolerance = optionalPositiveInt("--failure-tolerance", flags.failureTolerance);
  const parallel = optionalPositiveInt("--parallel", flags.parallel);
  const concurrency =
    optionalPositiveInt("--concurrency", flags.concurrency) ??
    defaultConcurrency(deps.memory(), maxRegionCount(targets), targets.length);
  const workDir = checkWorkDir(
    flags.workDir ? path.resolve(deps.cwd, flags.workDir) : deps.programDir,
  );
  const problems = command === "outputs" ? [] : preflightProblems(fleet, deps.env);
  if (problems.length > 0) throw new UsageError(problems.join("\n"));

  const logDir = path.resolve(deps.cwd, flags.logDir, runDirName(command, startedAt, sel.shard));
  const redact = makeRedactor(deps.env);
  const runner = deps.createRunner({
    workDir,
    envVars: workspaceEnv(fleet, path.dirname(path.resolve(deps.cwd, flags.fleet)), (...p) =>
      path.resolve(...p),
    ),
    ...(fleet.secretsProvider !== undefined ? { secretsProvider: fleet.secretsProvider } : {}),
    ...(parallel !== undefined ? { parallel } : {}),
    refresh: !!flags.refresh,
    logDir,
    ...(flags.pulumiRoot !== undefined
      ? { pulumiRoot: path.resolve(deps.cwd, flags.pulumiRoot) }
      : {}),
    redact,
  });

  const say = (line: string) => deps.stderr(`${line}\n`);
  say(
    `${command}: ${targets.length} stack(s), concurrency ${concurrency}` +
      (failureTolerance !== undefined ? `, stop after ${failureTolerance} failure(s)` : "") +
      `; logs in ${path.relative(deps.cwd, logDir) || logDir}`,
  );

  const stop = new AbortController();
  const engines = new AbortController();
  const run = new TargetRun(targets, command, say, redact);
  const reportOptions: FleetReport["options"] = {
    concurrency,
    ...(sel.accounts ? { accounts: sel.accounts } : {}),
    ...(sel.shard ? { shard: `${sel.shard.index}/${sel.shard.count}` } : {}),
    ...(failureTolerance !== undefined ? { failureTolerance } : {}),
    ...(parallel !== undefined ? { parallel } : {}),
    refresh: !!flags.refresh,
    workDir,
    logDir,
  };
  const finish = (results: StackResult[]): number => {
    const report = buildReport({
      command,
      fleetFile: flags.fleet,
      startedAt,
      finishedAt: deps.now(),
      options: reportOptions,
      aborted: stop.signal.aborted,
      results,
    });
    return emitReport(
      report,
      flags,
      deps,
      () => (command === "outputs" ? `${formatOutputs(results)}\n\n` : "") + formatTable(results),
    );
  };

  let signals = 0;
  const unsubscribe = deps.onSignal((signal) => {
    signals++;
    const step = abortStep(signal, signals, deps.interactive);
    if (step.exitNow) {
      say(`${signal} again: not waiting any longer; writing the report and exiting`);
      deps.exit(
        finish(
          run.abandonedResults(
            "still running when the run was abandoned; the stack may stay locked",
          ),
        ),
      );
      return;
    }
    if (!stop.signal.aborted) {
      say(
        `${signal}: starting no more stacks; waiting for running stacks to stop cleanly (again to stop the engines, a third time to exit)`,
      );
      stop.abort();
    }
    if (step.abortEngines && !engines.signal.aborted) {
      say(`${signal}: asking running engines to stop (they release their stack locks)`);
      engines.abort();
    }
  });

  try {
    const results = await run.schedule(
      async (target) => {
        const label = accountLabel(target);
        const lines = new LineSplitter((line) => say(prefixLine(label, line)));
        const result = await runner.run(target, command, {
          signal: engines.signal,
          onOutput: (text) => lines.push(text),
        });
        lines.flush();
        // Stopped by a Ctrl-C that reached the engine directly: that is an abort, not a failure.
        return stop.signal.aborted && result.outcome === "failed"
          ? { ...result, outcome: "aborted" as const }
          : result;
      },
      {
        concurrency,
        failureTolerance,
        stop: stop.signal,
        startLine: (target) => `[${accountLabel(target)}] start ${command} (stack ${target.stack})`,
        endLine: (target, result) => {
          const c = result.changes;
          const facts = `+${c.create} ~${c.update} ±${c.replace} -${c.delete} =${c.same}, ${result.regions.length} region(s), ${formatDuration(result.durationMs)}`;
          return isFailure(result.outcome)
            ? `[${accountLabel(target)}] FAILED ${result.outcome}: ${firstLine(result.error, 200)} (log: ${result.logFile ?? "-"})`
            : `[${accountLabel(target)}] done ${result.outcome}: ${facts}`;
        },
      },
    );
    return finish(results);
  } finally {
    unsubscribe();
  }
}

/** The SDK reader, loaded only when `audit` runs (the SDK clients take a moment to load). */
function sdkReaderFactory(): (target: Target, options: SdkReaderOptions) => AccountReader {
  // eslint-disable-next-line @typescript-eslint/no-require-imports
  const { createSdkAccountReader } = require("./auditSdk") as typeof import("./auditSdk");
  return createSdkAccountReader;
}

/**
 * `audit`: reads every selected account from AWS (no Pulumi, no state, no changes) and reports,
 * per enabled region, whether an ACTIVE ACCOUNT analyzer covers it, with active finding counts.
 */
async function auditCommand(flags: RunFlags, deps: CliDeps): Promise<number> {
  const startedAt = deps.now();
  const fleet = loadFleet(flags.fleet, deps.cwd);
  const sel = selection(flags);
  const targets = selectTargets(fleet.targets, sel);
  const failureTolerance = optionalPositiveInt("--failure-tolerance", flags.failureTolerance);
  const concurrency =
    optionalPositiveInt("--concurrency", flags.concurrency) ?? DEFAULT_AUDIT_CONCURRENCY;
  const regionConcurrency =
    optionalPositiveInt("--region-concurrency", flags.regionConcurrency) ??
    DEFAULT_REGION_CONCURRENCY;
  const createReader = deps.createAccountReader ?? sdkReaderFactory();
  const redact = makeRedactor(deps.env);
  const say = (line: string) => deps.stderr(`${line}\n`);
  say(
    `audit: ${targets.length} account(s), ${concurrency} at a time, ${regionConcurrency} region(s) at a time per account` +
      (failureTolerance !== undefined ? `, stop after ${failureTolerance} failure(s)` : ""),
  );

  const stop = new AbortController();
  // Every SDK call in flight listens on this one signal (several listeners per call, with retries).
  setMaxListeners(Math.max(10, concurrency * (regionConcurrency + 1) * 4), stop.signal);
  const run = new TargetRun(targets, "audit", say, redact);
  const finish = (results: StackResult[]): number =>
    emitReport(
      buildReport({
        command: "audit",
        fleetFile: flags.fleet,
        startedAt,
        finishedAt: deps.now(),
        options: {
          concurrency,
          ...(sel.accounts ? { accounts: sel.accounts } : {}),
          ...(sel.shard ? { shard: `${sel.shard.index}/${sel.shard.count}` } : {}),
          ...(failureTolerance !== undefined ? { failureTolerance } : {}),
          refresh: false,
          regionConcurrency,
        },
        aborted: stop.signal.aborted,
        results,
        audit: auditTotals(results),
      }),
      flags,
      deps,
      () => formatAuditTable(results),
    );

  // Reads change nothing, so the first signal aborts them at once; a second one stops waiting.
  let signals = 0;
  const unsubscribe = deps.onSignal((signal) => {
    signals++;
    if (signals === 1) {
      say(`${signal}: aborting the reads in flight (again to exit at once)`);
      stop.abort();
      return;
    }
    say(`${signal} again: writing the report with what is known and exiting`);
    deps.exit(finish(run.abandonedResults("aborted")));
  });

  try {
    const results = await run.schedule(
      (target) =>
        auditAccount(target, createReader(target, { signal: stop.signal }), {
          regionConcurrency,
          signal: stop.signal,
          redact,
          now: deps.now,
        }),
      {
        concurrency,
        failureTolerance,
        stop: stop.signal,
        startLine: (target) => `[${accountLabel(target)}] start audit`,
        endLine: (target, result) => {
          const c = result.audit?.counts;
          const f = result.audit?.activeFindings;
          const facts = c
            ? `${c.enabled} enabled, ${c.covered} covered, ${c.missing} missing, ${c.notActive} not-active, ${c.excluded} excluded, ${c.error} unreadable; active findings ${f?.externalAccess ?? 0} external-access, ${f?.unusedAccess ?? 0} unused-access`
            : "no regions read";
          return isFailure(result.outcome)
            ? `[${accountLabel(target)}] FAILED ${result.outcome}: ${firstLine(result.error, 200)} (${facts})`
            : `[${accountLabel(target)}] done ${result.outcome}: ${facts}, ${formatDuration(result.durationMs)}`;
        },
      },
    );
    return finish(results);
  } finally {
    unsubscribe();
  }
}

function validateCommand(flags: RunFlags, deps: CliDeps): number {
  const fleet = loadFleet(flags.fleet, deps.cwd);
  const targets = selectTargets(fleet.targets, selection(flags));
  if (flags.json) {
    deps.stdout(`${JSON.stringify({ fleetFile: flags.fleet, valid: true, targets }, null, 2)}\n`);
  } else {
    deps.stdout(
      `${flags.fleet}: valid; ${fleet.targets.length} account(s), ${targets.length} selected\n`,
    );
    for (const t of targets) {
      const regions = t.settings.regions ? t.settings.regions.join(",") : "enabled regions";
      const via =
        t.access.roleArn ?? (t.access.profile ? `profile ${t.access.profile}` : "base credentials");
      deps.stdout(`  ${accountLabel(t).padEnd(32)} ${t.stack.padEnd(24)} ${regions}  via ${via}\n`);
    }
  }
  return EXIT.ok;
}

function addRunOptions(cmd: Command): Command {
  return cmd
    .option("--fleet <file>", "fleet file (YAML)", "fleet.yaml")
    .option("--accounts <list>", "only these accounts: ids or names, comma-separated")
    .option(
      "--shard <K/N>",
      "run shard K of N (accounts sorted by id, dealt round-robin) for CI matrices",
    )
    .option("--concurrency <n>", "stacks in flight at once (default: sized for memory, see below)")
    .option(
      "--failure-tolerance <n>",
      "stop starting new stacks after N failed stacks; the rest are skipped",
    )
    .option("--parallel <n>", "resource operations each engine runs at once (pulumi --parallel)")
    .option("--refresh", "refresh each stack's state before the operation")
    .option("--report <file>", "also write the JSON report to FILE")
    .option("--json", "print the JSON report on stdout (progress stays on stderr)")
    .option("--log-dir <dir>", "folder for per-stack engine logs", ".fleet-logs")
    .option(
      "--work-dir <dir>",
      "folder with the program's Pulumi.yaml (default: this package's root)",
    )
    .option("--pulumi-root <dir>", "folder holding bin/pulumi (default: pulumi on PATH)")
    .addHelpText("after", EXIT_HELP);
}

/** Runs the CLI and returns the exit code. */
export async function main(argv: readonly string[], deps: CliDeps): Promise<number> {
  let exitCode: number = EXIT.ok;
  const program = new Command()
    .name("access-analyzer-fleet")
    .description(
      "Put IAM Access Analyzer in every enabled region of every account of a fleet file, one Pulumi stack per account.",
    )
    .exitOverride()
    .configureOutput({ writeOut: deps.stdout, writeErr: deps.stderr })
    .showHelpAfterError("(add --help for usage)")
    .addHelpText("after", EXIT_HELP);

  const operations: [Operation, string][] = [
    ["preview", "show what up would change in each account (creates missing stacks)"],
    ["up", "create or update each account's analyzers"],
    ["refresh", "update each stack's state from AWS"],
    [
      "drift",
      "report stacks an up would change (preview with refresh; no changes made); exit 2 on drift",
    ],
    ["outputs", "print each stack's regions and analyzer ARNs"],
  ];
  for (const [name, description] of operations) {
    addRunOptions(program.command(name).description(description)).action(
      async (flags: RunFlags) => {
        exitCode = await runCommand(name, flags, deps);
      },
    );
  }
  addRunOptions(
    program
      .command("destroy")
      .description(
        "delete the analyzers of the chosen accounts (needs --yes and --accounts or --all)",
      )
      .option("--yes", "confirm the destroy")
      .option("--all", "every account of the fleet file (or of the shard)"),
  ).action(async (flags: RunFlags) => {
    exitCode = await runCommand("destroy", flags, deps);
  });
  program
    .command("audit")
    .description(
      "read every account from AWS, without Pulumi state, and check each enabled region has an ACTIVE ACCOUNT analyzer (IAM.28); count active findings; exit 2 when a region is not covered",
    )
    .option("--fleet <file>", "fleet file (YAML)", "fleet.yaml")
    .option("--accounts <list>", "only these accounts: ids or names, comma-separated")
    .option("--shard <K/N>", "audit shard K of N (accounts sorted by id, dealt round-robin)")
    .option("--concurrency <n>", `accounts read at once (default ${DEFAULT_AUDIT_CONCURRENCY})`)
    .option(
      "--region-concurrency <n>",
      `regions read at once in each account (default ${DEFAULT_REGION_CONCURRENCY})`,
    )
    .option(
      "--failure-tolerance <n>",
      "stop starting new accounts after N could not be read; the rest are skipped",
    )
    .option("--report <file>", "also write the JSON report to FILE")
    .option("--json", "print the JSON report on stdout (progress stays on stderr)")
    .addHelpText("after", AUDIT_HELP)
    .action(async (flags: RunFlags) => {
      exitCode = await auditCommand(flags, deps);
    });
  program
    .command("validate")
    .description("check the fleet file only and list the accounts a run would cover")
    .option("--fleet <file>", "fleet file (YAML)", "fleet.yaml")
    .addOption(
      new Option("--accounts <list>", "only these accounts: ids or names, comma-separated"),
    )
    .option("--shard <K/N>", "list shard K of N")
    .option("--json", "print the resolved targets as JSON")
    .action((flags: RunFlags) => {
      exitCode = validateCommand(flags, deps);
    });

  try {
    await program.parseAsync([...argv], { from: "user" });
    return exitCode;
  } catch (error) {
    if (error instanceof CommanderError) {
      return error.exitCode === 0 ? EXIT.ok : EXIT.usage;
    }
    if (error instanceof UsageError) {
      deps.stderr(`${error.message}\n`);
      return EXIT.usage;
    }
    throw error;
  }
}

/* istanbul ignore next: the process wiring */
if (require.main === module) {
  // Loaded lazily so `--help` and `validate` work without the Pulumi SDK's start-up cost.
  const createRunner = (options: AutomationRunnerOptions): StackRunner => {
    // eslint-disable-next-line @typescript-eslint/no-require-imports
    const { AutomationStackRunner } = require("./automation") as typeof import("./automation");
    return new AutomationStackRunner(options);
  };
  main(process.argv.slice(2), {
    stdout: (t) => process.stdout.write(t),
    stderr: (t) => process.stderr.write(t),
    env: process.env,
    cwd: process.cwd(),
    memory: () => ({ total: os.totalmem(), free: os.freemem() }),
    createRunner,
    onSignal: (handler) => {
      const onInt = () => handler("SIGINT");
      const onTerm = () => handler("SIGTERM");
      process.on("SIGINT", onInt);
      process.on("SIGTERM", onTerm);
      return () => {
        process.off("SIGINT", onInt);
        process.off("SIGTERM", onTerm);
      };
    },
    interactive: !!process.stdin.isTTY,
    exit: (code) => process.exit(code),
    now: () => new Date(),
    programDir: findProgramDir(__dirname),
  }).then(
    (code) => {
      process.exitCode = code;
    },
    (error: unknown) => {
      process.stderr.write(
        `access-analyzer-fleet: unexpected error: ${error instanceof Error ? error.stack : String(error)}\n`,
      );
      process.exitCode = EXIT.failed;
    },
  );
}
