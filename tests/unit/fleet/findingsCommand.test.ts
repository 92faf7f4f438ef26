import * as assert from "assert";
import { getMaxListeners } from "events";
import * as fs from "fs";
import * as os from "os";
import * as path from "path";
import { main, type CliDeps } from "../../../fleet/cli";
import { findingsExitCode, runFindingsCommand } from "../../../fleet/commands/findingsCommand";
import type { FindingsAccountReader } from "../../../fleet/domain/account";
import { findingsTotals, type FindingsReport } from "../../../fleet/domain/findings";
import type { Target } from "../../../fleet/settings/schema";
import { mergeRunReports } from "../../../fleet/domain/runReports";
import type { FleetReport } from "../../../fleet/domain/results";
import { orgAccount, result, target } from "./helpers";

const FLEET = `
secretsProvider: passphrase
backend: file://./state
defaults:
  roleName: AccessAnalyzerAuditor
accounts:
  - id: "111122223333"
    name: prod
  - id: "444455556666"
    name: unreachable
`;
const ARN = "arn:aws:access-analyzer:eu-west-1:111122223333:analyzer/external-access";

/** A reader of one region holding one public bucket; `444455556666` cannot be reached. */
function stubReader(calls: string[]): (t: Target) => FindingsAccountReader {
  return (t) => ({
    enabledRegions: () =>
      t.accountId === "444455556666"
        ? Promise.reject(new Error("AssumeRole: AccessDenied"))
        : Promise.resolve(["eu-west-1"]),
    analyzers: () =>
      Promise.resolve([{ name: "external-access", arn: ARN, type: "ACCOUNT", status: "ACTIVE" }]),
    activeFindings: () => Promise.reject(new Error("not used by findings")),
    findings: (_r, _a, criteria) => {
      calls.push(`list ${JSON.stringify(criteria)}`);
      return Promise.resolve([
        {
          id: "public-bucket",
          resourceType: "AWS::S3::Bucket",
          resource: "arn:aws:s3:::open-data",
          resourceOwnerAccount: t.accountId,
          status: "ACTIVE",
          findingType: "ExternalAccess",
          updatedAt: "2025-06-10T00:00:00.000Z",
        },
      ]);
    },
    findingDetail: (_r, _a, id) => {
      calls.push(`get ${id}`);
      return Promise.resolve({ isPublic: true, principal: { AWS: "*" } });
    },
  });
}

function harness() {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), "fleet-findings-"));
  fs.writeFileSync(path.join(dir, "fleet.yaml"), FLEET);
  let out = "";
  let err = "";
  const calls: string[] = [];
  const deps: CliDeps = {
    version: "0.1.0-test",
    stdout: (t) => (out += t),
    stderr: (t) => (err += t),
    env: {},
    cwd: dir,
    memory: () => ({ total: 1, free: 1 }),
    createRunner: () => {
      throw new Error("findings never runs a stack");
    },
    onSignal: () => () => undefined,
    interactive: false,
    exit: () => undefined,
    now: () => new Date("2025-06-15T12:00:00.000Z"),
    createFindingsReader: stubReader(calls),
  };
  return { deps, dir, calls, out: () => out, err: () => err };
}

describe("fleet CLI: findings", () => {
  it("prints the table of one account's findings, with the principal read by GetFindingV2 by default, and exits 0", async () => {
    const h = harness();
    const code = await main(["findings", "--accounts", "prod"], h.deps);
    assert.strictEqual(code, 0, h.err());
    assert.deepStrictEqual(h.calls, ['list {"status":{"eq":["ACTIVE"]}}', "get public-bucket"]);
    assert.match(h.out(), /arn:aws:s3:::open-data/);
    assert.match(h.out(), /AWS: \*/);
    assert.match(h.err(), /findings: 1 finding\(s\) \(1 public.*exit code 0/);
  });

  it("--no-details asks ListFindingsV2 for the public ones instead of GetFindingV2", async () => {
    const h = harness();
    await main(["findings", "--accounts", "prod", "--no-details"], h.deps);
    assert.ok(!h.calls.some((c) => c.startsWith("get ")), h.calls.join("\n"));
    assert.ok(h.calls.some((c) => c.includes("isPublic")));
  });

  it("writes the JSON report to --output with the filters applied, and exits 1 when an account cannot be read", async () => {
    const h = harness();
    const code = await main(
      [
        "findings",
        "--format",
        "json",
        "--output",
        "out/findings.json",
        "--resource-type",
        "aws::s3::bucket",
        "--public",
        "--since",
        "7d",
      ],
      h.deps,
    );
    assert.strictEqual(code, 1);
    assert.strictEqual(h.out(), "", "nothing on stdout when --output is given");
    const report = JSON.parse(
      fs.readFileSync(path.join(h.dir, "out", "findings.json"), "utf8"),
    ) as FindingsReport;
    assert.deepStrictEqual(report.filter, {
      status: "ACTIVE",
      resourceTypes: ["AWS::S3::Bucket"],
      publicOnly: true,
      since: "2025-06-08T12:00:00.000Z",
    });
    assert.deepStrictEqual(
      report.accounts.map((a) => [a.accountId, a.outcome, a.findings.length]),
      [
        ["111122223333", "succeeded", 1],
        ["444455556666", "failed", 0],
      ],
    );
  });

  it("reads the accounts of an organization fleet, as audit does, and not the registration stack", async () => {
    const h = harness();
    fs.writeFileSync(
      path.join(h.dir, "fleet.yaml"),
      `defaults: { roleName: Auditor }\norganization:\n  delegatedAdministrator: { accountId: "222222222222" }\n`,
    );
    const read: string[] = [];
    const reader = stubReader([]);
    const code = await main(["findings", "--format", "json"], {
      ...h.deps,
      discoverAccounts: () =>
        Promise.resolve({
          organizationId: "o-abc1234567",
          managementAccountId: "111111111111",
          accounts: [
            orgAccount("222222222222", "Root/Security"),
            orgAccount("333333333333", "Root/Prod"),
          ],
          leftOut: [],
          warnings: [],
        }),
      createFindingsReader: (t) => {
        read.push(t.accountId);
        return reader(t);
      },
    });
    assert.strictEqual(code, 0, h.err());
    assert.deepStrictEqual(read.sort(), ["222222222222", "333333333333"]);
    const report = JSON.parse(h.out()) as FindingsReport;
    assert.deepStrictEqual(
      report.accounts.map((a) => [a.accountId, a.findings.length]),
      [
        ["222222222222", 1],
        ["333333333333", 1],
      ],
    );
    assert.match(h.err(), /findings: 2 account\(s\)/);
  });

  it("writes SARIF and HTML", async () => {
    const h = harness();
    await main(["findings", "--accounts", "prod", "--format", "sarif"], h.deps);
    const sarif = JSON.parse(h.out()) as {
      version: string;
      runs: { tool: { driver: { version: string } } }[];
    };
    assert.strictEqual(sarif.version, "2.1.0");
    assert.strictEqual(sarif.runs[0].tool.driver.version, "0.1.0-test", "the package's version");
    const html = harness();
    await main(["findings", "--accounts", "prod", "--format", "html"], html.deps);
    assert.match(html.out(), /^<!DOCTYPE html>/i);
  });

  const bad: [string, string[], RegExp][] = [
    ["an unknown format", ["--format", "xml"], /--format.*xml/],
    ["an unknown status", ["--status", "OPEN"], /--status: "OPEN" is not a finding status/],
    ["an unknown resource type", ["--resource-type", "AWS::S3::Thing"], /--resource-type/],
    [
      "a bad --since",
      ["--since", "last week"],
      /--since: "last week" is neither a date nor a duration.*earlier findings report/,
    ],
    [
      "a --since report that is not there",
      ["--since", "old.json"],
      /--since old\.json: cannot read .*old\.json: no such file/,
    ],
    [
      "an unknown --access",
      ["--access", "internal"],
      /--access: "internal" is not an access kind; use one of public, cross-account, unused/,
    ],
    ["--ou in a fleet without organization", ["--ou", "Prod"], /--ou Prod: no account has an OU/],
    ["an --output that is a folder", ["--output", "."], /--output \.: .* is a folder/],
    ["an unknown account", ["--accounts", "nobody"], /nobody/],
  ];
  for (const [name, args, message] of bad) {
    it(`rejects ${name} with exit 3 before reading anything`, async () => {
      const h = harness();
      const code = await main(["findings", ...args], h.deps);
      assert.strictEqual(code, 3);
      assert.match(h.err(), message);
      assert.deepStrictEqual(h.calls, []);
    });
  }
});

describe("fleet CLI: findings, what the user sees", () => {
  const lines = (text: string) => text.split("\n").filter((l) => l !== "");

  it("--help describes every findings option", async () => {
    const h = harness();
    assert.strictEqual(await main(["findings", "--help"], h.deps), 0);
    const help = h.out().replace(/\s+/g, " ");
    for (const text of [
      "--shard <K/N> read shard K of N (accounts sorted by id, dealt round-robin)",
      "--format <format> table, json, sarif or html",
      "--output <file> write the report to FILE instead of stdout",
      "--resource-type <types> only these resource types, e.g. AWS::S3::Bucket (comma-separated or repeated)",
      "--public only public findings (the same as --access public)",
      "--since <when> an earlier report.json: mark each finding new or unchanged and list the resolved ones; or a date or duration (7d): only findings updated since",
      "--report <file> also write the JSON report to FILE (for --since and report merge)",
      "--access <kinds> only these access kinds: public, cross-account, unused (comma-separated or repeated)",
      "--region <regions> only findings in these regions (comma-separated or repeated)",
      "--ou <paths> only accounts in these OUs or below",
      "--suppressions <file> mute the findings this YAML file names",
      "--sarif-max-results <n> SARIF: at most N results, the most urgent",
      "--status <status> ACTIVE (default), ARCHIVED or RESOLVED",
      "--no-details skip GetFindingV2 (no principal, condition, actions or last use; one call less per finding)",
    ]) {
      assert.ok(help.includes(text), `help has: ${text}`);
    }
  });

  it("says what it will read first and sums up the report last, naming --output when given", async () => {
    const h = harness();
    await main(["findings", "--concurrency", "2", "--region-concurrency", "3"], h.deps);
    const err = lines(h.err());
    assert.strictEqual(
      err[0],
      "findings: 2 account(s), 2 at a time, 3 region(s) at a time per account",
    );
    assert.strictEqual(
      err[err.length - 1],
      "findings: 1 finding(s) (1 public, 0 cross-account, 0 unused) in 2 account(s), 1 not fully read; exit code 1",
    );
    const written = harness();
    await main(
      ["findings", "--accounts", "prod", "--format", "json", "--output", "a/b/c/report.json"],
      written.deps,
    );
    assert.ok(fs.existsSync(path.join(written.dir, "a", "b", "c", "report.json")));
    assert.match(lines(written.err()).pop() ?? "", /; exit code 0; json in a\/b\/c\/report\.json$/);
  });

  it("shows cross-account findings too unless --public is given", async () => {
    const h = harness();
    const reader = stubReader([]);
    const deps: CliDeps = {
      ...h.deps,
      createFindingsReader: (t) => ({
        ...reader(t),
        findingDetail: () =>
          Promise.resolve({ isPublic: false, principal: { AWS: "444455556666" } }),
      }),
    };
    await main(["findings", "--accounts", "prod", "--format", "json"], deps);
    const all = JSON.parse(h.out()) as FindingsReport;
    assert.deepStrictEqual(
      all.accounts[0].findings.map((f) => f.exposure),
      ["cross-account"],
    );
    const pub = harness();
    await main(["findings", "--accounts", "prod", "--format", "json", "--public"], {
      ...deps,
      stdout: pub.deps.stdout,
    });
    assert.deepStrictEqual((JSON.parse(pub.out()) as FindingsReport).accounts[0].findings, []);
  });

  it("prints the table when called without a format", async () => {
    const h = harness();
    const code = await runFindingsCommand(
      { fleet: "fleet.yaml", accounts: ["prod"], logDir: ".fleet-logs" },
      h.deps,
    );
    assert.strictEqual(code, 0);
    assert.match(h.out(), /^ACCESS\s+ACCOUNT\s+REGION/);
  });

  it("exits 130 when aborted, before 1 for what could not be read, and 0 when all was read", () => {
    const base = {
      accountId: "111122223333",
      regionErrors: [],
      findings: [],
      durationMs: 1,
    };
    const report = (outcomes: ("succeeded" | "failed")[]): FindingsReport => {
      const accounts = outcomes.map((outcome) => ({ ...base, outcome }));
      return {
        schemaVersion: 1,
        kind: "access-analyzer-fleet/findings",
        fleetFile: "fleet.yaml",
        generatedAt: "2025-06-15T12:00:00.000Z",
        filter: { status: "ACTIVE", publicOnly: false },
        totals: findingsTotals(accounts),
        accounts,
      };
    };
    assert.strictEqual(findingsExitCode(report(["succeeded", "failed"]), true), 130);
    assert.strictEqual(findingsExitCode(report(["succeeded", "succeeded"]), true), 130);
    assert.strictEqual(findingsExitCode(report(["succeeded", "failed"]), false), 1);
    assert.strictEqual(findingsExitCode(report(["succeeded", "succeeded"]), false), 0);
  });

  it("raises the abort signal's listener limit with the reads in flight, as audit does", async () => {
    const h = harness();
    const signals: AbortSignal[] = [];
    const reader = stubReader([]);
    await main(["findings", "--concurrency", "3", "--region-concurrency", "5"], {
      ...h.deps,
      createFindingsReader: (t, options) => {
        if (options.signal) signals.push(options.signal);
        return reader(t);
      },
    });
    assert.strictEqual(getMaxListeners(signals[0]), 3 * 6 * 4);
  });

  it("on a signal aborts the reads, still writes what was read and exits 130; a second one exits 130 at once", async () => {
    const h = harness();
    let handler: ((signal: "SIGINT" | "SIGTERM") => void) | undefined;
    let unsubscribed = 0;
    const exits: number[] = [];
    let exitsAfterFirst = -1;
    const reader = stubReader([]);
    const deps: CliDeps = {
      ...h.deps,
      onSignal: (f) => {
        handler = f;
        return () => {
          unsubscribed++;
        };
      },
      exit: (code) => exits.push(code),
      createFindingsReader: (t) => ({
        ...reader(t),
        enabledRegions: () => {
          handler?.("SIGINT");
          exitsAfterFirst = exits.length;
          handler?.("SIGTERM");
          return Promise.resolve(["eu-west-1"]);
        },
      }),
    };
    const code = await main(["findings", "--concurrency", "1", "--format", "json"], deps);
    assert.strictEqual(code, 130);
    const report = JSON.parse(h.out()) as FindingsReport;
    assert.deepStrictEqual(
      report.accounts.map((a) => a.outcome),
      ["aborted", "skipped"],
    );
    assert.match(h.err(), /SIGINT: aborting the reads in flight/);
    assert.strictEqual(unsubscribed, 1, "the signal handler is removed when done");
    assert.strictEqual(exitsAfterFirst, 0, "the first signal does not exit");
    assert.match(h.err(), /SIGTERM again: writing the report with what is known and exiting/);
    assert.deepStrictEqual(exits, [130]);
  });
});

describe("fleet CLI: report merge", () => {
  it("joins the shards' findings reports into one JSON, table and HTML, as one run over every shard", async () => {
    const h = harness();
    for (const k of [1, 2]) {
      const code = await main(
        ["findings", "--shard", `${k}/2`, "--format", "table", "--report", `shard-${k}.json`],
        h.deps,
      );
      assert.ok(code === 0 || code === 1, `shard ${k}: ${code}`);
    }
    const merged = harness();
    const deps = { ...merged.deps, cwd: h.dir };
    assert.strictEqual(
      await main(["report", "merge", "shard-1.json", "shard-2.json", "--output", "all.json"], deps),
      0,
    );
    const all = JSON.parse(fs.readFileSync(path.join(h.dir, "all.json"), "utf8")) as FindingsReport;
    assert.deepStrictEqual(
      all.accounts.map((a) => a.accountId),
      ["111122223333", "444455556666"],
    );
    assert.strictEqual(all.totals.findings, 1);
    assert.strictEqual(all.totals.failedAccounts, 1);
    assert.deepStrictEqual(
      all.sources?.map((s) => s.file),
      ["shard-1.json", "shard-2.json"],
    );
    assert.match(
      merged.err(),
      /report merge: 2 findings report\(s\), 2 account\(s\), 1 finding\(s\)/,
    );
    await main(["report", "merge", "shard-1.json", "shard-2.json", "--format", "table"], deps);
    assert.match(merged.out(), /^ACCESS\s+ACCOUNT/);
    assert.match(merged.out(), /1 finding\(s\) \(status ACTIVE\): 1 public/);
    await main(
      [
        "report",
        "merge",
        "shard-1.json",
        "shard-2.json",
        "--format",
        "html",
        "--output",
        "all.html",
      ],
      deps,
    );
    assert.match(
      fs.readFileSync(path.join(h.dir, "all.html"), "utf8"),
      /<span class="k public">public/,
    );
  });

  it("refuses the same shard twice, a file that is no report, and mixed kinds, writing nothing", async () => {
    const h = harness();
    await main(["findings", "--format", "json", "--output", "f.json"], h.deps);
    fs.writeFileSync(path.join(h.dir, "other.json"), JSON.stringify({ hello: 1 }));
    fs.writeFileSync(
      path.join(h.dir, "run.json"),
      JSON.stringify({ schemaVersion: 1, command: "up", results: [] }),
    );
    for (const [args, message] of [
      [["f.json", "./f.json"], /report merge: \.\/f\.json is given twice/],
      [["f.json", "other.json"], /other\.json is neither a findings report nor a run report/],
      [["f.json", "run.json"], /the files mix findings reports and run reports/],
      [["f.json", "missing.json"], /missing\.json: cannot read .*: no such file/],
    ] as const) {
      const run = harness();
      const code = await main(["report", "merge", ...args, "--output", "m.json"], {
        ...run.deps,
        cwd: h.dir,
      });
      assert.strictEqual(code, 3);
      assert.match(run.err(), message);
      assert.ok(!fs.existsSync(path.join(h.dir, "m.json")));
    }
  });

  it("joins run reports of disjoint shards, working the totals and the exit code out again", () => {
    const base = (results: FleetReport["results"], exitCode: number): FleetReport => ({
      schemaVersion: 1,
      command: "up",
      fleetFile: "fleet.yaml",
      startedAt: "2025-06-15T12:00:00.000Z",
      finishedAt: "2025-06-15T12:01:00.000Z",
      durationMs: 60_000,
      exitCode,
      options: { concurrency: 4, refresh: false, shard: "1/2" },
      aborted: false,
      totals: {} as FleetReport["totals"],
      results,
    });
    const ok = base([result(target("111122223333"), "up", "succeeded")], 0);
    const bad = {
      ...base([result(target("444455556666"), "up", "failed")], 1),
      finishedAt: "2025-06-15T12:03:00.000Z",
    };
    const merged = mergeRunReports([
      { file: "a.json", report: ok },
      { file: "b.json", report: bad },
    ]);
    assert.strictEqual(merged.exitCode, 1);
    assert.strictEqual(merged.totals.stacks, 2);
    assert.strictEqual(merged.totals.failed, 1);
    assert.strictEqual(merged.durationMs, 180_000);
    assert.strictEqual(merged.options.shard, undefined);
    assert.throws(
      () =>
        mergeRunReports([
          { file: "a.json", report: ok },
          { file: "c.json", report: ok },
        ]),
      /stack acct-111122223333 \(account 111122223333\) is in both a\.json and c\.json/,
    );
  });
});
