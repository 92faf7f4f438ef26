import * as assert from "assert";
import * as fs from "fs";
import * as os from "os";
import * as path from "path";
import {
  findProgramDir,
  main,
  packageVersion,
  processDeps,
  type CliDeps,
} from "../../../fleet/cli";
import {
  OrganizationReadError,
  OrganizationThrottledError,
} from "../../../fleet/domain/organization";
import type { FleetReport } from "../../../fleet/domain/results";
import type { StackRunner, StackRunnerOptions } from "../../../fleet/domain/runner";
import type { BackendSource, SetupCheck } from "../../../fleet/domain/setup";
import type { Target } from "../../../fleet/settings/schema";
import { FakeRunner, orgAccount, type Script } from "./helpers";

const FLEET = `
secretsProvider: awskms://alias/fleet?region=eu-west-1
backend: file://./state
defaults:
  roleName: AccessAnalyzerDeployer
accounts:
  - id: "111122223333"
    name: prod-eu
  - id: "444455556666"
    name: dev
  - id: "777788889999"
`;

interface Harness {
  deps: CliDeps;
  runner: FakeRunner;
  out: () => string;
  err: () => string;
  dir: string;
  runnerOptions: StackRunnerOptions[];
  signal: (name: "SIGINT" | "SIGTERM") => void;
  /** Signal handlers still subscribed. */
  listening: () => number;
  exits: number[];
}

function harness(
  scripts: Record<string, Script> = {},
  fleet = FLEET,
  interactive = false,
  env: Record<string, string> = {},
): Harness {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), "fleet-cli-"));
  fs.writeFileSync(path.join(dir, "Pulumi.yaml"), "name: access-analyzer\nruntime: nodejs\n");
  fs.writeFileSync(path.join(dir, "fleet.yaml"), fleet);
  let out = "";
  let err = "";
  const runner = new FakeRunner(scripts);
  const runnerOptions: StackRunnerOptions[] = [];
  const handlers: ((s: "SIGINT" | "SIGTERM") => void)[] = [];
  const exits: number[] = [];
  const deps: CliDeps = {
    version: "0.1.0-test",
    stdout: (t) => (out += t),
    stderr: (t) => (err += t),
    env,
    cwd: dir,
    memory: () => ({ total: 64 * 1024 ** 3, free: 64 * 1024 ** 3 }),
    createRunner: (options) => {
      runnerOptions.push(options);
      return runner;
    },
    onSignal: (h) => {
      handlers.push(h);
      return () => handlers.splice(handlers.indexOf(h), 1);
    },
    interactive,
    exit: (code) => exits.push(code),
    now: () => new Date(),
    programDir: dir,
  };
  return {
    deps,
    runner,
    out: () => out,
    err: () => err,
    dir,
    runnerOptions,
    signal: (name) => handlers.forEach((h) => h(name)),
    listening: () => handlers.length,
    exits,
  };
}

function readReport(h: Harness, file = "report.json"): FleetReport {
  return JSON.parse(fs.readFileSync(path.join(h.dir, file), "utf8")) as FleetReport;
}

describe("fleet CLI", () => {
  it("runs up on every account, prints a table and writes the JSON report; exit 0", async () => {
    const h = harness({
      "111122223333": { changes: { create: 18 }, regions: ["us-east-1", "eu-west-1"] },
    });
    const code = await main(["up", "--report", "report.json"], h.deps);
    assert.strictEqual(code, 0);
    assert.deepStrictEqual(
      h.runner.calls.map((c) => `${c.operation} ${c.accountId}`),
      ["up 111122223333", "up 444455556666", "up 777788889999"],
    );
    assert.match(h.out(), /prod-eu 111122223333\s+acct-111122223333\s+succeeded\s+18/);
    const report = readReport(h);
    assert.strictEqual(report.command, "up");
    assert.strictEqual(report.exitCode, 0);
    assert.strictEqual(report.totals.succeeded, 3);
    assert.deepStrictEqual(report.results[0].regions, ["us-east-1", "eu-west-1"]);
    assert.match(h.err(), /\[prod-eu 111122223333\] start up \(stack acct-111122223333\)/);
    assert.match(h.err(), /\[prod-eu 111122223333\] done succeeded: \+18/);
  });

  it("keeps engine output off stderr by default: a start and an end line per stack", async () => {
    const h = harness({
      "444455556666": {
        output: ["Updating (acct-4444)\n + aws:accessanalyzer/analyzer:Analyzer\n"],
      },
    });
    await main(["up", "--accounts", "dev"], h.deps);
    assert.doesNotMatch(h.err(), /Updating|aws:accessanalyzer/);
    assert.deepStrictEqual(
      h
        .err()
        .split("\n")
        .filter((l) => l.startsWith("[dev 444455556666]"))
        .map((l) => l.split(" ")[2]),
      ["start", "done"],
    );
  });

  it("with --verbose prefixes each engine output line with the account on stderr", async () => {
    const h = harness({
      "444455556666": {
        output: [
          "Updating (acct-4444)\n + aws:accessanalyzer/analyzer:Analyzer",
          " eu-west-1 created\n",
        ],
      },
    });
    await main(["up", "--accounts", "dev", "--verbose"], h.deps);
    assert.match(h.err(), /^\[dev 444455556666\] Updating \(acct-4444\)$/m);
    assert.match(
      h.err(),
      /^\[dev 444455556666\]  \+ aws:accessanalyzer\/analyzer:Analyzer eu-west-1 created$/m,
    );
  });

  it("up applies changed archive rules unless --no-apply-archive-rules; no other command does", async () => {
    const on = harness();
    await main(["up"], on.deps);
    assert.strictEqual(on.runnerOptions[0].archiveRules?.apply, true);
    const off = harness();
    await main(["up", "--no-apply-archive-rules"], off.deps);
    assert.strictEqual(off.runnerOptions[0].archiveRules?.apply, false);
    const preview = harness();
    await main(["preview"], preview.deps);
    assert.strictEqual(preview.runnerOptions[0].archiveRules, undefined);
    assert.strictEqual(await main(["preview", "--no-apply-archive-rules"], preview.deps), 3);
  });

  it("hands the runner the work dir, backend, secrets provider and a per-run log dir", async () => {
    const h = harness();
    await main(["preview", "--parallel", "4", "--refresh", "--shard", "2/3"], h.deps);
    const [options] = h.runnerOptions;
    assert.strictEqual(options.workDir, h.dir);
    assert.strictEqual(options.envVars.PULUMI_BACKEND_URL, `file://${path.join(h.dir, "state")}`);
    assert.strictEqual(options.secretsProvider, "awskms://alias/fleet?region=eu-west-1");
    assert.strictEqual(options.parallel, 4);
    assert.strictEqual(options.refresh, true);
    assert.ok(options.logDir.startsWith(path.join(h.dir, ".fleet-logs")));
    assert.match(options.logDir, /-preview-shard-2-of-3$/);
  });

  it("masks the bot's secrets and access key ids in the runner's output and in internal errors", async () => {
    const secret = "wJalrXUtnFEMI/K7MDENG/bPxRfiCYSECRETKEY";
    const h = harness({ "444455556666": { throws: `bug with ${secret}` } }, FLEET, false, {
      AWS_SECRET_ACCESS_KEY: secret,
    });
    await main(["up", "--report", "report.json"], h.deps);
    assert.strictEqual(
      h.runnerOptions[0].redact(`key AKIAIOSFODNN7EXAMPLE secret ${secret}`),
      "key AKIA**************** secret [redacted]",
    );
    const failed = readReport(h).results.find((r) => r.accountId === "444455556666");
    assert.strictEqual(failed?.error, "internal error: Error: bug with [redacted]");
    assert.ok(!h.err().includes(secret) && !h.out().includes(secret));
  });

  it("prints only the JSON report on stdout with --json", async () => {
    const h = harness();
    const code = await main(["outputs", "--json"], h.deps);
    assert.strictEqual(code, 0);
    const report = JSON.parse(h.out()) as FleetReport;
    assert.strictEqual(report.command, "outputs");
    assert.strictEqual(report.results.length, 3);
  });

  it("exits 1 when one account fails, and still runs the others", async () => {
    const h = harness({ "444455556666": { outcome: "failed", error: "error: AccessDenied" } });
    const code = await main(["up", "--report", "report.json"], h.deps);
    assert.strictEqual(code, 1);
    assert.strictEqual(h.runner.calls.length, 3);
    assert.match(h.err(), /\[dev 444455556666\] FAILED failed: error: AccessDenied/);
    assert.strictEqual(readReport(h).totals.failed, 1);
  });

  it("reports a locked stack as locked (exit 1) and carries on", async () => {
    const h = harness({
      "111122223333": { outcome: "locked", error: "stack acct-111122223333 is locked" },
    });
    const code = await main(["up", "--report", "report.json"], h.deps);
    assert.strictEqual(code, 1);
    const report = readReport(h);
    assert.strictEqual(report.results[0].outcome, "locked");
    assert.strictEqual(report.totals.succeeded, 2);
  });

  it("skips the rest after --failure-tolerance failures", async () => {
    const h = harness({ "111122223333": { outcome: "failed", error: "x" } });
    const code = await main(
      ["up", "--concurrency", "1", "--failure-tolerance", "1", "--report", "report.json"],
      h.deps,
    );
    assert.strictEqual(code, 1);
    assert.strictEqual(h.runner.calls.length, 1);
    assert.deepStrictEqual(
      readReport(h).results.map((r) => r.outcome),
      ["failed", "skipped", "skipped"],
    );
  });

  it("exits 2 on drift and 0 when nothing drifted", async () => {
    const drifted = harness({ "777788889999": { outcome: "drifted", changes: { create: 1 } } });
    assert.strictEqual(await main(["drift"], drifted.deps), 2);
    assert.strictEqual(drifted.runner.calls[0].operation, "drift");
    const clean = harness();
    assert.strictEqual(await main(["drift"], clean.deps), 0);
  });

  it("keeps at most --concurrency stacks in flight", async () => {
    const h = harness({
      "111122223333": { delayMs: 20 },
      "444455556666": { delayMs: 20 },
      "777788889999": { delayMs: 20 },
    });
    await main(["up", "--concurrency", "2"], h.deps);
    assert.strictEqual(h.runner.maxInFlight, 2);
  });

  describe("bad input: exit 3 and nothing runs", () => {
    const cases: [string, string[], RegExp, string?][] = [
      [
        "an invalid fleet file",
        ["up"],
        /fleet\.yaml: accounts\[1\]\.id: "12" is not an account id; use 12 digits/,
        'accounts:\n  - id: "111122223333"\n  - id: "12"\n',
      ],
      [
        "a missing fleet file",
        ["up", "--fleet", "nope.yaml"],
        /nope\.yaml: cannot read the fleet file/,
      ],
      ["an unknown account", ["up", "--accounts", "prod-eu,qa"], /no account with id or name "qa"/],
      ["a bad shard", ["up", "--shard", "4/3"], /1 ≤ K ≤ N/],
      [
        "a zero concurrency",
        ["up", "--concurrency", "0"],
        /option '--concurrency <n>' argument '0' is invalid\. must be a whole number from 1 to 1000/,
      ],
      [
        "an absurd --parallel",
        ["up", "--parallel", "5000"],
        /'--parallel <n>' argument '5000' is invalid\. must be a whole number from 1 to 1000/,
      ],
      ["a fractional --concurrency", ["up", "--concurrency", "1.5"], /'--concurrency <n>'/],
      [
        "a zero --failure-tolerance",
        ["up", "--failure-tolerance", "0"],
        /'--failure-tolerance <n>' argument '0' is invalid/,
      ],
      [
        "an absurd audit --region-concurrency",
        ["audit", "--region-concurrency", "101"],
        /'--region-concurrency <n>' argument '101' is invalid\. must be a whole number from 1 to 100/,
      ],
      ["an empty --accounts", ["up", "--accounts", " , "], /list account ids or names/],
      [
        "a --report under a file",
        ["up", "--report", "fleet.yaml/report.json"],
        /--report fleet\.yaml\/report\.json: .*fleet\.yaml is a file, not a folder; write the report somewhere else/,
      ],
      [
        "a --report that is a folder",
        ["up", "--report", "other"],
        /--report other: .*other is a folder; name a file, e.g. other\/report\.json/,
      ],
      [
        "an audit --report under a file",
        ["audit", "--report", "fleet.yaml/r.json"],
        /--report .*fleet\.yaml is a file, not a folder/,
      ],
      [
        "a --log-dir under a file",
        ["up", "--log-dir", "fleet.yaml/logs"],
        /--log-dir fleet\.yaml\/logs: .*fleet\.yaml is a file, not a folder; pick another folder/,
      ],
      [
        "a --pulumi-root without bin/pulumi",
        ["up", "--pulumi-root", "other"],
        /--pulumi-root .*other: no executable .*bin\/pulumi; pass the folder that holds bin\/pulumi/,
      ],
      [
        "a relative backend under a file",
        ["up"],
        /fleet\.yaml: backend file:\/\/\.\/fleet\.yaml\/state: .*fleet\.yaml is a file, not a folder; point backend at a folder/,
        'backend: file://./fleet.yaml/state\nsecretsProvider: awskms://alias/k?region=eu-west-1\naccounts:\n  - id: "111122223333"\n',
      ],
      ["a destroy without --yes", ["destroy", "--all"], /add --yes/],
      [
        "a destroy without a choice of accounts",
        ["destroy", "--yes"],
        /--accounts ID,NAME,… or --all/,
      ],
      [
        "--all with --accounts",
        ["destroy", "--yes", "--all", "--accounts", "dev"],
        /cannot be used together/,
      ],
      ["an unknown option", ["up", "--bogus"], /unknown option '--bogus'/],
      ["an unknown command", ["deploy"], /unknown command 'deploy'/],
      [
        "a missing passphrase",
        ["up"],
        /PULUMI_CONFIG_PASSPHRASE/,
        'backend: file://./s\naccounts:\n  - id: "111122223333"\n',
      ],
      ["a work dir of another project", ["up", "--work-dir", "other"], /project name is "other"/],
    ];
    for (const [name, argv, message, fleet] of cases) {
      it(`rejects ${name}`, async () => {
        const h = harness({}, fleet ?? FLEET);
        fs.mkdirSync(path.join(h.dir, "other"));
        fs.writeFileSync(
          path.join(h.dir, "other", "Pulumi.yaml"),
          "name: other\nruntime: nodejs\n",
        );
        let reads = 0;
        const code = await main(argv, {
          ...h.deps,
          createAccountReader: () => {
            reads++;
            throw new Error("no account may be read");
          },
        });
        assert.strictEqual(code, 3);
        assert.match(h.err(), message);
        assert.strictEqual(h.runner.calls.length, 0);
        assert.strictEqual(h.runnerOptions.length, 0);
        assert.strictEqual(reads, 0);
        assert.ok(!fs.existsSync(path.join(h.dir, "report.json")));
      });
    }
  });

  it("creates a missing relative file:// backend folder next to the fleet file", async () => {
    const h = harness();
    fs.mkdirSync(path.join(h.dir, "conf"));
    fs.renameSync(path.join(h.dir, "fleet.yaml"), path.join(h.dir, "conf", "fleet.yaml"));
    assert.strictEqual(await main(["up", "--fleet", "conf/fleet.yaml"], h.deps), 0);
    assert.ok(fs.statSync(path.join(h.dir, "conf", "state")).isDirectory());
    assert.strictEqual(
      h.runnerOptions[0].envVars.PULUMI_BACKEND_URL,
      `file://${path.join(h.dir, "conf", "state")}`,
    );
  });

  describe("the Pulumi set-up, checked before any stack starts", () => {
    const setup = (h: Harness, check: SetupCheck) => {
      const sources: BackendSource[] = [];
      Object.assign(h.runner, {
        checkSetup: (source: BackendSource) => {
          sources.push(source);
          return Promise.resolve(check);
        },
      });
      return sources;
    };

    for (const command of ["up", "preview", "drift", "outputs", "refresh"]) {
      it(`${command}: a set-up problem (no CLI, unreadable backend) exits 3 with nothing run`, async () => {
        const h = harness();
        const sources = setup(h, {
          problems: ["the Pulumi CLI was not found (pulumi on PATH): install it", "second"],
        });
        const code = await main([command], h.deps);
        assert.strictEqual(code, 3);
        assert.deepStrictEqual(h.runner.calls, []);
        assert.match(
          h.err(),
          /^the Pulumi CLI was not found \(pulumi on PATH\): install it\nsecond$/m,
        );
        assert.doesNotMatch(h.err(), /start|stack\(s\)/);
        assert.deepStrictEqual(sources, [{ fleetFile: "fleet.yaml", backend: "file://./state" }]);
      });
    }

    it("asks for the passphrase when only the CLI's login names a diy backend", async () => {
      const fleet = `accounts:\n  - id: "111122223333"\n`;
      const byLogin = harness({}, fleet);
      setup(byLogin, { problems: [], backendUrl: "file:///var/state" });
      assert.strictEqual(await main(["up"], byLogin.deps), 3);
      assert.deepStrictEqual(byLogin.runner.calls, []);
      assert.match(byLogin.err(), /PULUMI_CONFIG_PASSPHRASE/);

      const cloud = harness({}, fleet);
      setup(cloud, { problems: [], backendUrl: "https://api.pulumi.com" });
      assert.strictEqual(await main(["up"], cloud.deps), 0);

      const withPassphrase = harness({}, fleet, false, { PULUMI_CONFIG_PASSPHRASE: "x" });
      setup(withPassphrase, { problems: [], backendUrl: "file:///var/state" });
      assert.strictEqual(await main(["up"], withPassphrase.deps), 0);
      assert.strictEqual(withPassphrase.runner.calls.length, 1);
    });

    it("names PULUMI_BACKEND_URL as the backend's source when the fleet file has none", async () => {
      const h = harness(
        {},
        `secretsProvider: awskms://alias/k?region=eu-west-1\naccounts:\n  - id: "111122223333"\n`,
        false,
        { PULUMI_BACKEND_URL: "s3://bucket" },
      );
      const sources = setup(h, { problems: [] });
      assert.strictEqual(await main(["up"], h.deps), 0);
      assert.deepStrictEqual(sources, [{ fleetFile: "fleet.yaml", envUrl: "s3://bucket" }]);
    });
  });

  it("does not create an absolute file:// backend folder", async () => {
    const absolute = path.join(os.tmpdir(), `fleet-no-such-state-${process.pid}`);
    const h = harness(
      {},
      `backend: file://${absolute}\nsecretsProvider: awskms://alias/k?region=eu-west-1\naccounts:\n  - id: "111122223333"\n`,
    );
    await main(["up"], h.deps);
    assert.ok(!fs.existsSync(absolute));
  });

  it("ends each stack's end line with done/total, failures so far and the time left", async () => {
    const h = harness({ "444455556666": { outcome: "failed", error: "error: x" } });
    let clock = 0;
    const deps = { ...h.deps, now: () => new Date((clock += 60_000)) };
    await main(["up", "--concurrency", "1", "--json"], deps);
    const lines = h
      .err()
      .split("\n")
      .filter((l) => / \| \[\d+\/3\]/.test(l));
    assert.strictEqual(lines.length, 3);
    assert.match(lines[0], /\] done succeeded: .* \| \[1\/3\] 0 failed, ~\d+ min left$/);
    assert.match(lines[1], /\] FAILED failed: .* \| \[2\/3\] 1 failed, ~\d+ min left$/);
    assert.match(lines[2], /\] done succeeded: .* \| \[3\/3\] 1 failed, all done$/);
    assert.doesNotMatch(h.out(), /failed, /);
  });

  it("destroys only with --yes and an explicit choice", async () => {
    const h = harness();
    assert.strictEqual(await main(["destroy", "--yes", "--accounts", "777788889999"], h.deps), 0);
    assert.deepStrictEqual(h.runner.calls, [{ accountId: "777788889999", operation: "destroy" }]);
  });

  it("validate checks the file only and lists the selected accounts", async () => {
    const h = harness();
    assert.strictEqual(await main(["validate", "--shard", "1/3"], h.deps), 0);
    assert.match(h.out(), /fleet\.yaml: valid; 3 account\(s\), 1 selected/);
    assert.match(h.out(), /arn:aws:iam::111122223333:role\/AccessAnalyzerDeployer/);
    assert.strictEqual(h.runnerOptions.length, 0);
  });

  it("validate lists each account's stack, regions and credentials, and no organization", async () => {
    const h = harness(
      {},
      `secretsProvider: awskms://alias/k?region=eu-west-1
accounts:
  - id: "111122223333"
    roleArn: arn:aws:iam::111122223333:role/R
    regions: [eu-west-1, us-east-1]
  - id: "444455556666"
    profile: dev-profile
  - id: "777788889999"
`,
    );
    assert.strictEqual(await main(["validate"], h.deps), 0);
    const lines = h.out().split("\n");
    assert.match(lines[0], /^fleet\.yaml: valid; 3 account\(s\), 3 selected$/);
    assert.match(
      lines[1],
      /^  111122223333 +acct-111122223333 +eu-west-1,us-east-1  via arn:aws:iam::111122223333:role\/R$/,
    );
    assert.match(
      lines[2],
      /^  444455556666 +acct-444455556666 +enabled regions  via profile dev-profile$/,
    );
    assert.match(
      lines[3],
      /^  777788889999 +acct-777788889999 +enabled regions  via base credentials$/,
    );
    assert.strictEqual(lines.length, 5);
  });

  it("validate --json prints the file, validity and each selected target with its origin", async () => {
    const h = harness();
    assert.strictEqual(await main(["validate", "--json", "--accounts", "dev"], h.deps), 0);
    const json = JSON.parse(h.out()) as Record<string, unknown>;
    assert.deepStrictEqual(Object.keys(json), ["fleetFile", "valid", "targets"]);
    assert.strictEqual(json.fleetFile, "fleet.yaml");
    assert.strictEqual(json.valid, true);
    const [dev] = json.targets as (Target & { from: string })[];
    assert.strictEqual(dev.accountId, "444455556666");
    assert.strictEqual(dev.stack, "acct-444455556666");
    assert.strictEqual(dev.from, "fleet file");
  });

  describe("organization fleets", () => {
    const ORG_FLEET = `backend: file://./state\nsecretsProvider: awskms://alias/k?region=eu-west-1\ndefaults: { roleName: Deployer }\norganization:\n  delegatedAdministrator: { accountId: "222222222222" }\n`;
    const discoverAccounts = () =>
      Promise.resolve({
        organizationId: "o-abc1234567",
        managementAccountId: "111111111111",
        accounts: [
          orgAccount("222222222222", "Root/Security"),
          orgAccount("333333333333", "Root/Prod"),
        ],
        leftOut: [
          {
            ...orgAccount("444444444444", "Root/Prod"),
            status: "SUSPENDED",
            reason: "not-active" as const,
            detail: "state SUSPENDED",
          },
        ],
        warnings: [],
      });

    it("validate lists each account's OU path and what was left out, without running anything", async () => {
      const h = harness({}, ORG_FLEET);
      assert.strictEqual(await main(["validate"], { ...h.deps, discoverAccounts }), 0);
      assert.match(h.out(), /acct-333333333333 .* from Root\/Prod/);
      assert.match(h.out(), /444444444444 +not active +Root\/Prod +\(state SUSPENDED/);
      assert.strictEqual(h.runnerOptions.length, 0);
    });

    it("stops before any stack when Organizations throttles through every retry: exit 5 (the environment), not a usage error", async () => {
      const h = harness({}, ORG_FLEET);
      const throttled = () =>
        Promise.reject(
          new OrganizationThrottledError(
            "ListAccountsForParent",
            10,
            31_000,
            "the bot's own credentials",
          ),
        );
      assert.strictEqual(await main(["up"], { ...h.deps, discoverAccounts: throttled }), 5);
      assert.match(
        h.err(),
        /ListAccountsForParent as the bot's own credentials: AWS Organizations answered TooManyRequestsException 10 times over 31 s.*\n.*nothing was run: run again later\n$/,
      );
      assert.strictEqual(h.runnerOptions.length, 0);
    });

    it("validate heads the list with the organization, says each account's origin and the warnings", async () => {
      const h = harness({}, ORG_FLEET);
      const warned = () =>
        discoverAccounts().then((found) => ({ ...found, warnings: ["OU ou-gone not found"] }));
      await main(["validate"], { ...h.deps, discoverAccounts: warned });
      const lines = h.out().split("\n");
      assert.strictEqual(
        lines[0],
        "organization o-abc1234567 (management account 111111111111): 3 stack(s), 1 account(s) left out",
      );
      assert.match(lines[1], /^fleet\.yaml: valid; 3 account\(s\), 3 selected$/);
      assert.match(lines[2], /  from management account \(registration\)$/);
      assert.match(lines[4], /^  333333333333 .*  from Root\/Prod$/);
      assert.strictEqual(lines[5], "left out: 1 account(s)");
      assert.ok(lines.includes("warning: OU ou-gone not found"));
    });

    it("validate --json adds the organization, what was left out and the warnings", async () => {
      const h = harness({}, ORG_FLEET);
      await main(["validate", "--json"], { ...h.deps, discoverAccounts });
      const json = JSON.parse(h.out()) as {
        organization: unknown;
        leftOut: { accountId: string }[];
        warnings: string[];
        targets: { accountId: string; from: string }[];
      };
      assert.deepStrictEqual(json.organization, {
        organizationId: "o-abc1234567",
        managementAccountId: "111111111111",
      });
      assert.deepStrictEqual(
        json.leftOut.map((a) => a.accountId),
        ["444444444444"],
      );
      assert.deepStrictEqual(json.warnings, []);
      assert.deepStrictEqual(
        json.targets.map((t) => `${t.accountId} ${t.from}`),
        [
          "111111111111 management account (registration)",
          "222222222222 Root/Security",
          "333333333333 Root/Prod",
        ],
      );
    });

    it("up registers first, then the administrator, then members; reports orphans without running them (exit 0)", async () => {
      const h = harness({}, ORG_FLEET);
      Object.assign(h.runner, {
        listStacks: () => Promise.resolve(["acct-333333333333", "acct-444444444444"]),
      });
      const code = await main(["up", "--json"], { ...h.deps, discoverAccounts });
      assert.strictEqual(code, 0);
      assert.deepStrictEqual(
        h.runner.calls.map((c) => c.accountId),
        ["111111111111", "222222222222", "333333333333"],
      );
      const report = JSON.parse(h.out()) as FleetReport;
      const orphan = report.results.find((r) => r.accountId === "444444444444");
      assert.strictEqual(orphan?.outcome, "orphaned");
      assert.match(orphan?.orphanedReason ?? "", /not active: state SUSPENDED/);
      assert.strictEqual(report.totals.orphaned, 1);
    });

    it("destroy --all leaves orphans alone; --accounts naming one destroys it", async () => {
      const h = harness({}, ORG_FLEET);
      Object.assign(h.runner, { listStacks: () => Promise.resolve(["acct-444444444444"]) });
      await main(["destroy", "--yes", "--all"], { ...h.deps, discoverAccounts });
      assert.ok(!h.runner.calls.some((c) => c.accountId === "444444444444"));
      await main(["destroy", "--yes", "--accounts", "444444444444"], {
        ...h.deps,
        discoverAccounts,
      });
      assert.deepStrictEqual(
        h.runner.calls.filter((c) => c.accountId === "444444444444").map((c) => c.operation),
        ["destroy"],
      );
    });

    it("preview names the organization, each stack's origin and what was left out; up only the organization; drift neither", async () => {
      const preview = harness({}, ORG_FLEET);
      await main(["preview"], { ...preview.deps, discoverAccounts });
      assert.match(
        preview.err(),
        /^organization o-abc1234567 \(management account 111111111111\): 3 stack\(s\), 1 account\(s\) left out$/m,
      );
      assert.match(preview.err(), /^  333333333333 +from Root\/Prod$/m);
      assert.match(preview.err(), /^left out: 1 account\(s\)$/m);
      const up = harness({}, ORG_FLEET);
      await main(["up"], { ...up.deps, discoverAccounts });
      assert.match(up.err(), /^organization o-abc1234567 /m);
      assert.doesNotMatch(up.err(), /from Root\/Prod|left out: /);
      const drift = harness({}, ORG_FLEET);
      await main(["drift"], { ...drift.deps, discoverAccounts });
      assert.doesNotMatch(drift.err(), /organization o-abc1234567/);
    });

    it("says each phase as it starts and tags each result with its phase", async () => {
      const h = harness({}, ORG_FLEET);
      await main(["up", "--json"], { ...h.deps, discoverAccounts });
      assert.match(
        h.err(),
        /^phase 1\/3: register the delegated administrator \(management account\) \(1 stack\(s\)\)$/m,
      );
      assert.match(
        h.err(),
        /^phase 2\/3: the delegated administrator's organization analyzers \(1 stack\(s\)\)$/m,
      );
      assert.match(h.err(), /^phase 3\/3: member accounts \(1 stack\(s\)\)$/m);
      const report = JSON.parse(h.out()) as FleetReport;
      assert.deepStrictEqual(
        report.results.map((r) => `${r.accountId} ${r.phase ?? "-"}`),
        ["111111111111 registration", "222222222222 delegated-administrator", "333333333333 -"],
      );
    });

    it("skips the administrator's stack when the registration failed, and says why; members still run", async () => {
      const h = harness(
        { "111111111111": { outcome: "failed", error: "error: denied" } },
        ORG_FLEET,
      );
      const code = await main(["up", "--json"], { ...h.deps, discoverAccounts });
      assert.strictEqual(code, 1);
      assert.deepStrictEqual(
        h.runner.calls.map((c) => c.accountId),
        ["111111111111", "333333333333"],
      );
      assert.match(
        h.err(),
        /^\[222222222222\] skipped: the delegated administrator's registration \(stack org-delegated-admin\) ended failed/m,
      );
      const admin = (JSON.parse(h.out()) as FleetReport).results.find(
        (r) => r.accountId === "222222222222",
      );
      assert.strictEqual(admin?.outcome, "skipped");
      assert.strictEqual(admin?.phase, "delegated-administrator");
      assert.match(
        admin?.skippedReason ?? "",
        /registration \(stack org-delegated-admin\) ended failed/,
      );
    });

    it("warns of each organization warning on stderr", async () => {
      const h = harness({}, ORG_FLEET);
      const warned = () =>
        discoverAccounts().then((found) => ({ ...found, warnings: ["OU ou-gone not found"] }));
      await main(["up"], { ...h.deps, discoverAccounts: warned });
      assert.match(h.err(), /^warning: OU ou-gone not found$/m);
    });
  });

  it("documents the exit codes in --help (exit 0)", async () => {
    const h = harness();
    assert.strictEqual(await main(["--help"], h.deps), 0);
    for (const code of ["0", "1", "2", "3", "130"]) {
      assert.match(h.out(), new RegExp(`^  ${code} +\\S`, "m"));
    }
  });

  describe("abort", () => {
    const waiting = { waitForAbort: true } as const;

    it("on SIGTERM aborts in-flight engines, skips the rest, writes the report and exits 130", async () => {
      const h = harness({ "111122223333": waiting, "444455556666": waiting });
      const run = main(["up", "--concurrency", "2", "--report", "report.json"], h.deps);
      await new Promise((r) => setTimeout(r, 20));
      h.signal("SIGTERM");
      const code = await run;
      assert.strictEqual(code, 130);
      const report = readReport(h);
      assert.strictEqual(report.aborted, true);
      assert.strictEqual(report.exitCode, 130);
      assert.deepStrictEqual(
        report.results.map((r) => r.outcome),
        ["aborted", "aborted", "skipped"],
      );
      assert.strictEqual(h.runner.calls.length, 2);
    });

    it("on a first Ctrl-C in a terminal lets the engines stop on the SIGINT they already got", async () => {
      // The engines would exit on their own; here the fake runner fails once the run stops.
      const h = harness(
        { "111122223333": { delayMs: 30, outcome: "failed", error: "error: canceled" } },
        FLEET,
        true,
      );
      const run = main(["up", "--concurrency", "1", "--report", "report.json"], h.deps);
      await new Promise((r) => setTimeout(r, 5));
      h.signal("SIGINT");
      const code = await run;
      assert.strictEqual(code, 130);
      assert.doesNotMatch(h.err(), /asking running engines to stop/);
      assert.deepStrictEqual(
        readReport(h).results.map((r) => r.outcome),
        ["aborted", "skipped", "skipped"],
      );
    });

    it("on a third signal writes what it knows and exits at once", async () => {
      const h = harness({ "111122223333": { delayMs: 50 } }, FLEET, true);
      const run = main(["up", "--concurrency", "1", "--report", "report.json"], h.deps);
      await new Promise((r) => setTimeout(r, 5));
      h.signal("SIGINT");
      h.signal("SIGINT");
      h.signal("SIGINT");
      assert.deepStrictEqual(h.exits, [130]);
      const { results } = readReport(h);
      assert.deepStrictEqual(
        results.map((r) => r.outcome),
        ["aborted", "skipped", "skipped"],
      );
      assert.strictEqual(
        results[0].error,
        "still running when the run was abandoned; the stack may stay locked",
      );
      assert.match(
        h.err(),
        /^SIGINT: starting no more stacks; waiting for running stacks to stop cleanly/m,
      );
      assert.match(
        h.err(),
        /^SIGINT: asking running engines to stop \(they release their stack locks\)$/m,
      );
      assert.match(
        h.err(),
        /^SIGINT again: not waiting any longer; writing the report and exiting$/m,
      );
      assert.strictEqual(h.err().match(/starting no more stacks/g)?.length, 1);
      await run;
    });
  });

  it("finds the program's Pulumi.yaml by walking up from a folder", () => {
    const files = new Set(["/repo/Pulumi.yaml"]);
    assert.strictEqual(
      findProgramDir("/repo/dist/fleet", (p) => files.has(p)),
      "/repo",
    );
    assert.strictEqual(
      findProgramDir("/elsewhere", (p) => files.has(p)),
      undefined,
    );
  });

  it("finds this package's version in the nearest package.json of this package, and --version prints it", async () => {
    const own = JSON.parse(fs.readFileSync(path.join(__dirname, "../../../package.json"), "utf8"));
    assert.strictEqual(processDeps(() => ({}) as StackRunner).version, own.version);
    const files: Record<string, string> = {
      "/repo/node_modules/pulumi-access-analyzer-all-regions/package.json": JSON.stringify({
        name: "pulumi-access-analyzer-all-regions",
        version: "1.2.3",
      }),
      "/repo/node_modules/pulumi-access-analyzer-all-regions/dist/package.json": JSON.stringify({
        name: "someone-else",
        version: "9.9.9",
      }),
    };
    const read = (f: string) => files[f];
    assert.strictEqual(
      packageVersion("/repo/node_modules/pulumi-access-analyzer-all-regions/dist/fleet", read),
      "1.2.3",
    );
    assert.throws(
      () => packageVersion("/elsewhere/dist", read),
      /no package.json of pulumi-access-analyzer-all-regions above \/elsewhere\/dist/,
    );
    const h = harness();
    assert.strictEqual(await main(["--version"], h.deps), 0);
    assert.strictEqual(h.out(), "0.1.0-test\n");
  });
});

describe("fleet CLI stack commands", () => {
  const MiB = 1024 * 1024;
  const rule = { region: "eu-west-1", analyzer: "a", rule: "r", archived: 1 };

  it("says what each stack did as it ends: changes, regions, archived findings, notes, duration", async () => {
    const h = harness({
      "111122223333": {
        changes: { create: 2, update: 1, replace: 3, delete: 4, same: 5 },
        regions: ["eu-west-1", "us-east-1"],
        extra: {
          durationMs: 61_000,
          archivedFindings: 7,
          archiveRulesApplied: [rule, rule],
          notes: [
            { region: "eu-west-1", status: "adopted", analyzer: "console-analyzer" },
            { status: "would-adopt" },
          ],
        },
      },
      "444455556666": { extra: { archivedFindings: 0 } },
    });
    await main(["up"], h.deps);
    // Each end line, without the run's progress at its end.
    const lines = h
      .err()
      .split("\n")
      .map((l) => l.replace(/ \| \[\d+\/\d+\] .*$/, ""));
    assert.ok(
      lines.includes(
        "[prod-eu 111122223333] done succeeded: +2 ~1 ±3 -4 =5, 2 region(s), 7 existing finding(s) archived by 2 archive rule(s), 1m01s; eu-west-1 adopted (console-analyzer), stack would-adopt",
      ),
      h.err(),
    );
    assert.ok(
      lines.includes(
        "[dev 444455556666] done succeeded: +0 ~0 ±0 -0 =0, 0 region(s), 0 existing finding(s) archived by 0 archive rule(s), 1s",
      ),
    );
    assert.ok(lines.includes("[777788889999] done succeeded: +0 ~0 ±0 -0 =0, 0 region(s), 1s"));
  });

  it("drift names each drifted resource and its region, in the end line and the table", async () => {
    const analyzer = "aws:accessanalyzer/analyzer:Analyzer";
    const h = harness({
      "111122223333": {
        outcome: "drifted",
        changes: { create: 1, update: 1 },
        extra: {
          changedResources: [
            {
              op: "create",
              type: analyzer,
              name: "access-analyzer-eu-west-1",
              region: "eu-west-1",
            },
            { op: "update", type: analyzer, name: "access-analyzer-unused-access" },
          ],
        },
      },
    });
    assert.strictEqual(await main(["drift"], h.deps), 2);
    assert.match(
      h.err(),
      /^\[prod-eu 111122223333\] done drifted: \+1 ~1 .*; update Analyzer access-analyzer-unused-access, create Analyzer access-analyzer-eu-west-1 \(eu-west-1\)( \||$)/m,
    );
    assert.match(
      h.out(),
      /^prod-eu 111122223333\s+acct-111122223333\s+drifted\s.*update Analyzer access-analyzer-unused-access, and 1 more$/m,
    );
  });

  it("says a failed stack's first error line and its log file (or - without one)", async () => {
    const h = harness({
      "111122223333": {
        outcome: "failed",
        error: "error: denied\nat line two",
        extra: { logFile: "/logs/prod.log" },
      },
      "444455556666": { outcome: "locked", error: "locked" },
    });
    await main(["up"], h.deps);
    // Each end line, without the run's progress at its end.
    const lines = h
      .err()
      .split("\n")
      .map((l) => l.replace(/ \| \[\d+\/\d+\] .*$/, ""));
    assert.ok(
      lines.includes("[prod-eu 111122223333] FAILED failed: error: denied (log: /logs/prod.log)"),
    );
    assert.ok(lines.includes("[dev 444455556666] FAILED locked: locked (log: -)"));
  });

  it("names the run's log folder by start time and command, and says the plan on stderr", async () => {
    const h = harness();
    const now = () => new Date("2026-01-02T03:04:05.678Z");
    await main(["up", "--concurrency", "2", "--failure-tolerance", "1", "--report", "r.json"], {
      ...h.deps,
      now,
    });
    const runDir = path.join(".fleet-logs", "2026-01-02T03-04-05-678Z-up");
    assert.strictEqual(h.runnerOptions[0].logDir, path.join(h.dir, runDir));
    const lines = h.err().split("\n");
    assert.ok(
      lines.includes(`up: 3 stack(s), concurrency 2, stop after 1 failure(s); logs in ${runDir}`),
      h.err(),
    );
    const report = readReport(h, "r.json");
    assert.ok(lines.includes(`up: ${report.options.memory?.reason}`));
    assert.match(report.options.memory?.reason ?? "", /\S/);

    const plain = harness();
    await main(["drift", "--concurrency", "1"], { ...plain.deps, now });
    assert.match(plain.err(), /^drift: 3 stack\(s\), concurrency 1; logs in \.fleet-logs\//m);
  });

  it("records the run's options in the report, and leaves out the ones not given", async () => {
    const h = harness();
    await main(
      [
        "preview",
        "--accounts",
        "prod-eu,dev",
        "--shard",
        "1/2",
        "--failure-tolerance",
        "2",
        "--parallel",
        "4",
        "--refresh",
        "--memory-budget",
        "20000",
        "--plugin-memory",
        "100",
        "--report",
        "r.json",
      ],
      h.deps,
    );
    const { options } = readReport(h, "r.json");
    assert.deepStrictEqual(options.accounts, ["prod-eu", "dev"]);
    assert.strictEqual(options.shard, "1/2");
    assert.strictEqual(options.failureTolerance, 2);
    assert.strictEqual(options.parallel, 4);
    assert.strictEqual(options.refresh, true);
    assert.strictEqual(options.workDir, h.dir);
    assert.strictEqual(options.logDir, h.runnerOptions[0].logDir);
    assert.strictEqual(options.memory?.budgetBytes, 20000 * MiB);
    assert.strictEqual(options.memory?.pluginMemoryBytes, 100 * MiB);
    assert.strictEqual(typeof options.memory?.maxPluginsPerStack, "number");

    const bare = harness();
    await main(["preview", "--report", "r.json"], bare.deps);
    const plain = readReport(bare, "r.json").options;
    for (const key of ["accounts", "shard", "failureTolerance", "parallel"]) {
      assert.ok(!(key in plain), key);
    }
    assert.strictEqual(plain.refresh, false);
  });

  it("hands the runner only the options given: no secrets provider, parallel or pulumi root unless set", async () => {
    const h = harness({}, 'backend: file://./state\naccounts:\n  - id: "111122223333"\n', false, {
      PULUMI_CONFIG_PASSPHRASE: "x",
    });
    await main(["preview"], h.deps);
    const [options] = h.runnerOptions;
    for (const key of ["secretsProvider", "parallel", "pulumiRoot"]) assert.ok(!(key in options));
    assert.strictEqual(options.refresh, false);
    assert.strictEqual(options.adopt, false);

    const root = path.join(h.dir, "pulumi");
    fs.mkdirSync(path.join(root, "bin"), { recursive: true });
    fs.writeFileSync(path.join(root, "bin", "pulumi"), "#!/bin/sh\n", { mode: 0o755 });
    await main(["preview", "--adopt", "--pulumi-root", "pulumi"], h.deps);
    assert.strictEqual(h.runnerOptions[1].pulumiRoot, root);
    assert.strictEqual(h.runnerOptions[1].adopt, true);
  });

  it("reads each account and applies archive rules through the injected clients, passing the abort signal", async () => {
    const readerCalls: unknown[][] = [];
    const clientCalls: unknown[][] = [];
    const client = { marker: "archive-rule-client" };
    const h = harness();
    await main(["up"], {
      ...h.deps,
      createAccountReader: (...args) => {
        readerCalls.push(args);
        throw new Error("reader used");
      },
      createArchiveRuleClient: (...args) => {
        clientCalls.push(args);
        return client as never;
      },
    });
    const [options] = h.runnerOptions;
    const t = { accountId: "111122223333", stack: "acct-111122223333", access: {}, settings: {} };
    const signal = new AbortController().signal;
    await assert.rejects(
      Promise.resolve().then(() => options.readAccount!(t, signal)),
      /reader used/,
    );
    await assert.rejects(
      Promise.resolve().then(() => options.readAccount!(t)),
      /reader used/,
    );
    assert.deepStrictEqual(readerCalls, [
      [t, { signal }],
      [t, {}],
    ]);
    assert.strictEqual(options.archiveRules?.client(t, signal), client);
    assert.strictEqual(options.archiveRules?.client(t), client);
    assert.deepStrictEqual(clientCalls, [
      [t, { signal }],
      [t, {}],
    ]);
  });

  it("masks the fleet's external ids in the runner's output", async () => {
    const externalId = "Ext-Id-0123456789";
    const h = harness(
      {},
      `secretsProvider: awskms://alias/k?region=eu-west-1\ndefaults:\n  roleName: Deployer\n  externalId: ${externalId}\naccounts:\n  - id: "111122223333"\n`,
    );
    await main(["preview"], h.deps);
    assert.doesNotMatch(
      h.runnerOptions[0].redact(`assume with ${externalId}`),
      /Ext-Id-0123456789/,
    );
  });

  it("outputs prints each stack's regions and analyzers before the table; other commands only the table", async () => {
    const h = harness({ "111122223333": { regions: ["eu-west-1"] } });
    await main(["outputs", "--accounts", "prod-eu"], h.deps);
    assert.ok(
      h.out().startsWith("prod-eu 111122223333 (acct-111122223333): succeeded\n  eu-west-1 "),
      h.out(),
    );
    assert.match(h.out(), /\n\nACCOUNT/);
    const up = harness();
    await main(["up", "--accounts", "prod-eu"], up.deps);
    assert.ok(up.out().startsWith("ACCOUNT"), up.out());
  });

  it("outputs needs no secrets passphrase; up does", async () => {
    const fleet = 'backend: file://./s\naccounts:\n  - id: "111122223333"\n';
    assert.strictEqual(await main(["outputs"], harness({}, fleet).deps), 0);
    assert.strictEqual(await main(["up"], harness({}, fleet).deps), 3);
  });

  it("a plain fleet's preview says no organization, origins or phases", async () => {
    const h = harness();
    await main(["preview"], h.deps);
    assert.doesNotMatch(h.err(), /^(undefined|organization|phase|left out)|from fleet file/m);
  });

  it("starts a stack only while the stacks in flight fit --memory-budget, whatever --concurrency says", async () => {
    const slow = { delayMs: 20 };
    const h = harness({ "111122223333": slow, "444455556666": slow, "777788889999": slow });
    // A stack without regions: 18 plugins x 430 MiB + 400 MiB = 8140 MiB; two do not fit in 10000.
    await main(["up", "--concurrency", "3", "--memory-budget", "10000"], h.deps);
    assert.strictEqual(h.runner.maxInFlight, 1);
    assert.strictEqual(h.runner.calls.length, 3);
  });

  it("keeps the outcome of a stack that ends after the first Ctrl-C, and unsubscribes its signal handler", async () => {
    const h = harness({ "111122223333": { delayMs: 30 } }, FLEET, true);
    const run = main(["up", "--concurrency", "1", "--report", "r.json"], h.deps);
    await new Promise((r) => setTimeout(r, 5));
    h.signal("SIGINT");
    assert.strictEqual(await run, 130);
    assert.deepStrictEqual(
      readReport(h, "r.json").results.map((r) => r.outcome),
      ["succeeded", "skipped", "skipped"],
    );
    assert.strictEqual(h.listening(), 0);
  });

  describe("orphaned stacks", () => {
    const STACKS = ["acct-111122223333", "acct-999999999999", "acct-123456789012"];
    const listing = (h: Harness, stacks = STACKS) =>
      Object.assign(h.runner, { listStacks: () => Promise.resolve(stacks) });

    it("up says and reports each orphan, never runs it", async () => {
      const h = harness();
      listing(h, [...STACKS, "org-delegated-admin"]);
      assert.strictEqual(await main(["up", "--json"], h.deps), 0);
      assert.match(
        h.err(),
        /^\[acct-999999999999\] orphaned: not in the fleet any more \(left the organization, or removed from the fleet file\); not touched$/m,
      );
      const orphaned = (JSON.parse(h.out()) as FleetReport).results.filter(
        (r) => r.outcome === "orphaned",
      );
      assert.deepStrictEqual(
        orphaned.map((r) => r.stack),
        ["acct-123456789012", "acct-999999999999", "org-delegated-admin"],
      );
      assert.strictEqual(orphaned[0].skippedReason, undefined);
      assert.ok(!("error" in orphaned[0]) && !("skippedReason" in orphaned[0]));
      assert.match(orphaned[0].orphanedReason ?? "", /not in the fleet any more/);
      assert.strictEqual(h.runner.calls.length, 3);
    });

    it("up lists each orphan in the closing table and counts it in the totals line", async () => {
      const h = harness();
      listing(h);
      assert.strictEqual(await main(["up"], h.deps), 0);
      assert.match(
        h.out(),
        /^999999999999\s+acct-999999999999\s+orphaned\s+-\s.*not in the fleet any more/m,
      );
      assert.match(h.out(), /^5 stack\(s\): 3 succeeded, 2 orphaned; changes: /m);
    });

    it("--accounts reports only the orphans of the accounts it names", async () => {
      // dev's stack was renamed: its old default stack is an orphan of the account dev.
      const h = harness({}, FLEET.replace("name: dev", "name: dev\n    stack: dev-renamed"));
      listing(h, ["acct-444455556666", "acct-999999999999"]);
      await main(["up", "--json", "--accounts", "444455556666"], h.deps);
      assert.deepStrictEqual(
        h.runner.calls.map((c) => c.accountId),
        ["444455556666"],
      );
      const report = JSON.parse(h.out()) as FleetReport;
      assert.deepStrictEqual(
        report.results.map((r) => `${r.stack} ${r.outcome}`),
        ["dev-renamed succeeded", "acct-444455556666 orphaned"],
      );
    });

    it("destroy --accounts <id> runs the account's current stack; its old stack is named by stack name", async () => {
      const renamed = FLEET.replace("name: dev", "name: dev\n    stack: dev-renamed");
      const destroyed = async (entry: string) => {
        const h = harness({}, renamed);
        listing(h, ["acct-444455556666"]);
        await main(["destroy", "--yes", "--json", "--accounts", entry], h.deps);
        return (JSON.parse(h.out()) as FleetReport).results.map((r) => r.stack);
      };
      assert.deepStrictEqual(await destroyed("444455556666"), ["dev-renamed"]);
      assert.deepStrictEqual(await destroyed("dev"), ["dev-renamed"]);
      assert.deepStrictEqual(await destroyed("acct-444455556666"), ["acct-444455556666"]);
    });

    it("destroy --accounts runs only the named orphans and reports none as orphaned", async () => {
      const h = harness();
      listing(h);
      await main(["destroy", "--yes", "--json", "--accounts", "999999999999"], h.deps);
      assert.deepStrictEqual(h.runner.calls, [{ accountId: "999999999999", operation: "destroy" }]);
      const report = JSON.parse(h.out()) as FleetReport;
      assert.ok(!report.results.some((r) => r.outcome === "orphaned"));
    });

    it("--shard reports each account's orphan in one shard only", async () => {
      const seen: string[] = [];
      for (const shard of ["1/2", "2/2"]) {
        const h = harness();
        listing(h);
        await main(["up", "--json", "--shard", shard], h.deps);
        const report = JSON.parse(h.out()) as FleetReport;
        seen.push(...report.results.filter((r) => r.outcome === "orphaned").map((r) => r.stack));
      }
      assert.deepStrictEqual(seen.sort(), ["acct-123456789012", "acct-999999999999"]);
    });

    it("destroy --shard runs a named orphan in one shard only", async () => {
      const calls: string[] = [];
      for (const shard of ["1/2", "2/2"]) {
        const h = harness();
        listing(h);
        await main(["destroy", "--yes", "--shard", shard, "--accounts", "999999999999"], h.deps);
        calls.push(...h.runner.calls.map((c) => c.accountId));
      }
      assert.deepStrictEqual(calls, ["999999999999"]);
    });

    it("says when the backend's stacks cannot be listed, reports no orphan and still runs", async () => {
      const h = harness();
      Object.assign(h.runner, {
        listStacks: () => Promise.reject(new Error("backend down\nstack trace")),
      });
      assert.strictEqual(await main(["up", "--json"], h.deps), 0);
      assert.match(
        h.err(),
        /^warning: could not list the backend's stacks, so orphaned stacks are not reported: Error: backend down$/m,
      );
      assert.strictEqual((JSON.parse(h.out()) as FleetReport).results.length, 3);
    });

    it("preview and refresh neither list the backend's stacks nor report orphans", async () => {
      for (const command of ["preview", "refresh"]) {
        const h = harness();
        let listed = 0;
        Object.assign(h.runner, {
          listStacks: () => Promise.resolve(STACKS).finally(() => listed++),
        });
        await main([command, "--json"], h.deps);
        assert.strictEqual(listed, 0, command);
        assert.doesNotMatch(h.err(), /orphaned/);
        assert.strictEqual((JSON.parse(h.out()) as FleetReport).results.length, 3);
      }
    });

    it("destroy --accounts runs the named fleet accounts and the named orphans together", async () => {
      const h = harness();
      listing(h);
      await main(["destroy", "--yes", "--accounts", "dev,999999999999"], h.deps);
      assert.deepStrictEqual(
        h.runner.calls.map((c) => c.accountId),
        ["444455556666", "999999999999"],
      );
    });

    it("reports the registration's orphaned stack in shard 1 only, so a matrix reports it once", async () => {
      const orphanedIn = async (shard: string) => {
        const h = harness();
        listing(h, ["org-delegated-admin"]);
        await main(["up", "--json", "--shard", shard], h.deps);
        const report = JSON.parse(h.out()) as FleetReport;
        return report.results.filter((r) => r.outcome === "orphaned").map((r) => r.stack);
      };
      assert.deepStrictEqual(await orphanedIn("1/2"), ["org-delegated-admin"]);
      assert.deepStrictEqual(await orphanedIn("2/2"), []);
    });

    it("a runner that cannot list stacks reports no orphan and no warning", async () => {
      const h = harness();
      await main(["up"], h.deps);
      assert.doesNotMatch(h.err(), /warning|orphaned/);
    });
  });
});

describe("fleet CLI help and wiring", () => {
  const COMMANDS = [
    "preview",
    "up",
    "refresh",
    "drift",
    "outputs",
    "destroy",
    "audit",
    "findings",
    "report",
    "validate",
  ];

  /** The entries of a help section (`Options:`, `Commands:`): term and description. */
  function entries(help: string, section: string): [string, string][] {
    const lines = help.split("\n");
    const found: [string, string][] = [];
    for (const line of lines.slice(lines.indexOf(`${section}:`) + 1)) {
      if (line.trim() === "") break;
      const entry = /^  (\S.*?)(?: {2,}(.*))?$/.exec(line);
      if (entry) found.push([entry[1], entry[2] ?? ""]);
      else found[found.length - 1][1] += ` ${line.trim()}`;
    }
    return found;
  }

  /** A description says something beyond the defaults and bounds commander adds in parentheses. */
  const saysSomething = (description: string) =>
    /[a-z]{3,}/i.test(description.replace(/\((default: )?[^()]*\)/g, ""));

  it("names the program, describes it and each command in --help", async () => {
    const h = harness();
    await main(["--help"], h.deps);
    assert.match(h.out(), /^Usage: access-analyzer-fleet /);
    assert.match(h.out(), /\nPut IAM Access Analyzer in every enabled region/);
    const commands = entries(h.out(), "Commands");
    assert.deepStrictEqual(
      commands.map(([term]) => term.split(" ")[0]),
      [...COMMANDS, "help"],
    );
    for (const [term, description] of commands) assert.ok(saysSomething(description), term);
  });

  it("describes every option of every command in its --help", async () => {
    for (const name of COMMANDS) {
      // `report` is a group: its options are on `report merge`.
      const command = name === "report" ? "report merge" : name;
      const h = harness();
      assert.strictEqual(await main([...command.split(" "), "--help"], h.deps), 0);
      const options = entries(h.out(), "Options");
      assert.ok(options.length > 3, command);
      for (const [term, description] of options) {
        assert.ok(saysSomething(description), `${command} ${term}: "${description}"`);
      }
    }
  });

  it("suggests --help after a usage error", async () => {
    const h = harness();
    assert.strictEqual(await main(["up", "--bogus"], h.deps), 3);
    assert.match(h.err(), /\(add --help for usage\)/);
  });

  it("takes --adopt on preview and up only", async () => {
    for (const command of ["refresh", "drift", "outputs"]) {
      const h = harness();
      assert.strictEqual(await main([command, "--adopt"], h.deps), 3, command);
      assert.match(h.err(), /unknown option '--adopt'/);
    }
    for (const command of ["preview", "up"]) {
      const h = harness();
      assert.strictEqual(await main([command, "--adopt"], h.deps), 0, command);
      assert.strictEqual(h.runnerOptions[0].adopt, true);
    }
  });

  it("says the exit code on stderr, and where the report is when one was written", async () => {
    const h = harness({ "444455556666": { outcome: "failed", error: "x" } });
    await main(["up", "--report", "out/r.json"], h.deps);
    assert.match(h.err(), /^up: exit code 1; report in out\/r\.json$/m);
    const plain = harness();
    await main(["drift"], plain.deps);
    assert.match(plain.err(), /^drift: exit code 0$/m);
  });

  it("lets an unexpected error escape instead of calling it bad input", async () => {
    const bug = new Error("bug in discovery");
    const h = harness(
      {},
      'secretsProvider: awskms://alias/k?region=eu-west-1\norganization:\n  delegatedAdministrator: { accountId: "222222222222" }\ndefaults: { roleName: Deployer }\n',
    );
    await assert.rejects(
      main(["validate"], { ...h.deps, discoverAccounts: () => Promise.reject(bug) }),
      (e: unknown) => e === bug,
    );
  });

  describe("the process's own I/O", () => {
    const createRunner = () => new FakeRunner();

    it("reads this process's environment, folder, memory and clock, and finds the program", () => {
      const deps = processDeps(createRunner);
      assert.strictEqual(deps.env, process.env);
      assert.strictEqual(deps.cwd, process.cwd());
      assert.strictEqual(deps.createRunner, createRunner);
      assert.strictEqual(deps.memory().total, os.totalmem());
      assert.ok(deps.memory().free > 0);
      assert.ok(Math.abs(deps.now().getTime() - Date.now()) < 1000);
      assert.strictEqual(deps.interactive, !!process.stdin.isTTY);
      assert.strictEqual(deps.programDir, path.resolve(__dirname, "../../.."));
    });

    it("writes to this process's stdout and stderr and exits it with the code", () => {
      const writes: string[] = [];
      const exits: unknown[] = [];
      const { stdout, stderr } = process;
      const out = stdout.write.bind(stdout);
      const err = stderr.write.bind(stderr);
      const exit = process.exit.bind(process);
      stdout.write = (t: string) => writes.push(`out:${t}`) > 0;
      stderr.write = (t: string) => writes.push(`err:${t}`) > 0;
      process.exit = ((code?: number) => exits.push(code)) as typeof process.exit;
      try {
        const deps = processDeps(createRunner);
        deps.stdout("a");
        deps.stderr("b");
        deps.exit(7);
      } finally {
        stdout.write = out;
        stderr.write = err;
        process.exit = exit;
      }
      assert.deepStrictEqual(writes, ["out:a", "err:b"]);
      assert.deepStrictEqual(exits, [7]);
    });

    it("hands SIGINT and SIGTERM to the handler until unsubscribed", () => {
      const before = {
        SIGINT: process.listeners("SIGINT"),
        SIGTERM: process.listeners("SIGTERM"),
      };
      const got: string[] = [];
      const unsubscribe = processDeps(createRunner).onSignal((s) => got.push(s));
      for (const name of ["SIGINT", "SIGTERM"] as const) {
        const added = process.listeners(name).filter((l) => !before[name].includes(l));
        assert.strictEqual(added.length, 1, name);
        (added[0] as () => void)();
      }
      assert.deepStrictEqual(got, ["SIGINT", "SIGTERM"]);
      unsubscribe();
      assert.deepStrictEqual(process.listeners("SIGINT"), before.SIGINT);
      assert.deepStrictEqual(process.listeners("SIGTERM"), before.SIGTERM);
    });
  });
});

describe("fleet CLI: nothing covered, the environment's failures, masked external ids", () => {
  const ORG = `backend: file://./state\nsecretsProvider: awskms://alias/k?region=eu-west-1\ndefaults: { roleName: Deployer }\norganization:\n  roleArn: arn:aws:iam::111111111111:role/Reader\n  include: { ous: ["Root/Empty"] }\n`;
  /** An organization whose scope (Root/Empty) holds none of its accounts. */
  const emptyScope = () =>
    Promise.resolve({
      organizationId: "o-abc1234567",
      managementAccountId: "111111111111",
      accounts: [],
      leftOut: ["333333333333", "444444444444"].map((id) => ({
        ...orgAccount(id, "Root/Prod"),
        reason: "outside-scope" as const,
        detail: "not under organization.include.ous",
      })),
      warnings: [],
    });
  const readerless = {
    createAccountReader: () => {
      throw new Error("no account may be read");
    },
    createFindingsReader: () => {
      throw new Error("no account may be read");
    },
  };

  for (const command of ["up", "preview", "drift", "refresh", "outputs", "audit", "findings"]) {
    it(`${command}: a selection of no account exits 4 with what was left out and how to allow it; nothing runs`, async () => {
      const h = harness({}, ORG);
      const deps = { ...h.deps, discoverAccounts: emptyScope, ...readerless };
      assert.strictEqual(await main([command], deps), 4, h.err());
      assert.match(
        h.err(),
        new RegExp(
          `^${command}: no account selected \\(organization o-abc1234567: 0 account\\(s\\) in scope, 2 left out \\(2 outside scope\\)\\); nothing ran\\. .*--allow-empty`,
          "m",
        ),
      );
      assert.strictEqual(h.runner.calls.length, 0);
      assert.ok(!fs.existsSync(path.join(h.dir, "report.json")));
    });
  }

  it("--allow-empty lets an empty selection run nothing and exit 0", async () => {
    for (const command of ["up", "audit", "findings", "validate"]) {
      const h = harness({}, ORG);
      const deps = { ...h.deps, discoverAccounts: emptyScope, ...readerless };
      assert.strictEqual(await main([command, "--allow-empty"], deps), 0, `${command}: ${h.err()}`);
      assert.strictEqual(h.runner.calls.length, 0);
    }
  });

  it("an empty shard and destroy --all of an empty scope exit 4 too; validate lists, then exits 4", async () => {
    const h = harness();
    assert.strictEqual(await main(["up", "--shard", "4/4"], h.deps), 4);
    assert.match(
      h.err(),
      /^up: no account selected \(the fleet file lists 3 account\(s\); --shard 4\/4\)/m,
    );
    const d = harness({}, ORG);
    const deps = { ...d.deps, discoverAccounts: emptyScope };
    assert.strictEqual(await main(["destroy", "--yes", "--all"], deps), 4);
    assert.strictEqual(d.runner.calls.length, 0);
    const v = harness({}, ORG);
    assert.strictEqual(await main(["validate"], { ...v.deps, discoverAccounts: emptyScope }), 4);
    assert.match(v.out(), /0 selected/);
    assert.match(v.out(), /333333333333.*outside scope/);
  });

  it("a selection with accounts still exits 0: the check counts the selection, not the fleet", async () => {
    const h = harness();
    assert.strictEqual(await main(["up", "--shard", "3/3"], h.deps), 0, h.err());
    assert.strictEqual(h.runner.calls.length, 1);
  });

  it("AWS Organizations throttled past the SDK's retries exits 5, not 3; a role that does not exist exits 3", async () => {
    const throttled = () =>
      Promise.reject(
        new OrganizationReadError("ListRoots as arn:…: TooManyRequestsException: Rate exceeded", {
          environment: true,
        }),
      );
    const h = harness({}, ORG);
    assert.strictEqual(await main(["up"], { ...h.deps, discoverAccounts: throttled }), 5);
    assert.match(h.err(), /TooManyRequestsException/);
    assert.match(h.err(), /AWS Organizations could not be read .*nothing was run: run again later/);
    assert.strictEqual(h.runner.calls.length, 0);

    const missingRole = () =>
      Promise.reject(
        new OrganizationReadError(
          "organization.roleArn: AssumeRole arn:aws:iam::111111111111:role/Reader: AccessDenied: …",
        ),
      );
    const m = harness({}, ORG);
    assert.strictEqual(await main(["validate"], { ...m.deps, discoverAccounts: missingRole }), 3);
    assert.match(m.err(), /^fleet\.yaml: organization\.roleArn: AssumeRole .*AccessDenied/m);
  });

  it("up --report on a full disk still prints the table, says why the report is missing and exits 5", async () => {
    if (!fs.existsSync("/dev/full")) return;
    const h = harness({ "444455556666": { outcome: "failed", error: "x" } });
    assert.strictEqual(await main(["up", "--report", "/dev/full"], h.deps), 5);
    assert.match(h.out(), /^ACCOUNT +STACK +RESULT/m, "the summary table");
    assert.match(h.out(), /3 stack\(s\): 2 succeeded, 1 failed/);
    assert.match(
      h.err(),
      /^up: could not write the report to \/dev\/full: .*ENOSPC.*the report would have said exit code 1.*Exit code 5$/m,
    );
    const audit = harness();
    const reader = () => ({
      enabledRegions: () => Promise.resolve([]),
      analyzers: () => Promise.resolve([]),
      activeFindings: () => Promise.resolve(0),
    });
    const deps = { ...audit.deps, createAccountReader: reader };
    assert.strictEqual(await main(["audit", "--no-state", "--report", "/dev/full"], deps), 5);
    assert.match(audit.out(), /^ACCOUNT +RESULT/m);
  });

  it("a report file that exists but is not writable is bad input before anything runs", async () => {
    const h = harness();
    const file = path.join(h.dir, "locked.json");
    fs.writeFileSync(file, "{}");
    fs.chmodSync(file, 0o444);
    fs.chmodSync(h.dir, 0o555);
    try {
      // root may write anyway: then there is no problem to report.
      let writable = true;
      try {
        fs.accessSync(file, fs.constants.W_OK);
      } catch {
        writable = false;
      }
      const code = await main(["up", "--report", "locked.json"], h.deps);
      assert.strictEqual(code, writable ? 0 : 3);
    } finally {
      fs.chmodSync(h.dir, 0o755);
    }
  });

  it("validate --json shows external ids as [redacted], the registration's included", async () => {
    const planted = "PLANTED-ext-id-1234";
    const orgId = "PLANTED-org-ext-id-5678";
    const fleet =
      `secretsProvider: awskms://alias/k?region=eu-west-1\n` +
      `defaults: { roleName: Deployer, externalId: ${planted} }\n` +
      `organization:\n  roleArn: arn:aws:iam::111111111111:role/Reader\n  externalId: ${orgId}\n` +
      `  delegatedAdministrator: { accountId: "222222222222" }\n`;
    const discover = () =>
      Promise.resolve({
        organizationId: "o-abc1234567",
        managementAccountId: "111111111111",
        accounts: [orgAccount("222222222222", "Root/Security")],
        leftOut: [],
        warnings: [],
      });
    const h = harness({}, fleet);
    assert.strictEqual(
      await main(["validate", "--json"], { ...h.deps, discoverAccounts: discover }),
      0,
    );
    assert.ok(!h.out().includes(planted) && !h.out().includes(orgId), h.out());
    const json = JSON.parse(h.out()) as { targets: Target[] };
    assert.deepStrictEqual(
      json.targets.map((t) => [t.stack, t.access.externalId]),
      [
        ["org-delegated-admin", "[redacted]"],
        ["acct-222222222222", "[redacted]"],
      ],
    );
    const plain = harness({}, fleet);
    await main(["validate"], { ...plain.deps, discoverAccounts: discover });
    assert.ok(!plain.out().includes(planted) && !plain.out().includes(orgId));
  });

  it("a registration whose organization.roleArn is not in the management account does not validate (exit 3)", async () => {
    const fleet =
      `secretsProvider: awskms://alias/k?region=eu-west-1\ndefaults: { roleName: Deployer }\n` +
      `organization:\n  roleArn: arn:aws:iam::222222222222:role/Reader\n` +
      `  delegatedAdministrator: { accountId: "222222222222" }\n`;
    const discover = () =>
      Promise.resolve({
        organizationId: "o-abc1234567",
        managementAccountId: "111111111111",
        accounts: [orgAccount("222222222222", "Root/Security")],
        leftOut: [],
        warnings: [],
      });
    const h = harness({}, fleet);
    assert.strictEqual(await main(["validate"], { ...h.deps, discoverAccounts: discover }), 3);
    assert.match(
      h.err(),
      /organization\.roleArn: arn:aws:iam::222222222222:role\/Reader is in account 222222222222, but organization\.delegatedAdministrator is registered by the management account 111111111111 .*use a role in 111111111111/,
    );
  });

  it("documents exit codes 4 and 5 in every command's --help, with the order of precedence", async () => {
    for (const argv of [
      ["--help"],
      ["up", "--help"],
      ["audit", "--help"],
      ["findings", "--help"],
      ["validate", "--help"],
    ]) {
      const h = harness();
      assert.strictEqual(await main(argv, h.deps), 0);
      for (const code of ["4", "5"]) {
        assert.match(h.out(), new RegExp(`^  ${code} +\\S`, "m"), `${argv.join(" ")}: ${code}`);
      }
      assert.match(h.out(), /--allow-empty/);
    }
  });
});
