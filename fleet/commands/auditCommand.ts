/**
 * `audit`: reads every selected account from AWS (no changes) and reports, per enabled region,
 * whether an ACTIVE ACCOUNT analyzer covers it, with active finding counts; with the fleet file's
 * backend, also each disabled region its stack's state still holds (read-only, fleet/flows/stackState.ts).
 */
import { type Command } from "commander";
import * as fs from "fs";
import * as path from "path";
import { DEFAULT_AUDIT_CONCURRENCY, DEFAULT_REGION_CONCURRENCY } from "../domain/account";
import { EXIT, isFailure } from "../domain/outcomes";
import { makeRedactor } from "../domain/redact";
import { type StackResult, buildReport } from "../domain/results";
import { accountLabel, firstLine, formatDuration } from "../domain/text";
import { STALE_STATE_ADVICE, type StateReading, auditTotals } from "../domain/verdicts";
import { relativeBackendDir, workspaceEnv } from "../domain/workspace";
import { auditAccount, organizationViewSource } from "../flows/audit";
import { stackStateSource } from "../flows/stackState";
import { TargetRun } from "../flows/targetRun";
import { formatAuditTable, iam28Notes, stateNotes } from "../report/auditTable";
import { type Target } from "../settings/schema";
import { type CliDeps } from "./deps";
import { analyzerTargets, awsAccess, loadFleet, loadRunFleet, requireSelection } from "./loader";
import {
  LIMITS,
  type RunFlags,
  addReadConcurrencyOptions,
  addReportOptions,
  addSelectionOptions,
  numberOption,
  reportFileProblem,
  resolvePath,
  throwProblems,
} from "./options";
import { emitReport } from "./reportOutput";
import { allowReadListeners, handleAuditSignals } from "./signals";

const AUDIT_HELP = `
Read-only: never creates or changes anything. For each account it
assumes the fleet file's role (or uses its profile) from the bot's own credentials, lists the
enabled regions (ec2:DescribeRegions), then in each region not excluded by the fleet file lists the
analyzers and counts ACTIVE findings (access-analyzer:ListAnalyzers, access-analyzer:ListFindings,
which authorises ListFindingsV2).

Two verdicts per region. The coverage rule (this tool's, and the exit code's): an ACTIVE analyzer
of type ACCOUNT in every account and region; member accounts need one, because the organization's
analyzers are not in their account. Security Hub IAM.28 (the AWS Config rule
iam-external-access-analyzer-enabled), reported beside it: passed when any ACTIVE external-access
analyzer is in the account and region, ACCOUNT or ORGANIZATION, so a management or delegated
administrator account whose region holds only an ORGANIZATION analyzer passes IAM.28 there while
the coverage rule is not met; failed otherwise; unknown when the region could not be read. A
region that fails IAM.28 is missing, not-active or pending by the coverage rule. Security Hub does not offer IAM.28 in
China, GovCloud, ap-southeast-5/-7, ap-east-2, mx-central-1, il-central-1 and ca-west-1: audit
says so once on stderr, and there it is the only check.

Organization view (fleet files with organization.delegatedAdministrator): each region also says
whether an ACTIVE ORGANIZATION analyzer of the delegated administrator covers it for the whole
organization (covered, pending, missing, not-active, outside-organization, error).
The administrator's analyzers are read once per region, through its own target's access. This view
is informational, as IAM.28's is: the coverage rule alone decides the exit code.

Stack state (fleet files with a backend; --no-state skips it): each account's stack state is read
from the backend, read-only (pulumi stack export: no lock, no config written, secrets stay
encrypted, no AWS call), for the regions the account has NOT enabled that the stack still holds:
verdict stale-state (account result stale-state): ${STALE_STATE_ADVICE}.
A missing stack or an unreadable backend is not an error: it is noted once on stderr.

Coverage verdicts: covered, pending (the ACCOUNT analyzer is CREATING: AWS finishes it by itself,
but Security Hub IAM.28 does not count the region until it is ACTIVE; --wait re-reads such regions),
missing, not-active (DISABLED/FAILED), excluded (fleet file), error (could not be read),
stale-state (disabled, still in the stack's state). Pending regions alone exit 0, with a warning
on stderr.

Exit codes:
  ${EXIT.ok}    every enabled, non-excluded region of every account is covered, no stale state
  ${EXIT.failed}    an account or a region could not be read (the others are still reported)
  ${EXIT.noncompliant}    action needed, and everything was read: a region is missing or not-active by the
       coverage rule (whatever IAM.28 says), or a disabled region is still in a stack's state (not
       a coverage gap, but the stack is wrong about the account until the next up drops it: the
       same "run up" as a missing region)
  ${EXIT.usage}    bad input: invalid fleet file, unknown account, bad option or path; nothing ran
  ${EXIT.empty}    no account selected (organization scope, --accounts, --shard); nothing read
       (--allow-empty: exit 0 instead)
  ${EXIT.environment}    the environment failed: the report could not be written (full or read-only
       disk; the table is still printed), AWS Organizations throttled or unreachable
  ${EXIT.aborted}  aborted by Ctrl-C/SIGTERM; the report was still written
When several apply, the first in this order wins: 3, 4, 130, 5, 1, 2, 0.`;

export function addAuditOptions(cmd: Command): Command {
  addReadConcurrencyOptions(
    addSelectionOptions(cmd, "audit shard K of N (accounts sorted by id, dealt round-robin)"),
  )
    .addOption(
      numberOption(
        "--wait <seconds>",
        "wait up to this long for CREATING analyzers to become ACTIVE, re-reading those regions (default 0: no wait)",
        LIMITS.waitSeconds,
      ),
    )
    .addOption(
      numberOption(
        "--failure-tolerance <n>",
        "stop starting new accounts after N could not be read; the rest are skipped",
        LIMITS.failureTolerance,
      ),
    )
    .option(
      "--no-state",
      "do not read the stacks' state from the fleet file's backend (for audit roles without backend access)",
    );
  return addReportOptions(cmd).addHelpText("after", AUDIT_HELP);
}

/** The stderr warning when regions are still `pending` at the end (they do not change the exit code). */
export function pendingWarning(pending: number, waitedSeconds: number): string {
  return (
    `warning: ${pending} region(s) pending: their ACCOUNT analyzer is still CREATING` +
    (waitedSeconds > 0 ? ` after waiting ${waitedSeconds} s` : "") +
    `; Security Hub IAM.28 does not count a region until its analyzer is ACTIVE. ` +
    `Audit again later, or pass --wait <seconds>.`
  );
}

/**
 * How `audit` reads each account's stack state: undefined without a `backend` in the fleet file,
 * with `--no-state`, or without the program's folder; a relative `file://` backend whose folder
 * does not exist holds no stack (it is not created, as the stack commands would).
 */
function stateReader(
  fleet: { backend?: string; secretsProvider?: string },
  flags: RunFlags,
  deps: CliDeps,
  redact: (text: string) => string,
  say: (line: string) => void,
): ((target: Target) => Promise<StateReading>) | undefined {
  if (fleet.backend === undefined || flags.state === false) return undefined;
  if (deps.programDir === undefined) {
    say("note: the program's Pulumi.yaml was not found, so the stacks' state is not read");
    return undefined;
  }
  const fleetDir = path.dirname(path.resolve(deps.cwd, flags.fleet));
  const backendDir = relativeBackendDir(fleet, fleetDir, resolvePath);
  if (backendDir !== undefined && !fs.existsSync(backendDir)) {
    const detail = `the backend folder ${backendDir} does not exist yet`;
    return () => Promise.resolve({ status: "no-stack", detail });
  }
  const runner = deps.createRunner({
    workDir: deps.programDir,
    envVars: workspaceEnv(fleet, fleetDir, resolvePath),
    ...(fleet.secretsProvider !== undefined ? { secretsProvider: fleet.secretsProvider } : {}),
    refresh: false,
    // Never written: audit runs no operation, so no engine log.
    logDir: deps.programDir,
    redact,
  });
  const unsupported = (): never => {
    throw new Error("this runner cannot read stack state");
  };
  return stackStateSource(
    {
      listStacks: async () => (await runner.listStacks?.()) ?? unsupported(),
      exportState: async (target) => runner.exportState?.(target) ?? unsupported(),
    },
    redact,
  );
}

/** The line said as an account's audit ends. */
function endLine(result: StackResult): string {
  const c = result.audit?.counts;
  const f = result.audit?.activeFindings;
  const facts = c
    ? `${c.enabled} enabled, ${c.covered} covered, ${c.pending} pending, ${c.missing} missing, ${c.notActive} not-active, ${c.excluded} excluded, ${c.error} unreadable` +
      (c.staleState ? `, ${c.staleState} disabled but still in the state` : "") +
      `; active findings ${f?.externalAccess ?? 0} external-access, ${f?.unusedAccess ?? 0} unused-access`
    : "no regions read";
  return isFailure(result.outcome)
    ? `[${accountLabel(result)}] FAILED ${result.outcome}: ${firstLine(result.error, 200)} (${facts})`
    : `[${accountLabel(result)}] done ${result.outcome}: ${facts}, ${formatDuration(result.durationMs)}`;
}

export async function runAuditCommand(flags: RunFlags, deps: CliDeps): Promise<number> {
  const startedAt = deps.now();
  const fleet = loadFleet(flags.fleet, deps.cwd);
  // Organization fleets: the accounts read at this run (the registration stack has no analyzers).
  const runFleet = await loadRunFleet(fleet, deps);
  const targets = analyzerTargets(runFleet, flags);
  requireSelection("audit", targets, runFleet, flags);
  // The delegated administrator (even when the selection leaves it out): the organization view.
  const administrator = runFleet.targets.find((t) => t.phase === "delegated-administrator");
  const { failureTolerance } = flags;
  const concurrency = flags.concurrency ?? DEFAULT_AUDIT_CONCURRENCY;
  const regionConcurrency = flags.regionConcurrency ?? DEFAULT_REGION_CONCURRENCY;
  throwProblems([
    flags.report !== undefined
      ? reportFileProblem(flags.report, path.resolve(deps.cwd, flags.report))
      : undefined,
  ]);
  const createReader = awsAccess(deps).accountReader;
  // The fleet's external ids are masked too, should an error message ever echo one.
  const redact = makeRedactor(
    deps.env,
    runFleet.targets.map((t) => t.access.externalId),
  );
  const say = (line: string) => deps.stderr(`${line}\n`);
  say(
    `audit: ${targets.length} account(s), ${concurrency} at a time, ${regionConcurrency} region(s) at a time per account` +
      (failureTolerance !== undefined ? `, stop after ${failureTolerance} failure(s)` : ""),
  );

  const stop = new AbortController();
  allowReadListeners(stop.signal, concurrency, regionConcurrency);
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
          ...(flags.accounts ? { accounts: flags.accounts } : {}),
          ...(flags.shard ? { shard: `${flags.shard.index}/${flags.shard.count}` } : {}),
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

  const unsubscribe = handleAuditSignals(deps, say, stop, () =>
    finish(run.abandonedResults("aborted")),
  );
  const adminReader = administrator
    ? createReader(administrator, { signal: stop.signal })
    : undefined;
  const organizationView =
    administrator && adminReader
      ? organizationViewSource(administrator.accountId, adminReader)
      : undefined;
  if (administrator) {
    say(`audit: organization view from the delegated administrator ${accountLabel(administrator)}`);
  }
  const state = stateReader(fleet, flags, deps, redact, say);
  try {
    const results = await run.schedule(
      (target) =>
        auditAccount(target, createReader(target, { signal: stop.signal }), {
          regionConcurrency,
          signal: stop.signal,
          redact,
          now: deps.now,
          waitForActiveMs: (flags.wait ?? 0) * 1000,
          ...(organizationView ? { organizationView } : {}),
          ...(state ? { state } : {}),
        }),
      {
        concurrency,
        failureTolerance,
        stop: stop.signal,
        startLine: (target) => `[${accountLabel(target)}] start audit`,
        endLine: (_target, result) => endLine(result),
        now: () => deps.now().getTime(),
      },
    );
    const pending = auditTotals(results).pending;
    if (pending > 0) say(pendingWarning(pending, flags.wait ?? 0));
    for (const line of [...iam28Notes(results), ...stateNotes(results)]) say(line);
    return finish(results);
  } finally {
    adminReader?.close?.();
    unsubscribe();
  }
}
