/**
 * `up` without the Automation API's after-work. `Stack.up()` runs the CLI's `pulumi up`, then
 * three more CLI commands: `stack output --json` twice (masked and `--show-secrets`) and
 * `stack history --show-secrets` for the summary, each a CLI start and a passphrase key
 * derivation (about 1 s per stack; docs/PERFORMANCE.md). The CLI's engine event log already holds
 * both: the summary event's change counts and the stack resource's outputs. This runs the same
 * `pulumi up` as `Stack.up()` with `--event-log` and reads them from there; it falls back to those
 * CLI reads only when the log lacks them or an output is a secret (masked in the log).
 */
import type { EngineEvent, OpMap, OutputMap, Stack } from "@pulumi/pulumi/automation";
import * as fs from "fs";
import * as os from "os";
import * as path from "path";

/** The options of the runner's `up` call (a subset of `UpOptions`). */
export interface LeanUpOptions {
  onOutput?: (text: string) => void;
  onError?: (text: string) => void;
  color?: "always" | "never" | "raw" | "auto";
  signal?: AbortSignal;
  parallel?: number;
  refresh?: boolean;
  exclude?: string[];
  excludeDependents?: boolean;
  /** Called with each event of the log once the CLI has finished (not while it runs). */
  onEvent?: (event: EngineEvent) => void;
}

/** What the runner reads of an `up` (the shape of `Stack.up()`'s result it uses). */
export interface LeanUpResult {
  summary: { resourceChanges?: OpMap };
  outputs: OutputMap;
}

const STACK_TYPE = "pulumi:pulumi:Stack";

/** How the engine's event log shows a secret value. */
const MASKED = "[secret]";

/**
 * The change counts and the stack's outputs an event log holds; each `undefined` when absent, or,
 * for the outputs, when any of them is a masked secret.
 */
export function readUpEvents(events: readonly EngineEvent[]): {
  resourceChanges?: OpMap;
  outputs?: OutputMap;
} {
  let resourceChanges: OpMap | undefined;
  let raw: Record<string, unknown> | undefined;
  for (const event of events) {
    if (event.summaryEvent) resourceChanges = event.summaryEvent.resourceChanges;
    const step = event.resOutputsEvent?.metadata;
    if (step?.type === STACK_TYPE) raw = step.new?.outputs ?? {};
  }
  const masked = raw !== undefined && Object.values(raw).some((v) => v === MASKED);
  const outputs =
    raw === undefined || masked
      ? undefined
      : Object.fromEntries(Object.entries(raw).map(([k, value]) => [k, { value, secret: false }]));
  return {
    ...(resourceChanges ? { resourceChanges } : {}),
    ...(outputs ? { outputs } : {}),
  };
}

/** The `pulumi up` arguments `Stack.up()` passes for these options, plus the event log. */
export function leanUpArgs(options: LeanUpOptions, eventLog: string): string[] {
  const args = ["up", "--yes", "--skip-preview"];
  if (options.refresh) args.push("--refresh");
  for (const urn of options.exclude ?? []) args.push("--exclude", urn);
  if (options.excludeDependents) args.push("--exclude-dependents");
  if (options.parallel) args.push("--parallel", String(options.parallel));
  if (options.color) args.push("--color", options.color);
  args.push("--exec-kind", "auto.local", "--event-log", eventLog);
  return args;
}

/**
 * `PulumiCommand.run`: what `Stack.up()` runs the CLI with (execa, `--non-interactive`, SIGINT on
 * abort, the typed errors such as `ConcurrentUpdateError`). Public in the JavaScript, left out of
 * the typings; when a version lacks it, `leanUp` is `Stack.up()`.
 */
type RunCommand = (
  args: string[],
  cwd: string,
  env: Record<string, string>,
  onOutput?: (text: string) => void,
  onError?: (text: string) => void,
  signal?: AbortSignal,
) => Promise<unknown>;

/** Runs `pulumi up` on the stack as `Stack.up()` does, and reads the result from its event log. */
export async function leanUp(stack: Stack, options: LeanUpOptions): Promise<LeanUpResult> {
  const workspace = stack.workspace;
  const command = workspace.pulumiCommand as unknown as { run?: RunCommand };
  if (typeof command.run !== "function") return stack.up(options);
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), "aa-fleet-up-"));
  try {
    const eventLog = path.join(dir, "events.jsonl");
    const args = [...leanUpArgs(options, eventLog), "--stack", stack.name];
    const env: Record<string, string> = {
      PULUMI_DEBUG_COMMANDS: "true",
      ...(workspace.pulumiHome ? { PULUMI_HOME: workspace.pulumiHome } : {}),
      ...workspace.envVars,
    };
    await command.run.call(
      workspace.pulumiCommand,
      args,
      workspace.workDir,
      env,
      options.onOutput,
      options.onError,
      options.signal,
    );
    const events = fs
      .readFileSync(eventLog, "utf8")
      .split("\n")
      .filter((line) => line.trim() !== "")
      .map((line) => JSON.parse(line) as EngineEvent);
    if (options.onEvent) events.forEach(options.onEvent);
    const read = readUpEvents(events);
    const resourceChanges = read.resourceChanges ?? (await stack.info())?.resourceChanges;
    return {
      summary: resourceChanges ? { resourceChanges } : {},
      outputs: read.outputs ?? (await stack.outputs()),
    };
  } finally {
    fs.rmSync(dir, { recursive: true, force: true });
  }
}
