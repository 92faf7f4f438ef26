/** The command line's shared pieces: option parsers, fleet loading, path checks, labels, signals. */
import * as assert from "assert";
import { InvalidArgumentError } from "commander";
import * as fs from "fs";
import * as os from "os";
import * as path from "path";
import { loadFleet, loadRunFleet, type RunFleet } from "../../../fleet/commands/loader";
import {
  checkWorkDir,
  numberOption,
  shardArg,
  throwProblems,
  wholeNumber,
} from "../../../fleet/commands/options";
import { handleAuditSignals } from "../../../fleet/commands/signals";
import { EnvironmentError, UsageError } from "../../../fleet/domain/errors";
import {
  OrganizationReadError,
  OrganizationScopeError,
  OrganizationThrottledError,
} from "../../../fleet/domain/organization";
import { leftOutLines, organizationLine, originLabel } from "../../../fleet/report/fleetLines";
import { parseFleetFile } from "../../../fleet/settings/fleetFile";
import type { Fleet, LeftOutTarget, Target } from "../../../fleet/settings/schema";
import { orgAccount, target } from "./helpers";

const ORG_FLEET = `backend: file://./state\nsecretsProvider: awskms://alias/k?region=eu-west-1\ndefaults: { roleName: Deployer }\norganization:\n  delegatedAdministrator: { accountId: "222222222222" }\n`;

function orgFleet(): Fleet {
  const parsed = parseFleetFile(ORG_FLEET, "org.yaml");
  assert.ok(parsed.ok);
  return parsed.fleet;
}

const FOUND = {
  organizationId: "o-abc1234567",
  managementAccountId: "111111111111",
  accounts: [orgAccount("222222222222", "Root/Security"), orgAccount("333333333333", "Root/Prod")],
  leftOut: [],
  warnings: ["one warning"],
};

function invalid(fn: () => unknown, message: string): void {
  assert.throws(fn, (e: unknown) => e instanceof InvalidArgumentError && e.message === message);
}

describe("command line options", () => {
  it("takes whole numbers within the bounds, both bounds included, spaces around allowed", () => {
    const parse = wholeNumber(1, 10);
    assert.strictEqual(parse(" 7 "), 7);
    assert.strictEqual(parse("10"), 10);
    assert.strictEqual(parse("1"), 1);
    for (const bad of ["0", "11", "1.5", "-1", "7a", ""]) {
      invalid(() => parse(bad), "must be a whole number from 1 to 10.");
    }
  });

  it("takes --shard K/N with 1 ≤ K ≤ N, spaces allowed, and says how to write it otherwise", () => {
    assert.deepStrictEqual(shardArg(" 2 / 4 "), { index: 2, count: 4 });
    assert.deepStrictEqual(shardArg("12/20"), { index: 12, count: 20 });
    assert.deepStrictEqual(shardArg("3/3"), { index: 3, count: 3 });
    assert.deepStrictEqual(shardArg("1/1"), { index: 1, count: 1 });
    for (const bad of ["x2/4", "2/4x", "2", "2/", "a/b"]) {
      invalid(() => shardArg(bad), "write it as K/N, e.g. --shard 2/4.");
    }
    invalid(() => shardArg("4/3"), "K and N must satisfy 1 ≤ K ≤ N, e.g. --shard 1/3.");
    invalid(() => shardArg("0/3"), "K and N must satisfy 1 ≤ K ≤ N, e.g. --shard 1/3.");
    invalid(() => shardArg("1/0"), "K and N must satisfy 1 ≤ K ≤ N, e.g. --shard 1/1.");
  });

  it("shows a numeric option's bounds in its help", () => {
    const option = numberOption("--n <n>", "how many", { min: 2, max: 9 });
    assert.strictEqual(option.description, "how many (2–9)");
    assert.strictEqual(option.parseArg?.("9", undefined), 9);
  });

  it("reports every problem of a fleet file, one a line, and how many", () => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), "fleet-opts-"));
    fs.writeFileSync(path.join(dir, "f.yaml"), 'accounts:\n  - id: "1"\n  - id: "2"\n');
    assert.throws(
      () => loadFleet("f.yaml", dir),
      (e: unknown) =>
        e instanceof UsageError &&
        /^f\.yaml: accounts\[0\]\.id: .*\nf\.yaml: accounts\[1\]\.id: .*\nf\.yaml: 2 problem\(s\); nothing was run$/.test(
          e.message,
        ),
    );
  });

  it("a fleet without organization: has no left-out accounts and no warnings", async () => {
    const fleet = { ...orgFleet(), organization: undefined, targets: [target("111122223333")] };
    const run = await loadRunFleet(fleet, {});
    assert.deepStrictEqual(
      { targets: run.targets, leftOut: run.leftOut, warnings: run.warnings },
      { targets: fleet.targets, leftOut: [], warnings: [] },
    );
  });

  it("reads the organization with the abort signal it is given, in the fleet's partition", async () => {
    const options: unknown[] = [];
    const discoverAccounts = (_: unknown, o: unknown) => {
      options.push(o);
      return Promise.resolve(FOUND);
    };
    const signal = new AbortController().signal;
    const run = await loadRunFleet(orgFleet(), { discoverAccounts }, signal);
    await loadRunFleet(orgFleet(), { discoverAccounts });
    const gov = parseFleetFile(
      ORG_FLEET.replace(
        "defaults: { roleName: Deployer }",
        "defaults: { roleName: Deployer, lookupRegion: us-gov-west-1, partition: aws-us-gov }",
      ),
      "gov.yaml",
    );
    assert.ok(gov.ok, gov.ok ? "" : gov.messages.join("\n"));
    await loadRunFleet(gov.fleet, { discoverAccounts });
    assert.deepStrictEqual(options, [
      { partition: "aws", signal },
      { partition: "aws" },
      { partition: "aws-us-gov" },
    ]);
    assert.strictEqual(run.organizationId, "o-abc1234567");
    assert.strictEqual(run.managementAccountId, "111111111111");
    assert.deepStrictEqual(run.warnings, ["one warning"]);
  });

  it("turns an organization read or scope error into a usage error naming the fleet file", async () => {
    for (const error of [
      new OrganizationReadError("denied"),
      new OrganizationScopeError(["bad OU"]),
    ]) {
      await assert.rejects(
        loadRunFleet(orgFleet(), { discoverAccounts: () => Promise.reject(error) }),
        (e: unknown) =>
          e instanceof UsageError &&
          e.message ===
            `org.yaml: ${error.message}\norg.yaml: could not read the organization's accounts; nothing was run`,
      );
    }
    // Organizations throttling through every retry is the environment's fault (exit 5), not the
    // fleet file's; a bug is neither and passes through.
    const throttled = new OrganizationThrottledError("ListRoots", 10, 30_000, "me");
    await assert.rejects(
      loadRunFleet(orgFleet(), { discoverAccounts: () => Promise.reject(throttled) }),
      (e: unknown) =>
        e instanceof EnvironmentError &&
        e.message.startsWith(`org.yaml: ${throttled.message}\n`) &&
        e.message.endsWith("nothing was run: run again later"),
    );
    const bug = new Error("bug");
    await assert.rejects(
      loadRunFleet(orgFleet(), { discoverAccounts: () => Promise.reject(bug) }),
      (e: unknown) => e === bug,
    );
  });

  it("refuses an organization whose accounts do not fit the fleet file, each problem on its line", async () => {
    const parsed = parseFleetFile(
      `${ORG_FLEET}accounts:\n  - id: "333333333333"\n    stack: org-delegated-admin\n`,
      "org.yaml",
    );
    assert.ok(parsed.ok, parsed.ok ? "" : parsed.messages.join("\n"));
    const found = { ...FOUND, accounts: [orgAccount("333333333333", "Root/Prod")] };
    await assert.rejects(
      loadRunFleet(parsed.fleet, { discoverAccounts: () => Promise.resolve(found) }),
      (e: unknown) =>
        e instanceof UsageError &&
        /^org\.yaml: .*222222222222[^\n]*\norg\.yaml: [^\n]*org-delegated-admin[^\n]*\norg\.yaml: 2 problem\(s\); nothing was run$/.test(
          e.message,
        ),
    );
  });

  it("says how to point at the program when its Pulumi.yaml is missing or unreadable", () => {
    assert.throws(
      () => checkWorkDir(undefined),
      (e: unknown) =>
        e instanceof UsageError &&
        e.message === "cannot find the program's Pulumi.yaml; pass --work-dir DIR",
    );
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), "fleet-work-"));
    assert.throws(
      () => checkWorkDir(dir),
      (e: unknown) =>
        e instanceof UsageError &&
        e.message ===
          `${path.join(dir, "Pulumi.yaml")}: cannot read it; pass --work-dir pointing at the access-analyzer program`,
    );
  });

  it("throws every problem at once, one a line, and nothing when there is none", () => {
    assert.throws(
      () => throwProblems(["first", undefined, "second"]),
      (e: unknown) => e instanceof UsageError && e.message === "first\nsecond",
    );
    assert.doesNotThrow(() => throwProblems([undefined]));
  });
});

describe("validate's labels", () => {
  const withOrigin = (origin: Target["origin"], phase?: Target["phase"]): Target => ({
    ...target("111122223333"),
    ...(origin ? { origin } : {}),
    ...(phase ? { phase } : {}),
  });

  it("says where each target came from", () => {
    assert.strictEqual(originLabel(withOrigin(undefined)), "fleet file");
    assert.strictEqual(
      originLabel(withOrigin({ ouPath: "Root", fleetFile: false }, "registration")),
      "management account (registration)",
    );
    assert.strictEqual(originLabel(withOrigin({ fleetFile: true })), "fleet file");
    assert.strictEqual(
      originLabel(withOrigin({ ouPath: "Root/Prod", fleetFile: true })),
      "Root/Prod + fleet file",
    );
    assert.strictEqual(
      originLabel(withOrigin({ ouPath: "Root/Prod", fleetFile: false })),
      "Root/Prod",
    );
  });

  it("lists the accounts left out with reason, OU and detail, and nothing when none is", () => {
    assert.deepStrictEqual(leftOutLines([]), []);
    const out: LeftOutTarget[] = [
      {
        accountId: "444444444444",
        accountName: "sandbox",
        ouPath: "Root/Sb",
        reason: "excluded-ou",
        detail: "in excluded OU",
      },
      {
        accountId: "555555555555",
        ouPath: "Root",
        reason: "not-active",
        detail: "status SUSPENDED",
      },
    ];
    assert.deepStrictEqual(leftOutLines(out), [
      "left out: 2 account(s)",
      "  444444444444  excluded-ou   Root/Sb  (in excluded OU; sandbox)",
      "  555555555555  not-active    Root  (status SUSPENDED)",
    ]);
  });

  it("heads an organization fleet with its id, management account and counts; none without one", () => {
    const run: RunFleet = {
      fleet: orgFleet(),
      targets: [target("111111111111"), target("222222222222")],
      leftOut: [],
      warnings: [],
    };
    assert.strictEqual(organizationLine(run), undefined);
    assert.strictEqual(
      organizationLine({ ...run, organizationId: "o-1", managementAccountId: "111111111111" }),
      "organization o-1 (management account 111111111111): 2 stack(s), 0 account(s) left out",
    );
  });
});

describe("audit's signal handler", () => {
  it("aborts the reads on the first signal, writes the report and exits on the second", () => {
    let handler: ((s: "SIGINT" | "SIGTERM") => void) | undefined;
    const said: string[] = [];
    const exits: number[] = [];
    const stop = new AbortController();
    handleAuditSignals(
      {
        onSignal: (h) => {
          handler = h;
          return () => undefined;
        },
        exit: (code) => exits.push(code),
      },
      (line) => said.push(line),
      stop,
      () => 130,
    );
    handler!("SIGTERM");
    assert.ok(stop.signal.aborted);
    assert.deepStrictEqual(exits, []);
    assert.deepStrictEqual(said, ["SIGTERM: aborting the reads in flight (again to exit at once)"]);
    handler!("SIGINT");
    assert.deepStrictEqual(exits, [130]);
    assert.strictEqual(said[1], "SIGINT again: writing the report with what is known and exiting");
  });
});
