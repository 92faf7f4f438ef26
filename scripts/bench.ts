// `npm run bench`: a benchmark, not a test. The real Pulumi engine runs the real program with the
// stand-in `pulumi-resource-aws` plugin against fake-aws (tests/e2e/harness.ts), with a fixed
// latency on every AWS call. It prints a table and writes JSON (reports/bench.json by default).
//
//   npm run bench                     # R = 1, 4, 17 in both modes, fleet N = 12 at concurrency 1, 2, 4
//   npm run bench -- --quick          # the CI smoke set: R = 1, fleet N = 2 at concurrency 1, 2
//   npm run bench -- --accounts 6 --latency-ms 30 --repeats 3 --out reports/bench.json
//
// Memory is the peak resident memory of the process tree below this process (the CLI, the language
// host, the program, every plugin, and the fleet bot where one runs), sampled from /proc. This
// process itself hosts fake-aws (AWS, in production) and the harness: its own RSS is reported apart
// (`harnessRssMB`), not in the rows.

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
/** Each no-change measurement runs this many times by default; the report holds the median. */
const DEFAULT_REPEATS = 2;
type Mode = (typeof MODES)[number];

interface Options {
  quick: boolean;
  accounts: number;
  latencyMs: number;
  /** Runs of each no-change measurement (`--repeats`); the median is reported. */
  repeats: number;
  out: string;
}

function parseArgs(argv: string[]): Options {
  const options: Options = {
    quick: false,
    accounts: 12,
    latencyMs: DEFAULT_LATENCY_MS,
    repeats: DEFAULT_REPEATS,
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
    else if (arg === "--out") options.out = path.resolve(value());
    else
      throw new Error(
        `unknown option ${arg}; use --quick, --accounts N, --latency-ms N, --repeats N, --out FILE`,
      );
  }
  if (options.quick && !argv.includes("--accounts")) options.accounts = 2;
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

interface Measure {
  seconds: number;
  peakRssMB: number;
  peakPlugins: number;
}

async function measure(fn: () => Promise<unknown>): Promise<Measure & { pluginRss: number[] }> {
  const sampler = new TreeSampler().start();
  const started = process.hrtime.bigint();
  try {
    await fn();
  } finally {
    sampler.stop();
  }
  return {
    seconds: Number(process.hrtime.bigint() - started) / 1e9,
    peakRssMB: Math.round(sampler.peakRssBytes / 1024 ** 2),
    peakPlugins: sampler.peakPlugins,
    pluginRss: [...sampler.pluginRss.values()],
  };
}

/** Runs `fn` `times` times in a row. */
async function repeat<T>(times: number, fn: () => Promise<T>): Promise<T[]> {
  const results: T[] = [];
  for (let i = 0; i < times; i++) results.push(await fn());
  return results;
}

/** The median of each field of repeated measurements. */
function medianMeasure(runs: Measure[]): Measure {
  return {
    seconds: median(runs.map((r) => r.seconds)),
    peakRssMB: median(runs.map((r) => r.peakRssMB)),
    peakPlugins: median(runs.map((r) => r.peakPlugins)),
  };
}

const quiet = { onOutput: () => undefined, color: "never" as const };
const round = (n: number, digits = 2) => Math.round(n * 10 ** digits) / 10 ** digits;

interface StackRow {
  regions: number;
  mode: Mode;
  firstUp: Measure;
  noChangeUp: Measure;
  preview: Measure;
}

async function benchStack(regions: number, mode: Mode, options: Options, pluginRss: number[]) {
  const world = await World.start({
    label: `bench-${mode}-${regions}`,
    accounts: [{ id: "240000000001" }],
  });
  try {
    await world.admin.setLatency({ ms: options.latencyMs });
    const settings: AnalyzerSettings = {
      regions: [...DEFAULT_REGIONS].sort().slice(0, regions),
      providerMode: mode,
    };
    const stack = await world.stack("240000000001", settings);
    const keep = ({ pluginRss: rss, ...m }: Measure & { pluginRss: number[] }) => {
      pluginRss.push(...rss);
      return { ...m, seconds: round(m.seconds) };
    };
    // `up` as the fleet runs it (fleet/run/leanUp.ts), not `Stack.up()` and its three CLI reads after.
    const firstUp = keep(await measure(() => leanUp(stack, quiet)));
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
          }),
        ),
      ),
    );
    const preview = medianMeasure(
      await repeat(options.repeats, async () =>
        keep(await measure(() => stack.preview({ ...quiet, expectNoChanges: true }))),
      ),
    );
    return { regions, mode, firstUp, noChangeUp, preview } satisfies StackRow;
  } finally {
    await world.close();
  }
}

/** The floor every stack pays: `preview` of a program that declares nothing, on the same engine. */
async function benchEmptyPreview(): Promise<Measure> {
  const world = await World.start({ label: "bench-empty", accounts: [] });
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
    const m = await measure(() => stack.preview(quiet));
    return { seconds: round(m.seconds), peakRssMB: m.peakRssMB, peakPlugins: m.peakPlugins };
  } finally {
    await world.close();
  }
}

const run = promisify(execFile);

/** Seconds `fn` takes. */
async function timed(fn: () => Promise<unknown>): Promise<number> {
  const started = process.hrtime.bigint();
  await fn();
  return Number(process.hrtime.bigint() - started) / 1e9;
}

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
  const world = await World.start({ label: "bench-overhead", accounts: ids.map((id) => ({ id })) });
  try {
    await world.admin.setLatency({ ms: options.latencyMs });
    const regionList = JSON.stringify([...DEFAULT_REGIONS].sort().slice(0, regions));
    const file = world.writeFleetFile(
      "fleet.yaml",
      `backend: file://./state\nsecretsProvider: passphrase\ndefaults:\n  roleName: AccessAnalyzerDeployer\n  providerMode: single\n  regions: ${regionList}\naccounts:\n${ids.map((id) => `  - { id: "${id}" }`).join("\n")}\n`,
    );
    const fleet = async (...args: string[]) => {
      const result = await world.runFleet(["up", "--fleet", file, "--concurrency", "1", ...args]);
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
    const sample = async (key: string, fn: () => Promise<unknown>) =>
      (samples[key] ??= []).push(await timed(fn));
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
    } satisfies OverheadRow;
  } finally {
    await world.close();
  }
}

interface FleetRow {
  mode: Mode;
  concurrency: number;
  accounts: number;
  seconds: number;
  accountsPerMinute: number;
  peakRssMB: number;
  peakPlugins: number;
  exitCode: number | null;
}

async function benchFleet(mode: Mode, concurrency: number, options: Options): Promise<FleetRow> {
  const ids = Array.from({ length: options.accounts }, (_, i) => String(250000000000 + i));
  const world = await World.start({
    label: `bench-fleet-${mode}-${concurrency}`,
    accounts: ids.map((id) => ({ id })),
  });
  try {
    await world.admin.setLatency({ ms: options.latencyMs });
    const regions = options.quick ? `\n  regions: ["us-east-1"]` : "";
    const file = world.writeFleetFile(
      "fleet.yaml",
      `backend: file://./state\nsecretsProvider: passphrase\ndefaults:\n  roleName: AccessAnalyzerDeployer\n  providerMode: ${mode}${regions}\naccounts:\n${ids.map((id) => `  - { id: "${id}" }`).join("\n")}\n`,
    );
    let exitCode: number | null = null;
    // --plugin-memory: the stand-in's size, so the budget admits what --concurrency asks here.
    const m = await measure(async () => {
      const run = await world.runFleet([
        "up",
        "--fleet",
        file,
        "--concurrency",
        String(concurrency),
        "--plugin-memory",
        "100",
      ]);
      exitCode = run.code;
      if (run.code !== 0) process.stderr.write(run.stderr.slice(-2000));
    });
    return {
      mode,
      concurrency,
      accounts: ids.length,
      seconds: round(m.seconds),
      accountsPerMinute: round((ids.length / m.seconds) * 60),
      peakRssMB: m.peakRssMB,
      peakPlugins: m.peakPlugins,
      exitCode,
    };
  } finally {
    await world.close();
  }
}

function median(values: number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted.length === 0 ? 0 : sorted[Math.floor(sorted.length / 2)];
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
};

/** The ratios as markdown table rows (nested ones by their dotted path), with their goals. */
function ratioRows(ratios: object, prefix = ""): string[] {
  return Object.entries(ratios).flatMap(([key, value]) =>
    value !== null && typeof value === "object"
      ? ratioRows(value as object, `${prefix}${key}.`)
      : [`| ${prefix}${key} | ${String(value)} | ${GOALS[prefix + key] ?? ""} |`],
  );
}

async function main(): Promise<void> {
  const options = parseArgs(process.argv.slice(2));
  const regionCounts = options.quick ? [1] : [1, 4, 17];
  const concurrencies = options.quick ? [1, 2] : [1, 2, 4];
  const log = (line: string) => process.stderr.write(`${line}\n`);
  const startedAt = Date.now();

  const pluginRss: number[] = [];
  const stacks: StackRow[] = [];
  for (const regions of regionCounts) {
    for (const mode of MODES) {
      log(`bench: one stack, ${regions} region(s), ${mode}…`);
      stacks.push(await benchStack(regions, mode, options, pluginRss));
    }
  }
  log("bench: empty program preview…");
  const emptyPreview = await benchEmptyPreview();
  const overheadAccounts = options.quick ? 2 : 4;
  log(`bench: fleet overhead over the bare CLI, ${overheadAccounts} accounts, single…`);
  const overhead = await benchOverhead(Math.max(...regionCounts), overheadAccounts, options);
  const fleet: FleetRow[] = [];
  for (const mode of MODES) {
    for (const concurrency of concurrencies) {
      log(`bench: fleet of ${options.accounts}, ${mode}, concurrency ${concurrency}…`);
      fleet.push(await benchFleet(mode, concurrency, options));
    }
  }

  const R = Math.max(...regionCounts);
  const at = (mode: Mode) => stacks.find((s) => s.regions === R && s.mode === mode)!;
  const fleetAt = (mode: Mode, c: number) =>
    fleet.find((f) => f.mode === mode && f.concurrency === c);
  const standInMB = Math.round(median(pluginRss) / 1024 ** 2);
  const perRegion = at("per-region");
  const single = at("single");
  const scaled = (s: StackRow, mb: number) =>
    Math.round(s.noChangeUp.peakRssMB + s.noChangeUp.peakPlugins * (mb - standInMB));
  const singleStackSeconds = (mode: Mode) => at(mode).firstUp.seconds;
  const ratios = {
    regions: R,
    singleVsPerRegionNoChangeUpSpeedup: round(
      perRegion.noChangeUp.seconds / single.noChangeUp.seconds,
    ),
    singleVsPerRegionPeakRss: round(perRegion.noChangeUp.peakRssMB / single.noChangeUp.peakRssMB),
    singleVsPerRegionPeakRssScaledToRealPlugin: round(
      scaled(perRegion, REAL_PLUGIN_MB.high) / scaled(single, REAL_PLUGIN_MB.high),
    ),
    noChangeUpVsEmptyPreview: {
      "per-region": round(perRegion.noChangeUp.seconds / emptyPreview.seconds),
      single: round(single.noChangeUp.seconds / emptyPreview.seconds),
    },
    // The issue's "fleet's overhead per stack over the bare CLI" (goal ≤ 1.10), with and without
    // the bot's fixed start-up; and the program compiled against ts-node.
    fleetPerStackVsBareCli: round(overhead.fleetPerStack / overhead.bareCliUp),
    fleetOneAccountVsBareCli: round(overhead.fleetOneAccount / overhead.bareCliUp),
    runnerUpVsAutomationApiUp: round(overhead.runnerUp / overhead.automationApiUp),
    compiledVsTsNodeNoChangeUp: round(overhead.bareCliUpCompiled / overhead.bareCliUp),
    fleet: Object.fromEntries(
      MODES.map((mode) => {
        const c1 = fleetAt(mode, 1);
        const top = concurrencies[concurrencies.length - 1];
        const cTop = fleetAt(mode, top);
        return [
          mode,
          {
            [`accountsPerMinuteC${top}VsC1`]:
              c1 && cTop ? round(cTop.accountsPerMinute / c1.accountsPerMinute) : null,
            // Fleet wall time against N × one stack's first up / concurrency (quick mode's fleet
            // covers 1 region, so compare it with the R = 1 stack).
            wallVsIdeal: Object.fromEntries(
              fleet
                .filter((f) => f.mode === mode)
                .map((f) => [
                  `c${f.concurrency}`,
                  round(f.seconds / ((f.accounts * singleStackSeconds(mode)) / f.concurrency)),
                ]),
            ),
          },
        ];
      }),
    ),
  };

  const report = {
    schemaVersion: 3,
    quick: options.quick,
    startedAt: new Date(startedAt).toISOString(),
    durationSeconds: round((Date.now() - startedAt) / 1000, 1),
    machine: {
      cpus: os.cpus().length,
      cpuModel: os.cpus()[0]?.model ?? "unknown",
      totalMemoryMB: Math.round(os.totalmem() / 1024 ** 2),
      node: process.version,
      platform: `${os.platform()} ${os.release()}`,
      loadAverageAtStart: os.loadavg(),
    },
    latencyMsPerAwsCall: options.latencyMs,
    repeats: options.repeats,
    plugin: {
      standInMedianRssMB: standInMB,
      // fake-aws and the harness, in this process: not counted in any row's peak RSS.
      harnessRssMB: Math.round(TreeSampler.selfPeakRssBytes / 1024 ** 2),
      realPublishedRssMB: REAL_PLUGIN_MB,
    },
    stacks,
    emptyPreview,
    overhead,
    fleet,
    ratios,
  };
  fs.mkdirSync(path.dirname(options.out), { recursive: true });
  fs.writeFileSync(options.out, `${JSON.stringify(report, null, 2)}\n`);

  const rows = stacks.map(
    (s) =>
      `| ${s.regions} | ${s.mode} | ${s.firstUp.seconds} | ${s.noChangeUp.seconds} | ${s.preview.seconds} | ${s.noChangeUp.peakRssMB} | ${s.noChangeUp.peakPlugins} |`,
  );
  const fleetRows = fleet.map(
    (f) =>
      `| ${f.mode} | ${f.concurrency} | ${f.accounts} | ${f.seconds} | ${f.accountsPerMinute} | ${f.peakRssMB} | ${f.peakPlugins} |`,
  );
  process.stdout.write(
    [
      `machine: ${report.machine.cpus} × ${report.machine.cpuModel}, ${report.machine.totalMemoryMB} MB; latency ${options.latencyMs} ms per AWS call`,
      "",
      "| regions | mode | first up s | no-change up s | preview s | peak RSS MB | plugins |",
      "| --- | --- | --- | --- | --- | --- | --- |",
      ...rows,
      `| – | empty program | – | – | ${emptyPreview.seconds} | ${emptyPreview.peakRssMB} | ${emptyPreview.peakPlugins} |`,
      "",
      `| no-change up of 1 stack, ${overhead.regions} region(s), single (median of ${options.repeats}) | s |`,
      "| --- | --- |",
      `| bare CLI \`pulumi up\`, ts-node program | ${overhead.bareCliUp} |`,
      `| bare CLI, compiled JavaScript program | ${overhead.bareCliUpCompiled} |`,
      `| Automation API \`Stack.up()\` | ${overhead.automationApiUp} |`,
      `| fleet runner's up (event log) | ${overhead.runnerUp} |`,
      `| \`pulumi stack export\` alone | ${overhead.stackExport} |`,
      `| fleet read before the engine (state ∥ account) | ${overhead.preEngineRead} |`,
      `| fleet bot, \`up --accounts <one>\` (start-up included) | ${overhead.fleetOneAccount} |`,
      `| fleet bot, ${overhead.accounts} accounts at concurrency 1 | ${overhead.fleetAllAccounts} |`,
      `| fleet, per further stack | ${overhead.fleetPerStack} |`,
      `| fleet, fixed start-up | ${overhead.fleetStartup} |`,
      "",
      "| fleet mode | concurrency | accounts | wall s | accounts/min | peak RSS MB | plugins |",
      "| --- | --- | --- | --- | --- | --- | --- |",
      ...fleetRows,
      "",
      `stand-in plugin: ${standInMB} MB per process (median); real plugin: ${REAL_PLUGIN_MB.low}–${REAL_PLUGIN_MB.high} MB; ` +
        `fake-aws and the harness (not in the rows): ${Math.round(TreeSampler.selfPeakRssBytes / 1024 ** 2)} MB`,
      "| ratio (one run) | value | goal |",
      "| --- | --- | --- |",
      ...ratioRows(ratios),
      `JSON: ${path.relative(process.cwd(), options.out)}`,
      "",
    ].join("\n"),
  );
  if (fleet.some((f) => f.exitCode !== 0)) process.exitCode = 1;
}

main().catch((error: unknown) => {
  process.stderr.write(`bench failed: ${error instanceof Error ? error.stack : String(error)}\n`);
  process.exitCode = 1;
});
