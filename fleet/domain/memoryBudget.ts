/**
 * The fleet's memory budget, as pure functions: how many `pulumi-resource-aws` processes each
 * stack starts, what that costs, and which budget and concurrency a run uses and why. The
 * scheduler (./scheduler.ts) admits a stack only while the stacks in flight fit the budget,
 * whatever `--concurrency` says; a stack bigger than the whole budget runs alone.
 */
import { type AnalyzerSettings, type Target } from "../settings/schema";

/** Regions assumed for a stack that discovers them: the 17 regions enabled by default. */
export const DISCOVERED_REGIONS_ESTIMATE = 17;

/** Worst-case resident memory of one `pulumi-resource-aws` process (pulumi-aws#5226, #5860). */
export const PROVIDER_MEMORY_BYTES = 430 * 1024 * 1024;

/** The Pulumi CLI, the Node language host and the program of one stack. */
export const STACK_OVERHEAD_BYTES = 400 * 1024 * 1024;

/** Never more stacks in flight than this by default, whatever the memory. */
export const MAX_DEFAULT_CONCURRENCY = 8;

const MiB = 1024 * 1024;

/**
 * Plugin processes one stack starts: one in `single` provider mode (the lookup provider serves
 * every region); otherwise one per covered region plus the lookup. Regions are known only for an
 * explicit `regions` list; a stack that discovers them counts the 17 default regions.
 */
export function pluginsPerStack(settings: AnalyzerSettings): number {
  if (settings.providerMode === "single") return 1;
  const regions = settings.regions
    ? settings.regions.filter((r) => !settings.excludeRegions?.includes(r)).length
    : DISCOVERED_REGIONS_ESTIMATE;
  return Math.max(1, regions) + 1;
}

/** Resident memory one stack may use: its plugins plus the CLI, language host and program. */
export function stackMemoryBytes(settings: AnalyzerSettings, pluginMemoryBytes: number): number {
  return pluginsPerStack(settings) * pluginMemoryBytes + STACK_OVERHEAD_BYTES;
}

export interface MemoryPlanInput {
  readonly memory: { readonly total: number; readonly free: number };
  readonly targets: readonly Target[];
  /** `--concurrency`, if given. */
  readonly concurrency?: number | undefined;
  /** `--memory-budget` in bytes, if given. */
  readonly budgetBytes?: number | undefined;
  /** `--plugin-memory` in bytes, if given. */
  readonly pluginMemoryBytes?: number | undefined;
}

/** What a run chose, for the scheduler and the report. */
export interface MemoryPlan {
  /** Most stacks in flight at once; the budget may admit fewer. */
  readonly concurrency: number;
  /** The memory the stacks in flight may use together. */
  readonly budgetBytes: number;
  /** The memory counted per plugin process. */
  readonly pluginMemoryBytes: number;
  /** Plugin processes of the largest stack of the run. */
  readonly maxPluginsPerStack: number;
  /** One line: what was chosen and why. */
  readonly reason: string;
}

/**
 * The run's budget and concurrency. The budget is `--memory-budget`, else min(free memory, 75% of
 * total). A plugin counts `--plugin-memory`, else 430 MiB (the real plugin's worst case,
 * pulumi-aws#5226, #5860). Without `--concurrency`, as many of the smallest stacks as fit, at most
 * 8 and at most the number of stacks; the budget then still holds back larger ones.
 */
export function planMemory(input: MemoryPlanInput): MemoryPlan {
  const pluginMemoryBytes = input.pluginMemoryBytes ?? PROVIDER_MEMORY_BYTES;
  const budgetBytes =
    input.budgetBytes ?? Math.floor(Math.min(input.memory.free, 0.75 * input.memory.total));
  const costs = input.targets.map((t) => stackMemoryBytes(t.settings, pluginMemoryBytes));
  const plugins = input.targets.map((t) => pluginsPerStack(t.settings));
  const maxPluginsPerStack = Math.max(1, ...plugins);
  const smallest = costs.length > 0 ? Math.min(...costs) : STACK_OVERHEAD_BYTES;
  const fits = Math.max(1, Math.floor(budgetBytes / smallest));
  const concurrency =
    input.concurrency ??
    Math.max(1, Math.min(fits, MAX_DEFAULT_CONCURRENCY, Math.max(input.targets.length, 1)));
  const mib = (bytes: number) => `${Math.round(bytes / MiB)} MiB`;
  const reason =
    `memory budget ${mib(budgetBytes)} (${input.budgetBytes !== undefined ? "--memory-budget" : "min(free, 75% of total)"}), ` +
    `${mib(pluginMemoryBytes)} per plugin (${input.pluginMemoryBytes !== undefined ? "--plugin-memory" : "real plugin worst case"}), ` +
    `largest stack ${maxPluginsPerStack} plugin(s) = ${mib(Math.max(smallest, ...costs))}; ` +
    `concurrency ${concurrency} (${input.concurrency !== undefined ? "--concurrency" : `${fits} smallest stack(s) fit, at most ${MAX_DEFAULT_CONCURRENCY}`}), ` +
    `a stack starts only while the stacks in flight fit the budget`;
  return { concurrency, budgetBytes, pluginMemoryBytes, maxPluginsPerStack, reason };
}
