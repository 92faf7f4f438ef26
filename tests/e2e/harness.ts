// The one harness for the end-to-end tests: the real Pulumi CLI and engine, the real program,
// component and fleet bot, against fake-aws (in this process) and the stand-in aws plugin.
//
// Each World owns a temp folder holding a COPY of the program (stack files and state never touch
// the repo), a file:// backend, its own PULUMI_HOME and a fake with a "tooling" account whose
// long-term keys are the base credentials; every target account is reached by assuming its
// AccessAnalyzerDeployer role, exactly as the fleet does: stacks are opened and configured by the
// fleet runner's own code (fleet/run/automation.ts openStack, writeStackConfig).

import { spawn } from "node:child_process";
import { randomBytes } from "node:crypto";
import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";

import { PulumiCommand, type OpMap, type Stack } from "@pulumi/pulumi/automation";

import type { FleetReport } from "../../fleet/domain/results";
import { localStackOpener, openStack, writeStackConfig } from "../../fleet/run/automation";
import { markedProcesses } from "../../fleet/run/reaper";
import type { AnalyzerSettings } from "../../fleet/settings/schema";
import {
  FakeAwsAdminClient,
  policyDocumentSchema,
  startFakeAws,
  type AccountConfig,
  type FakeAws,
  type OrganizationConfig,
  type PolicyDocument,
} from "../harness/fake-aws";
import { PLUGIN_BIN_DIR } from "../harness/provider/client";

export const ROOT = path.resolve(__dirname, "../..");
export const TOOLING_ACCOUNT = "999999999999";
export const ROLE_NAME = "AccessAnalyzerDeployer";
/** Regions every fake account has enabled (fake-aws DEFAULT_REGIONS). */
export const DEFAULT_REGION_COUNT = 17;

/** The program files copied into each World (never the tests, never state). */
const PROGRAM_FILES = [
  "Pulumi.yaml",
  "index.ts",
  "program",
  "components",
  "tsconfig.json",
  "package.json",
];

let binDir: Promise<string> | undefined;

/**
 * The directory holding `pulumi` and `pulumi-language-nodejs` (scripts/ensure-pulumi.sh, once per
 * process; a cold build takes about 8 minutes, a warm one 30 ms).
 */
export function pulumiBinDir(): Promise<string> {
  binDir ??= new Promise((resolve, reject) => {
    // Progress (a cold build prints what it is doing for minutes) goes straight to our stderr.
    const child = spawn(path.join(ROOT, "scripts", "ensure-pulumi.sh"), [], {
      cwd: ROOT,
      stdio: ["ignore", "pipe", "inherit"],
    });
    let stdout = "";
    child.stdout.setEncoding("utf8").on("data", (t: string) => (stdout += t));
    child.on("error", reject);
    child.on("close", (code) => {
      if (code === 0) resolve(stdout.trim().split("\n").pop() ?? "");
      else reject(new Error(`scripts/ensure-pulumi.sh failed with exit code ${code}`));
    });
  });
  return binDir;
}

/** A target account of the fake. */
export interface E2eAccount {
  readonly id: string;
  readonly name?: string;
  /** Opt-in regions the account has enabled. */
  readonly optedInRegions?: string[];
  /**
   * How the AccessAnalyzerDeployer role treats the tooling account: `trusted` (default),
   * `untrusted` (the role trusts another account) or `missing` (no such role).
   */
  readonly role?: "trusted" | "untrusted" | "missing";
  /** The external id the role's trust policy requires (sts:ExternalId). */
  readonly externalId?: string;
  /**
   * The shipped policy files (`policies/*.json`) attached to the role, exactly as shipped.
   * @default DEFAULT_ROLE_POLICIES (the role deploys with `up` and reads with `audit`/`findings`)
   */
  readonly policies?: readonly string[];
  /** Position in the fake's organization (fake-aws accounts file): default none. */
  readonly orgRole?: AccountConfig["orgRole"];
  /** OU path under the root ("Workloads/Prod") or OU id. */
  readonly ou?: string;
  /** Organizations status (default ACTIVE). */
  readonly status?: AccountConfig["status"];
}

/** The fake-aws account of an e2e account: its AccessAnalyzerDeployer role and its organization place. */
export function e2eAccountConfig(a: E2eAccount): AccountConfig {
  return {
    id: a.id,
    ...(a.name !== undefined ? { name: a.name } : {}),
    optedInRegions: a.optedInRegions ?? [],
    roles:
      a.role === "missing"
        ? []
        : [
            {
              name: ROLE_NAME,
              trustedAccountIds: [a.role === "untrusted" ? a.id : TOOLING_ACCOUNT],
              ...(a.externalId !== undefined ? { externalId: a.externalId } : {}),
              policies: (a.policies ?? DEFAULT_ROLE_POLICIES).map(shippedPolicy),
            },
          ],
    ...(a.orgRole !== undefined ? { orgRole: a.orgRole } : {}),
    ...(a.ou !== undefined ? { ou: a.ou } : {}),
    ...(a.status !== undefined ? { status: a.status } : {}),
  };
}

/** The deployer and the read-only audit/findings policy: the e2e role does both jobs. */
export const DEFAULT_ROLE_POLICIES: readonly string[] = ["deployer.json", "audit.json"];

/** A shipped policy document, parsed as fake-aws parses role policies. */
export function shippedPolicy(file: string): PolicyDocument {
  const text = fs.readFileSync(path.join(ROOT, "policies", file), "utf8");
  return policyDocumentSchema.parse(JSON.parse(text));
}

/**
 * What the suite's roles were allowed to do, gathered from every World when it closes: for each
 * role, the shipped policy files attached to it and the IAM actions fake-aws authorised for it.
 * Read by tests/e2e/zz-policy-coverage.test.ts.
 */
export const policyUsage: { roleArn: string; policies: readonly string[]; actions: string[] }[] =
  [];

export interface WorldOptions {
  readonly accounts: readonly E2eAccount[];
  /** The fake's organization (accounts with an `orgRole` form it; see the fake's README). */
  readonly organization?: OrganizationConfig;
  /** A label for the temp folder. */
  readonly label: string;
  /**
   * Run fake-aws in a process of its own (`World.fakePid`), as AWS is elsewhere: its CPU is then
   * not this process's (`npm run bench` reports it apart). `restartFake` and `fake.state` need
   * the fake in this process.
   */
  readonly fakeAwsProcess?: boolean;
  /**
   * The partition every account of the World lives in (fake-aws `partition`): the bot's own
   * region and the role ARNs follow it. Default `aws`.
   */
  readonly partition?: Partition;
}

/**
 * fake-aws in a child process (tests/harness/fake-aws/main.ts), reached through its URLs only.
 * `state` is not available: use the admin API (`World.admin`).
 */
async function startFakeAwsProcess(config: unknown): Promise<FakeAws & { pid: number }> {
  const child = spawn(
    process.execPath,
    [
      "-r",
      require.resolve("ts-node/register/transpile-only"),
      path.join(ROOT, "tests", "harness", "fake-aws", "main.ts"),
      "--config-json",
      JSON.stringify(config),
      "--port",
      "0",
    ],
    {
      stdio: ["ignore", "pipe", "inherit"],
      env: { ...process.env, TS_NODE_PROJECT: path.join(ROOT, "tsconfig.json") },
    },
  );
  const line = await new Promise<string>((resolve, reject) => {
    let out = "";
    child.on("error", reject);
    child.on("exit", (code) => reject(new Error(`fake-aws ended with exit code ${code}`)));
    child.stdout.setEncoding("utf8").on("data", (t: string) => {
      out += t;
      if (out.includes("\n")) resolve(out.slice(0, out.indexOf("\n")));
    });
  });
  child.removeAllListeners("exit");
  const { url, adminUrl } = JSON.parse(line) as { url: string; adminUrl: string };
  const exited = new Promise<void>((resolve) => child.on("exit", () => resolve()));
  return {
    url,
    adminUrl,
    port: Number(new URL(url).port),
    pid: child.pid ?? -1,
    get state(): never {
      throw new Error("fake-aws runs in its own process: use the admin API");
    },
    close: async () => {
      child.kill("SIGTERM");
      await exited;
    },
  };
}

/** The AWS partitions fake-aws serves. */
export type Partition = "aws" | "aws-us-gov" | "aws-cn";

/** The bot's own region in each partition (its `AWS_REGION`). */
const HOME_REGION: Readonly<Record<Partition, string>> = {
  aws: "us-east-1",
  "aws-us-gov": "us-gov-west-1",
  "aws-cn": "cn-north-1",
};

/** Variables that must not leak from the developer's shell into the engine or the plugins. */
const SCRUBBED = [
  "AWS_PROFILE",
  "AWS_DEFAULT_PROFILE",
  "AWS_SESSION_TOKEN",
  "AWS_DEFAULT_REGION",
  "AWS_CONFIG_FILE",
  "AWS_SHARED_CREDENTIALS_FILE",
  "AWS_ROLE_ARN",
  "AWS_WEB_IDENTITY_TOKEN_FILE",
  "PULUMI_IGNORE_AMBIENT_PLUGINS",
  "PULUMI_ACCESS_TOKEN",
  "PULUMI_BACKEND_URL",
  "PULUMI_CONFIG_PASSPHRASE_FILE",
];

/** The result of a spawned fleet run. */
export interface FleetRun {
  /** The bot's pid (its run's processes: processesOfRun). */
  readonly pid: number;
  readonly code: number | null;
  readonly signal: NodeJS.Signals | null;
  readonly stdout: string;
  readonly stderr: string;
  /** The JSON report (`--report`), if written. */
  readonly report?: FleetReport;
}

export interface FleetOptions {
  /** Where `--report` writes (default: a new file in the World's temp folder). */
  readonly reportFile?: string;
  /** Called with each line of the bot's stderr (progress) as it arrives. */
  readonly onStderrLine?: (line: string) => void;
}

export interface FleetChild {
  readonly pid: number;
  readonly done: Promise<FleetRun>;
  /** Everything written to stderr so far. */
  stderr(): string;
  /** Whether the process has ended. */
  exited(): boolean;
  kill(signal: NodeJS.Signals): void;
}

/** Change counts of one Pulumi operation, with the names the Automation API uses. */
export type Changes = Record<string, number>;

export class World {
  private readonly children = new Set<FleetChild>();
  private fleetRuns = 0;
  /** The fake's admin API: out-of-band changes and the state the assertions read. */
  readonly admin: FakeAwsAdminClient;

  private constructor(
    /** The running fake (replaced by `restartFake`). */
    public fake: FakeAws,
    /** The temp folder: program copy in `program/`, state in `state/`, home in `home/`. */
    readonly tmp: string,
    /** The copy of the program (`--work-dir`). */
    readonly workDir: string,
    /** Environment of every Pulumi command and fleet run (holds the fake tooling keys). */
    readonly env: Record<string, string>,
    readonly command: PulumiCommand,
    /** Role ARN → the shipped policy files attached to it. */
    private readonly attachedPolicies: ReadonlyMap<string, readonly string[]> = new Map(),
  ) {
    this.admin = new FakeAwsAdminClient(fake.url);
  }

  /** fake-aws's process id, when it runs in a process of its own (`fakeAwsProcess`). */
  get fakePid(): number | undefined {
    return "pid" in this.fake && typeof this.fake.pid === "number" ? this.fake.pid : undefined;
  }

  /** Starts the fake, copies the program and builds the environment. */
  static async start(options: WorldOptions): Promise<World> {
    const bin = await pulumiBinDir();
    const tmp = fs.mkdtempSync(path.join(os.tmpdir(), `aa-e2e-${options.label}-`));
    const workDir = path.join(tmp, "program");
    fs.mkdirSync(workDir);
    for (const entry of PROGRAM_FILES) {
      fs.cpSync(path.join(ROOT, entry), path.join(workDir, entry), { recursive: true });
    }
    fs.symlinkSync(path.join(ROOT, "node_modules"), path.join(workDir, "node_modules"));
    for (const dir of ["state", "home", "logs"]) fs.mkdirSync(path.join(tmp, dir));

    // Fresh keys per World: nothing to leak, and never printed.
    const accessKeyId = `AKIA${randomBytes(8).toString("hex").toUpperCase()}`;
    const secretAccessKey = randomBytes(30).toString("base64");
    const partition = options.partition ?? "aws";
    const inPartition = partition === "aws" ? {} : { partition };
    const accounts: AccountConfig[] = [
      {
        id: TOOLING_ACCOUNT,
        ...inPartition,
        name: "tooling",
        // Enables no opt-in region: STS in an opt-in region rejects this account's keys, so the
        // program must assume roles through a default-enabled region (the component's stsRegion).
        accessKeys: [{ accessKeyId, secretAccessKey, userName: "access-analyzer-fleet-bot" }],
      },
      ...options.accounts.map((a) => ({ ...e2eAccountConfig(a), ...inPartition })),
    ];
    const config = {
      accounts,
      ...(options.organization ? { organization: options.organization } : {}),
    };
    const fake = options.fakeAwsProcess
      ? await startFakeAwsProcess(config)
      : await startFakeAws({ config });
    const attached = new Map(
      options.accounts
        .filter((a) => a.role !== "missing")
        .map((a) => [World.roleArn(a.id, partition), a.policies ?? DEFAULT_ROLE_POLICIES] as const),
    );

    for (const key of SCRUBBED) delete process.env[key];
    const env: Record<string, string> = {
      PATH: `${PLUGIN_BIN_DIR}:${bin}:${process.env.PATH ?? ""}`,
      PULUMI_BACKEND_URL: `file://${path.join(tmp, "state")}`,
      PULUMI_CONFIG_PASSPHRASE: "e2e-only",
      PULUMI_SKIP_UPDATE_CHECK: "true",
      PULUMI_DISABLE_AUTOMATIC_PLUGIN_ACQUISITION: "true",
      PULUMI_HOME: path.join(tmp, "home"),
      // The unit suite type-checks the program; here ts-node only transpiles (see docs/TESTING.md).
      PULUMI_NODEJS_TRANSPILE_ONLY: process.env.E2E_TYPECHECK === "true" ? "false" : "true",
      PULUMI_AWS_STANDIN_QUIET: "true",
      AWS_ENDPOINT_URL: fake.url,
      AWS_ACCESS_KEY_ID: accessKeyId,
      AWS_SECRET_ACCESS_KEY: secretAccessKey,
      AWS_REGION: HOME_REGION[partition],
      AWS_EC2_METADATA_DISABLED: "true",
    };
    const command = await PulumiCommand.get({ root: path.dirname(bin) });
    return new World(fake, tmp, workDir, env, command, attached);
  }

  /**
   * An AWS outage: stops the fake (open connections dropped, then connection refused) for `downMs`
   * and starts it again on the same port with the same state.
   */
  async restartFake(downMs: number): Promise<void> {
    const { state, port } = this.fake;
    await this.fake.close();
    await new Promise((r) => setTimeout(r, downMs));
    this.fake = await startFakeAws({ state, port });
  }

  /** The role the fleet assumes in an account. */
  static roleArn(accountId: string, partition: Partition = "aws"): string {
    return `arn:${partition}:iam::${accountId}:role/${ROLE_NAME}`;
  }

  /**
   * The account's stack of the program copy, with the `access-analyzer:*` config the fleet would
   * write (assumeRoles + allowedAccountIds) for these settings.
   */
  async stack(accountId: string, settings: AnalyzerSettings = {}): Promise<Stack> {
    const opener = localStackOpener(this.workDir, () =>
      Promise.resolve({ envVars: this.env, pulumiCommand: this.command }),
    );
    const stack = await openStack(opener, `acct-${accountId}`, "create-or-select");
    await this.configure(stack, accountId, settings);
    return stack;
  }

  /**
   * Replaces the stack's `access-analyzer:*` config with the fleet's config for `settings`, with
   * the fleet runner's own code (stale keys removed, the rest set); `adopt` is the program's
   * `adopt` key, as a person (or the bot) sets it.
   */
  async configure(
    stack: Stack,
    accountId: string,
    settings: AnalyzerSettings,
    adopt: Record<string, string> = {},
  ): Promise<void> {
    await writeStackConfig(
      stack,
      {
        accountId,
        stack: stack.name,
        access: { roleArn: World.roleArn(accountId), sessionName: "access-analyzer-e2e" },
        settings,
      },
      adopt,
    );
  }

  /** Region → ARN of every analyzer the fake holds for the account (admin API). */
  async analyzersInFake(accountId: string): Promise<Record<string, string>> {
    const analyzers = await this.admin.listAnalyzers(accountId);
    return Object.fromEntries(
      analyzers.map((a) => [a.region, a.arn] as const).sort(([a], [b]) => a.localeCompare(b)),
    );
  }

  /** Every region the account has enabled in the fake, sorted (admin API). */
  async enabledRegions(accountId: string): Promise<string[]> {
    const snapshot = await this.admin.state();
    const account = snapshot.accounts.find((a) => a.id === accountId);
    if (!account) throw new Error(`fake-aws has no account ${accountId}`);
    return [...account.enabledRegions].sort();
  }

  /** Writes a fleet file into the temp folder and returns its path. */
  writeFleetFile(name: string, text: string): string {
    const file = path.join(this.tmp, name);
    fs.writeFileSync(file, text);
    return file;
  }

  /**
   * Starts the real fleet CLI (`fleet/cli.ts` through ts-node, as `npm run fleet` does) in a
   * process group of its own, on the program copy, with a report file.
   */
  startFleet(args: readonly string[], options: FleetOptions = {}): FleetChild {
    const run = ++this.fleetRuns;
    const reportFile = options.reportFile ?? path.join(this.tmp, `report-${run}.json`);
    const child = spawn(
      process.execPath,
      [
        "-r",
        require.resolve("ts-node/register/transpile-only"),
        path.join(ROOT, "fleet", "cli.ts"),
        ...args,
        // `audit`, `findings` and `validate` run no program and write no engine logs.
        ...(args[0] === "audit" || args[0] === "findings" || args[0] === "validate"
          ? []
          : ["--work-dir", this.workDir, "--log-dir", path.join(this.tmp, "logs")]),
        // `findings` writes its own report (`--format`, `--output`); `validate` prints its own.
        ...(args[0] === "findings" || args[0] === "validate" ? [] : ["--report", reportFile]),
      ],
      {
        cwd: this.tmp,
        env: { ...process.env, ...this.env, TS_NODE_PROJECT: path.join(ROOT, "tsconfig.json") },
        stdio: ["ignore", "pipe", "pipe"],
        detached: true,
      },
    );
    let stdout = "";
    let stderr = "";
    let exited = false;
    child.stdout.setEncoding("utf8").on("data", (t: string) => (stdout += t));
    let partial = "";
    child.stderr.setEncoding("utf8").on("data", (t: string) => {
      stderr += t;
      if (options.onStderrLine) {
        const lines = (partial + t).split("\n");
        partial = lines.pop() ?? "";
        lines.forEach(options.onStderrLine);
      }
    });
    const done = new Promise<FleetRun>((resolve, reject) => {
      child.on("error", reject);
      child.on("close", (code, signal) => {
        exited = true;
        this.children.delete(handle);
        const report = fs.existsSync(reportFile)
          ? (JSON.parse(fs.readFileSync(reportFile, "utf8")) as FleetReport)
          : undefined;
        resolve({
          pid: child.pid ?? -1,
          code,
          signal,
          stdout,
          stderr,
          ...(report ? { report } : {}),
        });
      });
    });
    const handle: FleetChild = {
      pid: child.pid ?? -1,
      done,
      stderr: () => stderr,
      exited: () => exited,
      kill: (signal) => child.kill(signal),
    };
    this.children.add(handle);
    return handle;
  }

  /** Runs the fleet CLI to the end. */
  runFleet(args: readonly string[], options: FleetOptions = {}): Promise<FleetRun> {
    return this.startFleet(args, options).done;
  }

  /** Stack names whose lock files remain in the file backend (a lock left behind blocks `up`). */
  lockedStacks(): string[] {
    const locks = path.join(this.tmp, "state", ".pulumi", "locks");
    if (!fs.existsSync(locks)) return [];
    return fs
      .readdirSync(locks, { recursive: true, withFileTypes: true })
      .filter((e) => e.isFile() && e.name.endsWith(".json"))
      .map((e) => path.relative(locks, path.join(e.parentPath, e.name)));
  }

  /** Stops the fake and any fleet still running, and removes the temp folder. */
  async close(): Promise<void> {
    for (const child of this.children) {
      try {
        process.kill(-child.pid, "SIGKILL");
      } catch {
        // already gone
      }
    }
    const authorized =
      this.fakePid !== undefined
        ? await this.admin.authorizedActions()
        : this.fake.state.authorizedActionsView();
    for (const [roleArn, policies] of this.attachedPolicies) {
      policyUsage.push({ roleArn, policies, actions: authorized[roleArn] ?? [] });
    }
    await this.fake.close();
    if (process.env.E2E_KEEP_TMP !== "true") {
      fs.rmSync(this.tmp, { recursive: true, force: true });
    }
  }
}

/** The counts of an operation, zeros dropped, for exact comparisons. */
export function changes(opMap: OpMap | undefined): Changes {
  return Object.fromEntries(
    Object.entries(opMap ?? {}).filter((e): e is [string, number] => (e[1] ?? 0) > 0),
  );
}

/**
 * The processes still running for a fleet run (engines, language hosts, programs, plugins): every
 * process whose environment carries the run marker of the bot with this pid (fleet/run/reaper.ts).
 */
export function processesOfRun(botPid: number): { pid: number; command: string }[] {
  return markedProcesses((marker) => marker.startsWith(`${botPid}-`)).map((pid) => {
    let command = "?";
    try {
      command = fs.readFileSync(`/proc/${pid}/cmdline`, "latin1").split("\0").join(" ").trim();
    } catch {
      // ended meanwhile
    }
    return { pid, command };
  });
}

/** Waits until `check` holds, polling. */
export async function waitFor(
  what: string,
  check: () => boolean,
  timeoutMs = 120_000,
): Promise<void> {
  const until = Date.now() + timeoutMs;
  while (!check()) {
    if (Date.now() > until) throw new Error(`timed out after ${timeoutMs} ms waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 100));
  }
}
