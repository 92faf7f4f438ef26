// An analyzer made in the console, holding a finding, adopted into a stack: under the real engine,
// nothing but the user naming it may delete or replace it. Through the fleet bot: adopted per
// region (or in single mode), then providerMode switched both ways, the ARN and the finding stay
// and no write reaches AWS; leaving its region out is refused before anything changes. Through
// the per-account program alone (the Automation API's `pulumi up`): the same switch; an edit the
// component cannot see (adopt entry removed, region left out) is refused by the engine's preview;
// an edited import ID (an import replacement, which skips `protect`) keeps it in AWS; and with
// `allowDelete` naming it, it can be deleted.

import * as assert from "node:assert/strict";

import type { Stack } from "@pulumi/pulumi/automation";

import type { AnalyzerSettings } from "../../fleet/settings/schema";
import type { StackResult } from "../../fleet/domain/results";
import { World, type FleetRun } from "./harness";

const SWITCHED = "230000000031";
const ADOPTED_SINGLE = "230000000032";
const PROGRAM = "230000000033";
const REGION = "eu-central-1";
const REGIONS = [REGION, "us-east-1"];
const NAME = "Console.Made-1";
const quiet = { onOutput: () => undefined, color: "never" as const };

type Mode = "per-region" | "single";

const fleetFile = (switched: string, adoptedSingle: string) => `backend: file://./state
secretsProvider: passphrase
defaults:
  roleName: AccessAnalyzerDeployer
accounts:
  - { id: "${SWITCHED}", ${switched} }
  - { id: "${ADOPTED_SINGLE}", ${adoptedSingle} }
`;
const inMode = (mode: Mode) => `regions: [${REGIONS.join(", ")}], providerMode: ${mode}`;

function resultOf(run: FleetRun, accountId: string): StackResult {
  const result = run.report?.results.find((r) => r.accountId === accountId);
  assert.ok(result, `the report has ${accountId}:\n${run.stderr.slice(-3000)}`);
  return result;
}

describe("adopted analyzers are never deleted or replaced unless named", function () {
  let world: World;
  /** Account → the planted analyzer: its ARN and its finding's id. */
  const planted: Record<string, { name: string; arn: string; findings: string[] }> = {};

  before(async () => {
    world = await World.start({
      label: "adopted",
      accounts: [SWITCHED, ADOPTED_SINGLE, PROGRAM].map((id) => ({ id })),
    });
    for (const accountId of [SWITCHED, ADOPTED_SINGLE, PROGRAM]) {
      const made = await world.admin.createAnalyzer({
        accountId,
        region: REGION,
        analyzerName: NAME,
      });
      const finding = await world.admin.addFinding(accountId, REGION, NAME, {
        resourceType: "AWS::S3::Bucket",
      });
      planted[accountId] = { name: NAME, arn: made.arn, findings: [finding.id] };
    }
  });

  after(async () => {
    await world?.close();
  });

  /** The ACCOUNT analyzers AWS holds in REGION: name, ARN and finding ids. */
  async function inRegion(accountId: string) {
    const all = await world.admin.listAnalyzers(accountId, REGION);
    return all
      .filter((a) => a.type === "ACCOUNT")
      .map((a) => ({ name: a.name, arn: a.arn, findings: a.findings.map((f) => f.id) }));
  }

  /** Every write that reached Access Analyzer for the account since the calls were cleared. */
  async function writes(accountId: string): Promise<string[]> {
    const calls = await world.admin.calls({ service: "access-analyzer", accountId });
    return calls
      .map((c) => `${c.operation} ${c.region}`)
      .filter((c) => /^(Create|Delete|Update|Tag|Untag|Apply)/.test(c));
  }

  async function assertKept(accountId: string, step: string) {
    assert.deepEqual(await inRegion(accountId), [planted[accountId]], `${step}: same ARN, finding`);
  }

  describe("through the fleet bot", () => {
    const fleet = (file: string, ...args: string[]) =>
      world.runFleet([...args, "--fleet", world.writeFleetFile("fleet.yaml", file)]);

    it("adopts, then switches providerMode both ways: same ARN, the finding kept, no write to AWS", async () => {
      const adopt = await fleet(fleetFile(inMode("per-region"), inMode("single")), "up", "--adopt");
      assert.equal(adopt.code, 0, adopt.stderr.slice(-3000));
      for (const accountId of [SWITCHED, ADOPTED_SINGLE]) {
        const r = resultOf(adopt, accountId);
        assert.deepEqual(
          (r.notes ?? []).map((n) => `${n.region} ${n.status} ${n.analyzer}`),
          [`${REGION} adopted ${NAME}`],
        );
        assert.equal(r.analyzerArns[REGION], planted[accountId].arn);
        await assertKept(accountId, "adopted");
      }

      const steps: [Mode, Mode][] = [
        ["single", "per-region"],
        ["per-region", "single"],
      ];
      for (const [switched, adoptedSingle] of steps) {
        const step = `${SWITCHED} ${switched}, ${ADOPTED_SINGLE} ${adoptedSingle}`;
        await world.admin.clearCalls();
        // --verbose: no engine line may speak of a replacement either.
        const run = await fleet(
          fleetFile(inMode(switched), inMode(adoptedSingle)),
          "up",
          "--verbose",
        );
        assert.equal(run.code, 0, `${step}:\n${run.stderr.slice(-3000)}`);
        assert.doesNotMatch(run.stderr, /original|replac/i, step);
        for (const accountId of [SWITCHED, ADOPTED_SINGLE]) {
          const r = resultOf(run, accountId);
          // Only providers come and go (no AWS call); no analyzer is replaced.
          assert.equal(r.changes.replace, 0, `${step}: ${JSON.stringify(r.changes)}`);
          assert.equal(r.analyzerArns[REGION], planted[accountId].arn, step);
          await assertKept(accountId, step);
          assert.deepEqual(await writes(accountId), [], `${step}: no write reached AWS`);
        }
      }
    });

    it("refuses to leave an adopted analyzer's region out, naming it and allowDelete, before anything changes", async () => {
      await world.admin.clearCalls();
      // A tag change beside it: had anything run, TagResource would show in the calls.
      const run = await fleet(
        fleetFile(
          `regions: [us-east-1], providerMode: per-region, tags: { Owner: security }`,
          inMode("single"),
        ),
        "up",
        "--accounts",
        SWITCHED,
        "--verbose",
      );
      assert.equal(run.code, 1, run.stderr.slice(-3000));
      const r = resultOf(run, SWITCHED);
      assert.equal(r.outcome, "failed");
      assert.match(
        r.error ?? "",
        new RegExp(
          `adopt\\["${REGION}"\\]: "${NAME}" is an adopted analyzer, but ${REGION} is not ` +
            `covered \\(it is not in regions\\): the stack would delete it with its findings`,
        ),
      );
      assert.match(run.stderr, new RegExp(`add "${NAME}@${REGION}" to allowDelete`));
      await assertKept(SWITCHED, "refused");
      assert.deepEqual(await writes(SWITCHED), [], "nothing changed, not even the tags");
    });
  });

  describe("through the per-account program alone", () => {
    let stack: Stack;
    const configure = (settings: AnalyzerSettings, adopt: Record<string, string> = {}) =>
      world.configure(stack, PROGRAM, settings, adopt);

    before(async () => {
      stack = await world.stack(PROGRAM);
    });

    it("adopts per region and switches to single mode: same ARN, the finding kept", async () => {
      await configure({ regions: REGIONS }, { [REGION]: NAME });
      await stack.up(quiet);
      await assertKept(PROGRAM, "adopted");

      await world.admin.clearCalls();
      await configure({ regions: REGIONS, providerMode: "single" }, { [REGION]: NAME });
      const single = await stack.up(quiet);
      assert.equal(single.summary.resourceChanges?.replace ?? 0, 0);
      await assertKept(PROGRAM, "single");
      assert.deepEqual(await writes(PROGRAM), []);
    });

    it("an edit the component cannot see (adopt entry removed, region left out): the engine's preview refuses the delete", async () => {
      await world.admin.clearCalls();
      await configure({ regions: ["us-east-1"], providerMode: "single" });
      await assert.rejects(stack.preview(quiet), (err: Error) => {
        assert.match(
          err.message,
          new RegExp(`access-analyzer-${REGION}" cannot be deleted\\s+because it is protected`),
        );
        return true;
      });
      await assertKept(PROGRAM, "preview refused");
      assert.deepEqual(await writes(PROGRAM), []);
    });

    it("an edited import ID makes the engine import again as a replacement, which skips protect: retainOnDelete keeps the analyzer in AWS", async () => {
      await world.admin.clearCalls();
      await configure(
        { regions: REGIONS, providerMode: "single" },
        { [REGION]: `${NAME}@${REGION}` },
      );
      const up = await stack.up(quiet);
      assert.equal(up.summary.resourceChanges?.replace, 1, "the engine replaced it in the state");
      await assertKept(PROGRAM, "import replacement");
      assert.deepEqual(await writes(PROGRAM), [], "no delete reached AWS");
    });

    it("deletes it once allowDelete names it and up has run with it, when its region is then left out", async () => {
      const adopt = { [REGION]: `${NAME}@${REGION}` };
      const allowDelete = [`${NAME}@${REGION}`];
      await configure({ regions: REGIONS, providerMode: "single", allowDelete }, adopt);
      await stack.up(quiet);
      await assertKept(PROGRAM, "unprotected");

      await configure({ regions: ["us-east-1"], providerMode: "single", allowDelete }, adopt);
      await stack.up(quiet);
      assert.deepEqual(await inRegion(PROGRAM), [], "deleted: the user asked for it by name");
    });
  });
});
