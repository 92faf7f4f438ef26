// Switching a live stack between a provider per region and one provider for every region, under
// the real engine: the provider references change, nothing else. No analyzer or archive rule is
// replaced or deleted (same URNs, same ids, same ARNs and createdAt in fake-aws); only the
// per-region providers come and go, which never calls AWS.

import * as assert from "node:assert/strict";

import type { Stack } from "@pulumi/pulumi/automation";

import { changes, World } from "./harness";

const ACCOUNT = "230000000001";
const REGIONS = ["ap-south-1", "eu-west-1", "us-east-1"];
const quiet = { onOutput: () => undefined, color: "never" as const };
const SETTINGS = {
  regions: REGIONS,
  unusedAccess: { region: "eu-west-1" },
  archiveRules: [{ name: "private", filters: [{ criteria: "isPublic", eqs: ["false"] }] }],
};
const KEPT_TYPES = [
  "aws:accessanalyzer/analyzer:Analyzer",
  "aws:accessanalyzer/archiveRule:ArchiveRule",
];

describe("switching the provider mode of a live stack", function () {
  let world: World;
  let stack: Stack;

  /** URN → id of every analyzer and archive rule in the stack's state, and its providers. */
  async function state(): Promise<{ kept: Record<string, string>; providers: string[] }> {
    const exported = await stack.exportStack();
    const resources = (exported.deployment.resources ?? []) as {
      urn: string;
      id?: string;
      type: string;
    }[];
    return {
      kept: Object.fromEntries(
        resources.filter((r) => KEPT_TYPES.includes(r.type)).map((r) => [r.urn, r.id ?? ""]),
      ),
      providers: resources
        .filter((r) => r.type === "pulumi:providers:aws")
        .map((r) => r.urn.split("::").pop() ?? "")
        .sort(),
    };
  }

  /** Region → "arn createdAt" of every analyzer in the fake. */
  async function analyzers(): Promise<Record<string, string>> {
    const list = await world.admin.listAnalyzers(ACCOUNT);
    return Object.fromEntries(
      list.map((a) => [`${a.region}/${a.name}`, `${a.arn} ${a.createdAt}`]),
    );
  }

  /** The operation the engine chose for each analyzer and archive rule. */
  async function upRecordingSteps(): Promise<{
    ops: Set<string>;
    summary: Record<string, number>;
  }> {
    const ops = new Set<string>();
    const result = await stack.up({
      ...quiet,
      onEvent: (event) => {
        const meta = event.resOutputsEvent?.metadata;
        if (meta && KEPT_TYPES.includes(meta.type)) ops.add(meta.op);
      },
    });
    return { ops, summary: changes(result.summary.resourceChanges) };
  }

  before(async () => {
    world = await World.start({ label: "provider-mode", accounts: [{ id: ACCOUNT }] });
    stack = await world.stack(ACCOUNT, SETTINGS);
  });

  after(async () => {
    await world?.close();
  });

  it("replaces and deletes nothing when a per-region stack switches to one provider, and back", async () => {
    await stack.up(quiet);
    const first = await state();
    const firstAnalyzers = await analyzers();
    assert.equal(Object.keys(firstAnalyzers).length, REGIONS.length + 1);
    assert.equal(Object.keys(first.kept).length, 2 * REGIONS.length + 1);
    assert.deepEqual(
      first.providers,
      ["access-analyzer-lookup", ...REGIONS.map((r) => `access-analyzer-${r}`)].sort(),
    );
    // Kept through both switches: the stack, the lookup provider, the analyzers and the rules.
    // The component records its settings as inputs, so it alone is updated (no AWS call).
    const kept = 1 + 1 + 2 * REGIONS.length + 1;

    await world.admin.clearCalls();
    await world.configure(stack, ACCOUNT, { ...SETTINGS, providerMode: "single" });
    const toSingle = await upRecordingSteps();

    assert.deepEqual([...toSingle.ops], ["same"]);
    assert.deepEqual(toSingle.summary, { same: kept, update: 1, delete: REGIONS.length });
    const single = await state();
    assert.deepEqual(single.kept, first.kept, "same URNs and ids");
    assert.deepEqual(single.providers, ["access-analyzer-lookup"]);
    assert.deepEqual(await analyzers(), firstAnalyzers, "same ARNs, same createdAt");
    const writes = (await world.admin.calls({ service: "access-analyzer" })).filter((c) =>
      /^(Create|Delete|Update|Tag|Untag)/.test(c.operation),
    );
    assert.deepEqual(writes, [], "no write reached AWS");

    await world.configure(stack, ACCOUNT, { ...SETTINGS, providerMode: "per-region" });
    const back = await upRecordingSteps();

    assert.deepEqual([...back.ops], ["same"]);
    assert.deepEqual(back.summary, { same: kept, update: 1, create: REGIONS.length });
    const perRegion = await state();
    assert.deepEqual(perRegion.kept, first.kept);
    assert.deepEqual(perRegion.providers, first.providers);
    assert.deepEqual(await analyzers(), firstAnalyzers);
    const written = (await world.admin.calls({ service: "access-analyzer" })).filter((c) =>
      /^(Create|Delete|Update|Tag|Untag)/.test(c.operation),
    );
    assert.deepEqual(written, []);
  });
});
