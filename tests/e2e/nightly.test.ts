// The nightly fast path on the real engine, through the fleet bot (fleet/cli.ts in a child process):
// a second `up` with nothing changed reports the account `unchanged (verified)` without starting
// the engine; every change after it, made in the account out of band or in the fleet file, sends
// the account back to the engine, which repairs it. Each case checks both sides: the report does
// not say unchanged, and the account is as the settings ask afterwards.

import * as assert from "node:assert/strict";
import * as fs from "node:fs";
import * as path from "node:path";

import {
  AccessAnalyzerClient,
  DeleteArchiveRuleCommand,
  TagResourceCommand,
} from "@aws-sdk/client-accessanalyzer";
import { AssumeRoleCommand, STSClient } from "@aws-sdk/client-sts";

import type { StackResult } from "../../fleet/domain/results";
import { DEFAULT_REGIONS } from "../harness/fake-aws/regions";
import { ROLE_NAME, World, type FleetRun } from "./harness";

const ACCOUNT = "240000000001";
/** Two default regions covered; the rest excluded so each engine run stays short. */
const COVERED = ["eu-west-1", "us-east-1"];
const OPT_IN = "me-south-1";
const RULE = "private";

function fleetFile(owner: string): string {
  return `backend: file://./state
secretsProvider: passphrase
defaults:
  roleName: ${ROLE_NAME}
  providerMode: single
  tags: { Owner: ${owner} }
  archiveRules:
    - { name: ${RULE}, filters: [{ criteria: isPublic, eqs: ["false"] }] }
accounts:
  - id: "${ACCOUNT}"
    excludeRegions: [${DEFAULT_REGIONS.filter((r) => !COVERED.includes(r)).join(", ")}]
`;
}

function resultOf(run: FleetRun): StackResult {
  const result = run.report?.results.find((r) => r.accountId === ACCOUNT);
  assert.ok(result, `the report has ${ACCOUNT}:\n${run.stderr.slice(-3000)}`);
  return result;
}

const statuses = (r: StackResult) => (r.notes ?? []).map((n) => n.status);
const verified = (r: StackResult) => statuses(r).includes("unchanged-verified");

describe("the nightly fast path under the real engine", function () {
  let world: World;
  let file: string;

  before(async () => {
    world = await World.start({ label: "nightly", accounts: [{ id: ACCOUNT }] });
    file = world.writeFleetFile("fleet.yaml", fleetFile("security"));
  });

  after(async () => {
    await world?.close();
  });

  const up = async (...args: string[]) => {
    const run = await world.runFleet(["up", ...args, "--fleet", file]);
    assert.equal(run.code, 0, run.stderr.slice(-3000));
    return resultOf(run);
  };

  /**
   * Enabled region → our ACCOUNT analyzer in the fake (ARN, tags, rule names). A disabled region's
   * analyzer stays in the account, out of reach (and out of the stack).
   */
  async function analyzers() {
    const all = await world.admin.listAnalyzers(ACCOUNT);
    const enabled = await world.enabledRegions(ACCOUNT);
    return Object.fromEntries(
      all
        .filter((a) => a.type === "ACCOUNT" && enabled.includes(a.region))
        .map((a) => [
          a.region,
          { arn: a.arn, tags: a.tags, rules: a.archiveRules.map((r) => r.ruleName).sort() },
        ]),
    );
  }

  /** An Access Analyzer client of the account, through the deployer role (an operator's console). */
  async function outOfBand(region: string): Promise<AccessAnalyzerClient> {
    const endpoint = world.fake.url;
    const sts = new STSClient({
      region: "us-east-1",
      endpoint,
      credentials: {
        accessKeyId: world.env.AWS_ACCESS_KEY_ID,
        secretAccessKey: world.env.AWS_SECRET_ACCESS_KEY,
      },
    });
    const { Credentials: c } = await sts.send(
      new AssumeRoleCommand({
        RoleArn: World.roleArn(ACCOUNT),
        RoleSessionName: "console-operator",
      }),
    );
    sts.destroy();
    return new AccessAnalyzerClient({
      region,
      endpoint,
      credentials: {
        accessKeyId: c!.AccessKeyId!,
        secretAccessKey: c!.SecretAccessKey!,
        sessionToken: c!.SessionToken!,
      },
    });
  }

  /** Asserts the account converged: one analyzer per region, with the tags and rule as set. */
  async function converged(regions: readonly string[], owner: string) {
    const now = await analyzers();
    assert.deepEqual(Object.keys(now).sort(), [...regions].sort());
    for (const region of regions) {
      assert.equal(now[region].tags?.Owner, owner, `${region}'s tag`);
      assert.deepEqual(now[region].rules, [RULE], `${region}'s archive rule`);
    }
    return now;
  }

  it("a second up with nothing changed is unchanged (verified): no engine, same report outputs", async () => {
    const first = await up();
    assert.ok(!verified(first), "the first up runs the engine");
    assert.equal(first.changes.create > 0, true);
    const arns = await converged(COVERED, "security");

    const second = await up();
    assert.ok(verified(second), `unchanged (verified): ${JSON.stringify(second.notes)}`);
    assert.deepEqual(second.regions, COVERED);
    assert.deepEqual(second.analyzerArns, Object.fromEntries(COVERED.map((r) => [r, arns[r].arn])));
    assert.equal(second.changes.create + second.changes.update + second.changes.delete, 0);
    // This run's part of the log (a log is appended to when a run reuses the folder).
    const text = fs.readFileSync(second.logFile!, "utf8");
    const log = text.slice(text.lastIndexOf("# up "));
    assert.match(log, /# unchanged \(verified\)/);
    assert.doesNotMatch(
      log,
      /Updating \(|Previewing update|pulumi:pulumi:Stack/,
      "no engine output",
    );

    // --force-engine runs the engine anyway, and changes nothing.
    const forced = await up("--force-engine");
    assert.ok(!verified(forced));
    assert.equal(forced.changes.create + forced.changes.update + forced.changes.delete, 0);
  });

  it("an analyzer deleted out of band: the engine runs (refreshing) and recreates it", async () => {
    await world.admin.deleteAnalyzer(ACCOUNT, "eu-west-1", "external-access");
    const r = await up();
    assert.ok(!verified(r), "not skipped");
    assert.ok(statuses(r).includes("drift-found"), JSON.stringify(r.notes));
    assert.match(
      r.notes!.find((n) => n.status === "drift-found")!.detail ?? "",
      /eu-west-1: external-access is gone/,
    );
    await converged(COVERED, "security");
    assert.ok(verified(await up()), "and the next night is unchanged again");
  });

  it("a tag changed and an archive rule deleted out of band: the engine puts both back", async () => {
    const before = await analyzers();
    const client = await outOfBand("us-east-1");
    await client.send(
      new TagResourceCommand({
        resourceArn: before["us-east-1"].arn,
        tags: { Owner: "someone-else" },
      }),
    );
    client.destroy();
    const eu = await outOfBand("eu-west-1");
    await eu.send(
      new DeleteArchiveRuleCommand({ analyzerName: "external-access", ruleName: RULE }),
    );
    eu.destroy();
    assert.equal((await analyzers())["us-east-1"].tags?.Owner, "someone-else");

    const r = await up();
    assert.ok(!verified(r), "not skipped");
    const drift = r.notes!.find((n) => n.status === "drift-found")?.detail ?? "";
    assert.match(drift, /us-east-1: external-access's tags were changed outside the stack/);
    assert.match(drift, /eu-west-1: rule private of external-access is gone from the account/);
    await converged(COVERED, "security");
  });

  it("a region the account enables: the engine runs and covers it; disabled again, it leaves", async () => {
    // The fleet file excludes only default regions: an opt-in region, once enabled, is covered.
    await world.admin.enableRegion(ACCOUNT, OPT_IN);
    const gained = await up();
    assert.ok(!verified(gained), "not skipped");
    await converged([...COVERED, OPT_IN], "security");

    await world.admin.disableRegion(ACCOUNT, OPT_IN);
    const lost = await up();
    assert.ok(!verified(lost), "not skipped");
    assert.ok(statuses(lost).includes("region-disabled"), JSON.stringify(lost.notes));
    assert.deepEqual(lost.regions, COVERED);
    assert.ok(verified(await up()), "and the next night is unchanged again");
  });

  it("settings changed in the fleet file: the engine runs and applies them", async () => {
    fs.writeFileSync(file, fleetFile("platform"));
    const r = await up();
    assert.ok(!verified(r), "not skipped");
    assert.ok(r.changes.update > 0, JSON.stringify(r.changes));
    await converged(COVERED, "platform");
    assert.ok(verified(await up()), "and the next night is unchanged again");
  });

  it("the stack's state lost: the engine runs, and takes the analyzers back with their ARNs", async () => {
    const before = await analyzers();
    const stacks = path.join(world.tmp, "state", ".pulumi", "stacks");
    const files = fs
      .readdirSync(stacks, { recursive: true, encoding: "utf8" })
      .filter((f) => f.includes(`acct-${ACCOUNT}.json`));
    assert.ok(files.length > 0, "the stack's state file");
    for (const f of files) fs.rmSync(path.join(stacks, f));

    // Not `up()`: the engine's run itself may fail here (the analyzers are taken back, their
    // archive rules are not: CreateArchiveRule meets the existing rule). What this case holds is
    // that the fast path does not skip an account whose state is gone.
    const run = await world.runFleet(["up", "--fleet", file]);
    const r = resultOf(run);
    assert.ok(!verified(r), "not skipped");
    const text = fs.readFileSync(r.logFile!, "utf8");
    const log = text.slice(text.lastIndexOf("# up "));
    assert.match(
      log,
      /# the engine runs: the stack(?: has no state yet|'s state could not be read)/,
    );
    assert.match(log, /imported/, "the engine took the analyzers back");
    const after = await analyzers();
    for (const region of COVERED) assert.equal(after[region].arn, before[region].arn);
  });
});
