/**
 * The `audit` command through `main`, with an in-memory AccountReader per account and a fake
 * runner for the stack state: what it reads, what it says on stderr, what the report holds.
 */
import * as assert from "assert";
import { getMaxListeners } from "events";
import * as fs from "fs";
import * as os from "os";
import * as path from "path";
import { SdkArchiveRuleClient } from "../../../fleet/aws/archiveRules";
import { SdkAccountReader } from "../../../fleet/aws/reader";
import { main, processDeps, type CliDeps } from "../../../fleet/cli";
import { pendingWarning } from "../../../fleet/commands/auditCommand";
import { awsAccess } from "../../../fleet/commands/loader";
import type { AccountReader, AnalyzerInfo } from "../../../fleet/domain/account";
import type { FleetReport } from "../../../fleet/domain/results";
import type { StackRunner, StackRunnerOptions } from "../../../fleet/domain/runner";
import type { Target } from "../../../fleet/settings/schema";
import { heldDeployment } from "./helpers";

const PROD = "111122223333";
const DEV = "444455556666";

const FLEET = (extra = "") => `${extra}defaults:
  roleName: Auditor
accounts:
  - id: "${PROD}"
    name: prod
  - id: "${DEV}"
    name: dev
`;
const WITH_BACKEND =
  "backend: file://./state\nsecretsProvider: awskms://alias/k?region=eu-west-1\n";

const analyzer = (account: string, region: string, name: string, type = "ACCOUNT") => ({
  name,
  type,
  status: "ACTIVE",
  arn: `arn:aws:access-analyzer:${region}:${account}:analyzer/${name}`,
});

/** Per account: enabled regions and the analyzers in each (an Error: the call fails). */
type Script = Record<
  string,
  { regions: string[] | Error; analyzers?: Record<string, AnalyzerInfo[]> }
>;

/** Every region covered by an ACTIVE ACCOUNT analyzer with 2 findings, plus an unused-access one. */
const coveredEverywhere = (account: string, regions: string[]) => ({
  regions,
  analyzers: Object.fromEntries(
    regions.map((r) => [
      r,
      [analyzer(account, r, "ext"), analyzer(account, r, "unused", "ACCOUNT_UNUSED_ACCESS")],
    ]),
  ),
});

interface Harness {
  deps: CliDeps;
  dir: string;
  out: () => string;
  err: () => string;
  readerOptions: { accountId: string; signal?: AbortSignal }[];
  closed: string[];
  runnerOptions: StackRunnerOptions[];
}

function harness(
  fleet: string,
  script: Script,
  runner: Partial<StackRunner> = {},
  extra: Partial<CliDeps> = {},
): Harness {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), "audit-cmd-"));
  fs.writeFileSync(path.join(dir, "fleet.yaml"), fleet);
  let out = "";
  let err = "";
  const readerOptions: Harness["readerOptions"] = [];
  const closed: string[] = [];
  const runnerOptions: StackRunnerOptions[] = [];
  const reader = (t: Target, options: { signal?: AbortSignal }): AccountReader => {
    readerOptions.push({ accountId: t.accountId, ...options });
    const s = script[t.accountId] ?? { regions: [] };
    return {
      enabledRegions: () =>
        s.regions instanceof Error ? Promise.reject(s.regions) : Promise.resolve(s.regions),
      analyzers: (region) => Promise.resolve(s.analyzers?.[region] ?? []),
      activeFindings: (_region, arn) => Promise.resolve(arn.endsWith("/ext") ? 2 : 1),
      close: () => closed.push(t.accountId),
    };
  };
  const deps: CliDeps = {
    version: "0.1.0-test",
    stdout: (t) => (out += t),
    stderr: (t) => (err += t),
    env: {},
    cwd: dir,
    memory: () => ({ total: 1, free: 1 }),
    createRunner: (options) => {
      runnerOptions.push(options);
      return {
        run: () => Promise.reject(new Error("audit must not run a stack operation")),
        ...runner,
      };
    },
    onSignal: () => () => undefined,
    interactive: false,
    exit: () => undefined,
    now: () => new Date(),
    programDir: dir,
    createAccountReader: reader,
    ...extra,
  };
  return { deps, dir, out: () => out, err: () => err, readerOptions, closed, runnerOptions };
}

const json = (h: Harness) => JSON.parse(h.out()) as FleetReport;
const byAccount = (report: FleetReport, id: string) =>
  report.results.find((r) => r.accountId === id)!;

describe("audit command (main, in-memory readers)", () => {
  describe("the stack state", () => {
    const script: Script = {
      [PROD]: coveredEverywhere(PROD, ["eu-west-1"]),
      [DEV]: coveredEverywhere(DEV, ["eu-west-1"]),
    };
    const stateRunner = (): Partial<StackRunner> & { exported: string[] } => {
      const exported: string[] = [];
      return {
        exported,
        listStacks: () => Promise.resolve([`organization/access-analyzer/acct-${PROD}`]),
        exportState: (t) => {
          exported.push(t.stack);
          return Promise.resolve({ version: 3, deployment: heldDeployment("me-south-1") });
        },
      };
    };

    it("reads each stack's state through a runner on the fleet file's backend and reports the disabled region it holds (exit 2)", async () => {
      const runner = stateRunner();
      const h = harness(FLEET(WITH_BACKEND), script, runner);
      fs.mkdirSync(path.join(h.dir, "state"));
      const code = await main(["audit", "--json"], h.deps);
      assert.strictEqual(code, 2, h.err());
      assert.strictEqual(h.runnerOptions.length, 1);
      const o = h.runnerOptions[0];
      assert.strictEqual(o.workDir, h.dir);
      assert.strictEqual(o.envVars.PULUMI_BACKEND_URL, `file://${path.join(h.dir, "state")}`);
      assert.strictEqual(o.secretsProvider, "awskms://alias/k?region=eu-west-1");
      assert.strictEqual(o.refresh, false);
      assert.deepStrictEqual(runner.exported, [`acct-${PROD}`]);
      const report = json(h);
      const prod = byAccount(report, PROD);
      assert.strictEqual(prod.outcome, "stale-state");
      assert.deepStrictEqual(
        prod.audit?.regions.map((r) => [r.region, r.verdict]),
        [
          ["eu-west-1", "covered"],
          ["me-south-1", "stale-state"],
        ],
      );
      assert.deepStrictEqual(byAccount(report, DEV).audit?.state, {
        status: "no-stack",
        detail: `the backend has no stack acct-${DEV}`,
      });
      assert.strictEqual(report.audit?.staleState, 1);
      assert.match(
        h.err(),
        new RegExp(
          `\\[prod ${PROD}\\] done stale-state: 1 enabled, 1 covered, 0 pending, 0 missing, 0 not-active, 0 excluded, 0 unreadable, 1 disabled but still in the state; active findings 2 external-access, 1 unused-access, \\d`,
        ),
      );
      assert.match(
        h.err(),
        /note: 1 account\(s\) have no stack in the backend yet \(dev 444455556666\)/,
      );
    });

    it("treats a relative file:// backend folder that does not exist as holding no stack, without creating it or a runner", async () => {
      const h = harness(FLEET(WITH_BACKEND), script, stateRunner());
      const code = await main(["audit", "--json"], h.deps);
      assert.strictEqual(code, 0, h.err());
      assert.strictEqual(h.runnerOptions.length, 0);
      assert.strictEqual(fs.existsSync(path.join(h.dir, "state")), false);
      assert.deepStrictEqual(byAccount(json(h), PROD).audit?.state, {
        status: "no-stack",
        detail: `the backend folder ${path.join(h.dir, "state")} does not exist yet`,
      });
      assert.match(
        h.err(),
        /note: 2 account\(s\) have no stack in the backend yet \(prod 111122223333, dev 444455556666\)/,
      );
    });

    it("does not read the state with --no-state, without a backend, or without the program's folder (and says why then)", async () => {
      const noState = harness(FLEET(WITH_BACKEND), script, stateRunner());
      fs.mkdirSync(path.join(noState.dir, "state"));
      assert.strictEqual(await main(["audit", "--json", "--no-state"], noState.deps), 0);
      const noBackend = harness(FLEET(), script, stateRunner());
      assert.strictEqual(await main(["audit", "--json"], noBackend.deps), 0);
      const noProgram = harness(FLEET(WITH_BACKEND), script, stateRunner(), {
        programDir: undefined,
      });
      fs.mkdirSync(path.join(noProgram.dir, "state"));
      assert.strictEqual(await main(["audit", "--json"], noProgram.deps), 0);
      for (const h of [noState, noBackend, noProgram]) {
        assert.strictEqual(h.runnerOptions.length, 0);
        assert.strictEqual(byAccount(json(h), PROD).audit?.state, undefined);
        assert.strictEqual(json(h).audit?.staleState, undefined);
      }
      assert.match(
        noProgram.err(),
        /note: the program's Pulumi\.yaml was not found, so the stacks' state is not read/,
      );
      assert.doesNotMatch(noState.err() + noBackend.err(), /Pulumi\.yaml was not found|note:/);
    });

    it("notes once a runner that cannot list or export stacks, and still exits on the AWS view alone", async () => {
      const noList = harness(FLEET(WITH_BACKEND), script, {});
      fs.mkdirSync(path.join(noList.dir, "state"));
      assert.strictEqual(await main(["audit", "--json"], noList.deps), 0, noList.err());
      assert.deepStrictEqual(byAccount(json(noList), DEV).audit?.state, {
        status: "unreadable",
        detail: "the backend's stacks could not be listed: this runner cannot read stack state",
      });
      assert.match(
        noList.err(),
        /note: the stack state of 2 account\(s\) could not be read \(prod 111122223333, dev 444455556666\): the backend's stacks could not be listed: this runner cannot read stack state\. .*--no-state/,
      );
      const noExport = harness(FLEET(WITH_BACKEND), script, {
        listStacks: () => Promise.resolve([`acct-${PROD}`]),
      });
      fs.mkdirSync(path.join(noExport.dir, "state"));
      assert.strictEqual(await main(["audit", "--json"], noExport.deps), 0, noExport.err());
      assert.deepStrictEqual(byAccount(json(noExport), PROD).audit?.state, {
        status: "unreadable",
        detail: `stack acct-${PROD} could not be exported: this runner cannot read stack state`,
      });
    });
  });

  describe("what it says and reports", () => {
    it("announces the run's shape, and the failure tolerance only when given", async () => {
      const script: Script = { [PROD]: coveredEverywhere(PROD, ["eu-west-1"]) };
      const plain = harness(FLEET(), script);
      await main(["audit", "--json"], plain.deps);
      assert.match(
        plain.err(),
        /^audit: 2 account\(s\), 4 at a time, 4 region\(s\) at a time per account\n/,
      );
      const report = json(plain);
      assert.deepStrictEqual(report.options, {
        concurrency: 4,
        refresh: false,
        regionConcurrency: 4,
      });
      const tuned = harness(FLEET(), script);
      await main(
        [
          "audit",
          "--json",
          "--concurrency",
          "3",
          "--region-concurrency",
          "5",
          "--failure-tolerance",
          "1",
          "--accounts",
          "prod",
          "--shard",
          "1/2",
        ],
        tuned.deps,
      );
      assert.match(
        tuned.err(),
        /^audit: \d account\(s\), 3 at a time, 5 region\(s\) at a time per account, stop after 1 failure\(s\)\n/,
      );
      assert.deepStrictEqual(json(tuned).options, {
        concurrency: 3,
        accounts: ["prod"],
        shard: "1/2",
        failureTolerance: 1,
        refresh: false,
        regionConcurrency: 5,
      });
    });

    it("raises the abort signal's listener limit with the reads in flight (accounts × (regions + 1) × 4)", async () => {
      const h = harness(FLEET(), {});
      await main(["audit", "--concurrency", "3", "--region-concurrency", "5"], h.deps);
      const signal = h.readerOptions[0].signal!;
      assert.strictEqual(getMaxListeners(signal), 3 * 6 * 4);
      const small = harness(FLEET(), {});
      await main(["audit", "--concurrency", "1", "--region-concurrency", "1"], small.deps);
      assert.strictEqual(getMaxListeners(small.readerOptions[0].signal!), 10);
    });

    it("says each account's start and end, FAILED with the error when it cannot be read, and the progress", async () => {
      const denied = new Error("not authorized");
      denied.name = "AccessDenied";
      const h = harness(FLEET(), {
        [PROD]: { regions: denied },
        [DEV]: coveredEverywhere(DEV, ["eu-west-1"]),
      });
      const code = await main(["audit"], h.deps);
      assert.strictEqual(code, 1);
      assert.match(h.err(), /^\[prod 111122223333\] start audit$/m);
      assert.match(
        h.err(),
        /^\[prod 111122223333\] FAILED failed: AccessDenied: not authorized \(no regions read\)( \| \[\d\/2\] .*)?$/m,
      );
      assert.match(
        h.err(),
        /^\[dev 444455556666\] done succeeded: 1 enabled, 1 covered, 0 pending, 0 missing, 0 not-active, 0 excluded, 0 unreadable; active findings 2 external-access, 1 unused-access, /m,
      );
      assert.match(h.err(), / \| \[2\/2\] 1 failed, all done$/m);
      assert.deepStrictEqual(h.closed.sort(), [PROD, DEV]);
    });

    it("on a second SIGTERM writes the report with the reads in flight as aborted and exits 130", async () => {
      const handlers: ((s: "SIGINT" | "SIGTERM") => void)[] = [];
      const exits: number[] = [];
      const h = harness(
        FLEET(),
        {},
        {},
        {
          onSignal: (handler) => {
            handlers.push(handler);
            return () => undefined;
          },
          exit: (code) => exits.push(code),
          // A reader that never answers, even once aborted.
          createAccountReader: () => ({
            enabledRegions: () => new Promise<string[]>(() => undefined),
            analyzers: () => Promise.resolve([]),
            activeFindings: () => Promise.resolve(0),
          }),
        },
      );
      void main(["audit", "--json", "--concurrency", "1"], h.deps);
      for (let i = 0; i < 50 && !/start audit/.test(h.err()); i++) {
        await new Promise((r) => setImmediate(r));
      }
      handlers.forEach((f) => f("SIGTERM"));
      assert.deepStrictEqual(exits, []);
      handlers.forEach((f) => f("SIGTERM"));
      assert.deepStrictEqual(exits, [130]);
      const report = json(h);
      assert.deepStrictEqual(
        report.results.map((r) => [r.accountId, r.outcome, r.error ?? r.skippedReason]),
        [
          [PROD, "aborted", "aborted"],
          [DEV, "skipped", "run aborted before it started"],
        ],
      );
    });

    it("exits 0 on a region still CREATING after --wait, warning how long it waited", async () => {
      const creating = { ...analyzer(PROD, "eu-west-1", "ext"), status: "CREATING" };
      const h = harness(FLEET(), {
        [PROD]: { regions: ["eu-west-1"], analyzers: { "eu-west-1": [creating] } },
      });
      assert.strictEqual(await main(["audit", "--accounts", "prod", "--wait", "1"], h.deps), 0);
      assert.match(h.err(), /warning: 1 region\(s\) pending: .* still CREATING after waiting 1 s;/);
    });

    it("warns about pending regions with the time waited, and not at all without them", () => {
      assert.match(pendingWarning(2, 0), /^warning: 2 region\(s\) pending: .* still CREATING; /);
      assert.doesNotMatch(pendingWarning(2, 0), /after waiting/);
      assert.match(
        pendingWarning(1, 30),
        /still CREATING after waiting 30 s; Security Hub IAM\.28/,
      );
    });

    it("documents each option in audit --help", async () => {
      const h = harness(FLEET(), {});
      await main(["audit", "--help"], h.deps);
      const help = h.out().replace(/\s+/g, " ");
      for (const text of [
        /--concurrency <n> +accounts read at once \(default 4\)/,
        /--region-concurrency <n> +regions read at once in each account \(default 4\)/,
        /audit shard K of N \(accounts sorted by id, dealt round-robin\)/,
        /--wait <seconds> +wait up to this long for CREATING analyzers to become ACTIVE/,
        /--failure-tolerance <n> +stop starting new accounts after N could not be read/,
        /--no-state +do not read the stacks' state from the fleet file's backend/,
      ]) {
        assert.match(help, text);
      }
    });
  });

  describe("organization fleets", () => {
    const ORG = `defaults: { roleName: Auditor }\norganization:\n  delegatedAdministrator: { accountId: "222222222222" }\n`;
    const member = (accountId: string) => ({
      accountId,
      name: accountId,
      email: "a@example.com",
      status: "ACTIVE",
      ouId: "ou-x",
      ouPath: accountId === "222222222222" ? "Root/Security" : "Root/Prod",
    });
    const discoverAccounts = () =>
      Promise.resolve({
        organizationId: "o-abc1234567",
        managementAccountId: "111111111111",
        accounts: [member("222222222222"), member("333333333333")],
        leftOut: [],
        warnings: [],
      });

    it("audits the administrator and members (not the registration stack) with the organization view from the administrator", async () => {
      const orgAnalyzer = analyzer("222222222222", "eu-west-1", "org", "ORGANIZATION");
      const h = harness(
        ORG,
        {
          "222222222222": { regions: ["eu-west-1"], analyzers: { "eu-west-1": [orgAnalyzer] } },
          "333333333333": coveredEverywhere("333333333333", ["eu-west-1"]),
        },
        {},
        { discoverAccounts },
      );
      const code = await main(["audit", "--json"], h.deps);
      const report = json(h);
      assert.deepStrictEqual(
        report.results.map((r) => r.accountId),
        ["222222222222", "333333333333"],
      );
      assert.strictEqual(code, 2, "the administrator has no ACCOUNT analyzer");
      assert.match(
        h.err(),
        /audit: organization view from the delegated administrator 222222222222/,
      );
      assert.strictEqual(
        byAccount(report, "333333333333").audit?.regions[0].organizationView?.verdict,
        "covered",
      );
      assert.strictEqual(report.audit?.organizationView?.covered, 2);
      // One reader for the administrator's view, one per audited account; all closed.
      assert.deepStrictEqual(
        h.readerOptions.map((o) => o.accountId),
        ["222222222222", "222222222222", "333333333333"],
      );
      assert.ok(h.readerOptions.every((o) => o.signal instanceof AbortSignal));
      assert.deepStrictEqual(h.closed.sort(), ["222222222222", "222222222222", "333333333333"]);
    });

    it("leaves the organization view out of a fleet without a delegated administrator", async () => {
      const h = harness(FLEET(), { [PROD]: coveredEverywhere(PROD, ["eu-west-1"]) });
      await main(["audit", "--json"], h.deps);
      assert.doesNotMatch(h.err(), /organization view/);
      assert.strictEqual(json(h).audit?.organizationView, undefined);
      assert.deepStrictEqual(
        h.readerOptions.map((o) => o.accountId),
        [PROD, DEV],
      );
    });
  });

  it("the process reaches AWS through the SDK edge; a port the deps lack fails naming it", () => {
    const wired = awsAccess(processDeps(() => ({}) as StackRunner));
    const t: Target = { accountId: PROD, stack: "s", access: {}, settings: {} };
    for (const reader of [wired.accountReader(t, {}), wired.findingsReader(t, {})]) {
      assert.ok(reader instanceof SdkAccountReader);
      reader.close?.();
    }
    const client = wired.archiveRuleClient(t, {});
    assert.ok(client instanceof SdkArchiveRuleClient);
    client.close?.();
    const bare = awsAccess({});
    assert.throws(() => bare.accountReader(t, {}), /no createAccountReader was wired/);
    assert.throws(() => bare.archiveRuleClient(t, {}), /no createArchiveRuleClient was wired/);
  });
});
