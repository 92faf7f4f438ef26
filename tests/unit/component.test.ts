import * as assert from "node:assert/strict";

import * as pulumi from "@pulumi/pulumi";

import type * as componentModule from "../../components";
import {
  DEFAULT_REGIONS,
  MOCK_ACCOUNT,
  RecordingMocks,
  installMocks,
  promiseOf,
  settled,
} from "./helpers/mocks";

const PROVIDER = "pulumi:providers:aws";
const ANALYZER = "aws:accessanalyzer/analyzer:Analyzer";
const ARCHIVE_RULE = "aws:accessanalyzer/archiveRule:ArchiveRule";

describe("AllRegionsAccessAnalyzer", () => {
  let mocks: RecordingMocks;
  let lib: typeof componentModule;

  before(async () => {
    mocks = await installMocks();
    lib = await import("../../components");
  });

  beforeEach(() => mocks.reset());

  /** Builds a component and waits until every child is registered. */
  async function build(
    name: string,
    args: componentModule.AllRegionsAccessAnalyzerArgs = {},
  ): Promise<componentModule.AllRegionsAccessAnalyzer> {
    const component = new lib.AllRegionsAccessAnalyzer(name, args);
    await promiseOf(component.analyzerArns);
    await settled();
    return component;
  }

  function regionalProviders() {
    return mocks.ofType(PROVIDER).filter((p) => !p.name.endsWith("-lookup"));
  }

  function externalAnalyzers() {
    return mocks.ofType(ANALYZER).filter((a) => !a.name.endsWith("-unused-access"));
  }

  describe("region discovery", () => {
    it("creates one provider and one analyzer per discovered region, each on its own region's provider", async () => {
      mocks.reset(["eu-west-1", "us-east-1", "ap-southeast-3"]);
      const component = await build("aa");

      assert.deepEqual(await promiseOf(component.regions), [
        "ap-southeast-3",
        "eu-west-1",
        "us-east-1",
      ]);
      assert.deepEqual(
        regionalProviders().map((p) => p.inputs.region),
        ["ap-southeast-3", "eu-west-1", "us-east-1"],
      );
      const analyzers = externalAnalyzers();
      assert.equal(analyzers.length, 3);
      for (const analyzer of analyzers) {
        assert.equal(analyzer.name, `aa-${mocks.providerRegionOf(analyzer)}`);
        assert.equal(analyzer.inputs.type, "ACCOUNT");
        assert.equal(analyzer.inputs.analyzerName, "external-access");
        assert.equal(analyzer.parent, mocks.named("aa").urn);
      }
      assert.deepEqual(await promiseOf(component.analyzerArns), {
        "ap-southeast-3": `arn:aws:access-analyzer:ap-southeast-3:${MOCK_ACCOUNT}:analyzer/external-access`,
        "eu-west-1": `arn:aws:access-analyzer:eu-west-1:${MOCK_ACCOUNT}:analyzer/external-access`,
        "us-east-1": `arn:aws:access-analyzer:us-east-1:${MOCK_ACCOUNT}:analyzer/external-access`,
      });
    });

    it("covers all 17 default regions when the account has enabled nothing else", async () => {
      const component = await build("aa");
      assert.deepEqual(await promiseOf(component.regions), DEFAULT_REGIONS);
      assert.equal(regionalProviders().length, 17);
      assert.equal(externalAnalyzers().length, 17);
    });

    it("asks only for enabled regions, through an explicit lookup provider", async () => {
      await build("aa", { providerArgs: { profile: "security-audit" } });
      assert.equal(mocks.invokes.length, 1);
      const invoke = mocks.invokes[0];
      assert.equal(invoke.token, "aws:index/getRegions:getRegions");
      assert.deepEqual(invoke.inputs.filters, [
        { name: "opt-in-status", values: ["opt-in-not-required", "opted-in"] },
      ]);
      assert.ok(!invoke.inputs.allRegions, "must not ask for regions the account has not enabled");
      const lookup = mocks.named("aa-lookup", PROVIDER);
      assert.ok(
        invoke.provider?.endsWith(`::${lookup.id}`),
        "lookup must use the explicit provider",
      );
      assert.equal(lookup.inputs.region, "us-east-1");
      assert.equal(lookup.inputs.profile, "security-audit");
    });

    it("asks the lookup region given for other partitions", async () => {
      mocks.reset(["us-gov-east-1", "us-gov-west-1"]);
      await build("aa", { lookupRegion: "us-gov-west-1" });
      assert.equal(mocks.named("aa-lookup", PROVIDER).inputs.region, "us-gov-west-1");
      assert.equal(externalAnalyzers().length, 2);
    });
  });

  describe("analyzer zones", () => {
    const byType = (type: string) => mocks.ofType(ANALYZER).filter((a) => a.inputs.type === type);

    it("keeps the ACCOUNT analyzer in every region and adds ORGANIZATION analyzers beside it", async () => {
      mocks.reset(["eu-west-1", "us-east-1"]);
      const component = await build("aa", {
        organization: { externalAccess: true },
        archiveRules: [{ name: "r", filters: [{ criteria: "isPublic", eqs: ["false"] }] }],
      });
      assert.deepEqual(
        byType("ACCOUNT").map((a) => [a.name, mocks.regionOf(a)]),
        [
          ["aa-eu-west-1", "eu-west-1"],
          ["aa-us-east-1", "us-east-1"],
        ],
      );
      const org = byType("ORGANIZATION");
      assert.deepEqual(
        org.map((a) => [a.name, mocks.regionOf(a), a.inputs.analyzerName]),
        [
          ["aa-org-eu-west-1", "eu-west-1", "organization-external-access"],
          ["aa-org-us-east-1", "us-east-1", "organization-external-access"],
        ],
      );
      for (const a of org) {
        assert.ok(a.provider?.endsWith(`::aa-${mocks.regionOf(a)}_id`), "its region's provider");
        assert.ok(a.deleteBeforeReplace);
      }
      assert.deepEqual(
        mocks
          .ofType(ARCHIVE_RULE)
          .map((r) => r.name)
          .sort(),
        ["aa-eu-west-1-r", "aa-org-eu-west-1-r", "aa-org-us-east-1-r", "aa-us-east-1-r"],
      );
      assert.deepEqual(await promiseOf(component.organizationAnalyzerArns), {
        "eu-west-1": `arn:aws:access-analyzer:eu-west-1:${MOCK_ACCOUNT}:analyzer/organization-external-access`,
        "us-east-1": `arn:aws:access-analyzer:us-east-1:${MOCK_ACCOUNT}:analyzer/organization-external-access`,
      });
    });

    it("makes no organization or internal-access analyzer unless asked, and says so in its outputs", async () => {
      mocks.reset(["us-east-1"]);
      const component = await build("aa", { organization: { externalAccess: false } });
      assert.deepEqual(
        mocks.ofType(ANALYZER).map((a) => a.inputs.type),
        ["ACCOUNT"],
      );
      assert.deepEqual(await promiseOf(component.organizationAnalyzerArns), {});
      assert.deepEqual(await promiseOf(component.internalAccessAnalyzerArns), {});
      assert.equal(await promiseOf(component.organizationUnusedAccessAnalyzerArn), undefined);
      assert.equal(await promiseOf(component.organizationInternalAccessAnalyzerArn), undefined);
    });

    it("puts the organization unused-access and internal-access analyzers in their home regions only", async () => {
      mocks.reset(["eu-west-1", "us-east-1"]);
      const component = await build("aa", {
        unusedAccess: { region: "us-east-1" },
        organization: {
          unusedAccess: { region: "eu-west-1", unusedAccessAge: 30 },
          internalAccess: {
            region: "us-east-1",
            analysisRule: {
              inclusions: [{ accountIds: ["111122223333"], resourceTypes: ["AWS::S3::Bucket"] }],
            },
          },
        },
      });
      const [orgUnused] = byType("ORGANIZATION_UNUSED_ACCESS");
      assert.equal(orgUnused.name, "aa-org-unused-access");
      assert.equal(mocks.regionOf(orgUnused), "eu-west-1");
      assert.equal(orgUnused.inputs.analyzerName, "organization-unused-access");
      assert.deepEqual(orgUnused.inputs.configuration, { unusedAccess: { unusedAccessAge: 30 } });
      assert.equal(byType("ACCOUNT_UNUSED_ACCESS").length, 1, "the account one stays");
      const orgInternal = byType("ORGANIZATION_INTERNAL_ACCESS");
      assert.equal(orgInternal.length, 1, "one per organization");
      assert.equal(orgInternal[0].name, "aa-org-internal-access");
      assert.equal(mocks.regionOf(orgInternal[0]), "us-east-1");
      assert.deepEqual(orgInternal[0].inputs.configuration, {
        internalAccess: {
          analysisRule: {
            inclusions: [{ accountIds: ["111122223333"], resourceTypes: ["AWS::S3::Bucket"] }],
          },
        },
      });
      assert.match(
        (await promiseOf(component.organizationInternalAccessAnalyzerArn)) ?? "",
        /:us-east-1:\d{12}:analyzer\/organization-internal-access$/,
      );
      assert.match(
        (await promiseOf(component.organizationUnusedAccessAnalyzerArn)) ?? "",
        /:eu-west-1:\d{12}:analyzer\/organization-unused-access$/,
      );
    });

    it("adds ACCOUNT_INTERNAL_ACCESS analyzers in the regions listed only, with the scope chosen", async () => {
      mocks.reset(["eu-west-1", "us-east-1", "us-west-2"]);
      const all = await build("aa", {
        internalAccess: { regions: ["us-west-2", "eu-west-1"], analyzeAllResources: true },
      });
      assert.deepEqual(
        byType("ACCOUNT_INTERNAL_ACCESS").map((a) => [
          a.name,
          mocks.regionOf(a),
          a.inputs.analyzerName,
          a.inputs.configuration,
        ]),
        [
          ["aa-internal-eu-west-1", "eu-west-1", "internal-access", undefined],
          ["aa-internal-us-west-2", "us-west-2", "internal-access", undefined],
        ],
        "no analyzer in us-east-1, which is covered but not listed; no rule: every resource",
      );
      assert.deepEqual(Object.keys(await promiseOf(all.internalAccessAnalyzerArns)), [
        "eu-west-1",
        "us-west-2",
      ]);

      mocks.reset(["eu-west-1", "us-east-1", "us-west-2"]);
      await build("bb", {
        internalAccess: {
          analyzerName: "critical",
          regions: ["eu-west-1"],
          analysisRule: { inclusions: [{ resourceTypes: ["AWS::DynamoDB::Table"] }] },
        },
      });
      const listed = byType("ACCOUNT_INTERNAL_ACCESS");
      assert.deepEqual(
        listed.map((a) => [a.name, mocks.regionOf(a)]),
        [["bb-internal-eu-west-1", "eu-west-1"]],
      );
      assert.deepEqual(listed[0].inputs.configuration, {
        internalAccess: {
          analysisRule: { inclusions: [{ resourceTypes: ["AWS::DynamoDB::Table"] }] },
        },
      });
    });

    it("refuses internalAccess without regions or scope (the old every-region default), registering nothing", async () => {
      mocks.reset(["eu-west-1", "us-east-1"]);
      assert.throws(
        () =>
          new lib.AllRegionsAccessAnalyzer("aa", {
            internalAccess: {} as componentModule.InternalAccessArgs,
          }),
        (err: Error) => {
          assert.match(
            err.message,
            /internalAccess\.regions: is required: list the regions to analyze.*no longer made in every covered region by default/,
          );
          assert.match(
            err.message,
            /internalAccess\.analysisRule: is required: choose what is analyzed \(and billed per resource monitored, per analyzer, per month\).*analyzeAllResources: true/,
          );
          return true;
        },
      );
      await settled();
      assert.equal(mocks.registrations.length, 0);
    });

    it("refuses an internal-access region the account has not enabled, registering no analyzer", async () => {
      mocks.reset(["us-east-1", "eu-west-1"]);
      const component = new lib.AllRegionsAccessAnalyzer("aa", {
        internalAccess: { regions: ["ap-south-1"], analyzeAllResources: true },
        organization: { internalAccess: { region: "ap-south-2", analyzeAllResources: true } },
      });
      await assert.rejects(promiseOf(component.regions), (err: Error) => {
        assert.match(err.message, /internalAccess.regions\[0\]: "ap-south-1" is not covered/);
        assert.match(
          err.message,
          /organization.internalAccess.region: "ap-south-2" is not covered/,
        );
        return true;
      });
      await settled();
      assert.equal(mocks.ofType(ANALYZER).length, 0);
    });

    it("refuses to exclude the owner account from its organization analyzer, asking STS who that is, before any analyzer", async () => {
      mocks.reset(["us-east-1"]);
      const component = new lib.AllRegionsAccessAnalyzer("aa", {
        organization: {
          unusedAccess: {
            region: "us-east-1",
            exclusions: [{ accountIds: ["444455556666", MOCK_ACCOUNT] }],
          },
        },
      });
      await assert.rejects(promiseOf(component.regions), (err: Error) => {
        assert.match(
          err.message,
          new RegExp(
            `organization\\.unusedAccess\\.exclusions\\[0\\]\\.accountIds\\[1\\]: "${MOCK_ACCOUNT}" is the account that owns the analyzer`,
          ),
        );
        return true;
      });
      await settled();
      assert.equal(mocks.ofType(ANALYZER).length, 0);
      const identity = mocks.invokes.filter(
        (i) => i.token === "aws:index/getCallerIdentity:getCallerIdentity",
      );
      assert.equal(identity.length, 1);
      assert.equal(identity[0].provider?.split("::")[3], "aa-lookup", "asked through the lookup");

      mocks.reset(["us-east-1"]);
      await build("bb", {
        organization: {
          unusedAccess: { region: "us-east-1", exclusions: [{ accountIds: ["444455556666"] }] },
        },
      });
      assert.equal(byType("ORGANIZATION_UNUSED_ACCESS").length, 1, "another account is fine");
    });

    it("never asks STS when no exclusion names accounts", async () => {
      mocks.reset(["us-east-1"]);
      await build("aa", { organization: { unusedAccess: { region: "us-east-1" } } });
      assert.equal(
        mocks.invokes.filter((i) => i.token === "aws:index/getCallerIdentity:getCallerIdentity")
          .length,
        0,
      );
    });
  });

  describe("exclusions and explicit regions", () => {
    it("leaves excluded regions out and keeps the rest", async () => {
      mocks.reset(["eu-west-1", "us-east-1", "us-west-2"]);
      const component = await build("aa", { excludeRegions: ["us-west-2"] });
      assert.deepEqual(await promiseOf(component.regions), ["eu-west-1", "us-east-1"]);
      assert.deepEqual(
        externalAnalyzers().map((a) => a.name),
        ["aa-eu-west-1", "aa-us-east-1"],
      );
    });

    it("covers exactly the explicit regions, sorted, looked up from the lookup region", async () => {
      const component = await build("aa", { regions: ["us-west-2", "eu-west-1"] });
      assert.deepEqual(await promiseOf(component.regions), ["eu-west-1", "us-west-2"]);
      assert.equal(externalAnalyzers().length, 2);
      assert.equal(mocks.named("aa-lookup", PROVIDER).inputs.region, "us-east-1");
    });

    it("says a first explicit region is not enabled, instead of asking it for the region list", async () => {
      mocks.reset(["eu-west-1", "us-east-1"]);
      const component = new lib.AllRegionsAccessAnalyzer("aa", {
        regions: ["af-south-1", "eu-west-1"],
      });
      await assert.rejects(promiseOf(component.regions), (err: Error) => {
        assert.match(err.message, /regions\[0\]: "af-south-1" is not enabled in this account/);
        assert.doesNotMatch(err.message, /AuthFailure/);
        return true;
      });
      assert.equal(mocks.named("aa-lookup", PROVIDER).inputs.region, "us-east-1");
      assert.equal(regionalProviders().length, 0);
      assert.equal(mocks.ofType(ANALYZER).length, 0);
    });

    it("subtracts exclusions from explicit regions", async () => {
      const component = await build("aa", {
        regions: ["us-east-1", "eu-west-1"],
        excludeRegions: ["eu-west-1"],
      });
      assert.deepEqual(await promiseOf(component.regions), ["us-east-1"]);
    });

    it("refuses an explicit region the account has not enabled, creating no regional resource", async () => {
      mocks.reset(["us-east-1"]);
      const component = new lib.AllRegionsAccessAnalyzer("aa", {
        regions: ["us-east-1", "af-south-1"],
      });
      await assert.rejects(
        promiseOf(component.regions),
        /regions\[1\]: "af-south-1" is not enabled/,
      );
      assert.equal(regionalProviders().length, 0);
      assert.equal(mocks.ofType(ANALYZER).length, 0);
    });

    it("refuses exclusions that leave nothing to cover", async () => {
      mocks.reset(["us-east-1"]);
      const component = new lib.AllRegionsAccessAnalyzer("aa", { excludeRegions: ["us-east-1"] });
      await assert.rejects(promiseOf(component.regions), /excludeRegions: leaves no region/);
      assert.equal(mocks.ofType(ANALYZER).length, 0);
    });

    it("accepts an exclusion of a region the account has not enabled, with a warning", async () => {
      mocks.reset(["us-east-1", "eu-west-1"]);
      const warnings: string[] = [];
      const warn = pulumi.log.warn;
      pulumi.log.warn = (message: string) => {
        warnings.push(message);
        return Promise.resolve();
      };
      try {
        const component = await build("aa", { excludeRegions: ["me-south-1"] });
        assert.deepEqual(await promiseOf(component.regions), ["eu-west-1", "us-east-1"]);
      } finally {
        pulumi.log.warn = warn;
      }
      assert.deepEqual(warnings, [
        `excludeRegions: "me-south-1" is not enabled in this account; nothing to exclude ` +
          `(it stays excluded if the account enables it later)`,
      ]);
    });
  });

  describe("analyzer settings", () => {
    it("creates exactly one unused-access analyzer, in the home region", async () => {
      // The home region sorts neither first nor last and is not the lookup region (us-east-1), so
      // the analyzer lands there only by following unusedAccess.region.
      mocks.reset(["ap-south-1", "eu-west-1", "us-east-1", "us-west-2"]);
      const component = await build("aa", {
        unusedAccess: {
          region: "eu-west-1",
          unusedAccessAge: 45,
          exclusions: [{ resourceTags: [{ team: "break-glass" }] }],
        },
      });
      const unused = mocks
        .ofType(ANALYZER)
        .filter((a) => a.inputs.type === "ACCOUNT_UNUSED_ACCESS");
      assert.equal(unused.length, 1);
      assert.equal(unused[0].name, "aa-unused-access");
      assert.equal(mocks.providerRegionOf(unused[0]), "eu-west-1");
      assert.equal(unused[0].inputs.analyzerName, "unused-access");
      assert.deepEqual(unused[0].inputs.configuration, {
        unusedAccess: {
          unusedAccessAge: 45,
          analysisRule: { exclusions: [{ resourceTags: [{ team: "break-glass" }] }] },
        },
      });
      assert.equal(
        await promiseOf(component.unusedAccessAnalyzerArn),
        `arn:aws:access-analyzer:eu-west-1:${MOCK_ACCOUNT}:analyzer/unused-access`,
      );
      assert.equal(externalAnalyzers().length, 4, "external analyzers stay one per region");
    });

    it("has no unused-access analyzer unless asked", async () => {
      mocks.reset(["us-east-1"]);
      const component = await build("aa");
      assert.equal(await promiseOf(component.unusedAccessAnalyzerArn), undefined);
      assert.equal(mocks.ofType(ANALYZER).length, 1);
    });

    it("refuses an unused-access home region that is not covered", async () => {
      mocks.reset(["us-east-1", "eu-west-1"]);
      const component = new lib.AllRegionsAccessAnalyzer("aa", {
        unusedAccess: { region: "ap-south-1" },
      });
      await assert.rejects(
        promiseOf(component.regions),
        /unusedAccess.region: "ap-south-1" is not covered/,
      );
      assert.equal(mocks.ofType(ANALYZER).length, 0);
    });

    it("creates every archive rule on every regional analyzer, on that region's provider", async () => {
      mocks.reset(["eu-west-1", "us-east-1"]);
      const archiveRules = [
        {
          name: "trusted-partner",
          filters: [{ criteria: "principal.AWS", eqs: ["444455556666"] }],
        },
        { name: "private-buckets", filters: [{ criteria: "isPublic", eqs: ["false"] }] },
      ];
      await build("aa", { archiveRules });
      const rules = mocks.ofType(ARCHIVE_RULE);
      assert.deepEqual(rules.map((r) => r.name).sort(), [
        "aa-eu-west-1-private-buckets",
        "aa-eu-west-1-trusted-partner",
        "aa-us-east-1-private-buckets",
        "aa-us-east-1-trusted-partner",
      ]);
      for (const rule of rules) {
        const region = mocks.providerRegionOf(rule);
        assert.ok(rule.name.startsWith(`aa-${region}-`), `${rule.name} is on ${region}'s provider`);
        assert.equal(rule.inputs.analyzerName, "external-access");
        const spec = archiveRules.find((r) => r.name === rule.inputs.ruleName);
        assert.deepEqual(rule.inputs.filters, spec?.filters);
      }
    });

    it("tags every analyzer", async () => {
      mocks.reset(["eu-west-1", "us-east-1"]);
      const tags = { owner: "security", "cost-center": "1234" };
      await build("aa", { tags, unusedAccess: { region: "us-east-1" } });
      const analyzers = mocks.ofType(ANALYZER);
      assert.equal(analyzers.length, 3);
      analyzers.forEach((a) => assert.deepEqual(a.inputs.tags, tags));
    });

    it("uses the analyzer name given", async () => {
      mocks.reset(["us-east-1"]);
      await build("aa", { analyzerName: "cis-1-19" });
      assert.equal(mocks.ofType(ANALYZER)[0].inputs.analyzerName, "cis-1-19");
    });

    it("imports an adopted region's existing analyzer under its own name, leaving the other regions alone", async () => {
      mocks.reset(["eu-west-1", "us-east-1"]);
      await build("aa", { adopt: { "eu-west-1": "console-analyzer" } });
      const byRegion = Object.fromEntries(externalAnalyzers().map((a) => [mocks.regionOf(a), a]));
      assert.equal(byRegion["eu-west-1"].inputs.analyzerName, "console-analyzer");
      assert.equal(byRegion["eu-west-1"].importId, "console-analyzer");
      assert.equal(byRegion["eu-west-1"].parent, mocks.named("aa").urn);
      assert.equal(byRegion["us-east-1"].inputs.analyzerName, "external-access");
      assert.equal(byRegion["us-east-1"].importId, undefined);
    });

    /** Region → [import ID, the analyzer's provider name] of the external-access analyzers. */
    function adoptedView(): Record<string, [string | undefined, string | undefined]> {
      const providerName = (ref: string | undefined) =>
        mocks.ofType(PROVIDER).find((p) => ref?.endsWith(`::${p.id}`))?.name;
      return Object.fromEntries(
        externalAnalyzers().map((a) => [mocks.regionOf(a), [a.importId, providerName(a.provider)]]),
      );
    }

    it("imports an adopted analyzer with the same ID in both provider modes: the entry, as given", async () => {
      const adopt = {
        "eu-west-1": "console-analyzer",
        "us-east-1": "home-analyzer",
        "ap-south-1": "kept@ap-south-1",
      };
      mocks.reset(["eu-west-1", "us-east-1", "ap-south-1"]);
      await build("aa", { adopt });
      const perRegion = adoptedView();
      mocks.reset(["eu-west-1", "us-east-1", "ap-south-1"]);
      await build("aa", { adopt, providerMode: "single" });
      const single = adoptedView();

      // The engine imports again, as a replacement that deletes the analyzer, whenever the ID
      // differs from the one the state recorded: it must not depend on the mode.
      const ids = (view: typeof single) =>
        Object.fromEntries(Object.entries(view).map(([r, [id]]) => [r, id]));
      assert.deepEqual(ids(single), ids(perRegion));
      assert.deepEqual(ids(single), adopt);
      assert.equal(mocks.named("aa-ap-south-1", ANALYZER).inputs.analyzerName, "kept");
    });

    it("keeps an analyzer adopted under a plain name on its own region's provider in single mode (a plain import ID is read in the provider's region), and puts name@region ones on the one provider", async () => {
      mocks.reset(["eu-west-1", "us-east-1", "ap-south-1"]);
      await build("aa", {
        providerMode: "single",
        adopt: { "eu-west-1": "console-analyzer", "ap-south-1": "kept@ap-south-1" },
      });
      assert.deepEqual(adoptedView(), {
        "eu-west-1": ["console-analyzer", "aa-eu-west-1"],
        "us-east-1": [undefined, "aa-lookup"],
        "ap-south-1": ["kept@ap-south-1", "aa-lookup"],
      });
      assert.equal(mocks.named("aa-eu-west-1", PROVIDER).inputs.region, "eu-west-1");
      assert.deepEqual(
        mocks
          .ofType(PROVIDER)
          .map((p) => p.name)
          .sort(),
        ["aa-eu-west-1", "aa-lookup"],
        "one more provider, for the plain-name adoption only",
      );
      // Its archive rules and the rest of the region stay on the one provider, with `region`.
      const component = await build("ab", {
        providerMode: "single",
        adopt: { "eu-west-1": "console-analyzer" },
      });
      const lookupUrn = mocks.named("ab-lookup", PROVIDER).urn;
      assert.equal(await promiseOf((await component.providerFor("eu-west-1")).urn), lookupUrn);
    });

    it("in per-region mode keeps a recorded name@region import ID as given (a mode switch never re-imports)", async () => {
      mocks.reset(["eu-west-1"]);
      await build("aa", { adopt: { "eu-west-1": "kept@eu-west-1" } });
      const [a] = externalAnalyzers();
      assert.equal(a.inputs.analyzerName, "kept");
      assert.equal(a.importId, "kept@eu-west-1");
    });

    it("protects an adopted analyzer and keeps it in AWS when it leaves the stack, and only it", async () => {
      mocks.reset(["eu-west-1", "us-east-1"]);
      await build("aa", {
        adopt: { "eu-west-1": "console-analyzer" },
        unusedAccess: { region: "us-east-1" },
        archiveRules: [{ name: "r", filters: [{ criteria: "isPublic", eqs: ["false"] }] }],
      });
      const guard = (r: { protect: boolean; retainOnDelete: boolean }) => [
        r.protect,
        r.retainOnDelete,
      ];
      assert.deepEqual(guard(mocks.named("aa-eu-west-1", ANALYZER)), [true, true]);
      assert.deepEqual(guard(mocks.named("aa-us-east-1", ANALYZER)), [false, false]);
      assert.deepEqual(guard(mocks.named("aa-unused-access")), [false, false]);
      mocks.ofType(ARCHIVE_RULE).forEach((r) => assert.deepEqual(guard(r), [false, false]));
    });

    it("lifts the guard of an adopted analyzer that allowDelete names, and keeps protect and retainOnDelete when they are on for all", async () => {
      mocks.reset(["eu-west-1", "us-east-1"]);
      const adopt = { "eu-west-1": "console-analyzer", "us-east-1": "other@us-east-1" };
      await build("aa", { adopt, allowDelete: ["console-analyzer@eu-west-1"] });
      const guard = (name: string) => {
        const a = mocks.named(name, ANALYZER);
        return [a.protect, a.retainOnDelete];
      };
      assert.deepEqual(guard("aa-eu-west-1"), [false, false]);
      assert.deepEqual(guard("aa-us-east-1"), [true, true], "the one not named stays guarded");

      mocks.reset(["eu-west-1", "us-east-1"]);
      await build("aa", {
        adopt,
        allowDelete: ["console-analyzer@eu-west-1", "other@us-east-1"],
        protect: true,
      });
      assert.deepEqual(guard("aa-eu-west-1"), [true, false]);
    });

    it("refuses, before registering any analyzer, an adopted analyzer whose region is not covered, naming it and both fixes", async () => {
      mocks.reset(["eu-west-1", "us-east-1"]);
      const component = new lib.AllRegionsAccessAnalyzer("aa", {
        excludeRegions: ["eu-west-1"],
        adopt: { "eu-west-1": "Console.Made-1" },
      });
      await assert.rejects(promiseOf(component.regions), (err: Error) => {
        assert.match(
          err.message,
          /adopt\["eu-west-1"\]: "Console.Made-1" is an adopted analyzer, but eu-west-1 is not covered \(it is in excludeRegions\): the stack would delete it with its findings and archive state\. Cover eu-west-1 again; or, to delete it, first add "Console.Made-1@eu-west-1" to allowDelete/,
        );
        return true;
      });
      assert.equal(mocks.ofType(ANALYZER).length, 0);
      assert.deepEqual(
        mocks.registrations.map((r) => r.name),
        ["aa", "aa-lookup"],
      );
    });

    it("lets an adopted analyzer leave the stack once allowDelete names it", async () => {
      mocks.reset(["eu-west-1", "us-east-1"]);
      await build("aa", {
        regions: ["us-east-1"],
        adopt: { "eu-west-1": "Console.Made-1" },
        allowDelete: ["Console.Made-1@eu-west-1"],
      });
      assert.deepEqual(
        externalAnalyzers().map((a) => a.name),
        ["aa-us-east-1"],
      );
    });

    it("refuses an allowDelete entry that names no adopted analyzer, listing the adopted ones", async () => {
      mocks.reset(["eu-west-1"]);
      const component = new lib.AllRegionsAccessAnalyzer("aa", {
        adopt: { "eu-west-1": "console" },
        allowDelete: ["consle@eu-west-1"],
      });
      await assert.rejects(
        promiseOf(component.regions),
        /allowDelete\[0\]: "consle@eu-west-1" names no adopted analyzer \(adopted: console@eu-west-1\); list an analyzer of adopt as name@region, or remove the entry/,
      );
      assert.equal(mocks.ofType(ANALYZER).length, 0);
    });

    it("forwards protect and retainOnDelete to the analyzers", async () => {
      mocks.reset(["eu-west-1", "us-east-1"]);
      await build("aa", {
        protect: true,
        retainOnDelete: true,
        unusedAccess: { region: "us-east-1" },
      });
      const analyzers = mocks.ofType(ANALYZER);
      assert.equal(analyzers.length, 3);
      analyzers.forEach((a) => {
        assert.equal(a.protect, true, `${a.name} protect`);
        assert.equal(a.retainOnDelete, true, `${a.name} retainOnDelete`);
      });
      regionalProviders().forEach((p) => assert.equal(p.protect, false));
    });

    it("replaces analyzers delete-first, since AWS allows one per type and region", async () => {
      mocks.reset(["eu-west-1", "us-east-1"]);
      await build("aa", { unusedAccess: { region: "us-east-1" } });
      const analyzers = mocks.ofType(ANALYZER);
      assert.equal(analyzers.length, 3);
      analyzers.forEach((a) => assert.equal(a.deleteBeforeReplace, true, a.name));
    });

    it("leaves analyzers unprotected by default", async () => {
      mocks.reset(["us-east-1"]);
      await build("aa");
      assert.equal(mocks.ofType(ANALYZER)[0].protect, false);
      assert.equal(mocks.ofType(ANALYZER)[0].retainOnDelete, false);
    });
  });

  describe("provider settings", () => {
    it("applies providerArgs to every regional provider and to the lookup", async () => {
      mocks.reset(["eu-west-1", "us-east-1", "us-west-2"]);
      const roleArn = "arn:aws:iam::111122223333:role/AccessAnalyzerDeployer";
      await build("aa", {
        providerArgs: {
          assumeRoles: [{ roleArn, sessionName: "aa" }],
          allowedAccountIds: ["111122223333"],
          defaultTags: { tags: { managedBy: "pulumi" } },
        },
      });
      const providers = mocks.ofType(PROVIDER);
      assert.equal(providers.length, 4);
      for (const provider of providers) {
        // Non-string provider inputs reach the engine JSON-encoded.
        // The role chain (which may hold an external id) reaches the engine as a secret.
        const SECRET_SIG = "4dabf18193072939515e22adb298388d";
        assert.equal(provider.inputs.assumeRoles[SECRET_SIG], "1b47061264138c4ac30d75fd1eb44270");
        assert.deepEqual(JSON.parse(provider.inputs.assumeRoles.value), [
          { roleArn, sessionName: "aa" },
        ]);
        assert.deepEqual(JSON.parse(provider.inputs.allowedAccountIds), ["111122223333"]);
        assert.deepEqual(JSON.parse(provider.inputs.defaultTags), {
          tags: { managedBy: "pulumi" },
        });
        assert.equal(provider.inputs.skipRegionValidation, "true");
        assert.equal(provider.inputs.stsRegion, "us-east-1");
      }
    });

    it("talks to STS in the lookup region unless told otherwise", async () => {
      mocks.reset(["us-gov-east-1", "us-gov-west-1"]);
      await build("aa", { lookupRegion: "us-gov-west-1" });
      mocks.ofType(PROVIDER).forEach((p) => assert.equal(p.inputs.stsRegion, "us-gov-west-1"));
      mocks.reset(["af-south-1", "us-east-1"]);
      await build("aa", { providerArgs: { stsRegion: "af-south-1" } });
      mocks.ofType(PROVIDER).forEach((p) => assert.equal(p.inputs.stsRegion, "af-south-1"));
    });

    it("lets providerArgs turn region validation back on", async () => {
      mocks.reset(["us-east-1"]);
      await build("aa", { providerArgs: { skipRegionValidation: false } });
      mocks.ofType(PROVIDER).forEach((p) => assert.equal(p.inputs.skipRegionValidation, "false"));
    });

    it("keeps provider settings out of the component's recorded inputs", async () => {
      mocks.reset(["us-east-1"]);
      await build("aa", { providerArgs: { accessKey: "AKIAEXAMPLE", secretKey: "do-not-store" } });
      const component = mocks.named("aa");
      assert.equal(JSON.stringify(component.inputs).includes("do-not-store"), false);
      assert.deepEqual(component.inputs.providerArgs, ["accessKey", "secretKey"]);
    });

    it("reaches a regional provider through providerFor, and names covered regions when asked for another", async () => {
      mocks.reset(["eu-west-1", "us-east-1"]);
      const component = await build("aa");
      const provider = await component.providerFor("eu-west-1");
      assert.equal(await promiseOf(provider.urn), mocks.named("aa-eu-west-1", PROVIDER).urn);
      await assert.rejects(
        component.providerFor("ap-south-1"),
        /does not cover "ap-south-1".*eu-west-1, us-east-1/,
      );
    });
  });

  describe("a provider passed in (opts.provider, opts.providers, or the parent's)", () => {
    const B = "200000000001";
    let aws: typeof import("@pulumi/aws");
    before(async () => {
      aws = await import("@pulumi/aws");
    });
    const mine = () =>
      new aws.Provider("mine", {
        region: "eu-west-1",
        assumeRoles: [{ roleArn: `arn:aws:iam::${B}:role/Deployer` }],
      });

    /** Every child and lookup is on `mine`, and the component made no provider of its own. */
    async function assertAllOnMine(component: componentModule.AllRegionsAccessAnalyzer) {
      await promiseOf(component.analyzerArns);
      await settled();
      const providers = mocks.ofType(PROVIDER);
      assert.deepEqual(
        providers.map((p) => p.name),
        ["mine"],
        "no provider of the component's own (which would reach the ambient account)",
      );
      const ref = `${providers[0].urn}::${providers[0].id}`;
      const children = [...mocks.ofType(ANALYZER), ...mocks.ofType(ARCHIVE_RULE)];
      assert.ok(children.length >= 4);
      for (const child of children) {
        assert.equal(child.provider, ref, `${child.name} is on the provider passed in`);
        assert.ok(child.inputs.region, `${child.name} carries its region`);
      }
      assert.ok(mocks.invokes.length > 0);
      for (const invoke of mocks.invokes) {
        assert.equal(invoke.provider, ref, `${invoke.token} asks through the provider passed in`);
      }
    }

    const args: componentModule.AllRegionsAccessAnalyzerArgs = {
      unusedAccess: { region: "eu-west-1" },
      archiveRules: [{ name: "private", filters: [{ criteria: "isPublic", eqs: ["false"] }] }],
    };

    for (const [how, opts] of [
      ["opts.provider", (p: pulumi.ProviderResource) => ({ provider: p })],
      ["opts.providers as a list", (p: pulumi.ProviderResource) => ({ providers: [p] })],
      ["opts.providers as a map", (p: pulumi.ProviderResource) => ({ providers: { aws: p } })],
      [
        "a parent component's providers",
        (p: pulumi.ProviderResource) => ({
          parent: new pulumi.ComponentResource(
            "test:index:Parent",
            "parent",
            {},
            { providers: [p] },
          ),
        }),
      ],
    ] as const) {
      it(`uses the provider given through ${how} for the lookup and every region`, async () => {
        mocks.reset(["eu-west-1", "us-east-1"]);
        const component = new lib.AllRegionsAccessAnalyzer("aa", args, opts(mine()));
        await assertAllOnMine(component);
        assert.deepEqual(
          externalAnalyzers()
            .map((a) => [a.name, a.inputs.region])
            .sort(),
          [
            ["aa-eu-west-1", "eu-west-1"],
            ["aa-us-east-1", "us-east-1"],
          ],
          "the same child names as without a provider",
        );
      });
    }

    it("takes single mode by default with a provider passed in, and accepts it named", async () => {
      mocks.reset(["eu-west-1", "us-east-1"]);
      await assertAllOnMine(
        new lib.AllRegionsAccessAnalyzer(
          "aa",
          { ...args, providerMode: "single" },
          { provider: mine() },
        ),
      );
    });

    it("refuses settings that would make providers of their own or be ignored, registering nothing", async () => {
      mocks.reset(["eu-west-1", "us-east-1"]);
      const provider = mine();
      assert.throws(
        () =>
          new lib.AllRegionsAccessAnalyzer(
            "aa",
            {
              providerMode: "per-region",
              providerArgs: { profile: "audit" },
              adopt: { "eu-west-1": "legacy", "us-east-1": "old@us-east-1" },
            },
            { providers: [provider] },
          ),
        (err: Error) => {
          assert.match(
            err.message,
            /providerMode: "per-region" makes a provider per region from providerArgs, but the aws provider passed in \(opts.provider\/opts.providers\) cannot be copied/,
          );
          assert.match(err.message, /providerArgs: would be ignored: the aws provider passed in/);
          assert.match(
            err.message,
            /adopt.eu-west-1: "legacy" would be looked up in the region of the aws provider passed in .*, not eu-west-1: give "legacy@eu-west-1"/,
          );
          assert.doesNotMatch(err.message, /adopt.us-east-1/);
          return true;
        },
      );
      await settled();
      assert.deepEqual(
        mocks.registrations.map((r) => r.name),
        ["mine"],
        "nothing but the caller's own provider",
      );
    });
  });

  describe("provider mode", () => {
    it("gives every regional child its own region as an input, equal to its provider's, per region by default", async () => {
      mocks.reset(["eu-west-1", "us-east-1"]);
      await build("aa", {
        unusedAccess: { region: "eu-west-1" },
        archiveRules: [{ name: "private", filters: [{ criteria: "isPublic", eqs: ["false"] }] }],
      });
      const children = [...mocks.ofType(ANALYZER), ...mocks.ofType(ARCHIVE_RULE)];
      assert.equal(children.length, 5);
      for (const child of children) {
        assert.ok(child.inputs.region, `${child.name} has a region input`);
        assert.equal(child.inputs.region, mocks.providerRegionOf(child), child.name);
      }
      assert.equal(regionalProviders().length, 2);
    });

    it("puts every region on the one lookup provider in single mode, each child carrying its region", async () => {
      mocks.reset(["eu-west-1", "us-east-1", "ap-southeast-3"]);
      const component = await build("aa", {
        providerMode: "single",
        providerArgs: { profile: "audit" },
        unusedAccess: { region: "eu-west-1" },
        archiveRules: [{ name: "private", filters: [{ criteria: "isPublic", eqs: ["false"] }] }],
      });
      const providers = mocks.ofType(PROVIDER);
      assert.deepEqual(
        providers.map((p) => p.name),
        ["aa-lookup"],
      );
      assert.equal(providers[0].inputs.region, "us-east-1");
      assert.equal(providers[0].inputs.profile, "audit");
      const lookupRef = `${providers[0].urn}::${providers[0].id}`;
      assert.ok(mocks.invokes[0].provider?.endsWith(`::${providers[0].id}`));
      const children = [...mocks.ofType(ANALYZER), ...mocks.ofType(ARCHIVE_RULE)];
      assert.equal(children.length, 3 + 1 + 3);
      for (const child of children) {
        assert.equal(child.provider, lookupRef, `${child.name} is on the one provider`);
      }
      // Names (and so URNs) are those of per-region mode; each child is in its own region.
      assert.deepEqual(
        externalAnalyzers()
          .map((a) => [a.name, a.inputs.region])
          .sort(),
        [
          ["aa-ap-southeast-3", "ap-southeast-3"],
          ["aa-eu-west-1", "eu-west-1"],
          ["aa-us-east-1", "us-east-1"],
        ],
      );
      assert.equal(mocks.named("aa-unused-access").inputs.region, "eu-west-1");
      assert.deepEqual(await promiseOf(component.analyzerArns), {
        "ap-southeast-3": `arn:aws:access-analyzer:ap-southeast-3:${MOCK_ACCOUNT}:analyzer/external-access`,
        "eu-west-1": `arn:aws:access-analyzer:eu-west-1:${MOCK_ACCOUNT}:analyzer/external-access`,
        "us-east-1": `arn:aws:access-analyzer:us-east-1:${MOCK_ACCOUNT}:analyzer/external-access`,
      });
    });

    it("keeps the same child URNs in both modes, so a switch only changes provider references", async () => {
      mocks.reset(["eu-west-1", "us-east-1"]);
      const args = {
        unusedAccess: { region: "us-east-1" },
        archiveRules: [{ name: "private", filters: [{ criteria: "isPublic", eqs: ["false"] }] }],
      };
      const childUrns = () =>
        [...mocks.ofType(ANALYZER), ...mocks.ofType(ARCHIVE_RULE)].map((r) => r.urn).sort();
      await build("aa", args);
      const perRegion = childUrns();
      const perRegionInputs = mocks.ofType(ANALYZER).map((a) => JSON.stringify(a.inputs));
      mocks.reset(["eu-west-1", "us-east-1"]);
      await build("aa", { ...args, providerMode: "single" });
      assert.deepEqual(childUrns(), perRegion);
      assert.deepEqual(
        mocks.ofType(ANALYZER).map((a) => JSON.stringify(a.inputs)),
        perRegionInputs,
      );
    });

    it("serves providerFor, resourceOptionsFor and regionArgs in single mode, and rejects an uncovered region", async () => {
      mocks.reset(["eu-west-1", "us-east-1"]);
      const component = await build("aa", { providerMode: "single" });
      const lookupUrn = mocks.named("aa-lookup", PROVIDER).urn;
      assert.equal(await promiseOf((await component.providerFor("eu-west-1")).urn), lookupUrn);
      const opts = await component.resourceOptionsFor("eu-west-1");
      assert.equal(await promiseOf((opts.provider as pulumi.ProviderResource).urn), lookupUrn);
      assert.deepEqual(await component.regionArgs("eu-west-1"), { region: "eu-west-1" });
      await assert.rejects(component.regionArgs("ap-south-1"), /does not cover "ap-south-1"/);
    });

    it("rejects an unknown provider mode, naming the field and the choices, before registering", () => {
      mocks.reset(["eu-west-1"]);
      assert.throws(
        () =>
          new lib.AllRegionsAccessAnalyzer("aa", {
            providerMode: "one" as componentModule.AllRegionsAccessAnalyzerArgs["providerMode"],
          }),
        /providerMode: "one" is not a provider mode; use "per-region".*"single"/,
      );
      assert.equal(mocks.registrations.length, 0);
    });
  });

  describe("validation", () => {
    const cases: [string, componentModule.AllRegionsAccessAnalyzerArgs, RegExp][] = [
      [
        "a malformed region",
        { regions: ["us-east"] },
        /regions\[0\]: "us-east" is not a region code/,
      ],
      [
        "a repeated region",
        { regions: ["us-east-1", "us-east-1"] },
        /regions\[1\]: "us-east-1" is listed twice/,
      ],
      ["an empty region list", { regions: [] }, /regions: is empty/],
      [
        "a malformed exclusion",
        { excludeRegions: ["EU-WEST-1"] },
        /excludeRegions\[0\]: "EU-WEST-1"/,
      ],
      [
        "a bad lookup region",
        { lookupRegion: "global" },
        /lookupRegion: "global" is not a region code/,
      ],
      [
        "a name starting with a digit",
        { analyzerName: "1st" },
        /analyzerName: "1st" is not allowed/,
      ],
      [
        "a name with a space",
        { analyzerName: "my analyzer" },
        /analyzerName: "my analyzer" is not allowed/,
      ],
      [
        "a name too long",
        { analyzerName: "a".repeat(256) },
        /analyzerName: is 256 characters long/,
      ],
      ["an empty name", { analyzerName: "" }, /analyzerName: must be a non-empty string/],
      [
        "the removed type, naming its replacement",
        { type: "ORGANIZATION" as never },
        /type: `type` was replaced: the ACCOUNT analyzers are always kept \(IAM.28\); add `organization: \{ externalAccess: true \}`.*Migrating from type: ORGANIZATION/,
      ],
      [
        "type ACCOUNT too (the key itself is gone)",
        { type: "ACCOUNT" as never },
        /type: `type` was replaced/,
      ],
      [
        "an organization analyzer named like the account one",
        { analyzerName: "x", organization: { externalAccess: { analyzerName: "x" } } },
        /organization.externalAccess.analyzerName: "x" is also the name of the external-access analyzer \(analyzerName\); analyzer names are unique per account and region/,
      ],
      [
        "an internal-access analyzer named like the unused-access one in its region",
        {
          unusedAccess: { region: "us-east-1" },
          internalAccess: {
            analyzerName: "unused-access",
            regions: ["us-east-1"],
            analyzeAllResources: true,
          },
        },
        /internalAccess.analyzerName: "unused-access" is also the name of the unused-access analyzer/,
      ],
      [
        "the organization unused-access analyzer named like the account one",
        {
          unusedAccess: { region: "us-east-1" },
          organization: { unusedAccess: { region: "us-east-1", analyzerName: "unused-access" } },
        },
        /organization.unusedAccess.analyzerName: "unused-access" is also the name of the unused-access analyzer/,
      ],
      [
        "an internal-access region that is excluded",
        {
          excludeRegions: ["eu-west-1"],
          internalAccess: { regions: ["eu-west-1"], analyzeAllResources: true },
        },
        /internalAccess.regions\[0\]: "eu-west-1" is in excludeRegions/,
      ],
      [
        "an organization internal-access home region not in regions",
        {
          regions: ["us-east-1"],
          organization: { internalAccess: { region: "eu-west-1", analyzeAllResources: true } },
        },
        /organization.internalAccess.region: "eu-west-1" is not in regions/,
      ],
      [
        "accountIds in an account-level internal-access rule",
        {
          internalAccess: {
            regions: ["us-east-1"],
            analysisRule: { inclusions: [{ accountIds: ["111122223333"] } as never] },
          },
        },
        /internalAccess.analysisRule.inclusions\[0\].accountIds: only the rules of organization-level analyzers may name accounts/,
      ],
      [
        "an internal-access inclusion that includes nothing",
        {
          organization: {
            internalAccess: { region: "us-east-1", analysisRule: { inclusions: [{}] } },
          },
        },
        /organization.internalAccess.analysisRule.inclusions\[0\]: includes nothing/,
      ],
      [
        "a bad internal-access resource type",
        {
          internalAccess: {
            regions: ["us-east-1"],
            analysisRule: { inclusions: [{ resourceTypes: ["S3 bucket" as never] }] },
          },
        },
        /"S3 bucket" is not a resource type internal-access analyzers support.*Supported: AWS::S3::Bucket/,
      ],
      [
        "externalAccess given as a string",
        { organization: { externalAccess: "yes" as never } },
        /organization.externalAccess: must be a boolean \(got string "yes"\)/,
      ],
      [
        "an unused-access age of 0",
        { unusedAccess: { region: "us-east-1", unusedAccessAge: 0 } },
        /unusedAccess.unusedAccessAge: 0 is out of range/,
      ],
      [
        "an unused-access age of 366",
        { unusedAccess: { region: "us-east-1", unusedAccessAge: 366 } },
        /unusedAccess.unusedAccessAge: 366/,
      ],
      [
        "a fractional unused-access age",
        { unusedAccess: { region: "us-east-1", unusedAccessAge: 1.5 } },
        /unusedAccessAge: 1.5/,
      ],
      [
        "an unused-access region that is excluded",
        { excludeRegions: ["us-east-1"], unusedAccess: { region: "us-east-1" } },
        /unusedAccess.region: "us-east-1" is in excludeRegions/,
      ],
      [
        "an unused-access region not in regions",
        { regions: ["eu-west-1"], unusedAccess: { region: "us-east-1" } },
        /unusedAccess.region: "us-east-1" is not in regions/,
      ],
      [
        "an unused-access name equal to the external one",
        { analyzerName: "x", unusedAccess: { region: "us-east-1", analyzerName: "x" } },
        /unusedAccess.analyzerName: "x" is also/,
      ],
      [
        "an exclusion with a bad account id",
        {
          organization: {
            unusedAccess: { region: "us-east-1", exclusions: [{ accountIds: ["123"] }] },
          },
        },
        /exclusions\[0\].accountIds\[0\]: "123" is not an account id/,
      ],
      [
        "an exclusion that excludes nothing",
        { unusedAccess: { region: "us-east-1", exclusions: [{}] } },
        /exclusions\[0\]: excludes nothing/,
      ],
      [
        "a bad archive rule name",
        { archiveRules: [{ name: "-x", filters: [{ criteria: "isPublic", eqs: ["false"] }] }] },
        /archiveRules\[0\].name: "-x" is not allowed/,
      ],
      [
        "a repeated archive rule name",
        {
          archiveRules: [
            { name: "r", filters: [{ criteria: "isPublic", eqs: ["false"] }] },
            { name: "r", filters: [{ criteria: "isPublic", eqs: ["true"] }] },
          ],
        },
        /archiveRules\[1\].name: "r" is used by another rule/,
      ],
      [
        "an archive rule without filters",
        { archiveRules: [{ name: "r", filters: [] }] },
        /archiveRules\[0\].filters: needs at least one filter/,
      ],
      [
        "a filter without a condition",
        { archiveRules: [{ name: "r", filters: [{ criteria: "isPublic" }] }] },
        /filters\[0\]: matches nothing/,
      ],
      [
        "a filter without criteria",
        { archiveRules: [{ name: "r", filters: [{ criteria: "", eqs: ["x"] }] }] },
        /filters\[0\].criteria: must name a finding property/,
      ],
      [
        "too many archive rules",
        {
          archiveRules: Array.from({ length: 101 }, (_, i) => ({
            name: `r${i}`,
            filters: [{ criteria: "isPublic", eqs: ["false"] }],
          })),
        },
        /archiveRules: has 101 rules; AWS allows at most 100/,
      ],
      [
        "a region in providerArgs",
        { providerArgs: { region: "us-east-1" } as any },
        /providerArgs.region: is set by the component/,
      ],
      [
        "a misspelt provider setting",
        { providerArgs: { assumeRole: [] } as any },
        /providerArgs.assumeRole: is not an aws.ProviderArgs field; did you mean "assumeRoles"\?/,
      ],
      [
        "an aws:-prefixed tag key",
        { tags: { "aws:cloudformation:stack-name": "x" } },
        /tags\["aws:cloudformation:stack-name"\]: tag key .* uses the reserved prefix "aws:"/,
      ],
      [
        "more than 50 tags",
        { tags: Object.fromEntries(Array.from({ length: 51 }, (_, i) => [`k${i}`, "v"])) },
        /tags: has 51 tags; AWS allows at most 50/,
      ],
      [
        "assumeRoles given as one string",
        { providerArgs: { assumeRoles: "arn:aws:iam::111122223333:role/R" as any } },
        /providerArgs.assumeRoles: must be a list of roles/,
      ],
      [
        "an 11-digit allowed account id",
        { providerArgs: { allowedAccountIds: ["11112222333"] } },
        /providerArgs.allowedAccountIds\[0\]: "11112222333" is not an account id/,
      ],
      [
        "a forbidden account id given as a number",
        { providerArgs: { forbiddenAccountIds: [111122223333 as any] } },
        /providerArgs.forbiddenAccountIds\[0\]: must be a quoted string of 12 digits/,
      ],
      [
        "a boolean provider setting given as a string",
        { providerArgs: { insecure: "false" as any } },
        /providerArgs.insecure: must be true or false/,
      ],
      [
        "a role of another partition than the lookup region",
        {
          lookupRegion: "us-gov-west-1",
          providerArgs: { assumeRoles: [{ roleArn: "arn:aws:iam::111122223333:role/R" }] },
        },
        /providerArgs.assumeRoles\[0\].roleArn: .* is in partition aws, but lookupRegion "us-gov-west-1" is in aws-us-gov/,
      ],
      [
        "China regions looked up from the default lookup region",
        { regions: ["cn-north-1"] },
        /lookupRegion: is not set, so it is "us-east-1" \(partition aws\)/,
      ],
      [
        "a home region of another partition",
        { lookupRegion: "cn-north-1", unusedAccess: { region: "us-east-1" } },
        /unusedAccess.region: "us-east-1" is in partition aws, but lookupRegion "cn-north-1" is in aws-cn/,
      ],
      [
        "every listed region also excluded",
        { regions: ["eu-west-1"], excludeRegions: ["eu-west-1"] },
        /excludeRegions: excludes every region in regions \(eu-west-1\): a region both listed and excluded is not covered/,
      ],
    ];
    for (const [what, args, expected] of cases) {
      it(`rejects ${what} before registering anything`, () => {
        assert.throws(
          () => new lib.AllRegionsAccessAnalyzer("aa", args),
          (err: Error) => {
            assert.match(err.message, expected);
            assert.match(err.message, /AllRegionsAccessAnalyzer "aa" has invalid arguments/);
            return true;
          },
        );
        assert.equal(mocks.registrations.length, 0, "nothing may be registered");
        assert.equal(mocks.invokes.length, 0, "nothing may be looked up");
      });
    }

    it("lets values the program computes through to the providers, checking only plain ones", async () => {
      mocks.reset(["us-east-1"]);
      await build("aa", {
        tags: { owner: pulumi.output("security") },
        providerArgs: {
          assumeRoles: [{ roleArn: pulumi.output("arn:aws:iam::111122223333:role/R") }],
          allowedAccountIds: pulumi.output(["111122223333"]),
        },
      });
      assert.deepEqual(mocks.ofType(ANALYZER)[0].inputs.tags, { owner: "security" });
      assert.throws(
        () =>
          new lib.AllRegionsAccessAnalyzer("bad", {
            tags: { "aws:x": pulumi.output("v") },
            providerArgs: { allowedAccountIds: [pulumi.output("1"), "123"] },
          }),
        (err: Error) =>
          /tags\["aws:x"\]: tag key/.test(err.message) &&
          /allowedAccountIds\[1\]: "123" is not an account id/.test(err.message) &&
          !/allowedAccountIds\[0\]/.test(err.message),
      );
    });

    it("warns that a region both listed and excluded is not covered", async () => {
      mocks.reset(["eu-west-1", "us-east-1"]);
      const warnings: string[] = [];
      const warn = pulumi.log.warn;
      pulumi.log.warn = (message: string) => {
        warnings.push(message);
        return Promise.resolve();
      };
      try {
        await build("aa", { regions: ["eu-west-1", "us-east-1"], excludeRegions: ["eu-west-1"] });
      } finally {
        pulumi.log.warn = warn;
      }
      assert.deepEqual(warnings, [
        `excludeRegions: "eu-west-1" is also in regions; it is not covered (remove it from one of the lists)`,
      ]);
    });

    it("reports every problem at once", () => {
      assert.throws(
        () => new lib.AllRegionsAccessAnalyzer("aa", { regions: ["x"], analyzerName: "1" }),
        (err: Error) => /regions\[0\]/.test(err.message) && /analyzerName/.test(err.message),
      );
    });
  });

  describe("stable names", () => {
    async function urnsOf(region: string, enabled: readonly string[]): Promise<string[]> {
      mocks.reset(enabled);
      await build("aa", {
        archiveRules: [{ name: "r", filters: [{ criteria: "isPublic", eqs: ["false"] }] }],
      });
      return mocks.registrations
        .filter((r) => r.name.startsWith(`aa-${region}`))
        .map((r) => r.urn)
        .sort();
    }

    it("gives a region's children the same URNs whether the account has 3 or 17 regions", async () => {
      const few = await urnsOf("eu-west-1", ["eu-west-1", "us-east-1", "us-west-2"]);
      const many = await urnsOf("eu-west-1", DEFAULT_REGIONS);
      assert.equal(few.length, 3, "provider, analyzer and archive rule");
      assert.deepEqual(few, many);
      assert.ok(
        few.every((urn) => urn.includes("access-analyzer:index:AllRegionsAccessAnalyzer$")),
      );
    });

    it("does not rename other regions' children when a region is enabled", async () => {
      const before = await urnsOf("us-west-2", ["eu-west-1", "us-west-2"]);
      const after = await urnsOf("us-west-2", ["af-south-1", "eu-west-1", "us-west-2"]);
      assert.deepEqual(before, after);
    });
  });
});
