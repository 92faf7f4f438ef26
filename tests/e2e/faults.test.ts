// Faults real accounts meet, on the real engine through the fleet bot (fleet/cli.ts in a child
// process): a console-made analyzer adopted (brownfield), a create the engine lost, a region
// opted out and later re-enabled, the bot killed with SIGKILL, a 5xx after AWS created, 30%
// throttling, two bots on new stacks, fake-aws down mid-run. Each case checks convergence within
// at most one repair run: every covered region has exactly one ACTIVE ACCOUNT analyzer, the ones
// that existed (holding a finding) keep their ARN, no process of a run is left, and the report
// says why.

import * as assert from "node:assert/strict";
import { execFile } from "node:child_process";
import { promisify } from "node:util";

import type { StackResult } from "../../fleet/domain/results";
import { processesOfRun, waitFor, World, type FleetChild, type FleetRun } from "./harness";

const BROWNFIELD = "230000000001";
const LOST = "230000000002";
const OPTED_OUT = "230000000003";
const KILLED = "230000000004";
const LOST_5XX = "230000000005";
const THROTTLED = "230000000006";
const RACE = ["230000000007", "230000000008"];
const OUTAGE = "230000000009";
const ALL = [BROWNFIELD, LOST, OPTED_OUT, KILLED, LOST_5XX, THROTTLED, ...RACE, OUTAGE];
/** The regions of the fault cases below the first three: few, so each engine run stays short. */
const FAULT_REGIONS = ["eu-west-1", "us-east-1", "ap-south-1"];

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
${[KILLED, LOST_5XX, THROTTLED, ...RACE, OUTAGE]
  .map((id) => `  - { id: "${id}", regions: [${FAULT_REGIONS.join(", ")}] }`)
  .join("\n")}
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

    // --verbose: the engine's lines too must show no create was tried.
    const blocked = await fleet("up", "--accounts", BROWNFIELD, "--verbose");
    assert.equal(blocked.code, 1, blocked.stderr.slice(-3000));
    const b = resultOf(blocked, BROWNFIELD);
    assert.match(b.error ?? "", /"console-analyzer".*--adopt/s);
    assert.doesNotMatch(blocked.stderr, /ServiceQuotaExceeded/);
    assert.deepEqual((await accountAnalyzers(BROWNFIELD))["us-east-1"], undefined, "nothing ran");

    const preview = await fleet("preview", "--adopt", "--accounts", BROWNFIELD);
    assert.equal(preview.code, 0, preview.stderr.slice(-3000));
    assert.deepEqual(notesOf(resultOf(preview, BROWNFIELD)), ["eu-west-1 would-adopt"]);

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
    // audit reads the stack's state: the disabled region it still holds needs action (exit 2).
    const held = await fleet("audit", "--accounts", OPTED_OUT);
    assert.equal(held.code, 2, held.stderr.slice(-3000));
    const heldAudit = resultOf(held, OPTED_OUT).audit;
    assert.equal(resultOf(held, OPTED_OUT).outcome, "stale-state");
    assert.deepEqual(
      heldAudit?.regions.filter((r) => r.verdict !== "excluded").map((r) => [r.region, r.verdict]),
      [
        ["eu-west-1", "covered"],
        ["me-south-1", "stale-state"],
        ["us-east-1", "covered"],
      ],
    );
    assert.equal(heldAudit?.counts.staleState, 1);
    assert.match(held.stdout, /me-south-1\s+stale-state\s+disabled, still in the stack's state/);
    // --no-state: AWS only, where the disabled region is invisible.
    const noState = await fleet("audit", "--no-state", "--accounts", OPTED_OUT);
    assert.equal(noState.code, 0, noState.stderr.slice(-3000));
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
    const clean = await fleet("audit", "--accounts", OPTED_OUT);
    assert.equal(clean.code, 0, clean.stderr.slice(-3000));
    assert.equal(resultOf(clean, OPTED_OUT).audit?.counts.staleState, 0, "the state let it go");

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

  /**
   * Convergence: every region in `regions` has exactly one analyzer, ACTIVE, of type ACCOUNT, and
   * none other exists; the analyzers in `kept` (region → ARN, holding findings) are still the same.
   */
  async function assertConverged(accountId: string, kept: Record<string, string> = {}) {
    const byRegion = await accountAnalyzers(accountId);
    assert.deepEqual(Object.keys(byRegion).sort(), [...FAULT_REGIONS].sort(), "no extra region");
    for (const region of FAULT_REGIONS) {
      assert.equal(byRegion[region].length, 1, `exactly one analyzer in ${region}`);
      assert.equal(byRegion[region][0].status, "ACTIVE", `${region} ACTIVE`);
    }
    for (const [region, arn] of Object.entries(kept)) {
      assert.equal(byRegion[region][0].arn, arn, `the analyzer holding findings in ${region} kept`);
    }
  }

  /** A first up, then a finding in eu-west-1: region → ARN of the analyzer that must never go. */
  async function deployWithFinding(accountId: string): Promise<Record<string, string>> {
    const first = await fleet("up", "--accounts", accountId);
    assert.equal(first.code, 0, first.stderr.slice(-3000));
    await world.admin.addFinding(accountId, "eu-west-1", "external-access", {
      resourceType: "AWS::S3::Bucket",
    });
    return { "eu-west-1": (await accountAnalyzers(accountId))["eu-west-1"][0].arn };
  }

  /**
   * Deletes two analyzers out of band, holds the account's CreateAnalyzer calls `ms` in the fake,
   * and starts `up --refresh`: returns once its engine is creating them.
   */
  async function repairUnderWay(accountId: string, ms: number): Promise<FleetChild> {
    await world.admin.deleteAnalyzer(accountId, "us-east-1", "external-access");
    await world.admin.deleteAnalyzer(accountId, "ap-south-1", "external-access");
    await world.admin.setLatency({
      service: "access-analyzer",
      operation: "CreateAnalyzer",
      accountId,
      ms,
    });
    const child = world.startFleet([
      "up",
      "--refresh",
      "--accounts",
      accountId,
      // The engine's lines on stderr tell when it is creating.
      "--verbose",
      "--fleet",
      fleetFile,
    ]);
    await waitFor("the engine to create analyzers", () => {
      assert.ok(!child.exited(), `the fleet ended before the engine created:\n${child.stderr()}`);
      return /Analyzer access-analyzer-[a-z0-9-]+ creating/.test(child.stderr());
    });
    return child;
  }

  it("SIGKILL of the bot mid-up: no engine or plugin of the run is left within 5 s; the next up reports the stale lock with its age and the unlock command; after it, one up converges", async () => {
    const kept = await deployWithFinding(KILLED);
    const child = await repairUnderWay(KILLED, 5000);
    const running = processesOfRun(child.pid);
    // The engine, the language host, the program and the plugins (one per region).
    assert.ok(
      running.some((p) => /\bpulumi up\b/.test(p.command)) &&
        running.some((p) => /pulumi-language-nodejs/.test(p.command)) &&
        running.length >= 3 + FAULT_REGIONS.length,
      `the engine and its plugins carry the run marker:\n${running.map((p) => p.command).join("\n")}`,
    );
    child.kill("SIGKILL");
    const killed = await child.done;
    assert.equal(killed.signal, "SIGKILL");
    const t0 = Date.now();
    await waitFor(
      "the run's processes to be reaped",
      () => processesOfRun(child.pid).length === 0,
      5000,
    );
    console.log(`      reaped ${running.length}+ processes in ${Date.now() - t0} ms`);
    await world.admin.clearFaults();

    const locked = await fleet("up", "--accounts", KILLED);
    assert.equal(locked.code, 1, locked.stderr.slice(-3000));
    const l = resultOf(locked, KILLED);
    assert.equal(l.outcome, "locked");
    assert.match(l.error ?? "", /Locked \d+ s ago by \S+ \(pid \d+\)/);
    const unlock = /pulumi cancel --yes --stack (\S+?)\.? /.exec(l.error ?? "");
    assert.ok(unlock, `the error names the unlock command: ${l.error}`);
    assert.equal(unlock[1], `acct-${KILLED}`);

    // The documented unlock, with the fleet's backend, then one up.
    await promisify(execFile)(
      world.command.command,
      ["cancel", "--yes", "--stack", unlock[1], "--non-interactive"],
      { cwd: world.workDir, env: { ...process.env, ...world.env } },
    );
    const repair = await fleet("up", "--refresh", "--accounts", KILLED);
    assert.equal(repair.code, 0, repair.stderr.slice(-3000));
    await assertConverged(KILLED, kept);
    // The creates the kill cut short finished in AWS: the repair took them over.
    const notes = notesOf(resultOf(repair, KILLED));
    assert.ok(notes.includes("us-east-1 adopted"), notes.join(", "));
    assert.ok(notes.includes("ap-south-1 adopted"), notes.join(", "));
    assert.deepEqual(world.lockedStacks(), []);
    assert.deepEqual(processesOfRun(repair.pid), []);
  });

  it("a 5xx after AWS created the analyzer: converges within one repair run, which adopts the analyzer (findings elsewhere kept)", async () => {
    const kept = await deployWithFinding(LOST_5XX);
    await world.admin.deleteAnalyzer(LOST_5XX, "us-east-1", "external-access");
    await world.admin.injectFault({
      service: "access-analyzer",
      operation: "CreateAnalyzer",
      accountId: LOST_5XX,
      region: "us-east-1",
      count: 1,
      errorCode: "InternalServerException",
      httpStatus: 500,
      afterEffect: true,
    });
    const first = await fleet("up", "--refresh", "--accounts", LOST_5XX);
    await world.admin.clearFaults();
    const firstResult = resultOf(first, LOST_5XX);
    const runs = [first];
    if (firstResult.outcome !== "succeeded") {
      assert.equal(firstResult.outcome, "failed", first.stderr.slice(-3000));
      const repair = await fleet("up", "--refresh", "--accounts", LOST_5XX);
      assert.equal(repair.code, 0, repair.stderr.slice(-3000));
      assert.deepEqual(notesOf(resultOf(repair, LOST_5XX)), ["us-east-1 adopted"]);
      runs.push(repair);
    }
    await assertConverged(LOST_5XX, kept);
    for (const run of runs) assert.deepEqual(processesOfRun(run.pid), []);
  });

  it("throttling on 30% of every AWS call of the account: up --refresh repairs a deleted analyzer within one repair run, findings kept", async () => {
    const kept = await deployWithFinding(THROTTLED);
    await world.admin.deleteAnalyzer(THROTTLED, "ap-south-1", "external-access");
    await world.admin.injectFault({ accountId: THROTTLED, count: 10_000, probability: 0.3 });
    let run = await fleet("up", "--refresh", "--accounts", THROTTLED);
    const runs = [run];
    if (run.code !== 0) {
      run = await fleet("up", "--refresh", "--accounts", THROTTLED);
      runs.push(run);
    }
    const throttled = (await world.admin.calls({ accountId: THROTTLED })).filter(
      (c) => c.errorCode === "ThrottlingException",
    ).length;
    await world.admin.clearFaults();
    assert.equal(run.code, 0, run.stderr.slice(-3000));
    assert.ok(throttled > 0, "calls were throttled");
    assert.equal(resultOf(run, THROTTLED).changes.create, 1);
    await assertConverged(THROTTLED, kept);
    for (const r of runs) assert.deepEqual(processesOfRun(r.pid), []);
  });

  it("two bots creating the same new stacks at once: each stack is succeeded or locked in each, never failed; one more up converges", async () => {
    const args = ["up", "--accounts", RACE.join(","), "--fleet", fleetFile];
    const [a, b] = await Promise.all([world.runFleet(args), world.runFleet(args)]);
    for (const run of [a, b]) {
      for (const id of RACE) {
        const r = resultOf(run, id);
        assert.ok(
          r.outcome === "succeeded" || r.outcome === "locked",
          `${id}: ${r.outcome}: ${r.error ?? ""}`,
        );
      }
    }
    const again = await fleet("up", "--accounts", RACE.join(","));
    assert.equal(again.code, 0, again.stderr.slice(-3000));
    for (const id of RACE) await assertConverged(id);
    for (const run of [a, b, again]) assert.deepEqual(processesOfRun(run.pid), []);
  });

  it("fake-aws stopped for 5 s mid-up and started again (AWS's data kept): converges within one repair run, findings kept", async () => {
    const kept = await deployWithFinding(OUTAGE);
    const child = await repairUnderWay(OUTAGE, 4000);
    // Let the plugin's CreateAnalyzer calls reach the fake (held 4 s there), then drop them.
    await new Promise((r) => setTimeout(r, 1500));
    await world.restartFake(5000);
    await world.admin.clearFaults();
    const runs = [await child.done];
    if (runs[0].code !== 0) {
      runs.push(await fleet("up", "--refresh", "--accounts", OUTAGE));
      assert.equal(runs[1].code, 0, runs[1].stderr.slice(-3000));
    }
    console.log(
      `      ${runs.map((r) => `${resultOf(r, OUTAGE).outcome} [${notesOf(resultOf(r, OUTAGE)).join(", ")}]`).join(" then ")}`,
    );
    await assertConverged(OUTAGE, kept);
    for (const run of runs) assert.deepEqual(processesOfRun(run.pid), []);
  });
});
