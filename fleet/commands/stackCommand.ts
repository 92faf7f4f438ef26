/**
 * The stack commands (`preview`, `up`, `refresh`, `drift`, `outputs`, `destroy`): every check
 * first, then each account's stack through the StackRunner, then the report.
 */
import { type Command } from "commander";
import * as fs from "fs";
import * as path from "path";
import { UsageError } from "../domain/errors";
import { planMemory, stackMemoryBytes } from "../domain/memoryBudget";
import { EXIT, type Operation, isFailure } from "../domain/outcomes";
import {
  type Orphan,
  findOrphans,
  namesOrphan,
  orphanTarget,
  phaseBlocked,
  runPhases,
} from "../domain/plan";
import { makeRedactor } from "../domain/redact";
import { describeChanges } from "../domain/resourceChanges";
import {
  buildReport,
  type FleetReport,
  orphanedResult,
  type StackResult,
  skippedResult,
} from "../domain/results";
import { type StackRunner } from "../domain/runner";
import { type Shard, namesTarget } from "../domain/targets";
import { LineSplitter, accountLabel, firstLine, formatDuration, prefixLine } from "../domain/text";
import { preflightProblems, relativeBackendDir, workspaceEnv } from "../domain/workspace";
import { readAccountView } from "../flows/accountView";
import { type ScheduleTargetsOptions, TargetRun } from "../flows/targetRun";
import {
  internalAccessLines,
  leftOutLines,
  organizationLine,
  originLabel,
} from "../report/fleetLines";
import { formatOutputs, formatTable } from "../report/runTable";
import { type Phase, type Target } from "../settings/schema";
import { type CliDeps } from "./deps";
import {
  type RunFleet,
  awsAccess,
  loadFleet,
  loadRunFleet,
  requireSelection,
  selectedTargets,
} from "./loader";
import {
  LIMITS,
  type RunFlags,
  addReportOptions,
  addSelectionOptions,
  checkWorkDir,
  folderProblem,
  numberOption,
  pulumiRootProblem,
  reportFileProblem,
  resolvePath,
  throwProblems,
} from "./options";
import { emitReport } from "./reportOutput";
import { handleStackRunSignals } from "./signals";

export const EXIT_HELP = `
Exit codes:
  ${EXIT.ok}    every stack succeeded (drift: none drifted)
  ${EXIT.failed}    at least one stack failed or was locked by another update
  ${EXIT.drift}    drift: at least one stack drifted or was never deployed (and none failed);
       audit: at least one enabled region has no ACTIVE ACCOUNT analyzer (and all were read)
  ${EXIT.usage}    bad input: invalid fleet file, unknown account, bad option or path, or a set-up problem
       (no Pulumi CLI, one too old, a backend it cannot read, no passphrase); nothing ran
  ${EXIT.empty}    no account selected (organization scope, --accounts, --shard); nothing ran
       (--allow-empty: exit 0 instead)
  ${EXIT.environment}    the environment failed: a full or read-only disk (the report could not be
       written; the table is still printed), AWS Organizations throttled or unreachable
  ${EXIT.aborted}  aborted by Ctrl-C/SIGTERM; in-flight stacks stopped cleanly, report written
When several apply, the first in this order wins: 3, 4, 130, 5, 1, 2, 0.

Memory: a stack costs plugins x --plugin-memory (default 430 MiB, the real plugin's worst case) + 400 MiB;
plugins = 1 with providerMode "single", else regions + 1 (17 + 1 for accounts that discover their
regions). A stack starts only while the stacks in flight fit --memory-budget (default
min(freemem, 0.75 x totalmem)), whatever --concurrency says; a stack bigger than the budget runs alone.
Default --concurrency: as many of the smallest stacks as fit the budget, clamped to 1..min(8, stacks).`;

/** The options of the stack commands. */
export function addRunOptions(cmd: Command): Command {
  addSelectionOptions(
    cmd,
    "run shard K of N (accounts sorted by id, dealt round-robin) for CI matrices",
  )
    .addOption(
      numberOption(
        "--concurrency <n>",
        "stacks in flight at once (default: sized for memory, see below)",
        LIMITS.concurrency,
      ),
    )
    .addOption(
      numberOption(
        "--memory-budget <MiB>",
        "memory the stacks in flight may use together (default: min(free, 75% of total))",
        LIMITS.memoryBudget,
      ),
    )
    .addOption(
      numberOption(
        "--plugin-memory <MiB>",
        "memory counted per AWS plugin process (default 430, the real plugin's worst case)",
        LIMITS.pluginMemory,
      ),
    )
    .addOption(
      numberOption(
        "--failure-tolerance <n>",
        "stop starting new stacks after N failed stacks; the rest are skipped",
        LIMITS.failureTolerance,
      ),
    )
    .addOption(
      numberOption(
        "--parallel <n>",
        "resource operations each engine runs at once (pulumi --parallel)",
        LIMITS.parallel,
      ),
    )
    .option("--refresh", "refresh each stack's state before the operation")
    .option(
      "--verbose",
      "stream every engine line to stderr, prefixed with the account (default: a start and an end line per stack; the engine's output is in the per-stack logs)",
    );
  return addReportOptions(cmd)
    .option("--log-dir <dir>", "folder for per-stack engine logs", ".fleet-logs")
    .option(
      "--work-dir <dir>",
      "folder with the program's Pulumi.yaml (default: this package's root)",
    )
    .option("--pulumi-root <dir>", "folder holding bin/pulumi (default: pulumi on PATH)")
    .addHelpText("after", EXIT_HELP);
}

function runDirName(command: Operation, started: Date, shard?: Shard): string {
  const stamp = started.toISOString().replace(/[:.]/g, "-");
  return `${stamp}-${command}${shard ? `-shard-${shard.index}-of-${shard.count}` : ""}`;
}

/** The line said as a stack ends. */
function endLine(result: StackResult): string {
  const c = result.changes;
  const archived =
    result.archivedFindings !== undefined
      ? `, ${result.archivedFindings} existing finding(s) archived by ${result.archiveRulesApplied?.length ?? 0} archive rule(s)`
      : "";
  const facts = `+${c.create} ~${c.update} ±${c.replace} -${c.delete} =${c.same}, ${result.regions.length} region(s)${archived}, ${formatDuration(result.durationMs)}`;
  const notes = [
    ...(result.notes ?? []).map(
      (n) => `${n.region ?? "stack"} ${n.status}${n.analyzer ? ` (${n.analyzer})` : ""}`,
    ),
    // What a preview or drift would change, by name and region (not just "+1").
    ...(result.changedResources ? [describeChanges(result.changedResources)] : []),
  ].join(", ");
  return isFailure(result.outcome)
    ? `[${accountLabel(result)}] FAILED ${result.outcome}: ${firstLine(result.error, 200)} (log: ${result.logFile ?? "-"})`
    : `[${accountLabel(result)}] done ${result.outcome}: ${facts}${notes ? `; ${notes}` : ""}`;
}

export async function runStackCommand(
  command: Operation,
  flags: RunFlags,
  deps: CliDeps,
): Promise<number> {
  const startedAt = deps.now();
  const fleet = loadFleet(flags.fleet, deps.cwd);
  if (command === "destroy") {
    if (!flags.yes)
      throw new UsageError(
        "destroy deletes every analyzer of the chosen accounts; add --yes to confirm",
      );
    if (!flags.all && !flags.accounts) {
      throw new UsageError(
        "destroy needs an explicit choice of accounts: --accounts ID,NAME,… or --all",
      );
    }
  }
  const fleetRun = await loadRunFleet(fleet, deps);
  // --accounts must name accounts of the fleet; only destroy may also name orphaned stacks,
  // which are known once the backend is listed.
  if (command !== "destroy") {
    requireSelection(command, selectedTargets(fleetRun, flags), fleetRun, flags);
  } else
    selectedTargets(fleetRun, { all: flags.all, accounts: flags.all ? flags.accounts : undefined });
  const { failureTolerance, parallel } = flags;
  const workDir = checkWorkDir(
    flags.workDir ? path.resolve(deps.cwd, flags.workDir) : deps.programDir,
  );
  const fleetDir = path.dirname(path.resolve(deps.cwd, flags.fleet));
  const backendDir = relativeBackendDir(fleet, fleetDir, resolvePath);
  const pulumiRoot =
    flags.pulumiRoot !== undefined ? path.resolve(deps.cwd, flags.pulumiRoot) : undefined;
  // Everything that could stop the run is checked before the first stack starts.
  throwProblems([
    ...(command === "outputs" ? [] : preflightProblems(fleet, deps.env)),
    flags.report !== undefined
      ? reportFileProblem(flags.report, path.resolve(deps.cwd, flags.report))
      : undefined,
    folderProblem(
      `--log-dir ${flags.logDir}`,
      path.resolve(deps.cwd, flags.logDir),
      "pick another folder for the logs",
    ),
    pulumiRoot !== undefined ? pulumiRootProblem(pulumiRoot) : undefined,
    backendDir !== undefined
      ? folderProblem(
          `${flags.fleet}: backend ${fleet.backend}`,
          backendDir,
          "point backend at a folder (relative to the fleet file's folder)",
        )
      : undefined,
  ]);
  // A relative file:// backend is the fleet file's own state folder: created on first use.
  if (backendDir !== undefined) fs.mkdirSync(backendDir, { recursive: true });

  const logDir = path.resolve(deps.cwd, flags.logDir, runDirName(command, startedAt, flags.shard));
  // The external ids are masked too, should any engine or plugin message ever echo one.
  const redact = makeRedactor(
    deps.env,
    fleetRun.targets.map((t) => t.access.externalId),
  );
  const aws = awsAccess(deps);
  const runner = deps.createRunner({
    workDir,
    envVars: workspaceEnv(fleet, fleetDir, resolvePath),
    ...(fleet.secretsProvider !== undefined ? { secretsProvider: fleet.secretsProvider } : {}),
    ...(parallel !== undefined ? { parallel } : {}),
    refresh: !!flags.refresh,
    logDir,
    ...(pulumiRoot !== undefined ? { pulumiRoot } : {}),
    redact,
    // Enabled regions and existing analyzers, read before the engine runs (fleet/domain/adoption.ts).
    readAccount: (target, signal, options) =>
      readAccountView(target, aws.accountReader(target, signal ? { signal } : {}), signal, options),
    // `up`: accounts the read proves unchanged skip the engine (fleet/domain/unchanged.ts).
    fastPath: command === "up" && flags.forceEngine !== true,
    adopt: !!flags.adopt,
    // After `up`: the archive rules it changed, applied to the existing findings (on by default).
    ...(command === "up"
      ? {
          archiveRules: {
            apply: flags.applyArchiveRules !== false,
            client: (target: Target, signal?: AbortSignal) =>
              aws.archiveRuleClient(target, signal ? { signal } : {}),
          },
        }
      : {}),
  });

  // The Pulumi CLI and the backend, before any stack starts: without them every stack would fail
  // on its own ("CommandError: code: -2" for a missing CLI), exit 1 instead of 3.
  const setup = await runner.checkSetup?.({
    fleetFile: flags.fleet,
    ...(fleet.backend !== undefined ? { backend: fleet.backend } : {}),
    ...(deps.env.PULUMI_BACKEND_URL !== undefined ? { envUrl: deps.env.PULUMI_BACKEND_URL } : {}),
  });
  if (setup !== undefined) {
    // With no backend in the fleet file or the environment, the CLI's login says which it is, and
    // so whether the stacks need a passphrase (checked above for the other two).
    const byLogin = fleet.backend === undefined && deps.env.PULUMI_BACKEND_URL === undefined;
    throwProblems([
      ...setup.problems.map(redact),
      ...(byLogin && command !== "outputs" && setup.backendUrl !== undefined
        ? preflightProblems(fleet, deps.env, setup.backendUrl)
        : []),
    ]);
  }

  const say = (line: string) => deps.stderr(`${line}\n`);
  const stacks = ORPHAN_COMMANDS.has(command) ? await listStacks(runner, say) : undefined;
  const orphans = stacks ? findOrphans(stacks, fleetRun.targets, fleetRun.leftOut) : [];
  const { targets, orphaned } = chooseTargets(command, fleetRun, orphans, flags);
  if (command === "destroy") requireSelection(command, targets, fleetRun, flags);
  const MiB = 1024 * 1024;
  const memoryPlan = planMemory({
    memory: deps.memory(),
    targets,
    concurrency: flags.concurrency,
    budgetBytes: flags.memoryBudget !== undefined ? flags.memoryBudget * MiB : undefined,
    pluginMemoryBytes: flags.pluginMemory !== undefined ? flags.pluginMemory * MiB : undefined,
  });
  const { concurrency } = memoryPlan;
  const org = organizationLine(fleetRun);
  if (org !== undefined && (command === "preview" || command === "up")) {
    say(org);
    if (command === "preview") {
      for (const t of targets) say(`  ${accountLabel(t).padEnd(32)} from ${originLabel(t)}`);
      for (const line of leftOutLines(fleetRun.leftOut)) say(line);
    }
  }
  // Internal-access analyzers are billed per resource monitored: say what a run would make.
  if (command === "preview" || command === "up") {
    for (const line of internalAccessLines(targets)) say(line);
  }
  for (const w of fleetRun.warnings) say(`warning: ${w}`);
  for (const o of orphaned) say(`[${o.stack}] orphaned: ${o.reason}; not touched`);
  say(
    `${command}: ${targets.length} stack(s), concurrency ${concurrency}` +
      (failureTolerance !== undefined ? `, stop after ${failureTolerance} failure(s)` : "") +
      `; logs in ${path.relative(deps.cwd, logDir) || logDir}`,
  );
  say(`${command}: ${memoryPlan.reason}`);

  const phases = runPhases(targets);
  const runs = phases.map((p) => new TargetRun(p.targets, command, say, redact));
  const reportOptions: FleetReport["options"] = {
    concurrency,
    memory: {
      budgetBytes: memoryPlan.budgetBytes,
      pluginMemoryBytes: memoryPlan.pluginMemoryBytes,
      maxPluginsPerStack: memoryPlan.maxPluginsPerStack,
      reason: memoryPlan.reason,
    },
    ...(flags.accounts ? { accounts: flags.accounts } : {}),
    ...(flags.shard ? { shard: `${flags.shard.index}/${flags.shard.count}` } : {}),
    // Left out of the JSON when not given.
    failureTolerance,
    parallel,
    refresh: !!flags.refresh,
    workDir,
    logDir,
  };
  const finish = (results: StackResult[], aborted: boolean): number => {
    const report = buildReport({
      command,
      fleetFile: flags.fleet,
      startedAt,
      finishedAt: deps.now(),
      options: reportOptions,
      aborted,
      results: [...results, ...orphaned.map((o) => orphanResult(o, command))],
    });
    // The table and its totals line hold the orphans too, as the JSON report does.
    return emitReport(
      report,
      flags,
      deps,
      () =>
        (command === "outputs" ? `${formatOutputs(results)}\n\n` : "") +
        formatTable(report.results),
    );
  };

  const { stop, engines, unsubscribe } = handleStackRunSignals(deps, say, (stopped) =>
    finish(
      runs.flatMap((r) =>
        r.abandonedResults("still running when the run was abandoned; the stack may stay locked"),
      ),
      stopped.signal.aborted,
    ),
  );
  const scheduleOptions: ScheduleTargetsOptions = {
    concurrency,
    budget: {
      limit: memoryPlan.budgetBytes,
      cost: (target) => stackMemoryBytes(target.settings, memoryPlan.pluginMemoryBytes),
    },
    failureTolerance,
    stop: stop.signal,
    startLine: (target) => `[${accountLabel(target)}] start ${command} (stack ${target.stack})`,
    endLine: (_target, result) => endLine(result),
    now: () => deps.now().getTime(),
  };
  const runTarget = async (target: Target): Promise<StackResult> => {
    // Without --verbose the engine's lines go to the stack's log only: 24 stacks printed 2,351
    // interleaved lines on stderr, which nobody reads; the start and end lines say what matters.
    const label = accountLabel(target);
    const lines = flags.verbose
      ? new LineSplitter((line) => say(prefixLine(label, line)))
      : undefined;
    const result = await runner.run(target, command, {
      signal: engines.signal,
      ...(lines ? { onOutput: (text: string) => lines.push(text) } : {}),
    });
    lines?.flush();
    // Stopped by a Ctrl-C that reached the engine directly: that is an abort, not a failure.
    const outcome = stop.signal.aborted && result.outcome === "failed" ? "aborted" : result.outcome;
    return { ...result, outcome, ...(target.phase ? { phase: target.phase } : {}) };
  };
  try {
    const results: StackResult[] = [];
    for (const [i, { phase, targets: phaseTargets }] of phases.entries()) {
      if (phases.length > 1)
        say(
          `phase ${i + 1}/${phases.length}: ${PHASE_WORDS[phase]} (${phaseTargets.length} stack(s))`,
        );
      const blocked = phaseBlocked(phase, results);
      if (blocked !== undefined) {
        for (const t of phaseTargets) {
          say(`[${accountLabel(t)}] skipped: ${blocked}`);
          results.push({ ...skippedResult(t, command, blocked), phase });
        }
        continue;
      }
      // Once aborted, a later phase's schedule starts nothing and reports its stacks skipped.
      results.push(...(await runs[i].schedule(runTarget, scheduleOptions)));
    }
    return finish(results, stop.signal.aborted);
  } finally {
    unsubscribe();
  }
}

const PHASE_WORDS: Record<Phase, string> = {
  registration: "register the delegated administrator (management account)",
  "delegated-administrator": "the delegated administrator's organization analyzers",
  members: "member accounts",
};

/** Commands that report orphaned stacks (destroy runs one only when --accounts names it). */
const ORPHAN_COMMANDS: ReadonlySet<Operation> = new Set(["up", "drift", "outputs", "destroy"]);

/**
 * The backend's stacks of the program, or undefined when the runner cannot list them or the listing
 * fails (said): then no orphan is reported.
 */
async function listStacks(
  runner: StackRunner,
  say: (line: string) => void,
): Promise<string[] | undefined> {
  try {
    return await runner.listStacks?.();
  } catch (error) {
    say(
      `warning: could not list the backend's stacks, so orphaned stacks are not reported: ${firstLine(String(error), 200)}`,
    );
    return undefined;
  }
}

/**
 * The stacks this command runs, and the orphans it only reports. Orphans are never run, except by
 * `destroy --accounts` naming them (`--all` leaves them out). With `--shard`, shard 1 owns every orphan:
 * they are no fleet accounts, so dealing them by position would move the fleet's accounts between
 * shards; this way each orphan is reported once over a matrix. `--accounts` reports only the orphans
 * it names.
 */
export function chooseTargets(
  command: Operation,
  fleetRun: RunFleet,
  orphans: readonly Orphan[],
  flags: Pick<RunFlags, "all" | "accounts" | "shard">,
): { targets: Target[]; orphaned: Orphan[] } {
  const ownsOrphans = flags.shard === undefined || flags.shard.index === 1;
  if (command === "destroy") {
    // Only destroy runs orphans. An account id still in the fleet names the account's current
    // stack, never its old one (after its entry set `stack:`): that orphan is named by its stack.
    const inFleet = (w: string) => fleetRun.targets.some((t) => namesTarget(t, w));
    const orphanEntries = (flags.accounts ?? []).filter(
      (w) => !inFleet(w) && orphans.some((o) => namesOrphan([w], o)),
    );
    const destroyed = orphans.filter((o) => namesOrphan(orphanEntries, o));
    const rest = flags.accounts?.filter((w) => !orphanEntries.includes(w));
    const targets = selectedTargets(fleetRun, { ...flags, ...(rest ? { accounts: rest } : {}) });
    return {
      targets: [...targets, ...(ownsOrphans ? destroyed.map(orphanTarget) : [])],
      orphaned: [],
    };
  }
  // Every entry names an account of the fleet (checked before the backend was listed).
  const reported = flags.accounts
    ? orphans.filter((o) => namesOrphan(flags.accounts!, o))
    : orphans;
  return { targets: selectedTargets(fleetRun, flags), orphaned: ownsOrphans ? [...reported] : [] };
}

/** The report's line for an orphaned stack: reported, never touched. */
function orphanResult(orphan: Orphan, command: Operation): StackResult {
  return orphanedResult(orphanTarget(orphan), command, orphan.reason);
}
