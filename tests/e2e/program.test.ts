// The per-account program (index.ts + the component) under the real Pulumi engine, one account's
// life in order: first up, a no-change run, a newly enabled region, an exclusion, protection,
// destroy. Every assertion on what exists reads the fake's state through its admin API.

import * as assert from "node:assert/strict";

import type { Stack } from "@pulumi/pulumi/automation";

import { changes, DEFAULT_REGION_COUNT, World } from "./harness";

const ACCOUNT = "210000000001";
const OPTED_IN = "af-south-1";
const LATER = "me-south-1";
const quiet = { onOutput: () => undefined, color: "never" as const };

describe("the per-account program under the real engine", function () {
  let world: World;
  let stack: Stack;
  /** Region → ARN after the first up, to prove later runs leave them alone. */
  let firstArns: Record<string, string>;
  /** Resources in the stack: the stack, the component, the lookup provider, then 2 per region. */
  const resources = (regions: number) => 3 + 2 * regions;

  before(async () => {
    world = await World.start({
      label: "program",
      accounts: [{ id: ACCOUNT, optedInRegions: [OPTED_IN] }],
    });
    stack = await world.stack(ACCOUNT);
  });

  after(async () => {
    await world?.close();
  });

  it("creates an analyzer in every enabled region, an opted-in one included, and no other", async () => {
    const enabled = await world.enabledRegions(ACCOUNT);
    assert.equal(enabled.length, DEFAULT_REGION_COUNT + 1);
    assert.ok(enabled.includes(OPTED_IN));
    assert.ok(!enabled.includes(LATER));

    let printed = "";
    const result = await stack.up({ ...quiet, onOutput: (text) => (printed += text) });

    assert.deepEqual(changes(result.summary.resourceChanges), {
      create: resources(enabled.length),
    });
    // Only the outputs this stack has are exported: no "Undefined value … will not show" warning.
    assert.doesNotMatch(printed, /Undefined value/);
    assert.deepEqual(Object.keys(result.outputs).sort(), [
      "analyzerArns",
      "fingerprint",
      "internalAccessAnalyzerArns",
      "organizationAnalyzerArns",
      "regions",
    ]);
    firstArns = await world.analyzersInFake(ACCOUNT);
    assert.deepEqual(Object.keys(firstArns), enabled, "one analyzer per enabled region, no other");
    const analyzers = await world.admin.listAnalyzers(ACCOUNT);
    for (const a of analyzers) {
      assert.equal(a.name, "external-access");
      assert.equal(a.type, "ACCOUNT");
    }
    assert.deepEqual(result.outputs.analyzerArns?.value, firstArns, "outputs match the fake");
    assert.deepEqual(result.outputs.regions?.value, enabled);
    // Every analyzer was made by the assumed role, never by the tooling account's own keys.
    const creates = await world.admin.calls({ operation: "CreateAnalyzer", accountId: ACCOUNT });
    assert.equal(creates.length, enabled.length);
    for (const call of creates) {
      assert.match(call.principalArn ?? "", /:assumed-role\/AccessAnalyzerDeployer\//);
    }
  });

  it("changes nothing when run again", async () => {
    await world.admin.clearCalls();
    const preview = await stack.preview({ ...quiet, expectNoChanges: true });
    assert.deepEqual(changes(preview.changeSummary), { same: resources(DEFAULT_REGION_COUNT + 1) });

    const result = await stack.up({ ...quiet, expectNoChanges: true });

    assert.deepEqual(changes(result.summary.resourceChanges), {
      same: resources(DEFAULT_REGION_COUNT + 1),
    });
    assert.deepEqual(await world.analyzersInFake(ACCOUNT), firstArns);
    const writes = (await world.admin.calls({ service: "access-analyzer" })).filter((c) =>
      /^(Create|Delete|Update|Tag|Untag)/.test(c.operation),
    );
    assert.deepEqual(writes, [], "no write call reached AWS");
  });

  it("adds exactly one provider and one analyzer when the account enables a region", async () => {
    await world.admin.enableRegion(ACCOUNT, LATER);

    const result = await stack.up(quiet);

    assert.deepEqual(changes(result.summary.resourceChanges), {
      create: 2,
      same: resources(DEFAULT_REGION_COUNT + 1),
    });
    const arns = await world.analyzersInFake(ACCOUNT);
    const { [LATER]: added, ...others } = arns;
    assert.equal(added, `arn:aws:access-analyzer:${LATER}:${ACCOUNT}:analyzer/external-access`);
    assert.deepEqual(others, firstArns, "every other analyzer is untouched");
  });

  it("removes only the excluded region's provider and analyzer", async () => {
    const before = await world.admin.listAnalyzers(ACCOUNT);
    await world.configure(stack, ACCOUNT, { excludeRegions: [OPTED_IN] });

    const result = await stack.up(quiet);

    // The component's recorded inputs hold excludeRegions, so it is updated in place.
    assert.deepEqual(changes(result.summary.resourceChanges), {
      delete: 2,
      update: 1,
      same: resources(DEFAULT_REGION_COUNT + 1) - 1,
    });
    const after = await world.admin.listAnalyzers(ACCOUNT);
    assert.deepEqual(
      after.map((a) => `${a.region} ${a.createdAt}`),
      before.filter((a) => a.region !== OPTED_IN).map((a) => `${a.region} ${a.createdAt}`),
      "the others are the same analyzers, not re-created",
    );
  });

  it("with protect on, refuses to delete an analyzer by exclusion and leaves it in AWS", async () => {
    await world.configure(stack, ACCOUNT, { excludeRegions: [OPTED_IN], protect: true });
    await stack.up(quiet);
    await world.configure(stack, ACCOUNT, { excludeRegions: [OPTED_IN, LATER], protect: true });

    await assert.rejects(stack.up(quiet), /protected/);

    const arns = await world.analyzersInFake(ACCOUNT);
    assert.ok(arns[LATER], `the ${LATER} analyzer still exists`);
    assert.equal(Object.keys(arns).length, DEFAULT_REGION_COUNT + 1);
    assert.deepEqual(world.lockedStacks(), [], "the refused update released its lock");
  });

  it("destroy removes every analyzer of the account", async () => {
    // Protection has to be turned off deliberately first.
    await world.configure(stack, ACCOUNT, { excludeRegions: [OPTED_IN] });
    await stack.up(quiet);

    const result = await stack.destroy(quiet);

    assert.deepEqual(changes(result.summary.resourceChanges), {
      delete: resources(DEFAULT_REGION_COUNT + 1),
    });
    assert.deepEqual(await world.analyzersInFake(ACCOUNT), {});
  });
});

describe("changing tags and archive rules under the real engine", function () {
  const TAGGED = "210000000002";
  const REGIONS = ["eu-west-1", "us-east-1"];
  const PRIVATE = { criteria: "isPublic", eqs: ["false"] };
  const BUCKETS = { criteria: "resourceType", eqs: ["AWS::S3::Bucket"] };
  /** The stack, the component, the lookup provider, then a provider, an analyzer and a rule per region. */
  const RESOURCES = 3 + 3 * REGIONS.length;
  let world: World;
  let stack: Stack;
  /** `region createdAt` of the analyzers and their rules after the first up. */
  let first: string[];

  /** What must survive an in-place update: each analyzer and rule, with its creation time. */
  async function identities(): Promise<string[]> {
    return (await world.admin.listAnalyzers(TAGGED))
      .flatMap((a) => [
        `${a.arn} ${a.createdAt}`,
        ...a.archiveRules.map((r) => `${a.arn}/${r.ruleName} ${r.createdAt}`),
      ])
      .sort();
  }

  /** Access Analyzer calls of these operations since the last clearCalls. */
  async function callsOf(...operations: string[]): Promise<string[]> {
    const calls = await world.admin.calls({ service: "access-analyzer", accountId: TAGGED });
    return calls
      .filter((c) => operations.includes(c.operation))
      .map((c) => `${c.operation} ${c.region}`)
      .sort();
  }

  before(async () => {
    world = await World.start({ label: "program-updates", accounts: [{ id: TAGGED }] });
    stack = await world.stack(TAGGED, {
      regions: REGIONS,
      tags: { Owner: "security", CostCenter: "42" },
      archiveRules: [{ name: "private", filters: [PRIVATE] }],
    });
    const result = await stack.up(quiet);
    assert.deepEqual(changes(result.summary.resourceChanges), { create: RESOURCES });
    first = await identities();
    assert.equal(first.length, 2 * REGIONS.length);
  });

  after(async () => {
    await world?.close();
  });

  it("a tag removed from the config is untagged from every analyzer in place, none replaced", async () => {
    await world.configure(stack, TAGGED, {
      regions: REGIONS,
      tags: { Owner: "security" },
      archiveRules: [{ name: "private", filters: [PRIVATE] }],
    });
    await world.admin.clearCalls();

    const result = await stack.up(quiet);

    // The two analyzers and the component (whose recorded inputs hold the tags).
    assert.deepEqual(changes(result.summary.resourceChanges), {
      update: 1 + REGIONS.length,
      same: RESOURCES - 1 - REGIONS.length,
    });
    for (const a of await world.admin.listAnalyzers(TAGGED)) {
      assert.deepEqual(a.tags, { Owner: "security" }, `${a.region}: CostCenter is gone`);
    }
    assert.deepEqual(await identities(), first, "the same analyzers and rules, not re-created");
    assert.deepEqual(
      await callsOf("UntagResource", "TagResource", "CreateAnalyzer", "DeleteAnalyzer"),
      REGIONS.map((r) => `UntagResource ${r}`),
    );
  });

  it("an archive rule's changed filter updates the same rule in place in every region", async () => {
    await world.configure(stack, TAGGED, {
      regions: REGIONS,
      tags: { Owner: "security" },
      archiveRules: [{ name: "private", filters: [BUCKETS] }],
    });
    await world.admin.clearCalls();

    const result = await stack.up(quiet);

    // The two rules and the component (whose recorded inputs hold the rules).
    assert.deepEqual(changes(result.summary.resourceChanges), {
      update: 1 + REGIONS.length,
      same: RESOURCES - 1 - REGIONS.length,
    });
    for (const a of await world.admin.listAnalyzers(TAGGED)) {
      assert.deepEqual(
        a.archiveRules.map((r) => [r.ruleName, r.filter]),
        [["private", { resourceType: { eq: ["AWS::S3::Bucket"] } }]],
        `${a.region}: only the new filter`,
      );
    }
    assert.deepEqual(await identities(), first, "the same analyzers and rules, not re-created");
    assert.deepEqual(
      await callsOf("UpdateArchiveRule", "CreateArchiveRule", "DeleteArchiveRule"),
      REGIONS.map((r) => `UpdateArchiveRule ${r}`),
    );
  });
});
