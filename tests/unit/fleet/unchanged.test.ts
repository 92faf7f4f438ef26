// The nightly fast path's decision (fleet/domain/unchanged.ts): held to the component itself (the
// state each case starts from is what the component registers under mocks, for the same config),
// then broken one way at a time: each out-of-band change, each way the state can disagree with the
// settings, must send the account to the engine, and drift must make `up` refresh.

import * as assert from "node:assert/strict";

import type * as componentModule from "../../../components";
import type { AccountView } from "../../../fleet/domain/adoption";
import type { AnalyzerInfo, ArchiveRuleInfo } from "../../../fleet/domain/account";
import { stackConfigFor } from "../../../fleet/domain/stackConfig";
import {
  type UnchangedInput,
  type UnchangedVerdict,
  argsFromConfig,
  awsFilter,
  componentFilter,
  normalize,
  verifyUnchanged,
} from "../../../fleet/domain/unchanged";
import type { AnalyzerSettings, Target } from "../../../fleet/settings/schema";
import { OUTPUTS, type ProgramIdentity, settingsFingerprint } from "../../../program/contract";
import {
  DEFAULT_REGIONS,
  RecordingMocks,
  installMocks,
  promiseOf,
  settled,
} from "../helpers/mocks";

const ACCOUNT = "123456789012";
/** The account's regions in most cases: few, so that each component build stays quick. */
const ENABLED = ["ap-south-1", "eu-west-1", "us-east-1", "us-west-2"];
const IDENTITY: ProgramIdentity = {
  packageVersion: "1.2.3",
  awsVersion: "7.48.0",
  pulumiVersion: "3.248.0",
  codeHash: "c0de",
};

function targetWith(settings: AnalyzerSettings, extra: Partial<Target> = {}): Target {
  return {
    accountId: ACCOUNT,
    stack: `acct-${ACCOUNT}`,
    access: { roleArn: `arn:aws:iam::${ACCOUNT}:role/AccessAnalyzerDeployer` },
    settings,
    ...extra,
  };
}

/** A state resource, as `pulumi stack export` writes it. */
interface Resource {
  urn: string;
  type: string;
  id?: string;
  importID?: string;
  protect?: boolean;
  retainOnDelete?: boolean;
  inputs: Record<string, any>;
  outputs: Record<string, any>;
}

interface World {
  deployment: { resources: Resource[]; pending_operations?: unknown[] };
  view: AccountView & {
    enabled: string[];
    analyzers: Record<string, AnalyzerInfo[]>;
    archiveRules: Record<string, Record<string, ArchiveRuleInfo[]>>;
  };
}

describe("the nightly fast path: verifyUnchanged", function () {
  this.timeout(60_000);
  let mocks: RecordingMocks;
  let lib: typeof componentModule;

  before(async () => {
    mocks = await installMocks();
    lib = await import("../../../components");
  });

  /**
   * The state a completed `up` leaves for `target` (adopting `adopt`) in an account with `enabled`
   * regions: the component's registrations under mocks, with the program's outputs, and the
   * account that state describes (every analyzer ACTIVE, tags and rules as recorded).
   */
  async function deployed(
    target: Target,
    adopt: Record<string, string> = {},
    enabled: readonly string[] = ENABLED,
  ): Promise<World> {
    mocks.reset(enabled);
    const config = Object.fromEntries(
      Object.entries(stackConfigFor(target, adopt)).map(([k, v]) => [k, v.value]),
    );
    const args = argsFromConfig(config) as componentModule.AllRegionsAccessAnalyzerArgs;
    const component = new lib.AllRegionsAccessAnalyzer("access-analyzer", args);
    const regions = await promiseOf(component.regions);
    const analyzerArns = await promiseOf(component.analyzerArns);
    await settled();
    const resources: Resource[] = [
      {
        urn: "urn:pulumi:test::access-analyzer::pulumi:pulumi:Stack::access-analyzer-test",
        type: "pulumi:pulumi:Stack",
        inputs: {},
        outputs: {
          [OUTPUTS.regions]: regions,
          [OUTPUTS.analyzerArns]: analyzerArns,
          [OUTPUTS.fingerprint]: settingsFingerprint(config, IDENTITY, false),
        },
      },
      ...mocks.registrations.map((r): Resource => {
        const outputs: Record<string, any> = { ...r.inputs };
        if (r.type === "aws:accessanalyzer/analyzer:Analyzer") {
          outputs.arn = `arn:aws:access-analyzer:${r.inputs.region}:${ACCOUNT}:analyzer/${r.inputs.analyzerName}`;
          outputs.tagsAll = r.inputs.tags ?? {};
        }
        return {
          urn: r.urn,
          type: r.type,
          ...(r.id !== undefined ? { id: r.id } : {}),
          ...(r.importId !== undefined ? { importID: r.importId } : {}),
          ...(r.protect ? { protect: true } : {}),
          ...(r.retainOnDelete ? { retainOnDelete: true } : {}),
          inputs: JSON.parse(JSON.stringify(r.inputs)),
          outputs: JSON.parse(JSON.stringify(outputs)),
        };
      }),
    ];
    const analyzers: Record<string, AnalyzerInfo[]> = {};
    const archiveRules: Record<string, Record<string, ArchiveRuleInfo[]>> = {};
    for (const region of enabled) analyzers[region] = [];
    for (const r of resources.filter((x) => x.type === "aws:accessanalyzer/analyzer:Analyzer")) {
      const region = r.inputs.region as string;
      analyzers[region].push({
        name: r.inputs.analyzerName,
        arn: r.outputs.arn,
        type: r.inputs.type,
        status: "ACTIVE",
        tags: { ...r.outputs.tagsAll },
        ...(r.inputs.configuration ? { configuration: r.inputs.configuration } : {}),
      });
    }
    for (const r of resources.filter(
      (x) => x.type === "aws:accessanalyzer/archiveRule:ArchiveRule",
    )) {
      const byName = (archiveRules[r.inputs.region] ??= {});
      (byName[r.inputs.analyzerName] ??= []).push({
        ruleName: r.inputs.ruleName,
        filter: Object.fromEntries(
          (r.inputs.filters as any[]).map((f) => [
            f.criteria,
            {
              ...(f.eqs ? { eq: f.eqs } : {}),
              ...(f.neqs ? { neq: f.neqs } : {}),
              ...(f.contains ? { contains: f.contains } : {}),
              ...(f.exists !== undefined ? { exists: f.exists === "true" } : {}),
            },
          ]),
        ),
      });
    }
    // An analyzer without rules still had its rules read (none found).
    for (const [region, list] of Object.entries(analyzers)) {
      for (const a of list.filter((x) => x.type === "ACCOUNT" || x.type === "ORGANIZATION")) {
        (archiveRules[region] ??= {})[a.name] ??= [];
      }
    }
    return {
      deployment: { resources },
      view: { enabled: [...enabled], analyzers, archiveRules },
    };
  }

  const verify = (target: Target, world: World, extra: Partial<UnchangedInput> = {}) =>
    verifyUnchanged({
      target,
      deployment: world.deployment,
      view: world.view,
      identity: IDENTITY,
      adoptConsole: false,
      ...extra,
    });

  function assertUnchanged(verdict: UnchangedVerdict): void {
    assert.equal(
      verdict.unchanged,
      true,
      verdict.unchanged ? "" : `expected unchanged, got: ${verdict.reasons.join("; ")}`,
    );
  }

  function assertEngine(verdict: UnchangedVerdict, drift: boolean, reason: RegExp): void {
    assert.equal(verdict.unchanged, false, "expected the engine to run");
    if (verdict.unchanged) return;
    assert.equal(verdict.drift, drift, `drift: ${verdict.reasons.join("; ")}`);
    assert.ok(
      verdict.reasons.some((r) => reason.test(r)),
      `a reason matching ${reason}: ${verdict.reasons.join("; ")}`,
    );
  }

  const RULES: AnalyzerSettings["archiveRules"] = [
    { name: "private", filters: [{ criteria: "isPublic", eqs: ["false"] }] },
    {
      name: "trusted",
      filters: [
        { criteria: "principal.AWS", eqs: ["999988887777", "111122223333"] },
        { criteria: "error", exists: false },
      ],
    },
  ];

  describe("agrees with the component: the state a completed up leaves is unchanged", () => {
    type Case = [string, AnalyzerSettings, Record<string, string>?, string[]?];
    const cases: Case[] = [
      ["defaults (per-region providers)", {}],
      ["defaults in an account with all 17 default regions", {}, {}, [...DEFAULT_REGIONS]],
      [
        "single provider mode, tags and two archive rules",
        {
          providerMode: "single",
          tags: { Owner: "security" },
          archiveRules: RULES,
        },
      ],
      ["protect and retainOnDelete", { protect: true, retainOnDelete: true, archiveRules: RULES }],
      [
        "explicit regions less an exclusion, another lookup region",
        {
          regions: ["eu-west-1", "us-east-1", "us-west-2"],
          excludeRegions: ["us-west-2"],
          lookupRegion: "eu-west-1",
        },
      ],
      [
        "unused access with exclusions",
        {
          providerMode: "single",
          unusedAccess: {
            region: "us-east-1",
            unusedAccessAge: 30,
            exclusions: [{ resourceTags: [{ team: "break-glass" }] }],
          },
        },
      ],
      [
        "internal access in two regions",
        {
          internalAccess: {
            regions: ["eu-west-1", "us-east-1"],
            analysisRule: { inclusions: [{ resourceTypes: ["AWS::S3::Bucket"] }] },
          },
        },
      ],
      [
        "every organization analyzer",
        {
          providerMode: "single",
          archiveRules: RULES,
          organization: {
            externalAccess: true,
            unusedAccess: { region: "us-east-1" },
            internalAccess: { region: "us-east-1", analyzeAllResources: true },
          },
        },
      ],
      [
        "an adopted analyzer (plain name) in single mode",
        { providerMode: "single" },
        {
          "eu-west-1": "console-analyzer",
        },
      ],
      [
        "an adopted analyzer (name@region) with allowDelete",
        {
          providerMode: "single",
          allowDelete: ["console-analyzer@eu-west-1"],
        },
        { "eu-west-1": "console-analyzer@eu-west-1" },
      ],
    ];
    for (const [label, settings, adopt, enabled] of cases) {
      it(label, async () => {
        const target = targetWith(settings);
        const world = await deployed(target, adopt, enabled);
        const verdict = verify(target, world);
        assertUnchanged(verdict);
        if (verdict.unchanged) {
          assert.equal(verdict.resources, world.deployment.resources.length);
          assert.deepEqual(
            verdict.outputs[OUTPUTS.regions],
            world.deployment.resources[0].outputs.regions,
          );
        }
      });
    }
  });

  describe("sends the account to the engine", () => {
    const settings: AnalyzerSettings = {
      providerMode: "single",
      tags: { Owner: "security" },
      archiveRules: RULES,
    };
    const target = targetWith(settings);
    let world: World;
    beforeEach(async () => {
      world = await deployed(target);
    });
    const account = (region: string) =>
      world.view.analyzers[region].find((a) => a.type === "ACCOUNT")!;
    const stateOf = (type: string, region: string) =>
      world.deployment.resources.find((r) => r.type === type && r.inputs.region === region)!;

    it("drift: an analyzer deleted out of band", () => {
      world.view.analyzers["eu-west-1"] = [];
      assertEngine(verify(target, world), true, /eu-west-1: external-access is gone/);
    });

    it("drift: an analyzer replaced out of band under the same name (new ARN)", () => {
      const a = account("eu-west-1");
      world.view.analyzers["eu-west-1"] = [{ ...a, arn: `${a.arn}-recreated` }];
      assertEngine(verify(target, world), true, /replaced outside the stack/);
    });

    it("drift: a tag changed out of band", () => {
      const a = account("us-east-1");
      world.view.analyzers["us-east-1"] = [{ ...a, tags: { Owner: "someone-else" } }];
      assertEngine(verify(target, world), true, /tags were changed outside/);
    });

    it("drift: a tag added out of band", () => {
      const a = account("us-east-1");
      world.view.analyzers["us-east-1"] = [{ ...a, tags: { ...a.tags, extra: "x" } }];
      assertEngine(verify(target, world), true, /tags were changed outside/);
    });

    it("drift: an archive rule deleted out of band", () => {
      world.view.archiveRules["ap-south-1"]["external-access"] = world.view.archiveRules[
        "ap-south-1"
      ]["external-access"].filter((r) => r.ruleName !== "trusted");
      assertEngine(verify(target, world), true, /rule trusted of external-access is gone/);
    });

    it("drift: an archive rule's filter edited out of band", () => {
      world.view.archiveRules["ap-south-1"]["external-access"] = world.view.archiveRules[
        "ap-south-1"
      ]["external-access"].map((r) =>
        r.ruleName === "private" ? { ...r, filter: { isPublic: { eq: ["true"] } } } : r,
      );
      assertEngine(verify(target, world), true, /rule private of external-access was edited/);
    });

    it("drift: an unused-access analyzer's configuration changed out of band", async () => {
      const unused = targetWith({ ...settings, unusedAccess: { region: "us-east-1" } });
      const w = await deployed(unused);
      const list = w.view.analyzers["us-east-1"];
      w.view.analyzers["us-east-1"] = list.map((a) =>
        a.type === "ACCOUNT_UNUSED_ACCESS"
          ? { ...a, configuration: { unusedAccess: { unusedAccessAge: 180 } } }
          : a,
      );
      assertEngine(verify(unused, w), true, /configuration was changed outside/);
    });

    it("an analyzer not ACTIVE (yet): no drift, but the engine runs", () => {
      const a = account("eu-west-1");
      world.view.analyzers["eu-west-1"] = [{ ...a, status: "CREATING" }];
      assertEngine(verify(target, world), false, /eu-west-1: external-access is CREATING/);
    });

    it("a region the account enabled since the last up", () => {
      world.view.enabled.push("me-south-1");
      world.view.analyzers["me-south-1"] = [];
      assertEngine(verify(target, world), false, /regions to cover since the last up: me-south-1/);
    });

    it("a region the account disabled since the last up (it leaves the state first)", () => {
      world.view.enabled = world.view.enabled.filter((r) => r !== "eu-west-1");
      delete world.view.analyzers["eu-west-1"];
      assertEngine(verify(target, world), false, /eu-west-1: region-disabled/);
    });

    it("an analyzer made outside the stack in a region it does not hold (adoption decides)", async () => {
      const w = await deployed(target, {}, ["eu-west-1", "us-east-1"]);
      w.view.enabled.push("ap-south-1");
      w.view.analyzers["ap-south-1"] = [
        { name: "console", arn: "arn:x", type: "ACCOUNT", status: "ACTIVE", tags: {} },
      ];
      assertEngine(verify(target, w), false, /ap-south-1: would-adopt/);
    });

    it("settings changed (a tag value in the fleet file)", () => {
      const changed = targetWith({ ...settings, tags: { Owner: "platform" } });
      assertEngine(verify(changed, world), false, /settings or the program changed/);
    });

    it("another package version, or another program", () => {
      for (const identity of [
        { ...IDENTITY, packageVersion: "1.2.4" },
        { ...IDENTITY, awsVersion: "7.49.0" },
        { ...IDENTITY, codeHash: "other" },
      ]) {
        assertEngine(verify(target, world, { identity }), false, /program changed/);
      }
    });

    it("an external id added for the account's role", () => {
      const withId = targetWith(settings, {
        access: { roleArn: target.access.roleArn, externalId: "secret-id" },
      });
      assertEngine(verify(withId, world), false, /settings or the program changed/);
    });

    it("config changed by hand and applied by a person's own up (the state records another fingerprint)", () => {
      world.deployment.resources[0].outputs[OUTPUTS.fingerprint] = "from-a-hand-run";
      assertEngine(verify(target, world), false, /settings or the program changed/);
    });

    it("lost state (a new or emptied stack)", () => {
      assertEngine(verify(target, world, { deployment: undefined }), false, /no state yet/);
      assertEngine(verify(target, world, { deployment: { resources: [] } }), false, /no state/);
    });

    it("pending operations of an interrupted run", () => {
      world.deployment.pending_operations = [{ type: "creating", resource: { urn: "x" } }];
      assertEngine(verify(target, world), false, /pending operations/);
    });

    it("no fingerprint: the last up did not complete every analyzer, or an older program ran", () => {
      delete world.deployment.resources[0].outputs[OUTPUTS.fingerprint];
      assertEngine(verify(target, world), false, /records no settings fingerprint/);
    });

    it("an archive rule missing from the state (its create failed, the fingerprint was still recorded)", () => {
      const rule = world.deployment.resources.findIndex(
        (r) =>
          r.type === "aws:accessanalyzer/archiveRule:ArchiveRule" &&
          r.inputs.region === "eu-west-1" &&
          r.inputs.ruleName === "private",
      );
      world.deployment.resources.splice(rule, 1);
      assertEngine(
        verify(target, world),
        false,
        /rule private of external-access is not in the state/,
      );
    });

    it("an analyzer missing from the state: adopted back when the account has it, created when not", () => {
      const analyzer = stateOf("aws:accessanalyzer/analyzer:Analyzer", "eu-west-1");
      world.deployment.resources.splice(world.deployment.resources.indexOf(analyzer), 1);
      assertEngine(verify(target, world), false, /eu-west-1: adopted/);
      world.view.analyzers["eu-west-1"] = [];
      assertEngine(verify(target, world), false, /eu-west-1: no ACCOUNT analyzer in the state/);
    });

    it("an analyzer the settings no longer declare is still in the state", () => {
      const extra = { ...stateOf("aws:accessanalyzer/analyzer:Analyzer", "eu-west-1") };
      extra.inputs = { ...extra.inputs, type: "ACCOUNT_UNUSED_ACCESS", analyzerName: "unused" };
      world.deployment.resources.push(extra);
      assertEngine(verify(target, world), false, /analyzer the settings drop/);
    });

    it("an archive-rule filter in the state that the settings do not set (an interrupted change)", () => {
      const rule = world.deployment.resources.find(
        (r) =>
          r.type === "aws:accessanalyzer/archiveRule:ArchiveRule" &&
          r.inputs.region === "eu-west-1" &&
          r.inputs.ruleName === "private",
      )!;
      rule.inputs.filters = [{ criteria: "isPublic", eqs: ["true"] }];
      world.view.archiveRules["eu-west-1"]["external-access"] = world.view.archiveRules[
        "eu-west-1"
      ]["external-access"].map((r) =>
        r.ruleName === "private" ? { ...r, filter: { isPublic: { eq: ["true"] } } } : r,
      );
      assertEngine(verify(target, world), false, /rule private of external-access is not as set/);
    });

    it("protect lifted by hand in the state (pulumi state unprotect)", async () => {
      const guarded = targetWith({ ...settings, protect: true });
      const w = await deployed(guarded);
      const analyzer = w.deployment.resources.find(
        (r) => r.type === "aws:accessanalyzer/analyzer:Analyzer" && r.inputs.region === "eu-west-1",
      )!;
      assert.equal(analyzer.protect, true);
      delete analyzer.protect;
      assertEngine(verify(guarded, w), false, /protect or retainOnDelete is not as set/);
    });

    it("an adopted analyzer's guard lifted in the state", async () => {
      const adopted = targetWith(settings);
      const w = await deployed(adopted, { "eu-west-1": "console-analyzer" });
      assertUnchanged(verify(adopted, w));
      const analyzer = w.deployment.resources.find(
        (r) => r.type === "aws:accessanalyzer/analyzer:Analyzer" && r.inputs.region === "eu-west-1",
      )!;
      delete analyzer.retainOnDelete;
      assertEngine(verify(adopted, w), false, /protect or retainOnDelete is not as set/);
    });

    it("a provider-mode switch left half done (per-region providers in a single-mode state)", async () => {
      const perRegion = await deployed(targetWith({ ...settings, providerMode: "per-region" }));
      const providers = perRegion.deployment.resources.filter(
        (r) => r.type === "pulumi:providers:aws" && !r.urn.endsWith("-lookup"),
      );
      world.deployment.resources.push(...providers);
      assertEngine(verify(target, world), false, /regional providers/);
    });

    it("the archive rules were not read", () => {
      const { archiveRules: _unused, ...rest } = world.view;
      void _unused;
      assertEngine(verify(target, { ...world, view: rest as World["view"] }), false, /not read/);
    });

    it("a registration stack is never skipped", () => {
      const registration = targetWith(settings, {
        programConfig: { delegatedAdministrator: { accountId: "222233334444" } },
      });
      const verdict = verify(registration, world);
      assert.equal(verdict.unchanged, false);
    });
  });
});

describe("the nightly fast path: filters and normal forms", () => {
  it("compares an archive-rule filter as the component sets it with AWS's answer", () => {
    assert.deepEqual(
      componentFilter([
        { criteria: "principal.AWS", eqs: ["b", "a"] },
        { criteria: "error", exists: "false" },
      ]),
      awsFilter({ "principal.AWS": { eq: ["a", "b"] }, error: { exists: false } }),
    );
    assert.notDeepEqual(
      componentFilter([{ criteria: "isPublic", eqs: ["false"] }]),
      awsFilter({ isPublic: { eq: ["true"] } }),
    );
    assert.notDeepEqual(
      componentFilter([{ criteria: "isPublic", exists: true }]),
      awsFilter({ isPublic: { exists: false } }),
    );
  });

  it("normalises away what AWS and the state leave out, and nothing else", () => {
    assert.equal(normalize({ a: undefined, b: [], c: {}, d: null }), undefined);
    assert.deepEqual(normalize({ x: ["b", "a"], y: [{ k: 1 }] }), { x: ["a", "b"], y: [{ k: 1 }] });
    assert.notDeepEqual(normalize({ x: 1 }), normalize({ x: 2 }));
  });

  it("reads the program's config as the program does: JSON values, plain strings as they are", () => {
    assert.deepEqual(
      argsFromConfig({
        "access-analyzer:regions": '["eu-west-1"]',
        "access-analyzer:analyzerName": "external-access",
        "access-analyzer:protect": "true",
        "aws:region": "us-east-1",
      }),
      { regions: ["eu-west-1"], analyzerName: "external-access", protect: true },
    );
  });
});
