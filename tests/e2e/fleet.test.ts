// The fleet bot (the real CLI, fleet/cli.ts, in a child process) across several fake accounts on
// the real engine: concurrency, the JSON report, an account whose role is denied, drift, and
// Ctrl-C / SIGTERM in the middle of an update.

import * as assert from "node:assert/strict";

import type { StackResult } from "../../fleet/domain/results";
import { processesOfRun, waitFor, World, type FleetRun } from "./harness";

const FLEET = ["220000000001", "220000000002", "220000000003", "220000000004", "220000000005"];
const DENIED = "220000000006";
const INTERRUPTED_INT = "220000000007";
const INTERRUPTED_TERM = "220000000008";
const ALL = [...FLEET, DENIED, INTERRUPTED_INT, INTERRUPTED_TERM];
const NAMES: Record<string, string> = {
  ...Object.fromEntries(FLEET.map((id, i) => [id, `fleet-${i + 1}`])),
  [DENIED]: "denied",
  [INTERRUPTED_INT]: "interrupted-int",
  [INTERRUPTED_TERM]: "interrupted-term",
};
const OPTED_IN: Record<string, string[]> = {
  [FLEET[1]]: ["me-south-1"],
  [FLEET[3]]: ["af-south-1", "eu-south-1"],
};

const FLEET_FILE = `# e2e fleet: every account is reached through its AccessAnalyzerDeployer role
backend: file://./state
secretsProvider: passphrase
defaults:
  roleName: AccessAnalyzerDeployer
  tags: { Owner: security }
accounts:
${ALL.map((id) => `  - { id: "${id}", name: ${NAMES[id]} }`).join("\n")}
`;

/** Stack resources of an account with n regions: stack, component, lookup, 2 per region. */
const resources = (regions: number) => 3 + 2 * regions;

function resultOf(run: FleetRun, accountId: string): StackResult {
  const result = run.report?.results.find((r) => r.accountId === accountId);
  assert.ok(result, `the report has ${accountId}:\n${run.stderr.slice(-3000)}`);
  return result;
}

/** The most stacks that were running at the same moment, from the report's timings. */
function maxOverlap(results: readonly StackResult[]): number {
  const edges = results.flatMap((r) => {
    const start = Date.parse(r.startedAt ?? "");
    return [
      [start, 1],
      [start + r.durationMs, -1],
    ] as const;
  });
  edges.sort((a, b) => a[0] - b[0] || a[1] - b[1]);
  let running = 0;
  let most = 0;
  for (const [, delta] of edges) {
    running += delta;
    most = Math.max(most, running);
  }
  return most;
}

describe("the fleet bot under the real engine", function () {
  let world: World;
  let fleetFile: string;

  before(async () => {
    world = await World.start({
      label: "fleet",
      accounts: ALL.map((id) => ({
        id,
        name: NAMES[id],
        optedInRegions: OPTED_IN[id] ?? [],
        ...(id === DENIED ? { role: "untrusted" as const } : {}),
      })),
    });
    fleetFile = world.writeFleetFile("fleet.yaml", FLEET_FILE);
  });

  after(async () => {
    await world?.close();
  });

  const fleet = (...args: string[]) => world.runFleet([...args, "--fleet", fleetFile]);

  it("puts an analyzer in every enabled region of 5 accounts, 3 at a time, and reports each", async () => {
    // The stand-in plugin holds ~130 MB, not the real one's 430 MB the memory budget counts by
    // default: at 430 MB, 17-region stacks fit only 2 at a time in this machine's budget.
    const run = await fleet(
      "up",
      "--accounts",
      FLEET.join(","),
      "--concurrency",
      "3",
      "--plugin-memory",
      "130",
    );

    assert.equal(run.code, 0, run.stderr.slice(-3000));
    // The pinned AWS SDK supports this Node.js: no warning about releases it never loads.
    assert.doesNotMatch(run.stderr, /NodeVersionSupportWarning/);
    const report = run.report!;
    assert.equal(report.exitCode, 0);
    assert.equal(report.options.concurrency, 3);
    assert.equal(maxOverlap(report.results), 3, "three stacks ran at once, never more");
    assert.deepEqual(
      report.results.map((r) => [r.accountId, r.outcome]),
      FLEET.map((id) => [id, "succeeded"]),
    );
    let creates = 0;
    for (const id of FLEET) {
      const result = resultOf(run, id);
      const enabled = await world.enabledRegions(id);
      assert.equal(enabled.length, 17 + (OPTED_IN[id]?.length ?? 0));
      assert.deepEqual(result.regions, enabled, `${id}: regions`);
      assert.deepEqual(result.analyzerArns, await world.analyzersInFake(id), `${id}: ARNs`);
      assert.deepEqual(
        result.changes,
        { create: resources(enabled.length), update: 0, replace: 0, delete: 0, same: 0 },
        `${id}: change counts`,
      );
      for (const a of await world.admin.listAnalyzers(id)) {
        assert.deepEqual(a.tags, { Owner: "security" }, `${id} ${a.region}: tags`);
      }
      creates += result.changes.create;
    }
    assert.equal(report.totals.succeeded, 5);
    assert.equal(report.totals.create, creates);
    assert.match(run.stdout, /5 stack\(s\): 5 succeeded/);
  });

  it("fails an account whose role is denied alone, with AWS's AccessDenied message, exit 1", async () => {
    const run = await fleet("up", "--accounts", [...FLEET, DENIED].join(","), "--concurrency", "3");

    assert.equal(run.code, 1, run.stderr.slice(-3000));
    const denied = resultOf(run, DENIED);
    assert.equal(denied.outcome, "failed");
    assert.match(
      denied.error ?? "",
      new RegExp(
        `AccessDenied: User: arn:aws:iam::999999999999:user/access-analyzer-fleet-bot is not authorized to perform: sts:AssumeRole on resource: arn:aws:iam::${DENIED}:role/AccessAnalyzerDeployer`,
      ),
    );
    assert.deepEqual(await world.analyzersInFake(DENIED), {});
    for (const id of FLEET) {
      const result = resultOf(run, id);
      assert.equal(result.outcome, "succeeded", `${id}: ${result.error ?? ""}`);
      assert.equal(result.changes.create + result.changes.delete + result.changes.update, 0);
      assert.equal(result.changes.same, resources(result.regions.length));
    }
    assert.equal(run.report!.totals.failed, 1);
    assert.equal(run.report!.totals.succeeded, FLEET.length);
    assert.match(run.stdout, /failed/);
  });

  it("detects an analyzer deleted out of band as drift (exit 2); the engine alone misses it, a plain up (which reads the account first) restores it", async () => {
    const [drifting, steady] = [FLEET[1], FLEET[2]];
    const arn = (await world.analyzersInFake(drifting))["eu-west-1"];
    await world.admin.deleteAnalyzer(drifting, "eu-west-1", "external-access");

    const drift = await fleet("drift", "--accounts", `${drifting},${steady}`);

    assert.equal(drift.code, 2, drift.stderr.slice(-3000));
    assert.equal(resultOf(drift, drifting).outcome, "drifted");
    assert.equal(resultOf(drift, drifting).changes.create, 1);
    // Which resource drifted, and where: the analyzer deleted in eu-west-1.
    assert.deepEqual(resultOf(drift, drifting).changedResources, [
      {
        op: "create",
        type: "aws:accessanalyzer/analyzer:Analyzer",
        name: "access-analyzer-eu-west-1",
        region: "eu-west-1",
      },
    ]);
    assert.match(drift.stdout, /drifted .*create Analyzer access-analyzer-eu-west-1 \(eu-west-1\)/);
    assert.equal(resultOf(drift, steady).outcome, "succeeded");
    assert.equal(drift.report!.totals.drifted, 1);
    assert.equal(
      (await world.analyzersInFake(drifting))["eu-west-1"],
      undefined,
      "drift is read-only",
    );

    // The engine alone (--force-engine: no read of the account first, no --refresh) trusts the
    // state, which still holds the analyzer.
    const blind = await fleet("up", "--force-engine", "--accounts", drifting);
    assert.equal(blind.code, 0, blind.stderr.slice(-3000));
    assert.equal(resultOf(blind, drifting).changes.create, 0);

    // A plain up reads the account before the engine (the nightly fast path's check), finds the
    // analyzer gone, and refreshes: it is created again, with a note that says so.
    const up = await fleet("up", "--accounts", drifting);

    assert.equal(up.code, 0, up.stderr.slice(-3000));
    assert.equal(resultOf(up, drifting).changes.create, 1);
    assert.ok(
      (resultOf(up, drifting).notes ?? []).some((n) => n.status === "drift-found"),
      JSON.stringify(resultOf(up, drifting).notes),
    );
    assert.equal((await world.analyzersInFake(drifting))["eu-west-1"], arn);
    const again = await fleet("drift", "--accounts", drifting);
    assert.equal(again.code, 0, again.stderr.slice(-3000));
  });

  for (const [signal, account] of [
    ["SIGINT", INTERRUPTED_INT],
    ["SIGTERM", INTERRUPTED_TERM],
  ] as const) {
    it(`stops cleanly on ${signal} while analyzers are being created: exit 130, report written, no lock left, next run succeeds`, async () => {
      // Slow CreateAnalyzer down so that the signal lands while the engine is creating.
      await world.admin.setLatency({
        service: "access-analyzer",
        operation: "CreateAnalyzer",
        accountId: account,
        ms: 5000,
      });
      // --parallel 4 keeps analyzers waiting their turn whatever the core count (the engine's
      // default is 4 per core), so the signal always leaves some uncreated.
      const child = world.startFleet([
        "up",
        "--accounts",
        account,
        "--parallel",
        "4",
        // The engine's lines on stderr tell when it is creating.
        "--verbose",
        "--fleet",
        fleetFile,
      ]);
      await waitFor("the engine to create analyzers", () => {
        assert.ok(!child.exited(), `the fleet ended before the signal:\n${child.stderr()}`);
        return /aws:accessanalyzer(\/analyzer)?:Analyzer access-analyzer-[a-z0-9-]+ creating/.test(
          child.stderr(),
        );
      });
      assert.equal(world.lockedStacks().length, 1, "the running update holds its stack lock");
      child.kill(signal);
      const run = await child.done;
      await world.admin.clearFaults();

      assert.equal(run.code, 130, run.stderr.slice(-3000));
      assert.match(run.stderr, new RegExp(`${signal}: asking running engines to stop`));
      assert.ok(run.report, "the report was written");
      assert.equal(run.report.exitCode, 130);
      assert.equal(run.report.aborted, true);
      assert.equal(resultOf(run, account).outcome, "aborted");
      assert.deepEqual(world.lockedStacks(), [], "no stack is left locked");
      await waitFor(
        "no engine or plugin of the run left",
        () => processesOfRun(run.pid).length === 0,
        5000,
      );
      const enabled = await world.enabledRegions(account);
      assert.ok(
        Object.keys(await world.analyzersInFake(account)).length < enabled.length,
        "stopped before every analyzer existed",
      );

      const next = await fleet("up", "--accounts", account);

      assert.equal(next.code, 0, next.stderr.slice(-3000));
      assert.equal(resultOf(next, account).outcome, "succeeded");
      assert.deepEqual(Object.keys(await world.analyzersInFake(account)), enabled);
      assert.deepEqual(resultOf(next, account).analyzerArns, await world.analyzersInFake(account));
    });
  }
});
