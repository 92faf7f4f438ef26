/**
 * The real StackRunner: one stack per account of the program on disk (`Pulumi.yaml` in workDir),
 * driven through `@pulumi/pulumi/automation`. The only fleet module that talks to Pulumi.
 *
 * - Stack create/select and config writes are serialised (they rewrite shared workspace files,
 *   pulumi/pulumi#8186); the operations themselves run concurrently.
 * - A locked stack (ConcurrentUpdateError) is reported as `locked` and never cancelled.
 * - The AbortSignal goes to the Automation API, which sends SIGINT to the CLI so the engine stops
 *   cleanly and releases its lock.
 * - The bot's environment passes through to every command; only `envVars` are added.
 */
import * as fs from "fs";
import * as path from "path";
import {
  ConcurrentUpdateError,
  LocalWorkspace,
  PulumiCommand,
  Stack,
  StackNotFoundError,
  type LocalWorkspaceOptions,
  type OpMap,
  type OutputMap,
} from "@pulumi/pulumi/automation";
import { stackConfigFor, staleConfigKeys } from "./config";
import { summariseError } from "./output";
import { accountLabel, countChanges, hasChanges, noChanges } from "./report";
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

export class AutomationStackRunner implements StackRunner {
  private readonly mutex = new Mutex();
  private command?: Promise<PulumiCommand>;

  constructor(private readonly options: AutomationRunnerOptions) {}

  private pulumiCommand(): Promise<PulumiCommand> {
    this.command ??= PulumiCommand.get(
      this.options.pulumiRoot ? { root: this.options.pulumiRoot } : {},
    );
    return this.command;
  }

  /** Selects (or, for preview/up, creates) the stack and writes its config, one stack at a time. */
  private async prepare(target: Target, operation: Operation): Promise<Stack> {
    const wsOptions: LocalWorkspaceOptions = {
      workDir: this.options.workDir,
      envVars: { ...this.options.envVars },
      pulumiCommand: await this.pulumiCommand(),
      ...(this.options.secretsProvider ? { secretsProvider: this.options.secretsProvider } : {}),
    };
    const args = { stackName: target.stack, workDir: this.options.workDir };
    return this.mutex.run(async () => {
      const stack =
        operation === "preview" || operation === "up"
          ? await LocalWorkspace.createOrSelectStack(args, wsOptions)
          : await LocalWorkspace.selectStack(args, wsOptions);
      if (operation !== "outputs") {
        const desired = stackConfigFor(target);
        const stale = staleConfigKeys(await stack.getAllConfig(), desired);
        if (stale.length > 0) await stack.removeAllConfig(stale);
        await stack.setAllConfig(desired);
      }
      return stack;
    });
  }

  async run(target: Target, operation: Operation, options: RunOptions): Promise<StackResult> {
    const started = new Date();
    const label = accountLabel(target);
    const logFile = path.join(this.options.logDir, logFileName(target.stack));
    fs.mkdirSync(this.options.logDir, { recursive: true });
    const log = fs.createWriteStream(logFile, { flags: "a" });
    const write = (text: string) => {
      const clean = this.options.redact(text);
      log.write(clean);
      options.onOutput?.(clean);
    };
    log.write(`# ${operation} ${target.stack} [${label}] started ${started.toISOString()}\n`);

    let outcome: Outcome = "succeeded";
    let changes: ChangeCounts = noChanges();
    let outputs: Pick<StackResult, "regions" | "analyzerArns" | "unusedAccessAnalyzerArn"> = {
      regions: [],
      analyzerArns: {},
    };
    let error: string | undefined;
    try {
      const stack = await this.prepare(target, operation);
      const common = {
        onOutput: write,
        onError: write,
        color: "never" as const,
        ...(options.signal ? { signal: options.signal } : {}),
        ...(this.options.parallel ? { parallel: this.options.parallel } : {}),
      };
      let opMap: OpMap | undefined;
      switch (operation) {
        case "preview":
          opMap = (await stack.preview({ ...common, refresh: this.options.refresh })).changeSummary;
          break;
        case "up":
          opMap = (await stack.up({ ...common, refresh: this.options.refresh })).summary
            .resourceChanges;
          break;
        case "refresh":
          opMap = (await stack.refresh(common)).summary.resourceChanges;
          break;
        case "destroy":
          opMap = (await stack.destroy({ ...common, refresh: this.options.refresh })).summary
            .resourceChanges;
          break;
        case "drift":
          // Refresh state from AWS in memory, then diff the program against it: any change an `up`
          // would make is drift (edited or deleted analyzers, new regions, changed fleet settings).
          // A preview never writes state.
          opMap = (await stack.preview({ ...common, refresh: true })).changeSummary;
          break;
        case "outputs":
          break;
      }
      changes = countChanges(opMap);
      if (operation === "drift" && hasChanges(changes)) outcome = "drifted";
      if (operation !== "destroy") {
        try {
          outputs = readOutputs(await stack.outputs());
        } catch (e) {
          log.write(
            `# could not read stack outputs: ${this.options.redact(summariseError(String(e)))}\n`,
          );
        }
      }
    } catch (e) {
      if (e instanceof ConcurrentUpdateError) {
        outcome = "locked";
        error = `stack ${target.stack} is locked by another update; not cancelled. ${summariseError(e.message)}`;
      } else if (e instanceof StackNotFoundError) {
        outcome = "missing";
        error = `stack ${target.stack} does not exist (never deployed with "up")`;
      } else if (options.signal?.aborted) {
        outcome = "aborted";
        error = "aborted";
      } else {
        outcome = "failed";
        error = summariseError(e instanceof Error ? e.message : String(e));
      }
      error = this.options.redact(error);
    }
    const durationMs = Date.now() - started.getTime();
    log.write(`\n# ${outcome}${error ? `: ${error}` : ""} after ${durationMs} ms\n`);
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
