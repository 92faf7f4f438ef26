/**
 * The real StackRunner: one stack per account of the program on disk (`Pulumi.yaml` in workDir),
 * driven through `@pulumi/pulumi/automation`. The only fleet module that talks to Pulumi.
 *
 * - Stack create/select and config writes are serialised (they rewrite shared workspace files,
 *   pulumi/pulumi#8186); the operations themselves run concurrently.
 * - What to call and how results and errors map to outcomes is decided in fleet/domain/plan.ts.
 * - A locked stack (ConcurrentUpdateError) is reported as `locked` and never cancelled.
 * - A stack another bot created between our select and create is selected again (runPlan).
 * - The AbortSignal goes to the Automation API, which sends SIGINT to the CLI so the engine stops
 *   cleanly and releases its lock.
 * - The bot's environment passes through to every command; only `envVars` are added, and each
 *   stack's own workspace adds its target's `stackEnvFor` (the external id: never config, never argv).
 */
import {
  type ConfigMap,
  type EngineEvent,
  LocalWorkspace,
  type LocalWorkspaceOptions,
  type OpMap,
  type OutputMap,
  PulumiCommand,
  type Stack,
} from "@pulumi/pulumi/automation";
import { execFile } from "child_process";
import * as fs from "fs";
import * as path from "path";
import { promisify } from "util";
import { OUTPUTS, PROJECT_NAME } from "../../program/contract";
import type { ProgramIdentity } from "../../program/contract";
import { decideRegions, regionProblems } from "../domain/adoption";
import { type AfterUp, changedArchiveRules, isArchiveRuleEvent } from "../domain/archiveRules";
import { summariseError } from "../domain/errors";
import { type StackNote } from "../domain/notes";
import {
  type ChangeCounts,
  type Operation,
  type Outcome,
  countChanges,
  noChanges,
} from "../domain/outcomes";
import { type OperationPlan, configUpdate, planOperation, successOutcome } from "../domain/plan";
import { type ResourceChange, resourceChange } from "../domain/resourceChanges";
import { type StackResult } from "../domain/results";
import type { StackRunnerOptions } from "../domain/runner";
import { type UnchangedVerdict, verifyUnchanged } from "../domain/unchanged";
import { type RunOptions, type StackRunner } from "../domain/runner";
import { Mutex } from "../domain/scheduler";
import { stackEnvFor } from "../domain/stackConfig";
import { heldRegions } from "../domain/state";
import { accountLabel } from "../domain/text";
import { archiveRulesAfterUp } from "../flows/archiveRules";
import { type Target } from "../settings/schema";
import { type BackendSource, type SetupCheck } from "../domain/setup";
import { checkCheckpoint } from "./checkpoint";
import { errorOutcome, retrySelectAfterCreate } from "./errors";
import { leanUp } from "./leanUp";
import { checkPulumiSetup } from "./setup";
import { type PreRead, checkUnchanged, workDirIdentity } from "./unchanged";

/** What `beforeEngine` hands the call. */
interface BeforeEngine {
  /** The component's `adopt` argument. */
  readonly adopt: Record<string, string>;
  /** Provider URNs the call leaves alone (read-only calls, regions no longer enabled). */
  readonly exclude: string[];
  readonly notes: StackNote[];
}

/** `up` must not run: an existing analyzer needs `--adopt`, or cannot be managed. */
export class BlockedError extends Error {
  constructor(
    readonly blockers: string[],
    readonly notes: StackNote[],
  ) {
    super(blockers.join("\n"));
    this.name = "BlockedError";
  }
}

/** Stack outputs the program exports (docs/CONTRACTS.md). */
export function readOutputs(
  outputs: OutputMap,
): Pick<StackResult, "regions" | "analyzerArns" | "unusedAccessAnalyzerArn"> {
  const regions: unknown = outputs[OUTPUTS.regions]?.value;
  const arns: unknown = outputs[OUTPUTS.analyzerArns]?.value;
  const unused: unknown = outputs[OUTPUTS.unusedAccessAnalyzerArn]?.value;
  return {
    regions: Array.isArray(regions)
      ? regions.filter((r): r is string => typeof r === "string").sort()
      : [],
    analyzerArns:
      arns !== null && typeof arns === "object" && !Array.isArray(arns)
        ? Object.fromEntries(
            Object.entries(arns).filter((e): e is [string, string] => typeof e[1] === "string"),
          )
        : {},
    ...(typeof unused === "string" && unused !== "" ? { unusedAccessAnalyzerArn: unused } : {}),
  };
}

/** Log file name for a stack: `org/project/stack` → `org_project_stack.log`. */
export function logFileName(stack: string): string {
  return `${stack.replace(/[^A-Za-z0-9_.-]/g, "_")}.log`;
}

const execFileAsync = promisify(execFile);

/** The options every operation's call takes. */
type CallOptions = {
  onOutput: (text: string) => void;
  onError: (text: string) => void;
  color: "never";
  signal?: AbortSignal;
  parallel?: number;
  refresh?: boolean;
  /** URNs the call leaves alone, with their dependents (regions no longer enabled, in previews). */
  exclude?: string[];
  excludeDependents?: boolean;
  clearPendingCreates?: boolean;
  /** `up`: the engine's events (only the archive rules' are kept). */
  onEvent?: (event: EngineEvent) => void;
};

/**
 * The part of the Automation API's `Stack` the runner uses (the real `Stack` satisfies it; the
 * unit tests pass a fake).
 */
export interface RunnerStack {
  readonly name: string;
  getAllConfig(): Promise<ConfigMap>;
  removeAllConfig(keys: string[]): Promise<void>;
  setAllConfig(config: ConfigMap): Promise<void>;
  preview(options: CallOptions): Promise<{ changeSummary: OpMap }>;
  up(options: CallOptions): Promise<{ summary: { resourceChanges?: OpMap }; outputs: OutputMap }>;
  /**
   * `up` without the Automation API's three CLI reads after it (./leanUp.ts); the runner
   * prefers it when the stack has it. `up` stays the Automation API's own for other callers.
   */
  upFromEventLog?(
    options: CallOptions,
  ): Promise<{ summary: { resourceChanges?: OpMap }; outputs: OutputMap }>;
  refresh(options: CallOptions): Promise<{ summary: { resourceChanges?: OpMap } }>;
  destroy(options: CallOptions): Promise<{ summary: { resourceChanges?: OpMap } }>;
  outputs(): Promise<OutputMap>;
  /** The stack's state (`pulumi stack export`); `deployment.resources` and `pending_operations`. */
  exportStack(): Promise<{ deployment?: unknown }>;
  /**
   * `pulumi state delete URN --target-dependents --force --yes`: drops a resource and everything
   * that depends on it from the state, with no call to the cloud (`--force` because a protected
   * analyzer is protected from deletion in AWS, which this is not).
   */
  deleteFromState(urn: string): Promise<void>;
}

/**
 * Opens a stack of the program by name, in a workspace of its own; `env` is added to that
 * workspace's environment only.
 */
export interface StackOpener<S extends RunnerStack = RunnerStack> {
  createOrSelect(stackName: string, env?: Record<string, string>): Promise<S>;
  select(stackName: string, env?: Record<string, string>): Promise<S>;
  /**
   * The stack's state without opening it (no workspace file written, no lock, secrets left
   * encrypted); throws when there is no such stack. Absent: `pulumi stack export` in the work dir.
   */
  exportState?(stackName: string, env?: Record<string, string>): Promise<unknown>;
}

/**
 * Runs a Pulumi CLI command the Automation API has no call for, with the workspace's CLI and
 * environment (the bot's own, plus `envVars`), in `workDir`; returns its stdout.
 */
async function pulumiCli(
  options: LocalWorkspaceOptions,
  workDir: string,
  argv: readonly string[],
): Promise<string> {
  const command = options.pulumiCommand?.command ?? "pulumi";
  const { stdout } = await execFileAsync(command, [...argv, "--non-interactive"], {
    cwd: workDir,
    env: { ...process.env, ...options.envVars },
    maxBuffer: 256 * 1024 * 1024,
  });
  return stdout;
}

/** Opens stacks of the program in `workDir` through `LocalWorkspace`. */
export function localStackOpener(
  workDir: string,
  workspace: (env: Record<string, string>) => Promise<LocalWorkspaceOptions>,
): StackOpener<Stack & RunnerStack> {
  const args = (stackName: string) => ({ stackName, workDir });
  const withStateEditing = async (stack: Stack): Promise<Stack & RunnerStack> => {
    const options = await workspace({});
    const deleteFromState = async (urn: string): Promise<void> => {
      const argv = ["state", "delete", urn, "--target-dependents", "--force", "--yes"];
      await pulumiCli(options, workDir, [...argv, "--stack", stack.name]);
    };
    const upFromEventLog = (opts: CallOptions) => leanUp(stack, opts);
    return Object.assign(stack, { deleteFromState, upFromEventLog });
  };
  return {
    createOrSelect: async (name, env = {}) =>
      withStateEditing(await LocalWorkspace.createOrSelectStack(args(name), await workspace(env))),
    select: async (name, env = {}) =>
      withStateEditing(await LocalWorkspace.selectStack(args(name), await workspace(env))),
  };
}

/**
 * Opens the stack as the plan says. A create that loses the race with another bot (stack already
 * exists) selects the stack once more; if that bot still holds it, the operation reports `locked`.
 */
export async function openStack<S extends RunnerStack>(
  opener: StackOpener<S>,
  stackName: string,
  open: OperationPlan["open"],
  env: Record<string, string> = {},
): Promise<S> {
  if (open === "select") return opener.select(stackName, env);
  try {
    return await opener.createOrSelect(stackName, env);
  } catch (e) {
    if (!retrySelectAfterCreate(e)) throw e;
    return opener.select(stackName, env);
  }
}

/** Makes the stack's `access-analyzer:*` config the target's: stale keys removed, the rest set. */
export async function writeStackConfig(
  stack: Pick<RunnerStack, "getAllConfig" | "removeAllConfig" | "setAllConfig">,
  target: Target,
  adopt: Record<string, string> = {},
): Promise<void> {
  const update = configUpdate(target, await stack.getAllConfig(), adopt);
  if (update.remove.length > 0) await stack.removeAllConfig(update.remove);
  if (Object.keys(update.set).length > 0) await stack.setAllConfig(update.set);
}

/** Runs the plan's call; returns the engine's change counts and, for `up`, the outputs. */
async function callStack(
  stack: RunnerStack,
  plan: OperationPlan,
  common: CallOptions,
): Promise<{ opMap?: OpMap; outputs?: OutputMap }> {
  const options = plan.refresh !== undefined ? { ...common, refresh: plan.refresh } : common;
  switch (plan.call) {
    case "preview":
      return { opMap: (await stack.preview(options)).changeSummary };
    case "up": {
      const result = await (stack.upFromEventLog?.(options) ?? stack.up(options));
      return { opMap: result.summary.resourceChanges, outputs: result.outputs };
    }
    case "refresh":
      return { opMap: (await stack.refresh(options)).summary.resourceChanges };
    case "destroy":
      return { opMap: (await stack.destroy(options)).summary.resourceChanges };
    case undefined:
      return {};
  }
}

export class AutomationStackRunner implements StackRunner {
  private readonly mutex = new Mutex();
  private command?: Promise<PulumiCommand>;
  private readonly opener: StackOpener;
  private identity?: ProgramIdentity;

  /** `opener`: how stacks are opened (default: `LocalWorkspace` on `workDir`); tests pass a fake. */
  constructor(
    private readonly options: StackRunnerOptions,
    opener?: StackOpener,
  ) {
    this.opener = opener ?? localStackOpener(options.workDir, (env) => this.workspaceOptions(env));
  }

  private pulumiCommand(): Promise<PulumiCommand> {
    this.command ??= PulumiCommand.get(
      this.options.pulumiRoot ? { root: this.options.pulumiRoot } : {},
    );
    return this.command;
  }

  private async workspaceOptions(env: Record<string, string>): Promise<LocalWorkspaceOptions> {
    return {
      workDir: this.options.workDir,
      envVars: { ...this.options.envVars, ...env },
      pulumiCommand: await this.pulumiCommand(),
      ...(this.options.secretsProvider ? { secretsProvider: this.options.secretsProvider } : {}),
    };
  }

  /** Opens the stack, one stack at a time (shared workspace files). */
  private open(target: Target, plan: OperationPlan): Promise<RunnerStack> {
    return this.mutex.run(() =>
      openStack(this.opener, target.stack, plan.open, stackEnvFor(target)),
    );
  }

  /** Writes the stack's config, one stack at a time (shared workspace files). */
  private configure(stack: RunnerStack, target: Target, adopt: Record<string, string>) {
    return this.mutex.run(() => writeStackConfig(stack, target, adopt));
  }

  /**
   * Before the engine runs: reads the account and the stack's state, drops regions no longer
   * enabled from the state (or, in read-only calls, excludes them), clears creates a killed `up`
   * left pending, and decides what to adopt (fleet/domain/adoption.ts). Throws when `up` must not run.
   */
  private async beforeEngine(
    stack: RunnerStack,
    target: Target,
    operation: Operation,
    refreshes: boolean,
    signal: AbortSignal | undefined,
    note: (text: string) => void,
    preRead?: PreRead,
  ): Promise<BeforeEngine> {
    const none: BeforeEngine = { adopt: {}, exclude: [], notes: [] };
    // An orphan (a stack the fleet no longer covers) is only ever destroyed, with its own config.
    // The registration stack holds no analyzers: nothing to adopt there (the management account's
    // own analyzers belong to its account stack; an `adopt` key would make the program refuse).
    if (
      !this.options.readAccount ||
      operation === "outputs" ||
      target.orphaned !== undefined ||
      target.phase === "registration"
    ) {
      return none;
    }
    // The state and the account are independent reads: at once, so the stack waits for the
    // slower one only (the time goes to the log, for `npm run bench`).
    const started = Date.now();
    const [exported, view] = preRead
      ? [preRead.exported, preRead.view]
      : await Promise.all([stack.exportStack(), this.options.readAccount(target, signal)]);
    if (!preRead) {
      note(`# before the engine: state and account read in ${Date.now() - started} ms\n`);
    }
    const state = exported.deployment as
      { pending_operations?: { type?: string; resource?: { urn?: string } }[] } | undefined;
    const decision = decideRegions({
      settings: target.settings,
      view,
      held: heldRegions(state),
      adoptConsole: !!this.options.adopt,
      stack: target.stack,
      dryRun: operation === "preview",
    });
    const notes: StackNote[] = [...decision.notes];
    for (const n of notes) note(`# ${n.region}: ${n.status}${n.detail ? `: ${n.detail}` : ""}\n`);
    // Regions the account cannot give fail the engine's program anyway, after minutes of startup:
    // the enabled regions are read already, so an operation that runs the program stops here,
    // naming the setting. (`refresh` and `destroy` run no program: a disabled region still
    // leaves their state below.)
    const runsProgram = operation === "up" || operation === "preview" || operation === "drift";
    const regions = runsProgram ? regionProblems(target.settings, view.enabled) : [];
    if (regions.length > 0) throw new BlockedError(regions, notes);
    if (operation === "up" && decision.blockers.length > 0) {
      throw new BlockedError(decision.blockers, notes);
    }
    const writes = operation === "up" || operation === "refresh" || operation === "destroy";
    // A refresh reads every resource in the state, `--exclude` or not (drift, preview --refresh):
    // then the disabled region must leave the state too. A bookkeeping change only: AWS keeps it.
    if (writes || refreshes) {
      for (const urn of decision.dropFromState) await stack.deleteFromState(urn);
    }
    const pending = (state?.pending_operations ?? []).filter((op) => op.type === "creating");
    if (writes && pending.length > 0) {
      // The creates a killed run left pending: AWS may have finished them; the analyzers are
      // adopted as ours (by name and tags) below, so the pending entries only need clearing.
      await stack.refresh({
        onOutput: note,
        onError: note,
        color: "never",
        clearPendingCreates: true,
      });
      notes.push({
        status: "pending-cleared",
        detail: `cleared ${pending.length} pending create(s) a killed run left: ${pending.map((p) => p.resource?.urn).join(", ")}`,
      });
    }
    return {
      adopt: decision.adopt,
      exclude: writes || refreshes ? [] : decision.dropFromState,
      notes,
    };
  }

  /**
   * `up`'s fast path (fleet/run/unchanged.ts): undefined when it does not apply (not `up`, turned
   * off, `--refresh`, no account reader, an orphan or the registration stack).
   */
  private async fastPath(
    target: Target,
    operation: Operation,
    plan: OperationPlan,
    signal: AbortSignal | undefined,
    note: (text: string) => void,
  ) {
    const readAccount = this.options.readAccount;
    if (
      operation !== "up" ||
      this.options.fastPath !== true ||
      plan.refresh === true ||
      readAccount === undefined ||
      target.orphaned !== undefined ||
      target.phase === "registration"
    ) {
      return undefined;
    }
    return checkUnchanged(
      target,
      {
        exportState: (t) =>
          this.opener.exportState?.(t.stack, stackEnvFor(t)) ?? this.exportState(t),
        readAccount,
        identity: () => (this.identity ??= workDirIdentity(this.options.workDir)),
        adopt: !!this.options.adopt,
        verify: verifyUnchanged,
        failed: (reason): UnchangedVerdict => ({
          unchanged: false,
          reasons: [reason],
          drift: false,
        }),
      },
      signal,
      note,
    );
  }

  /** The CLI and the backend, before any stack starts (./setup.ts). */
  checkSetup(source: BackendSource): Promise<SetupCheck> {
    return checkPulumiSetup({
      command: () => this.pulumiCommand(),
      workspace: () => this.workspaceOptions({}),
      ...(this.options.pulumiRoot !== undefined ? { pulumiRoot: this.options.pulumiRoot } : {}),
      source,
    });
  }

  /** The program's stacks in the backend, through the Automation API workspace. */
  async listStacks(): Promise<string[]> {
    const workspace = await LocalWorkspace.create(await this.workspaceOptions({}));
    return (await workspace.listStacks()).map((s) => s.name);
  }

  /**
   * The stack's state for `audit`: `pulumi stack export --stack <name>` in the program's
   * workspace, not the Automation API's `exportStack`, which passes `--show-secrets` (it would need
   * the passphrase or KMS key, and decrypt the external id for nothing). Read-only: the stack is
   * not selected (no workspace file written), no config is written, `stack export` takes no lock.
   */
  async exportState(target: Target): Promise<unknown> {
    const options = await this.workspaceOptions(stackEnvFor(target));
    return JSON.parse(
      await pulumiCli(options, this.options.workDir, ["stack", "export", "--stack", target.stack]),
    );
  }

  /** The result of an `up` the fast path proved unchanged: the engine never started. */
  private async verifiedResult(
    target: Target,
    started: Date,
    logFile: string,
    log: fs.WriteStream,
    note: (text: string) => void,
    verdict: Extract<UnchangedVerdict, { unchanged: true }>,
    /** What the run did before the check (a torn checkpoint repaired), reported first. */
    earlier: readonly StackNote[],
  ): Promise<StackResult> {
    const durationMs = Date.now() - started.getTime();
    note(`# unchanged (verified): ${verdict.detail}\n# succeeded after ${durationMs} ms\n`);
    await new Promise<void>((resolve) => log.end(resolve));
    const outputs = readOutputs(
      Object.fromEntries(
        Object.entries(verdict.outputs).map(([k, value]) => [k, { value, secret: false }]),
      ),
    );
    return {
      accountId: target.accountId,
      ...(target.name !== undefined ? { name: target.name } : {}),
      stack: target.stack,
      operation: "up",
      outcome: "succeeded",
      changes: { ...noChanges(), same: verdict.resources },
      ...outputs,
      startedAt: started.toISOString(),
      durationMs,
      notes: [...earlier, { status: "unchanged-verified", detail: verdict.detail }],
      logFile,
    };
  }

  async run(target: Target, operation: Operation, options: RunOptions): Promise<StackResult> {
    const started = new Date();
    const label = accountLabel(target);
    const logFile = path.join(this.options.logDir, logFileName(target.stack));
    fs.mkdirSync(this.options.logDir, { recursive: true });
    const log = fs.createWriteStream(logFile, { flags: "a" });
    // Everything written to the log or handed out goes through the redactor.
    const write = (text: string) => {
      const clean = this.options.redact(text);
      log.write(clean);
      options.onOutput?.(clean);
    };
    const note = (text: string) => log.write(this.options.redact(text));
    note(`# ${operation} ${target.stack} [${label}] started ${started.toISOString()}\n`);

    let plan = planOperation(operation, this.options.refresh);
    let outcome: Outcome;
    let changes: ChangeCounts = noChanges();
    let outputs: Pick<StackResult, "regions" | "analyzerArns" | "unusedAccessAnalyzerArn"> = {
      regions: [],
      analyzerArns: {},
    };
    let error: string | undefined;
    let notes: StackNote[] = [];
    let afterUp: Omit<AfterUp, "notes" | "error"> = {};
    const archiveRules = operation === "up" ? this.options.archiveRules : undefined;
    const events: EngineEvent[] = [];
    // A preview's (and drift's) changes, resource by resource: what drifted, and in which region.
    const changed: ResourceChange[] = [];
    const onEvent = (event: EngineEvent) => {
      if (archiveRules && isArchiveRuleEvent(event)) events.push(event);
      const change = plan.call === "preview" ? resourceChange(event) : undefined;
      if (change) changed.push(change);
    };
    try {
      // A checkpoint a killed run left torn: repaired when nothing can be lost, else named.
      const repaired = checkCheckpoint(
        this.options.envVars.PULUMI_BACKEND_URL ?? process.env.PULUMI_BACKEND_URL,
        PROJECT_NAME,
        target.stack,
      );
      for (const file of repaired) {
        note(`# removed the empty ${file} a killed run left\n`);
      }
      const repairNotes: StackNote[] = repaired.map((file) => ({
        status: "checkpoint-repaired",
        detail: `removed the empty ${file} a killed run left (it held nothing; "failed to load checkpoint: EOF" otherwise)`,
      }));
      const fast = await this.fastPath(target, operation, plan, options.signal, note);
      if (fast?.verdict.unchanged === true) {
        return await this.verifiedResult(
          target,
          started,
          logFile,
          log,
          note,
          fast.verdict,
          repairNotes,
        );
      }
      if (fast !== undefined && !fast.verdict.unchanged) {
        note(`# the engine runs: ${fast.verdict.reasons.join("; ")}\n`);
        // The account differs from the state: only a refresh lets `up` see (and repair) it.
        if (fast.verdict.drift) plan = { ...plan, refresh: true };
      }
      const stack = await this.open(target, plan);
      const before = await this.beforeEngine(
        stack,
        target,
        operation,
        plan.refresh === true,
        options.signal,
        note,
        fast?.preRead,
      );
      notes = [...repairNotes, ...before.notes];
      if (fast !== undefined && !fast.verdict.unchanged && fast.verdict.drift) {
        notes = [
          ...notes,
          {
            status: "drift-found",
            detail: `refreshed before up: ${fast.verdict.reasons.join("; ")}`,
          },
        ];
      }
      if (plan.writeConfig && target.orphaned === undefined) {
        await this.configure(stack, target, before.adopt);
      }
      const result = await callStack(stack, plan, {
        onOutput: write,
        onError: write,
        color: "never",
        ...(options.signal ? { signal: options.signal } : {}),
        ...(this.options.parallel ? { parallel: this.options.parallel } : {}),
        ...(before.exclude.length > 0 ? { exclude: before.exclude, excludeDependents: true } : {}),
        ...(archiveRules || plan.call === "preview" ? { onEvent } : {}),
      });
      changes = countChanges(result.opMap);
      outcome = successOutcome(operation, changes);
      if (archiveRules) {
        const {
          notes: ruleNotes,
          error: ruleError,
          ...applied
        } = await archiveRulesAfterUp(
          target,
          changedArchiveRules(events),
          archiveRules,
          options.signal,
        );
        for (const n of ruleNotes) note(`# ${n.region}: ${n.status}: ${n.detail}\n`);
        notes = [...notes, ...ruleNotes];
        afterUp = applied;
        if (ruleError !== undefined) {
          outcome = "failed";
          error = this.options.redact(ruleError);
        }
      }
      if (result.outputs) outputs = readOutputs(result.outputs);
      else if (plan.outputs === "read") {
        try {
          outputs = readOutputs(await stack.outputs());
        } catch (e) {
          note(`# could not read stack outputs: ${summariseError(String(e))}\n`);
        }
      }
    } catch (e) {
      if (e instanceof BlockedError) notes = e.notes;
      const failure = errorOutcome(e, target.stack, options.signal?.aborted ?? false);
      outcome = failure.outcome;
      error = this.options.redact(failure.error);
    }
    const durationMs = Date.now() - started.getTime();
    note(`\n# ${outcome}${error ? `: ${error}` : ""} after ${durationMs} ms\n`);
    await new Promise<void>((resolve) => log.end(resolve));
    return {
      accountId: target.accountId,
      ...(target.name !== undefined ? { name: target.name } : {}),
      stack: target.stack,
      operation,
      outcome,
      changes,
      ...outputs,
      startedAt: started.toISOString(),
      durationMs,
      ...(error !== undefined ? { error } : {}),
      ...(notes.length > 0 ? { notes } : {}),
      ...(changed.length > 0 ? { changedResources: changed } : {}),
      ...afterUp,
      logFile,
    };
  }
}
