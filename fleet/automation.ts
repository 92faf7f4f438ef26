/**
 * The real StackRunner: one stack per account of the program on disk (`Pulumi.yaml` in workDir),
 * driven through `@pulumi/pulumi/automation`. The only fleet module that talks to Pulumi.
 *
 * - Stack create/select and config writes are serialised (they rewrite shared workspace files,
 *   pulumi/pulumi#8186); the operations themselves run concurrently.
 * - What to call and how results and errors map to outcomes is decided in fleet/runPlan.ts.
 * - A locked stack (ConcurrentUpdateError) is reported as `locked` and never cancelled.
 * - A stack another bot created between our select and create is selected again (runPlan).
 * - The AbortSignal goes to the Automation API, which sends SIGINT to the CLI so the engine stops
 *   cleanly and releases its lock.
 * - The bot's environment passes through to every command; only `envVars` are added.
 */
import * as fs from "fs";
import * as path from "path";
import {
  LocalWorkspace,
  PulumiCommand,
  type ConfigMap,
  type Stack,
  type LocalWorkspaceOptions,
  type OpMap,
  type OutputMap,
} from "@pulumi/pulumi/automation";
import { summariseError } from "./output";
import { accountLabel, countChanges, noChanges } from "./report";
import {
  configUpdate,
  errorOutcome,
  planOperation,
  retrySelectAfterCreate,
  successOutcome,
  type OperationPlan,
} from "./runPlan";
import { Mutex } from "./scheduler";
import type {
  ChangeCounts,
  Operation,
  Outcome,
  RunOptions,
  StackResult,
  StackRunner,
  Target,
} from "./types";

export interface AutomationRunnerOptions {
  /** Folder with the program's Pulumi.yaml. */
  readonly workDir: string;
  /** Added to the bot's own environment for every Pulumi command (see config.workspaceEnv). */
  readonly envVars: Record<string, string>;
  /** Secrets provider for stacks the bot creates. */
  readonly secretsProvider?: string;
  /** `--parallel`: resource operations the engine runs at once. */
  readonly parallel?: number;
  /** `--refresh`: refresh state before preview/up/destroy. */
  readonly refresh: boolean;
  /** Folder for this run's per-stack logs. */
  readonly logDir: string;
  /** Folder holding `bin/pulumi`; default: `pulumi` on PATH. */
  readonly pulumiRoot?: string;
  /** Masks secrets in everything written to logs or returned. */
  readonly redact: (text: string) => string;
}

/** Stack outputs the program exports (docs/CONTRACTS.md). */
export function readOutputs(
  outputs: OutputMap,
): Pick<StackResult, "regions" | "analyzerArns" | "unusedAccessAnalyzerArn"> {
  const regions: unknown = outputs.regions?.value;
  const arns: unknown = outputs.analyzerArns?.value;
  const unused: unknown = outputs.unusedAccessAnalyzerArn?.value;
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

/** The options every operation's call takes. */
type CallOptions = {
  onOutput: (text: string) => void;
  onError: (text: string) => void;
  color: "never";
  signal?: AbortSignal;
  parallel?: number;
  refresh?: boolean;
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
  refresh(options: CallOptions): Promise<{ summary: { resourceChanges?: OpMap } }>;
  destroy(options: CallOptions): Promise<{ summary: { resourceChanges?: OpMap } }>;
  outputs(): Promise<OutputMap>;
}

/** Opens a stack of the program by name. */
export interface StackOpener<S extends RunnerStack = RunnerStack> {
  createOrSelect(stackName: string): Promise<S>;
  select(stackName: string): Promise<S>;
}

/** Opens stacks of the program in `workDir` through `LocalWorkspace`. */
export function localStackOpener(
  workDir: string,
  workspace: () => Promise<LocalWorkspaceOptions>,
): StackOpener<Stack> {
  const args = (stackName: string) => ({ stackName, workDir });
  return {
    createOrSelect: async (name) =>
      LocalWorkspace.createOrSelectStack(args(name), await workspace()),
    select: async (name) => LocalWorkspace.selectStack(args(name), await workspace()),
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
): Promise<S> {
  if (open === "select") return opener.select(stackName);
  try {
    return await opener.createOrSelect(stackName);
  } catch (e) {
    if (!retrySelectAfterCreate(e)) throw e;
    return opener.select(stackName);
  }
}

/** Makes the stack's `access-analyzer:*` config the target's: stale keys removed, the rest set. */
export async function writeStackConfig(stack: RunnerStack, target: Target): Promise<void> {
  const update = configUpdate(target, await stack.getAllConfig());
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
      const result = await stack.up(options);
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

  /** `opener`: how stacks are opened (default: `LocalWorkspace` on `workDir`); tests pass a fake. */
  constructor(
    private readonly options: AutomationRunnerOptions,
    opener?: StackOpener,
  ) {
    this.opener = opener ?? localStackOpener(options.workDir, () => this.workspaceOptions());
  }

  private pulumiCommand(): Promise<PulumiCommand> {
    this.command ??= PulumiCommand.get(
      this.options.pulumiRoot ? { root: this.options.pulumiRoot } : {},
    );
    return this.command;
  }

  private async workspaceOptions(): Promise<LocalWorkspaceOptions> {
    return {
      workDir: this.options.workDir,
      envVars: { ...this.options.envVars },
      pulumiCommand: await this.pulumiCommand(),
      ...(this.options.secretsProvider ? { secretsProvider: this.options.secretsProvider } : {}),
    };
  }

  /** Opens the stack and writes its config, one stack at a time (shared workspace files). */
  private prepare(target: Target, plan: OperationPlan): Promise<RunnerStack> {
    return this.mutex.run(async () => {
      const stack = await openStack(this.opener, target.stack, plan.open);
      if (plan.writeConfig) await writeStackConfig(stack, target);
      return stack;
    });
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

    const plan = planOperation(operation, this.options.refresh);
    let outcome: Outcome = "succeeded";
    let changes: ChangeCounts = noChanges();
    let outputs: Pick<StackResult, "regions" | "analyzerArns" | "unusedAccessAnalyzerArn"> = {
      regions: [],
      analyzerArns: {},
    };
    let error: string | undefined;
    try {
      const stack = await this.prepare(target, plan);
      const result = await callStack(stack, plan, {
        onOutput: write,
        onError: write,
        color: "never",
        ...(options.signal ? { signal: options.signal } : {}),
        ...(this.options.parallel ? { parallel: this.options.parallel } : {}),
      });
      changes = countChanges(result.opMap);
      outcome = successOutcome(operation, changes);
      if (result.outputs) outputs = readOutputs(result.outputs);
      else if (plan.outputs === "read") {
        try {
          outputs = readOutputs(await stack.outputs());
        } catch (e) {
          note(`# could not read stack outputs: ${summariseError(String(e))}\n`);
        }
      }
    } catch (e) {
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
      logFile,
    };
  }
}
