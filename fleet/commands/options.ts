/**
 * The command line's shared options: parsed and bounded by commander (`Option.argParser`, so a
 * bad value is rejected with exit 3 before anything is read or run), and the checks of paths and
 * the fleet file that every command makes before its first stack or account.
 */
import { type Command, InvalidArgumentError, Option } from "commander";
import * as fs from "fs";
import * as path from "path";
import { parse as parseYaml } from "yaml";
import { DEFAULT_AUDIT_CONCURRENCY, DEFAULT_REGION_CONCURRENCY } from "../domain/account";
import { UsageError } from "../domain/errors";
import { type Shard } from "../domain/targets";
import { projectProblem } from "../domain/workspace";

/** `path.resolve` for the config helpers, which take the resolver as an argument (an arrow: lint refuses an unbound method). */
export const resolvePath = (...parts: string[]): string => path.resolve(...parts);

/** Option values after commander parsed them. */
export interface RunFlags {
  fleet: string;
  accounts?: string[];
  all?: boolean;
  shard?: Shard;
  concurrency?: number;
  /** `--memory-budget`, MiB. */
  memoryBudget?: number;
  /** `--plugin-memory`, MiB. */
  pluginMemory?: number;
  failureTolerance?: number;
  parallel?: number;
  refresh?: boolean;
  regionConcurrency?: number;
  /** `audit --wait`: seconds to wait for CREATING analyzers to become ACTIVE. */
  wait?: number;
  report?: string;
  json?: boolean;
  logDir: string;
  workDir?: string;
  pulumiRoot?: string;
  yes?: boolean;
  /** `preview`/`up --adopt`: adopt analyzers made outside the stack. */
  adopt?: boolean;
  /** `up --force-engine`: run the engine for every account, even those verified unchanged. */
  forceEngine?: boolean;
  /** `up --no-apply-archive-rules` makes it false (commander's default: true). */
  applyArchiveRules?: boolean;
  /** `--verbose`: stream every engine line to stderr (default: only start and end lines). */
  verbose?: boolean;
  /** `audit --no-state` makes it false: the stacks' state is not read (commander's default: true). */
  state?: boolean;
  /** `--allow-empty`: a selection of no account exits 0 instead of 4. */
  allowEmpty?: boolean;
}

/** Bounds of the numeric options: beyond them a value is a typo, not a plan. */
export const LIMITS = {
  concurrency: { min: 1, max: 1000 },
  memoryBudget: { min: 64, max: 16 * 1024 * 1024 },
  pluginMemory: { min: 1, max: 64 * 1024 },
  parallel: { min: 1, max: 1000 },
  regionConcurrency: { min: 1, max: 100 },
  failureTolerance: { min: 1, max: 1_000_000 },
  waitSeconds: { min: 0, max: 3600 },
  /** GitHub code scanning rejects a run with more results (fleet/report/findings/sarif.ts). */
  sarifMaxResults: { min: 1, max: 25_000 },
} as const;

/** An `argParser` for a whole number in [min, max]. */
export function wholeNumber(min: number, max: number): (text: string) => number {
  return (text) => {
    const n = /^\s*\d+\s*$/.test(text) ? Number(text) : NaN;
    if (!(n >= min && n <= max)) {
      throw new InvalidArgumentError(`must be a whole number from ${min} to ${max}.`);
    }
    return n;
  };
}

/** `K/N` with 1 ≤ K ≤ N. */
export function shardArg(text: string): Shard {
  const match = /^\s*(\d+)\s*\/\s*(\d+)\s*$/.exec(text);
  if (!match) throw new InvalidArgumentError("write it as K/N, e.g. --shard 2/4.");
  const index = Number(match[1]);
  const count = Number(match[2]);
  if (index < 1 || index > count) {
    throw new InvalidArgumentError(
      `K and N must satisfy 1 ≤ K ≤ N, e.g. --shard 1/${Math.max(count, 1)}.`,
    );
  }
  return { index, count };
}

/** `a,b, c`: account ids or names. */
export function accountsArg(text: string): string[] {
  const entries = text
    .split(",")
    .map((s) => s.trim())
    .filter((s) => s !== "");
  if (entries.length === 0) {
    throw new InvalidArgumentError("list account ids or names, comma-separated.");
  }
  return entries;
}

/** A numeric option with its bounds. */
export function numberOption(
  flags: string,
  description: string,
  limits: { min: number; max: number },
): Option {
  return new Option(flags, `${description} (${limits.min}–${limits.max})`).argParser(
    wholeNumber(limits.min, limits.max),
  );
}

/** `--fleet`, `--accounts` and `--shard`, which every command takes. */
export function addSelectionOptions(cmd: Command, shardHelp: string): Command {
  return cmd
    .option("--fleet <file>", "fleet file (YAML)", "fleet.yaml")
    .addOption(
      new Option(
        "--accounts <list>",
        "only these accounts: ids or names, comma-separated",
      ).argParser(accountsArg),
    )
    .addOption(new Option("--shard <K/N>", shardHelp).argParser(shardArg))
    .option(
      "--allow-empty",
      "a selection of no account is fine: exit 0 instead of 4 (e.g. a shard of a small fleet)",
    );
}

/** `--report` and `--json`. */
export function addReportOptions(cmd: Command): Command {
  return cmd
    .option("--report <file>", "also write the JSON report to FILE")
    .option("--json", "print the JSON report on stdout (progress stays on stderr)");
}

/** The `audit` command's options. */
/** `--concurrency` and `--region-concurrency`: how many accounts, and regions in each, are read at once. */
export function addReadConcurrencyOptions(cmd: Command): Command {
  return cmd
    .addOption(
      numberOption(
        "--concurrency <n>",
        `accounts read at once (default ${DEFAULT_AUDIT_CONCURRENCY})`,
        LIMITS.concurrency,
      ),
    )
    .addOption(
      numberOption(
        "--region-concurrency <n>",
        `regions read at once in each account (default ${DEFAULT_REGION_CONCURRENCY})`,
        LIMITS.regionConcurrency,
      ),
    );
}

/** Checks that `workDir` holds the access-analyzer program's Pulumi.yaml. */
export function checkWorkDir(workDir: string | undefined): string {
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

/** The nearest folder of `target` or its ancestors that exists, or the file that blocks it. */
function nearestExisting(target: string): { path: string; isDir: boolean } {
  let p = target;
  for (;;) {
    try {
      return { path: p, isDir: fs.statSync(p).isDirectory() };
    } catch {
      const parent = path.dirname(p);
      // Stryker disable next-line ConditionalExpression,ObjectLiteral,BooleanLiteral: unreachable while "/" exists; it only guards against an endless loop
      if (parent === p) return { path: p, isDir: false };
      p = parent;
    }
  }
}

function writable(dir: string): boolean {
  try {
    fs.accessSync(dir, fs.constants.W_OK);
    return true;
  } catch {
    return false;
  }
}

/**
 * Problem with a folder the run will create and write into: it, or the nearest existing folder
 * above it, must be a writable folder. `subject` names the option and its value as given, `fix`
 * says what to do.
 */
export function folderProblem(subject: string, dir: string, fix: string): string | undefined {
  const found = nearestExisting(dir);
  if (!found.isDir) return `${subject}: ${found.path} is a file, not a folder; ${fix}`;
  if (!writable(found.path)) return `${subject}: ${found.path} is not writable; ${fix}`;
  return undefined;
}

/** Problem with a file the run writes at the end (`--report FILE`, resolved as `file`). */
export function reportFileProblem(given: string, file: string): string | undefined {
  return outputFileProblem("--report", given, file);
}

/** Problem with a file `option` names (`given`, resolved as `file`) that the run writes at the end. */
export function outputFileProblem(option: string, given: string, file: string): string | undefined {
  const subject = `${option} ${given}`;
  if (fs.existsSync(file)) {
    if (fs.statSync(file).isDirectory()) {
      return `${subject}: ${file} is a folder; name a file, e.g. ${path.join(given, "report.json")}`;
    }
    // An existing file is overwritten: it must be writable, whatever its folder is.
    return writable(file)
      ? undefined
      : `${subject}: ${file} is not writable; write the report somewhere else`;
  }
  return folderProblem(subject, path.dirname(file), "write the report somewhere else");
}

/** Problem with `--pulumi-root`: it must hold an executable bin/pulumi. */
export function pulumiRootProblem(root: string): string | undefined {
  const bin = path.join(root, "bin", "pulumi");
  try {
    fs.accessSync(bin, fs.constants.X_OK);
    return undefined;
  } catch {
    return `--pulumi-root ${root}: no executable ${bin}; pass the folder that holds bin/pulumi (scripts/ensure-pulumi.sh prints that bin folder), or leave it out to use pulumi on PATH`;
  }
}

/** Throws every problem at once as a UsageError; nothing has run yet. */
export function throwProblems(problems: readonly (string | undefined)[]): void {
  const found = problems.filter((p): p is string => p !== undefined);
  if (found.length > 0) throw new UsageError(found.join("\n"));
}
