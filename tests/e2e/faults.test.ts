// Faults real accounts meet, on the real engine through the fleet bot (fleet/cli.ts in a child
// process): a console-made analyzer adopted (brownfield), a create the engine lost, a region
// opted out and later re-enabled. Each case checks convergence: every covered region has exactly
// one ACTIVE ACCOUNT analyzer, the ones that existed keep their ARN, and the report says why.

import * as assert from "node:assert/strict";

import type { StackResult } from "../../fleet/types";
import { World, type FleetRun } from "./harness";

const BROWNFIELD = "230000000001";
const LOST = "230000000002";
const OPTED_OUT = "230000000003";
const ALL = [BROWNFIELD, LOST, OPTED_OUT];

// Two regions keep each engine run short; the opted-out case uses every enabled region.
const FLEET_FILE = `backend: file://./state
secretsProvider: passphrase
defaults:
  roleName: AccessAnalyzerDeployer
  tags: { Owner: security }
accounts:
  - { id: "${BROWNFIELD}", regions: [eu-west-1, us-east-1] }
  - { id: "${LOST}", regions: [eu-west-1, us-east-1] }
  - { id: "${OPTED_OUT}", excludeRegions: [${[
    "ap-northeast-1",
    "ap-northeast-2",
    "ap-northeast-3",
    "ap-south-1",
    "ap-southeast-1",
    "ap-southeast-2",
    "ca-central-1",
    "eu-central-1",
    "eu-north-1",
    "eu-west-2",
    "eu-west-3",
    "sa-east-1",
    "us-east-2",
    "us-west-1",
    "us-west-2",
  ].join(", ")}] }
`;

function resultOf(run: FleetRun, accountId: string): StackResult {
  const result = run.report?.results.find((r) => r.accountId === accountId);
  assert.ok(result, `the report has ${accountId}:\n${run.stderr.slice(-3000)}`);
  return result;
}

const notesOf = (r: StackResult) => (r.notes ?? []).map((n) => `${n.region ?? "-"} ${n.status}`);

describe("faults and adoption under the real engine", function () {
  let world: World;
  let fleetFile: string;

  before(async () => {
    world = await World.start({
      label: "faults",
      accounts: ALL.map((id) => ({
        id,
        ...(id === OPTED_OUT ? { optedInRegions: ["me-south-1"] } : {}),
      })),
    });
    fleetFile = world.writeFleetFile("fleet.yaml", FLEET_FILE);
  });

  after(async () => {
    await world?.close();
  });

  const fleet = (...args: string[]) => world.runFleet([...args, "--fleet", fleetFile]);

  /** Region → ACCOUNT analyzers (name, ARN) in the fake. */
  async function accountAnalyzers(accountId: string) {
    const all = await world.admin.listAnalyzers(accountId);
    const byRegion: Record<string, { name: string; arn: string; status: string }[]> = {};
    for (const a of all.filter((x) => x.type === "ACCOUNT")) {
      (byRegion[a.region] ??= []).push({ name: a.name, arn: a.arn, status: a.status });
    }
    return byRegion;
  }

  it("brownfield: audit non-compliant, up stops and names --adopt, preview --adopt shows it, up --adopt keeps the console analyzer, audit clean", async () => {
    const consoleMade = await world.admin.createAnalyzer({
      accountId: BROWNFIELD,
      region: "eu-west-1",
      analyzerName: "console-analyzer",
    });

    const audit = await fleet("audit", "--accounts", BROWNFIELD);
    assert.equal(audit.code, 2, audit.stderr.slice(-3000));

    const blocked = await fleet("up", "--accounts", BROWNFIELD);
    assert.equal(blocked.code, 1, blocked.stderr.slice(-3000));
    const b = resultOf(blocked, BROWNFIELD);
    assert.match(b.error ?? "", /"console-analyzer".*--adopt/s);
    assert.doesNotMatch(blocked.stderr, /ServiceQuotaExceeded/);
    assert.deepEqual((await accountAnalyzers(BROWNFIELD))["us-east-1"], undefined, "nothing ran");

    const preview = await fleet("preview", "--adopt", "--accounts", BROWNFIELD);
    assert.equal(preview.code, 0, preview.stderr.slice(-3000));
    assert.deepEqual(notesOf(resultOf(preview, BROWNFIELD)), ["eu-west-1 adopted"]);

    const up = await fleet("up", "--adopt", "--accounts", BROWNFIELD);
    assert.equal(up.code, 0, up.stderr.slice(-3000));
    const after = await accountAnalyzers(BROWNFIELD);
    assert.deepEqual(
      after["eu-west-1"].map((a) => a.arn),
      [consoleMade.arn],
      "same analyzer kept",
    );
    assert.equal(after["us-east-1"].length, 1);
    assert.equal(resultOf(up, BROWNFIELD).analyzerArns["eu-west-1"], consoleMade.arn);

    const clean = await fleet("audit", "--accounts", BROWNFIELD);
    assert.equal(clean.code, 0, clean.stderr.slice(-3000));
    const again = await fleet("up", "--accounts", BROWNFIELD);
    assert.equal(again.code, 0, again.stderr.slice(-3000));
    const c = resultOf(again, BROWNFIELD).changes;
    assert.equal(
      c.create + c.delete + c.replace,
      0,
      "the next run neither re-imports nor replaces",
    );
  });

  it("a create the engine lost (our name and tags, not in the state) is adopted by the next up, no flag", async () => {
    const first = await fleet("up", "--accounts", LOST);
    assert.equal(first.code, 0, first.stderr.slice(-3000));
    // What a 5xx after CreateAnalyzer leaves: AWS has it, the state does not.
    await world.admin.createAnalyzer({
      accountId: LOST,
      region: "ap-south-1",
      analyzerName: "external-access",
      tags: { Owner: "security" },
    });
    const stack = await world.stack(LOST);
    const state = await stack.exportStack();
    const held = JSON.stringify(state.deployment);
    assert.ok(!held.includes("ap-south-1"));
    // The region comes into scope: the fleet file now covers it too.
    const widened = world.writeFleetFile(
      "fleet-lost.yaml",
      FLEET_FILE.replace(
        `{ id: "${LOST}", regions: [eu-west-1, us-east-1] }`,
        `{ id: "${LOST}", regions: [ap-south-1, eu-west-1, us-east-1] }`,
      ),
    );
    const before = (await accountAnalyzers(LOST))["ap-south-1"];
    const up = await world.runFleet(["up", "--accounts", LOST, "--fleet", widened]);
    assert.equal(up.code, 0, up.stderr.slice(-3000));
    assert.deepEqual(notesOf(resultOf(up, LOST)), ["ap-south-1 adopted"]);
    assert.deepEqual((await accountAnalyzers(LOST))["ap-south-1"], before, "no 409, same analyzer");
  });

  it("a region opted out leaves the state without an AWS call and blocks nothing; re-enabled, the next up takes its analyzer back", async () => {
    const up = await fleet("up", "--accounts", OPTED_OUT);
    assert.equal(up.code, 0, up.stderr.slice(-3000));
    const arn = (await accountAnalyzers(OPTED_OUT))["me-south-1"][0].arn;

    await world.admin.disableRegion(OPTED_OUT, "me-south-1");
    // An analyzer deleted by hand in an enabled region must still be repaired.
    await world.admin.deleteAnalyzer(OPTED_OUT, "eu-west-1", "external-access");
    // drift refreshes, so it drops the disabled region from the state first (AWS keeps it).
    const drift = await fleet("drift", "--accounts", OPTED_OUT);
    assert.equal(drift.code, 2, drift.stderr.slice(-3000));
    assert.deepEqual(notesOf(resultOf(drift, OPTED_OUT)), ["me-south-1 region-disabled"]);
    const refresh = await fleet("refresh", "--accounts", OPTED_OUT);
    assert.equal(refresh.code, 0, refresh.stderr.slice(-3000));
    const repair = await fleet("up", "--refresh", "--accounts", OPTED_OUT);
    assert.equal(repair.code, 0, repair.stderr.slice(-3000));
    assert.equal((await accountAnalyzers(OPTED_OUT))["eu-west-1"]?.length, 1, "repaired");

    await world.admin.enableRegion(OPTED_OUT, "me-south-1");
    const back = await fleet("up", "--accounts", OPTED_OUT);
    assert.equal(back.code, 0, back.stderr.slice(-3000));
    assert.deepEqual(notesOf(resultOf(back, OPTED_OUT)), ["me-south-1 adopted"]);
    assert.deepEqual(
      (await accountAnalyzers(OPTED_OUT))["me-south-1"].map((a) => a.arn),
      [arn],
      "AWS kept it; the stack took it back",
    );
  });
});
