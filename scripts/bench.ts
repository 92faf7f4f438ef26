// `npm run bench`: a benchmark, not a test. The real Pulumi engine runs the real program with the
// stand-in `pulumi-resource-aws` plugin against fake-aws (tests/e2e/harness.ts), with a fixed
// latency on every AWS call. It prints a table and writes JSON (reports/bench.json by default).
//
//   npm run bench                     # R = 1, 4, 17 in both modes, fleet N = 12 at concurrency 1, 2, 4,
//                                     # the nightly run of 48 accounts, audit, --help
//   npm run bench -- --quick          # the CI smoke set: R = 1, fleet N = 2, nightly N = 2 (< 3 min)
//   npm run bench -- --accounts 6 --latency-ms 30 --repeats 3 --out reports/bench.json
//   npm run bench -- --only stacks,nightly,help --regions 17   # some sections (SECTION_NAMES), R = 17 only
//
// Every row is measured the same way (`measure`): wall seconds; CPU-seconds of the processes it
// started (the CLI, the language host, the program, every plugin, the fleet bot), counted by the
// kernel when they end; fake-aws's CPU apart (it runs in a process of its own, as AWS is elsewhere);
// peak resident memory of the process tree, sampled from /proc; and the machine's other work while
// the row ran (busy CPU minus ours, in cores). A row taken while other work used more than
// BUSY_CORES is marked busy, and the run ends with a warning naming them. Repeated rows report the
// median of `--repeats` runs (default 3) and their spread.
//
// Adding a row: write a section (`async (ctx) => { … ctx.row({ …, ...(await measure(fn, ctx.fake(world))) }) }`)
// and list it in SECTIONS; its rows go to the JSON's `rows` and to the table of rows.

import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";

import { execFile } from "node:child_process";
import { promisify } from "node:util";

import { LocalWorkspace } from "@pulumi/pulumi/automation";

import { logFileName } from "../fleet/run/automation";
import { leanUp } from "../fleet/run/leanUp";
import type { AnalyzerSettings } from "../fleet/settings/schema";
import { ROOT, World } from "../tests/e2e/harness";
import { DISCOVERY_GOAL, benchDiscovery, discoveryLines } from "./bench-discovery";
import { median } from "./benchStats";
import { DEFAULT_REGIONS } from "../tests/harness/fake-aws";

/**
 * Latency added to every AWS call, in ms. 30 ms is a typical HTTPS round trip from a runner to an
 * AWS regional endpoint on the same continent (inter-region round trips within a continent are
 * 10–80 ms: cloudping.co); far regions take longer, so this is a floor, not a worst case.
 */
const DEFAULT_LATENCY_MS = 30;
/** The real plugin's published resident memory per process (pulumi-aws#5226, #5860; DOMAIN.md). */
const REAL_PLUGIN_MB = { low: 170, high: 430 };
const MODES = ["per-region", "single"] as const;
/** Each repeated measurement runs this many times by default; the report holds the median. */
const DEFAULT_REPEATS = 3;
/**
 * Other work on the machine, in cores, above which a row is marked busy: a quarter of a core (on 2
 * cores, one core of other work makes every engine row about half again as slow).
 */
const BUSY_CORES = 0.25;
type Mode = (typeof MODES)[number];

interface Options {
  quick: boolean;
  accounts: number;
  latencyMs: number;
  /** Runs of each repeated measurement (`--repeats`); the median is reported. */
  repeats: number;
  /** Sections to run (`--only a,b`); all when absent. */
  only?: string[];
  /** Accounts of the nightly section (`--nightly-accounts`). */
  nightlyAccounts: number;
  /** Region counts of the stack rows (`--regions 1,4,17`). */
  regionCounts?: number[];
  out: string;
}

function parseArgs(argv: string[]): Options {
  const options: Options = {
    quick: false,
    accounts: 12,
    latencyMs: DEFAULT_LATENCY_MS,
    repeats: DEFAULT_REPEATS,
    nightlyAccounts: 48,
    out: path.join(ROOT, "reports", "bench.json"),
  };
  for (let i = 0; i < argv.length; i++) {
    const arg = argv[i];
    const value = () => {
      const v = argv[++i];
      if (v === undefined) throw new Error(`${arg} needs a value`);
      return v;
    };
    const count = (v: string, min: number) => {
      const n = Number(v);
      if (!Number.isInteger(n) || n < min) throw new Error(`${arg}: a whole number ≥ ${min}`);
      return n;
    };
    if (arg === "--quick") options.quick = true;
    else if (arg === "--accounts") options.accounts = count(value(), 1);
    else if (arg === "--latency-ms") options.latencyMs = count(value(), 0);
    else if (arg === "--repeats") options.repeats = count(value(), 1);
    else if (arg === "--nightly-accounts") options.nightlyAccounts = count(value(), 1);
    else if (arg === "--regions") {
      options.regionCounts = value()
        .split(",")
        .map((v) => count(v, 1));
      if (options.regionCounts.some((r) => r > DEFAULT_REGIONS.length)) {
        throw new Error(`--regions: at most ${DEFAULT_REGIONS.length} (the default regions)`);
      }
    } else if (arg === "--out") options.out = path.resolve(value());
    else if (arg === "--only") {
      options.only = value().split(",");
      const unknown = options.only.filter((n) => !SECTION_NAMES.includes(n));
      if (unknown.length > 0) {
        throw new Error(
          `--only: unknown section(s) ${unknown.join(", ")}; known: ${SECTION_NAMES.join(", ")}`,
        );
      }
    } else
      throw new Error(
        `unknown option ${arg}; use --quick, --accounts N, --nightly-accounts N, --regions 1,4,17, --latency-ms N, --repeats N, --only A,B, --out FILE`,
      );
  }
  if (options.quick && !argv.includes("--accounts")) options.accounts = 2;
  if (options.quick && !argv.includes("--nightly-accounts")) options.nightlyAccounts = 2;
  return options;
}

/**
 * Whether the process is a provider plugin: the real `pulumi-resource-aws` binary, or the stand-in's
 * `node …/.cache/provider/<hash>/main.js`. Not by command line alone: the stand-in's bash launcher,
 * and the subshells it forks while it starts, carry `pulumi-resource-aws` in theirs, and counting
 * them made one starting plugin count as two or three.
 */
function isPlugin(pid: number): boolean {
  const exe = path.basename(fs.readlinkSync(`/proc/${pid}/exe`));
  if (exe === "pulumi-resource-aws") return true;
  const cmd = fs.readFileSync(`/proc/${pid}/cmdline`, "utf8");
  return exe.startsWith("node") && /\/\.cache\/provider\/[^/]+\/main\.js/.test(cmd);
}

/** Peak RSS and plugin count of this process's tree, sampled from /proc every 50 ms. */
class TreeSampler {
  private timer?: NodeJS.Timeout;
  peakRssBytes = 0;
  peakPlugins = 0;
  /** This process's own peak RSS over the whole run (fake-aws and the harness): not in the rows. */
  static selfPeakRssBytes = 0;
  /** RSS of each plugin process seen, at its largest. */
  readonly pluginRss = new Map<number, number>();

  start(): this {
    this.timer = setInterval(() => this.sample(), 50);
    this.sample();
    return this;
  }

  stop(): this {
    if (this.timer) clearInterval(this.timer);
    this.sample();
    return this;
  }

  private sample(): void {
    const parents = new Map<number, number>();
    for (const entry of fs.readdirSync("/proc")) {
      if (!/^\d+$/.test(entry)) continue;
      try {
        const stat = fs.readFileSync(`/proc/${entry}/stat`, "utf8");
        // The command name may hold spaces and parentheses: the ppid follows the last ")".
        const fields = stat.slice(stat.lastIndexOf(")") + 2).split(" ");
        parents.set(Number(entry), Number(fields[1]));
      } catch {
        // the process ended
      }
    }
    const tree = new Set([process.pid]);
    let grew = true;
    while (grew) {
      grew = false;
      for (const [pid, ppid] of parents) {
        if (!tree.has(pid) && tree.has(ppid)) {
          tree.add(pid);
          grew = true;
        }
      }
    }
    const page = 4096;
    let rss = 0;
    let plugins = 0;
    for (const pid of tree) {
      try {
        const bytes = Number(fs.readFileSync(`/proc/${pid}/statm`, "utf8").split(" ")[1]) * page;
        if (pid === process.pid) {
          TreeSampler.selfPeakRssBytes = Math.max(TreeSampler.selfPeakRssBytes, bytes);
          continue;
        }
        rss += bytes;
        if (isPlugin(pid)) {
          plugins++;
          this.pluginRss.set(pid, Math.max(this.pluginRss.get(pid) ?? 0, bytes));
        }
      } catch {
        // the process ended
      }
    }
    this.peakRssBytes = Math.max(this.peakRssBytes, rss);
    this.peakPlugins = Math.max(this.peakPlugins, plugins);
  }
}

/** Clock ticks per second of /proc's CPU times (USER_HZ: 100 on Linux everywhere). */
const TICKS = 100;

/** Fields of /proc/<pid>/stat after the command name (which may hold spaces and parentheses). */
function statFields(pid: number | "self"): string[] {
  const stat = fs.readFileSync(`/proc/${pid}/stat`, "utf8");
  return stat.slice(stat.lastIndexOf(")") + 2).split(" ");
}

/** CPU seconds: this process's own, and of its children that ended (the kernel adds them). */
function ownCpu(): { self: number; children: number } {
  const f = statFields("self");
  // utime, stime, cutime, cstime are fields 14–17: 11–14 after the command name.
  return {
    self: (Number(f[11]) + Number(f[12])) / TICKS,
    children: (Number(f[13]) + Number(f[14])) / TICKS,
  };
}

/** CPU seconds of a running process (fake-aws); 0 when there is none. */
function pidCpu(pid: number | undefined): number {
  if (pid === undefined) return 0;
  try {
    const f = statFields(pid);
    return (Number(f[11]) + Number(f[12])) / TICKS;
  } catch {
    return 0;
  }
}

/** Busy CPU seconds of the whole machine (every core; /proc/stat's first line, less idle and iowait). */
function machineBusyCpu(): number {
  const fields = fs.readFileSync("/proc/stat", "utf8").split("\n")[0].trim().split(/\s+/).slice(1);
  const [user, nice, system, idle, iowait, irq, softirq, steal] = fields.map(Number);
  void idle;
  void iowait;
  return (user + nice + system + irq + softirq + (steal ?? 0)) / TICKS;
}

interface Measure {
  seconds: number;
  /** CPU-seconds of the processes the row started (ended ones; the kernel's count). */
  cpuSeconds: number;
  /** fake-aws's CPU-seconds during the row (AWS's side: not the tool's cost). */
  fakeAwsCpuSeconds: number;
  /** This process's own CPU-seconds during the row (the harness, the sampler, the Automation API). */
  harnessCpuSeconds: number;
  peakRssMB: number;
  peakPlugins: number;
  /** Other work on the machine during the row, in cores: its busy CPU less all of the above. */
  otherCores: number;
  /** The 1-minute load average, sampled during the row (mean). */
  loadAverage: number;
  /** otherCores > BUSY_CORES: the row's time is not to be trusted. */
  busy: boolean;
}

/** A median of repeated measurements, with the spread of the wall time. */
interface Repeated extends Measure {
  runs: number;
  /** [fastest, slowest] wall seconds. */
  spread: [number, number];
}

/**
 * Runs `fn` and measures it (see the file comment). `fakePid`: fake-aws's process, counted apart.
 * The processes `fn` starts must have ended when it resolves (their CPU is counted when they end).
 */
async function measure(
  fn: () => Promise<unknown>,
  fakePid?: number,
): Promise<Measure & { pluginRss: number[] }> {
  const sampler = new TreeSampler().start();
  const loads: number[] = [];
  const loadTimer = setInterval(() => loads.push(os.loadavg()[0]), 500);
  const cpu0 = ownCpu();
  const fake0 = pidCpu(fakePid);
  const machine0 = machineBusyCpu();
  const started = process.hrtime.bigint();
  try {
    await fn();
  } finally {
    sampler.stop();
    clearInterval(loadTimer);
  }
  const seconds = Number(process.hrtime.bigint() - started) / 1e9;
  const cpu1 = ownCpu();
  const cpuSeconds = cpu1.children - cpu0.children;
  const harnessCpuSeconds = cpu1.self - cpu0.self;
  const fakeAwsCpuSeconds = pidCpu(fakePid) - fake0;
  const other = machineBusyCpu() - machine0 - cpuSeconds - harnessCpuSeconds - fakeAwsCpuSeconds;
  const otherCores = Math.max(0, other / seconds);
  loads.push(os.loadavg()[0]);
  return {
    seconds: round(seconds),
    cpuSeconds: round(cpuSeconds),
    fakeAwsCpuSeconds: round(fakeAwsCpuSeconds),
    harnessCpuSeconds: round(harnessCpuSeconds),
    peakRssMB: Math.round(sampler.peakRssBytes / 1024 ** 2),
    peakPlugins: sampler.peakPlugins,
    otherCores: round(otherCores),
    loadAverage: round(loads.reduce((a, b) => a + b, 0) / loads.length),
    busy: otherCores > BUSY_CORES,
    pluginRss: [...sampler.pluginRss.values()],
  };
}

/** Runs `fn` `times` times in a row. */
async function repeat<T>(times: number, fn: () => Promise<T>): Promise<T[]> {
  const results: T[] = [];
  for (let i = 0; i < times; i++) results.push(await fn());
  return results;
}

/** The median of each field of repeated measurements; busy when any run was. */
function medianMeasure(runs: Measure[]): Repeated {
  const m = (pick: (r: Measure) => number) => round(median(runs.map(pick)));
  const walls = runs.map((r) => r.seconds);
  return {
    runs: runs.length,
    seconds: m((r) => r.seconds),
    spread: [Math.min(...walls), Math.max(...walls)],
    cpuSeconds: m((r) => r.cpuSeconds),
    fakeAwsCpuSeconds: m((r) => r.fakeAwsCpuSeconds),
    harnessCpuSeconds: m((r) => r.harnessCpuSeconds),
    peakRssMB: m((r) => r.peakRssMB),
    peakPlugins: m((r) => r.peakPlugins),
    otherCores: m((r) => r.otherCores),
    loadAverage: m((r) => r.loadAverage),
    busy: runs.some((r) => r.busy),
  };
}

/** Runs and measures `fn` `times` times; the median and the spread. */
async function measured(
  times: number,
  fn: () => Promise<unknown>,
  fakePid?: number,
): Promise<Repeated> {
  return medianMeasure(
    await repeat(times, async () => {
      const { pluginRss, ...m } = await measure(fn, fakePid);
      void pluginRss;
      return m;
    }),
  );
}

const quiet = { onOutput: () => undefined, color: "never" as const };
const round = (n: number, digits = 2) => Math.round(n * 10 ** digits) / 10 ** digits;

interface StackRow {
  regions: number;
  mode: Mode;
  firstUp: Measure;
  noChangeUp: Repeated;
  preview: Repeated;
}

async function benchStack(regions: number, mode: Mode, options: Options, pluginRss: number[]) {
  const world = await World.start({
    label: `bench-${mode}-${regions}`,
    accounts: [{ id: "240000000001" }],
    fakeAwsProcess: true,
  });
  try {
    await world.admin.setLatency({ ms: options.latencyMs });
    const settings: AnalyzerSettings = {
      regions: [...DEFAULT_REGIONS].sort().slice(0, regions),
      providerMode: mode,
    };
    const stack = await world.stack("240000000001", settings);
    const fake = world.fakePid;
    const keep = ({ pluginRss: rss, ...m }: Measure & { pluginRss: number[] }): Measure => {
      pluginRss.push(...rss);
      return m;
    };
    // `up` as the fleet runs it (fleet/run/leanUp.ts), not `Stack.up()` and its three CLI reads after.
    const firstUp = keep(await measure(() => leanUp(stack, quiet), fake));
    const noChangeUp = medianMeasure(
      await repeat(options.repeats, async () =>
        keep(
          await measure(async () => {
            const { summary } = await leanUp(stack, quiet);
            const changed = Object.entries(summary.resourceChanges ?? {}).filter(
              ([op, n]) => op !== "same" && (n ?? 0) > 0,
            );
            if (changed.length > 0)
              throw new Error(`not a no-change up: ${JSON.stringify(changed)}`);
          }, fake),
        ),
      ),
    );
    const preview = medianMeasure(
      await repeat(options.repeats, async () =>
        keep(await measure(() => stack.preview({ ...quiet, expectNoChanges: true }), fake)),
      ),
    );
    return { regions, mode, firstUp, noChangeUp, preview } satisfies StackRow;
  } finally {
    await world.close();
  }
}

/** The floor every stack pays: `preview` of a program that declares nothing, on the same engine. */
async function benchEmptyPreview(): Promise<Measure> {
  const world = await World.start({ label: "bench-empty", accounts: [], fakeAwsProcess: true });
  try {
    const dir = path.join(world.tmp, "empty");
    fs.mkdirSync(dir);
    fs.writeFileSync(
      path.join(dir, "Pulumi.yaml"),
      "name: empty\nruntime:\n  name: nodejs\n  options:\n    typescript: true\nmain: index.ts\n",
    );
    fs.writeFileSync(path.join(dir, "index.ts"), "export {};\n");
    fs.copyFileSync(path.join(ROOT, "tsconfig.json"), path.join(dir, "tsconfig.json"));
    fs.symlinkSync(path.join(ROOT, "node_modules"), path.join(dir, "node_modules"));
    const stack = await LocalWorkspace.createOrSelectStack(
      { stackName: "empty", workDir: dir },
      { envVars: world.env, pulumiCommand: world.command },
    );
    await stack.preview(quiet); // warm the file cache like the stacks' first up does
    const { pluginRss, ...m } = await measure(() => stack.preview(quiet), world.fakePid);
    void pluginRss;
    return m;
  } finally {
    await world.close();
  }
}

const run = promisify(execFile);

/**
 * The fleet's cost per stack over the bare CLI, and compiled JavaScript against ts-node, on N
 * accounts in single provider mode (medians of `--repeats` no-change runs, interleaved so that a
 * load change hits every variant alike). All seconds.
 */
interface OverheadRow {
  regions: number;
  accounts: number;
  /** `pulumi up --skip-preview --yes` of one stack, the program run by ts-node (transpile-only). */
  bareCliUp: number;
  /** The same, the program compiled to JavaScript (scripts/dist-project.js, as the npm package). */
  bareCliUpCompiled: number;
  /** The Automation API's `Stack.up()`: the CLI's up plus three CLI reads after it. */
  automationApiUp: number;
  /** The runner's up (fleet/run/leanUp.ts): the CLI's up, the result read from its event log. */
  runnerUp: number;
  /** `pulumi stack export` of the stack: one of the two reads before the engine. */
  stackExport: number;
  /** The runner's read before the engine (state and account, at once), from its log; median. */
  preEngineRead: number;
  /** The fleet bot, `up --accounts <one>`: the whole process, start-up included. */
  fleetOneAccount: number;
  /** The fleet bot, `up` of all N accounts at concurrency 1. */
  fleetAllAccounts: number;
  /** (all − one) / (N − 1): what each further stack costs in the fleet. */
  fleetPerStack: number;
  /** one − per stack: the bot's fixed start-up (fleet file, organization, plugins of its own). */
  fleetStartup: number;
  /** The fields with a sample taken while other work ran (`Measure.busy`). */
  busy: string[];
}

/** Compiles the program into `<workDir>/dist` with a Pulumi.yaml that runs it (as `npm run build`). */
async function compileProgram(workDir: string): Promise<string> {
  const out = path.join(workDir, "dist");
  const tsc = require.resolve("typescript/bin/tsc");
  await run(process.execPath, [tsc, "-p", path.join(ROOT, "tsconfig.build.json"), "--outDir", out]);
  // eslint-disable-next-line @typescript-eslint/no-require-imports
  const { compiledProject } = require("./dist-project.js") as {
    compiledProject: (source: string) => string;
  };
  fs.writeFileSync(
    path.join(out, "Pulumi.yaml"),
    compiledProject(fs.readFileSync(path.join(workDir, "Pulumi.yaml"), "utf8")),
  );
  return out;
}

async function benchOverhead(regions: number, accounts: number, options: Options) {
  const ids = Array.from({ length: accounts }, (_, i) => String(260000000000 + i));
  const world = await World.start({
    label: "bench-overhead",
    accounts: ids.map((id) => ({ id })),
    fakeAwsProcess: true,
  });
  try {
    await world.admin.setLatency({ ms: options.latencyMs });
    const regionList = JSON.stringify([...DEFAULT_REGIONS].sort().slice(0, regions));
    const file = world.writeFleetFile(
      "fleet.yaml",
      `backend: file://./state\nsecretsProvider: passphrase\ndefaults:\n  roleName: AccessAnalyzerDeployer\n  providerMode: single\n  regions: ${regionList}\naccounts:\n${ids.map((id) => `  - { id: "${id}" }`).join("\n")}\n`,
    );
    const fleet = async (...args: string[]) => {
      // --force-engine: this section compares the engine's runs (the nightly section, the fast path).
      const result = await world.runFleet([
        "up",
        "--fleet",
        file,
        "--concurrency",
        "1",
        "--force-engine",
        ...args,
      ]);
      if (result.code !== 0) {
        throw new Error(
          `fleet up ${args.join(" ")} ended ${result.code}: ${result.stderr.slice(-2000)}`,
        );
      }
    };
    await fleet(); // the first up of every stack, with the fleet's own config
    const stackName = `acct-${ids[0]}`;
    const compiled = await compileProgram(world.workDir);
    fs.copyFileSync(
      path.join(world.workDir, `Pulumi.${stackName}.yaml`),
      path.join(compiled, `Pulumi.${stackName}.yaml`),
    );
    const bare = (cwd: string) =>
      run(
        world.command.command,
        ["up", "--skip-preview", "--yes", "--stack", stackName, "--non-interactive"],
        { cwd, env: { ...process.env, ...world.env }, maxBuffer: 1 << 26 },
      );
    const stack = await LocalWorkspace.selectStack(
      { stackName, workDir: world.workDir },
      { envVars: world.env, pulumiCommand: world.command },
    );
    const samples: Record<string, number[]> = {};
    const busy = new Set<string>();
    const sample = async (key: string, fn: () => Promise<unknown>) => {
      const m = await measure(fn, world.fakePid);
      (samples[key] ??= []).push(m.seconds);
      if (m.busy) busy.add(key);
    };
    for (let i = 0; i < options.repeats; i++) {
      process.stderr.write(`bench: overhead, round ${i + 1} of ${options.repeats}\n`);
      await sample("bareCliUp", () => bare(world.workDir));
      await sample("bareCliUpCompiled", () => bare(compiled));
      await sample("automationApiUp", () => stack.up(quiet));
      await sample("runnerUp", () => leanUp(stack, quiet));
      await sample("stackExport", () => stack.exportStack());
      await sample("fleetOneAccount", () => fleet("--accounts", ids[0]));
      await sample("fleetAllAccounts", () => fleet());
    }
    const m = (key: string) => median(samples[key]);
    // Each fleet run logs into a folder of its own, each stack under its full name.
    const logs = path.join(world.tmp, "logs");
    const log = fs
      .readdirSync(logs, { recursive: true, encoding: "utf8" })
      .filter((f) => f.endsWith(logFileName(stackName)))
      .map((f) => fs.readFileSync(path.join(logs, f), "utf8"))
      .join("");
    const reads = [...log.matchAll(/before the engine: state and account read in (\d+) ms/g)];
    const perStack = (m("fleetAllAccounts") - m("fleetOneAccount")) / Math.max(1, accounts - 1);
    return {
      regions,
      accounts,
      bareCliUp: round(m("bareCliUp")),
      bareCliUpCompiled: round(m("bareCliUpCompiled")),
      automationApiUp: round(m("automationApiUp")),
      runnerUp: round(m("runnerUp")),
      stackExport: round(m("stackExport")),
      preEngineRead: round(median(reads.map((r) => Number(r[1]) / 1000))),
      fleetOneAccount: round(m("fleetOneAccount")),
      fleetAllAccounts: round(m("fleetAllAccounts")),
      fleetPerStack: round(perStack),
      fleetStartup: round(m("fleetOneAccount") - perStack),
      busy: [...busy],
    } satisfies OverheadRow;
  } finally {
    await world.close();
  }
}

/** The fleet's first `up` of N accounts (creation), with the default memory budget. */
interface FleetRow extends Measure {
  mode: Mode;
  concurrency: number;
  accounts: number;
  accountsPerMinute: number;
  exitCode: number | null;
}

async function benchFleet(mode: Mode, concurrency: number, options: Options): Promise<FleetRow> {
  const ids = Array.from({ length: options.accounts }, (_, i) => String(250000000000 + i));
  const world = await World.start({
    label: `bench-fleet-${mode}-${concurrency}`,
    accounts: ids.map((id) => ({ id })),
    fakeAwsProcess: true,
  });
  try {
    await world.admin.setLatency({ ms: options.latencyMs });
    const regions = options.quick ? `\n  regions: ["us-east-1"]` : "";
    const file = world.writeFleetFile(
      "fleet.yaml",
      `backend: file://./state\nsecretsProvider: passphrase\ndefaults:\n  roleName: AccessAnalyzerDeployer\n  providerMode: ${mode}${regions}\naccounts:\n${ids.map((id) => `  - { id: "${id}" }`).join("\n")}\n`,
    );
    let exitCode: number | null = null;
    // The default memory budget (no --plugin-memory): what a user's run gets.
    const { pluginRss, ...m } = await measure(async () => {
      const run = await world.runFleet([
        "up",
        "--fleet",
        file,
        "--concurrency",
        String(concurrency),
      ]);
      exitCode = run.code;
      if (run.code !== 0) process.stderr.write(run.stderr.slice(-2000));
    }, world.fakePid);
    void pluginRss;
    return {
      mode,
      concurrency,
      accounts: ids.length,
      ...m,
      accountsPerMinute: round((ids.length / m.seconds) * 60),
      exitCode,
    };
  } finally {
    await world.close();
  }
}

/** A row of the sections below: one labelled measurement, repeated. */
interface Row extends Repeated {
  section: string;
  label: string;
  /** Accounts (or items) it covered, for per-unit figures. */
  units?: number;
  /** What the row ran, for the reader. */
  note?: string;
}

/** What a section gets: the options and a place for its rows. */
interface SectionContext {
  readonly options: Options;
  readonly row: (row: Row) => void;
}

/** Fleet file text for N accounts in single provider mode; `regions` absent: every enabled one. */
function singleModeFleet(ids: readonly string[], regions?: readonly string[]): string {
  const r = regions ? `\n  regions: ${JSON.stringify(regions)}` : "";
  return (
    `backend: file://./state\nsecretsProvider: passphrase\ndefaults:\n  roleName: AccessAnalyzerDeployer\n` +
    `  providerMode: single${r}\naccounts:\n${ids.map((id) => `  - { id: "${id}" }`).join("\n")}\n`
  );
}

/**
 * The nightly run: N accounts (default 48) in single provider mode over every default region
 * (quick: 1 region), the default memory budget and concurrency. Their first `up` (creation) once;
 * then `up` with nothing changed, which the fast path reports `unchanged (verified)` without the
 * engine (it fails the bench when an account was not); then `audit` of the same accounts.
 */
async function benchNightly(ctx: SectionContext): Promise<void> {
  const { options } = ctx;
  const n = options.nightlyAccounts;
  const ids = Array.from({ length: n }, (_, i) => String(270000000000 + i));
  const world = await World.start({
    label: "bench-nightly",
    accounts: ids.map((id) => ({ id })),
    fakeAwsProcess: true,
  });
  try {
    await world.admin.setLatency({ ms: options.latencyMs });
    const regions = options.quick ? ["us-east-1"] : undefined;
    const R = regions?.length ?? DEFAULT_REGIONS.length;
    const file = world.writeFleetFile("fleet.yaml", singleModeFleet(ids, regions));
    const fleet = async (...args: string[]) => {
      const run = await world.runFleet([...args, "--fleet", file]);
      if (run.code !== 0) {
        throw new Error(`fleet ${args.join(" ")} ended ${run.code}: ${run.stderr.slice(-2000)}`);
      }
      return run;
    };
    const label = `${n} accounts × ${R} region(s), single`;
    const once = async (fn: () => Promise<unknown>) => measured(1, fn, world.fakePid);
    ctx.row({
      section: "nightly",
      label: `first up (creation), ${label}`,
      units: n,
      ...(await once(() => fleet("up"))),
    });
    ctx.row({
      section: "nightly",
      label: `nightly up, nothing changed (fast path), ${label}`,
      units: n,
      note: "every account unchanged (verified), no engine",
      ...(await measured(
        options.repeats,
        async () => {
          const run = await fleet("up");
          const verified = (run.report?.results ?? []).filter((r) =>
            (r.notes ?? []).some((x) => x.status === "unchanged-verified"),
          ).length;
          if (verified !== n) {
            throw new Error(`the nightly up verified ${verified} of ${n} accounts unchanged`);
          }
        },
        world.fakePid,
      )),
    });
    ctx.row({
      section: "nightly",
      label: `nightly up --force-engine, nothing changed (the engine everywhere), ${label}`,
      units: n,
      note: "what each account cost before the fast path",
      ...(await measured(options.repeats, () => fleet("up", "--force-engine"), world.fakePid)),
    });
    ctx.row({
      section: "audit",
      label: `audit, ${label}`,
      units: n,
      ...(await measured(options.repeats, () => fleet("audit"), world.fakePid)),
    });
  } finally {
    await world.close();
  }
}

/**
 * `fleet --help` through the published bin (dist/fleet/cli.js, as the package installs it: the
 * code transpiled to JavaScript beside a copy of package.json) and through `npm run fleet`'s
 * ts-node: what every command pays before it starts.
 */
async function benchHelp(ctx: SectionContext): Promise<void> {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), "bench-bin-"));
  try {
    // Transpiled file by file (what tsc emits for these sources; the type check is npm test's).
    // eslint-disable-next-line @typescript-eslint/no-require-imports
    const ts = require("typescript") as typeof import("typescript");
    const compilerOptions = {
      module: ts.ModuleKind.CommonJS,
      target: ts.ScriptTarget.ES2022,
      esModuleInterop: true,
    };
    for (const folder of ["fleet", "components", "program"]) {
      const files = fs
        .readdirSync(path.join(ROOT, folder), { recursive: true, encoding: "utf8" })
        .filter((f) => f.endsWith(".ts") && !f.endsWith(".d.ts"));
      for (const f of files) {
        const source = fs.readFileSync(path.join(ROOT, folder, f), "utf8");
        const out = path.join(dir, "dist", folder, f.replace(/\.ts$/, ".js"));
        fs.mkdirSync(path.dirname(out), { recursive: true });
        fs.writeFileSync(out, ts.transpileModule(source, { compilerOptions }).outputText);
      }
    }
    for (const f of ["package.json", "Pulumi.yaml"]) {
      fs.copyFileSync(path.join(ROOT, f), path.join(dir, f));
    }
    fs.copyFileSync(path.join(ROOT, "Pulumi.yaml"), path.join(dir, "dist", "Pulumi.yaml"));
    fs.symlinkSync(path.join(ROOT, "node_modules"), path.join(dir, "node_modules"));
    const help = async (args: string[], cwd = dir) => {
      const { stdout } = await run(process.execPath, [...args, "--help"], { cwd });
      if (!/Usage:/.test(stdout))
        throw new Error(`--help printed no usage: ${stdout.slice(0, 200)}`);
    };
    const repeats = Math.max(ctx.options.repeats, 5);
    ctx.row({
      section: "help",
      label: "fleet --help, published bin (node dist/fleet/cli.js)",
      note: "goal: ≤ 0.5 CPU-s",
      ...(await measured(repeats, () => help([path.join(dir, "dist", "fleet", "cli.js")]))),
    });
    ctx.row({
      section: "help",
      label: "fleet --help, ts-node (npm run fleet's path)",
      ...(await measured(repeats, () =>
        help(
          [
            "-r",
            require.resolve("ts-node/register/transpile-only"),
            path.join(ROOT, "fleet", "cli.ts"),
          ],
          ROOT,
        ),
      )),
    });
  } finally {
    fs.rmSync(dir, { recursive: true, force: true });
  }
}

/** The issue's goal for each ratio, by its path in `ratios`. */
const GOALS: Record<string, string> = {
  singleVsPerRegionNoChangeUpSpeedup: "≥ 2",
  singleVsPerRegionPeakRss: "≥ 3",
  singleVsPerRegionPeakRssScaledToRealPlugin: "≥ 8",
  "noChangeUpVsEmptyPreview.single": "≤ 1.5",
  fleetPerStackVsBareCli: "≤ 1.10",
  "fleet.per-region.accountsPerMinuteC4VsC1": "≥ 1.6",
  "fleet.single.accountsPerMinuteC4VsC1": "≥ 1.6",
  "nightly.cpuPerAccountVsNoChangeUp": "≤ 0.10",
  "nightly.cpuPerAccountVsForcedEngine": "≤ 0.10",
  "nightly.minutesFor500Accounts": "≤ 5",
  "help.publishedBinCpuSeconds": "≤ 0.5",
  // Organization discovery (scripts/bench-discovery.ts): paced concurrent read over one call at a time.
  discoveryPacedVsSerial: DISCOVERY_GOAL,
};

/** The ratios as markdown table rows (nested ones by their dotted path), with their goals. */
function ratioRows(ratios: object, prefix = ""): string[] {
  return Object.entries(ratios).flatMap(([key, value]) =>
    value !== null && typeof value === "object"
      ? ratioRows(value as object, `${prefix}${key}.`)
      : [`| ${prefix}${key} | ${String(value)} | ${GOALS[prefix + key] ?? ""} |`],
  );
}

/** The sections, in the order they run; `--only` names them. */
const SECTION_NAMES = ["stacks", "overhead", "fleet", "nightly", "help", "discovery"];

/** Marks a busy row in the tables. */
const flag = (m: { busy: boolean }) => (m.busy ? " ⚠" : "");

async function main(): Promise<void> {
  const options = parseArgs(process.argv.slice(2));
  const runs = (name: string) => options.only === undefined || options.only.includes(name);
  const regionCounts = options.regionCounts ?? (options.quick ? [1] : [1, 4, 17]);
  const concurrencies = options.quick ? [1, 2] : [1, 2, 4];
  const log = (line: string) => process.stderr.write(`${line}\n`);
  const startedAt = Date.now();
  const loadAtStart = os.loadavg();

  const pluginRss: number[] = [];
  const stacks: StackRow[] = [];
  let emptyPreview: Measure | undefined;
  if (runs("stacks")) {
    for (const regions of regionCounts) {
      for (const mode of MODES) {
        log(`bench: one stack, ${regions} region(s), ${mode}…`);
        stacks.push(await benchStack(regions, mode, options, pluginRss));
      }
    }
    log("bench: empty program preview…");
    emptyPreview = await benchEmptyPreview();
  }
  let overhead: OverheadRow | undefined;
  if (runs("overhead")) {
    const overheadAccounts = options.quick ? 2 : 4;
    log(`bench: fleet overhead over the bare CLI, ${overheadAccounts} accounts, single…`);
    overhead = await benchOverhead(Math.max(...regionCounts), overheadAccounts, options);
  }
  const fleet: FleetRow[] = [];
  if (runs("fleet")) {
    for (const mode of MODES) {
      for (const concurrency of concurrencies) {
        log(`bench: fleet of ${options.accounts}, ${mode}, concurrency ${concurrency}…`);
        fleet.push(await benchFleet(mode, concurrency, options));
      }
    }
  }
  const rows: Row[] = [];
  const ctx: SectionContext = { options, row: (r) => rows.push(r) };
  if (runs("nightly")) {
    log(`bench: nightly run of ${options.nightlyAccounts} accounts, and audit…`);
    await benchNightly(ctx);
  }
  if (runs("help")) {
    log("bench: fleet --help…");
    await benchHelp(ctx);
  }
  let discovery: Awaited<ReturnType<typeof benchDiscovery>> | undefined;
  if (runs("discovery")) {
    log("bench: organization discovery, one call at a time and paced…");
    discovery = await benchDiscovery({ latencyMs: options.latencyMs, quick: options.quick });
  }

  const R = Math.max(...regionCounts);
  const at = (mode: Mode) => stacks.find((s) => s.regions === R && s.mode === mode);
  const fleetAt = (mode: Mode, c: number) =>
    fleet.find((f) => f.mode === mode && f.concurrency === c);
  const standInMB = Math.round(median(pluginRss) / 1024 ** 2);
  const perRegion = at("per-region");
  const single = at("single");
  const scaled = (s: StackRow, mb: number) =>
    Math.round(s.noChangeUp.peakRssMB + s.noChangeUp.peakPlugins * (mb - standInMB));
  const rowOf = (section: string, starts: string) =>
    rows.find((r) => r.section === section && r.label.startsWith(starts));
  const nightly = rowOf("nightly", "nightly up, nothing changed");
  const forced = rowOf("nightly", "nightly up --force-engine");
  const published = rowOf("help", "fleet --help, published");
  const ratios = {
    regions: R,
    ...(perRegion && single && emptyPreview
      ? {
          singleVsPerRegionNoChangeUpSpeedup: round(
            perRegion.noChangeUp.seconds / single.noChangeUp.seconds,
          ),
          singleVsPerRegionPeakRss: round(
            perRegion.noChangeUp.peakRssMB / single.noChangeUp.peakRssMB,
          ),
          singleVsPerRegionPeakRssScaledToRealPlugin: round(
            scaled(perRegion, REAL_PLUGIN_MB.high) / scaled(single, REAL_PLUGIN_MB.high),
          ),
          noChangeUpVsEmptyPreview: {
            "per-region": round(perRegion.noChangeUp.seconds / emptyPreview.seconds),
            single: round(single.noChangeUp.seconds / emptyPreview.seconds),
          },
        }
      : {}),
    // The issue's "fleet's overhead per stack over the bare CLI" (goal ≤ 1.10), with and without
    // the bot's fixed start-up; and the program compiled against ts-node.
    ...(overhead
      ? {
          fleetPerStackVsBareCli: round(overhead.fleetPerStack / overhead.bareCliUp),
          fleetOneAccountVsBareCli: round(overhead.fleetOneAccount / overhead.bareCliUp),
          runnerUpVsAutomationApiUp: round(overhead.runnerUp / overhead.automationApiUp),
          compiledVsTsNodeNoChangeUp: round(overhead.bareCliUpCompiled / overhead.bareCliUp),
        }
      : {}),
    ...(fleet.length > 0
      ? {
          fleet: Object.fromEntries(
            MODES.map((mode) => {
              const c1 = fleetAt(mode, 1);
              const top = concurrencies[concurrencies.length - 1];
              const cTop = fleetAt(mode, top);
              const oneStack = at(mode)?.firstUp.seconds;
              return [
                mode,
                {
                  [`accountsPerMinuteC${top}VsC1`]:
                    c1 && cTop ? round(cTop.accountsPerMinute / c1.accountsPerMinute) : null,
                  // Fleet wall time against N × one stack's first up / concurrency (quick mode's
                  // fleet covers 1 region, so compare it with the R = 1 stack).
                  ...(oneStack
                    ? {
                        wallVsIdeal: Object.fromEntries(
                          fleet
                            .filter((f) => f.mode === mode)
                            .map((f) => [
                              `c${f.concurrency}`,
                              round(f.seconds / ((f.accounts * oneStack) / f.concurrency)),
                            ]),
                        ),
                      }
                    : {}),
                },
              ];
            }),
          ),
        }
      : {}),
    ...(nightly?.units
      ? {
          nightly: {
            cpuSecondsPerAccount: round(nightly.cpuSeconds / nightly.units, 3),
            secondsPerAccount: round(nightly.seconds / nightly.units, 3),
            // Against the engine's no-change up of one stack, single mode, R regions (CPU-seconds
            // of the CLI, language host, program and plugin).
            ...(single
              ? {
                  cpuPerAccountVsNoChangeUp: round(
                    nightly.cpuSeconds / nightly.units / single.noChangeUp.cpuSeconds,
                    3,
                  ),
                }
              : {}),
            // Against the same run with the engine everywhere (same accounts, same bot).
            ...(forced?.units
              ? {
                  cpuPerAccountVsForcedEngine: round(
                    nightly.cpuSeconds / nightly.units / (forced.cpuSeconds / forced.units),
                    3,
                  ),
                }
              : {}),
            // Extrapolated linearly from the measured run (its start-up included once per run,
            // so counted 500/N times too often: an overestimate).
            minutesFor500Accounts: round(((nightly.seconds / nightly.units) * 500) / 60, 1),
          },
        }
      : {}),
    ...(published ? { help: { publishedBinCpuSeconds: published.cpuSeconds } } : {}),
    ...(discovery ? { discoveryPacedVsSerial: discovery.pacedVsSerial } : {}),
  };

  const busyRows = [
    ...stacks.flatMap((s) =>
      (["firstUp", "noChangeUp", "preview"] as const)
        .filter((k) => s[k].busy)
        .map((k) => `stack R=${s.regions} ${s.mode} ${k}`),
    ),
    ...(emptyPreview?.busy ? ["empty program preview"] : []),
    ...(overhead?.busy ?? []).map((k) => `overhead ${k}`),
    ...fleet.filter((f) => f.busy).map((f) => `fleet ${f.mode} c${f.concurrency}`),
    ...rows.filter((r) => r.busy).map((r) => `${r.section}: ${r.label}`),
  ];

  const report = {
    schemaVersion: 4,
    quick: options.quick,
    ...(options.only ? { only: options.only } : {}),
    startedAt: new Date(startedAt).toISOString(),
    durationSeconds: round((Date.now() - startedAt) / 1000, 1),
    machine: {
      cpus: os.cpus().length,
      cpuModel: os.cpus()[0]?.model ?? "unknown",
      totalMemoryMB: Math.round(os.totalmem() / 1024 ** 2),
      node: process.version,
      platform: `${os.platform()} ${os.release()}`,
      loadAverageAtStart: loadAtStart,
      loadAverageAtEnd: os.loadavg(),
    },
    latencyMsPerAwsCall: options.latencyMs,
    repeats: options.repeats,
    busyCores: BUSY_CORES,
    busyRows,
    plugin: {
      standInMedianRssMB: standInMB,
      // The harness, in this process: not counted in any row's peak RSS (fake-aws runs apart).
      harnessRssMB: Math.round(TreeSampler.selfPeakRssBytes / 1024 ** 2),
      realPublishedRssMB: REAL_PLUGIN_MB,
    },
    stacks,
    ...(emptyPreview ? { emptyPreview } : {}),
    ...(overhead ? { overhead } : {}),
    fleet,
    rows,
    ...(discovery ? { discovery } : {}),
    ratios,
  };
  fs.mkdirSync(path.dirname(options.out), { recursive: true });
  fs.writeFileSync(options.out, `${JSON.stringify(report, null, 2)}\n`);

  const cell = (m: Repeated) => `${m.seconds} (${m.spread[0]}–${m.spread[1]})${flag(m)}`;
  const lines = [
    `machine: ${report.machine.cpus} × ${report.machine.cpuModel}, ${report.machine.totalMemoryMB} MB; latency ${options.latencyMs} ms per AWS call; ` +
      `medians of ${options.repeats} (spread in brackets); ⚠ = other work above ${BUSY_CORES} core(s) during the row`,
    "",
  ];
  if (stacks.length > 0 && emptyPreview) {
    lines.push(
      "| regions | mode | first up s | no-change up s | no-change up CPU s | preview s | peak RSS MB | plugins |",
      "| --- | --- | --- | --- | --- | --- | --- | --- |",
      ...stacks.map(
        (s) =>
          `| ${s.regions} | ${s.mode} | ${s.firstUp.seconds}${flag(s.firstUp)} | ${cell(s.noChangeUp)} | ${s.noChangeUp.cpuSeconds} | ${cell(s.preview)} | ${s.noChangeUp.peakRssMB} | ${s.noChangeUp.peakPlugins} |`,
      ),
      `| – | empty program | – | – | – | ${emptyPreview.seconds}${flag(emptyPreview)} | ${emptyPreview.peakRssMB} | ${emptyPreview.peakPlugins} |`,
      "",
    );
  }
  if (overhead) {
    lines.push(
      `| no-change up of 1 stack, ${overhead.regions} region(s), single (median of ${options.repeats}) | s |`,
      "| --- | --- |",
      `| bare CLI \`pulumi up\`, ts-node program | ${overhead.bareCliUp} |`,
      `| bare CLI, compiled JavaScript program | ${overhead.bareCliUpCompiled} |`,
      `| Automation API \`Stack.up()\` | ${overhead.automationApiUp} |`,
      `| fleet runner's up (event log) | ${overhead.runnerUp} |`,
      `| \`pulumi stack export\` alone | ${overhead.stackExport} |`,
      `| fleet read before the engine (state ∥ account) | ${overhead.preEngineRead} |`,
      `| fleet bot, \`up --force-engine --accounts <one>\` (start-up included) | ${overhead.fleetOneAccount} |`,
      `| fleet bot, ${overhead.accounts} accounts at concurrency 1, --force-engine | ${overhead.fleetAllAccounts} |`,
      `| fleet, per further stack | ${overhead.fleetPerStack} |`,
      `| fleet, fixed start-up | ${overhead.fleetStartup} |`,
      "",
    );
  }
  if (fleet.length > 0) {
    lines.push(
      "| fleet first up (creation), default memory | concurrency | accounts | wall s | CPU s | fake-aws CPU s | accounts/min | peak RSS MB | plugins |",
      "| --- | --- | --- | --- | --- | --- | --- | --- | --- |",
      ...fleet.map(
        (f) =>
          `| ${f.mode} | ${f.concurrency} | ${f.accounts} | ${f.seconds}${flag(f)} | ${f.cpuSeconds} | ${f.fakeAwsCpuSeconds} | ${f.accountsPerMinute} | ${f.peakRssMB} | ${f.peakPlugins} |`,
      ),
      "",
    );
  }
  if (rows.length > 0) {
    lines.push(
      "| section | row | wall s | CPU s | fake-aws CPU s | per unit: s, CPU s | peak RSS MB | other work, cores |",
      "| --- | --- | --- | --- | --- | --- | --- | --- |",
      ...rows.map(
        (r) =>
          `| ${r.section} | ${r.label}${r.note ? ` (${r.note})` : ""} | ${cell(r)} | ${r.cpuSeconds} | ${r.fakeAwsCpuSeconds} | ` +
          `${r.units ? `${round(r.seconds / r.units, 3)}, ${round(r.cpuSeconds / r.units, 3)}` : "–"} | ${r.peakRssMB} | ${r.otherCores} |`,
      ),
      "",
    );
  }
  if (discovery) lines.push(...discoveryLines(discovery), "");
  lines.push(
    `stand-in plugin: ${standInMB} MB per process (median); real plugin: ${REAL_PLUGIN_MB.low}–${REAL_PLUGIN_MB.high} MB; ` +
      `the harness (not in the rows): ${Math.round(TreeSampler.selfPeakRssBytes / 1024 ** 2)} MB`,
    "",
    "| ratio (one run) | value | goal |",
    "| --- | --- | --- |",
    ...ratioRows(ratios),
    "",
    `JSON: ${path.relative(process.cwd(), options.out)}`,
    "",
  );
  process.stdout.write(lines.join("\n"));
  if (busyRows.length > 0) {
    log(
      `bench: WARNING: ${busyRows.length} row(s) ran while other work used more than ${BUSY_CORES} core(s); ` +
        `their times are not to be trusted (load average ${loadAtStart[0].toFixed(1)} at the start, ` +
        `${os.loadavg()[0].toFixed(1)} at the end):\n  ${busyRows.join("\n  ")}`,
    );
  }
  if (fleet.some((f) => f.exitCode !== 0) || discovery?.sameResult === false) process.exitCode = 1;
}

main().catch((error: unknown) => {
  process.stderr.write(`bench failed: ${error instanceof Error ? error.stack : String(error)}\n`);
  process.exitCode = 1;
});
