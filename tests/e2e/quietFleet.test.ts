// A run over many accounts reads at a glance: 24 stacks at concurrency 8 on the real engine say a
// start and an end line each (the progress at the end of it) and little else on stderr; the
// engine's lines are in the per-stack logs, and on stderr only with --verbose.

import * as assert from "node:assert/strict";
import * as fs from "node:fs";

import { World } from "./harness";

const ACCOUNTS = Array.from({ length: 24 }, (_, i) => String(230000000001 + i));

const FLEET_FILE = `backend: file://./state
secretsProvider: passphrase
defaults:
  roleName: AccessAnalyzerDeployer
  regions: [us-east-1, eu-west-1]
accounts:
${ACCOUNTS.map((id, i) => `  - { id: "${id}", name: quiet-${i + 1} }`).join("\n")}
`;

describe("a fleet of 24 stacks at concurrency 8, without --verbose", function () {
  let world: World;
  let fleetFile: string;

  before(async () => {
    world = await World.start({ label: "quiet", accounts: ACCOUNTS.map((id) => ({ id })) });
    fleetFile = world.writeFleetFile("fleet.yaml", FLEET_FILE);
  });

  after(async () => {
    await world?.close();
  });

  it("says at most ~60 lines on stderr: a start and an end line per stack, the engine's in the logs", async () => {
    const run = await world.runFleet([
      "up",
      "--concurrency",
      "8",
      // The stand-in plugin holds ~130 MB, not the real one's 430 MB the budget counts by default.
      "--plugin-memory",
      "130",
      "--fleet",
      fleetFile,
    ]);

    assert.equal(run.code, 0, run.stderr.slice(-3000));
    const report = run.report!;
    assert.equal(report.options.concurrency, 8);
    assert.equal(report.totals.succeeded, 24);
    const lines = run.stderr.split("\n").filter((l) => l !== "");
    assert.ok(lines.length <= 60, `${lines.length} lines on stderr:\n${run.stderr}`);
    for (const [i] of ACCOUNTS.entries()) {
      const own = lines.filter((l) => l.startsWith(`[quiet-${i + 1} `));
      assert.deepEqual(
        own.map((l) => / (start|done) /.exec(l)?.[1]),
        ["start", "done"],
        own.join("\n"),
      );
    }
    assert.doesNotMatch(run.stderr, /aws:accessanalyzer|Updating|Resources:/);
    assert.match(
      lines.find((l) => l.includes("[24/24]")) ?? "",
      /\| \[24\/24\] 0 failed, all done$/,
    );
    // Every end line but the last carries an estimate of the time left.
    const progress = lines.filter((l) => / \| \[\d+\/24\] /.test(l));
    assert.equal(progress.length, 24);
    for (const l of progress.slice(0, -1)) assert.match(l, /failed, (<1|~\d+) min left$/);
    // The engine's own lines are in each stack's log.
    for (const r of report.results) {
      assert.match(
        fs.readFileSync(r.logFile!, "utf8"),
        /Analyzer access-analyzer-us-east-1 created/,
      );
    }
  });
});
