import * as assert from "assert";
import { decideRegions, heldRegions, type HeldRegion } from "../../../fleet/adoption";
import type { AnalyzerInfo } from "../../../fleet/audit";
import type { AnalyzerSettings } from "../../../fleet/types";

const COMPONENT =
  "urn:pulumi:acct::access-analyzer::access-analyzer:index:AllRegionsAccessAnalyzer::access-analyzer";
const providerUrn = (region: string) =>
  `urn:pulumi:acct::access-analyzer::access-analyzer:index:AllRegionsAccessAnalyzer$pulumi:providers:aws::access-analyzer-${region}`;

function analyzer(name: string, extra: Partial<AnalyzerInfo> = {}): AnalyzerInfo {
  return {
    name,
    arn: `arn:aws:access-analyzer:eu-west-1:111122223333:analyzer/${name}`,
    type: "ACCOUNT",
    status: "ACTIVE",
    ...extra,
  };
}

function decide(
  analyzers: Record<string, AnalyzerInfo[]>,
  options: {
    held?: Record<string, HeldRegion>;
    enabled?: string[];
    settings?: AnalyzerSettings;
    adoptConsole?: boolean;
  } = {},
) {
  return decideRegions({
    settings: options.settings ?? {},
    view: { enabled: options.enabled ?? ["eu-west-1", "us-east-1"], analyzers },
    held: options.held ?? {},
    adoptConsole: options.adoptConsole ?? false,
    stack: "acct-111122223333",
  });
}

describe("adoption and disabled regions (fleet/adoption)", () => {
  describe("heldRegions", () => {
    it("maps each regional provider and its external-access analyzer to the region, skipping the lookup and unused-access", () => {
      const deployment = {
        resources: [
          { urn: COMPONENT, type: "access-analyzer:index:AllRegionsAccessAnalyzer" },
          {
            urn: providerUrn("lookup"),
            id: "p0",
            type: "pulumi:providers:aws",
            parent: COMPONENT,
            inputs: { region: "us-east-1" },
          },
          {
            urn: providerUrn("eu-west-1"),
            id: "p1",
            type: "pulumi:providers:aws",
            parent: COMPONENT,
            inputs: { region: "eu-west-1" },
          },
          {
            urn: `${COMPONENT}-eu-west-1`,
            type: "aws:accessanalyzer/analyzer:Analyzer",
            provider: `${providerUrn("eu-west-1")}::p1`,
            importID: "console-analyzer",
            inputs: { analyzerName: "console-analyzer" },
          },
          {
            urn: `${COMPONENT}-unused-access`,
            type: "aws:accessanalyzer/analyzer:Analyzer",
            provider: `${providerUrn("eu-west-1")}::p1`,
            inputs: { analyzerName: "unused-access" },
          },
        ],
      };
      assert.deepStrictEqual(heldRegions(deployment), {
        "eu-west-1": {
          urns: [providerUrn("eu-west-1")],
          analyzerName: "console-analyzer",
          importId: "console-analyzer",
        },
      });
    });

    it("finds the external-access analyzer by type ACCOUNT beside the region's organization and internal-access ones", () => {
      const provider = `${providerUrn("eu-west-1")}::p1`;
      const deployment = {
        resources: [
          {
            urn: providerUrn("eu-west-1"),
            id: "p1",
            type: "pulumi:providers:aws",
            parent: COMPONENT,
            inputs: { region: "eu-west-1" },
          },
          ...[
            ["-eu-west-1", "ACCOUNT", "external-access"],
            ["-org-eu-west-1", "ORGANIZATION", "organization-external-access"],
            ["-internal-eu-west-1", "ACCOUNT_INTERNAL_ACCESS", "internal-access"],
          ].map(([suffix, type, analyzerName]) => ({
            urn: `${COMPONENT}${suffix}`,
            type: "aws:accessanalyzer/analyzer:Analyzer",
            provider,
            inputs: { region: "eu-west-1", analyzerName, type },
          })),
        ],
      };
      assert.deepStrictEqual(heldRegions(deployment), {
        "eu-west-1": { urns: [providerUrn("eu-west-1")], analyzerName: "external-access" },
      });
    });

    it("in single provider mode holds each region through its own resources (by region input), archive rules going with their analyzer", () => {
      const lookup = `${providerUrn("lookup")}::p0`;
      const child = (suffix: string, type: string, inputs: Record<string, unknown>) => ({
        urn: `${COMPONENT}${suffix}`,
        type,
        provider: lookup,
        inputs,
      });
      const analyzerType = "aws:accessanalyzer/analyzer:Analyzer";
      const deployment = {
        resources: [
          { urn: COMPONENT, type: "access-analyzer:index:AllRegionsAccessAnalyzer" },
          {
            urn: providerUrn("lookup"),
            id: "p0",
            type: "pulumi:providers:aws",
            parent: COMPONENT,
            inputs: { region: "us-east-1" },
          },
          child("-us-east-1", analyzerType, {
            region: "us-east-1",
            analyzerName: "external-access",
            type: "ACCOUNT",
          }),
          child("-ap-east-1", analyzerType, {
            region: "ap-east-1",
            analyzerName: "external-access",
            type: "ACCOUNT",
          }),
          {
            ...child("-ap-east-1-private", "aws:accessanalyzer/archiveRule:ArchiveRule", {
              region: "ap-east-1",
              analyzerName: "external-access",
              ruleName: "private",
            }),
            dependencies: [`${COMPONENT}-ap-east-1`],
          },
          child("-org-ap-east-1", analyzerType, {
            region: "ap-east-1",
            analyzerName: "organization-external-access",
            type: "ORGANIZATION",
          }),
        ],
      };
      const held = heldRegions(deployment);
      assert.deepStrictEqual(held, {
        "us-east-1": { urns: [`${COMPONENT}-us-east-1`], analyzerName: "external-access" },
        "ap-east-1": {
          urns: [`${COMPONENT}-ap-east-1`, `${COMPONENT}-org-ap-east-1`],
          analyzerName: "external-access",
        },
      });
      // The region turned off: its analyzers (and with them the rule) leave the state, never the
      // one provider every other region still uses.
      const d = decide({}, { enabled: ["us-east-1"], held });
      assert.deepStrictEqual(d.dropFromState, [
        `${COMPONENT}-ap-east-1`,
        `${COMPONENT}-org-ap-east-1`,
      ]);
      assert.deepStrictEqual(
        d.notes.map((n) => [n.region, n.status]),
        [["ap-east-1", "region-disabled"]],
      );
    });

    it("holds nothing for a new stack", () => {
      assert.deepStrictEqual(heldRegions(undefined), {});
      assert.deepStrictEqual(heldRegions({}), {});
    });
  });

  describe("decideRegions", () => {
    it("adopts our own analyzer (our name and tags) that the state lost, without --adopt", () => {
      const d = decide(
        { "eu-west-1": [analyzer("external-access", { tags: { owner: "sec", x: "y" } })] },
        { settings: { tags: { owner: "sec" } } },
      );
      assert.deepStrictEqual(d.adopt, { "eu-west-1": "external-access" });
      assert.deepStrictEqual(d.blockers, []);
      assert.deepStrictEqual(
        d.notes.map((n) => [n.region, n.status]),
        [["eu-west-1", "adopted"]],
      );
    });

    it("does not take our name with other tags as ours: it needs --adopt", () => {
      const d = decide(
        { "eu-west-1": [analyzer("external-access", { tags: { owner: "other" } })] },
        { settings: { tags: { owner: "sec" } } },
      );
      assert.deepStrictEqual(d.adopt, {});
      assert.strictEqual(d.notes[0].status, "would-adopt");
    });

    it("blocks up on a console-made analyzer without --adopt, saying what exists and how to adopt it", () => {
      const d = decide({ "eu-west-1": [analyzer("console-analyzer")] });
      assert.deepStrictEqual(d.adopt, {});
      assert.strictEqual(d.blockers.length, 1);
      assert.match(d.blockers[0], /eu-west-1 already has ACCOUNT analyzer "console-analyzer"/);
      assert.match(d.blockers[0], /up --adopt/);
      assert.strictEqual(d.notes[0].status, "would-adopt");
    });

    it("adopts a console-made analyzer under its own name with --adopt", () => {
      const d = decide({ "eu-west-1": [analyzer("console-analyzer")] }, { adoptConsole: true });
      assert.deepStrictEqual(d.adopt, { "eu-west-1": "console-analyzer" });
      assert.deepStrictEqual(d.blockers, []);
    });

    it("reports a _-named analyzer as one the provider cannot manage, even with --adopt", () => {
      const d = decide({ "eu-west-1": [analyzer("_console")] }, { adoptConsole: true });
      assert.deepStrictEqual(d.adopt, {});
      assert.strictEqual(d.notes[0].status, "unmanageable");
      assert.match(d.blockers[0], /cannot manage/);
    });

    it("ignores analyzers of another type, excluded regions, and regions the stack holds", () => {
      const d = decide(
        {
          "eu-west-1": [analyzer("unused", { type: "ACCOUNT_UNUSED_ACCESS" })],
          "us-east-1": [analyzer("console-analyzer")],
          "ap-south-1": [analyzer("console-analyzer")],
        },
        {
          enabled: ["eu-west-1", "us-east-1", "ap-south-1"],
          settings: { excludeRegions: ["ap-south-1"] },
          held: {
            "us-east-1": { urns: [providerUrn("us-east-1")], analyzerName: "external-access" },
          },
        },
      );
      assert.deepStrictEqual(d, { adopt: {}, dropFromState: [], notes: [], blockers: [] });
    });

    it("keeps an earlier adoption's name for a region the stack holds, so it is never replaced", () => {
      const d = decide(
        { "eu-west-1": [analyzer("console-analyzer")] },
        {
          held: {
            "eu-west-1": {
              urns: [providerUrn("eu-west-1")],
              analyzerName: "console-analyzer",
              importId: "console-analyzer",
            },
          },
        },
      );
      assert.deepStrictEqual(d.adopt, { "eu-west-1": "console-analyzer" });
      assert.deepStrictEqual(d.notes, []);
    });

    it("passes back a single-mode adoption's recorded name@region import ID unchanged", () => {
      const d = decide(
        { "eu-west-1": [analyzer("console-analyzer")] },
        {
          held: {
            "eu-west-1": {
              urns: ["a"],
              analyzerName: "console-analyzer",
              importId: "console-analyzer@eu-west-1",
            },
          },
        },
      );
      assert.deepStrictEqual(d.adopt, { "eu-west-1": "console-analyzer@eu-west-1" });
    });

    it("drops a held region that is no longer enabled from the state, and says region-disabled", () => {
      const d = decide(
        {},
        {
          enabled: ["us-east-1"],
          held: {
            "ap-east-1": { urns: [providerUrn("ap-east-1")], analyzerName: "external-access" },
            "us-east-1": { urns: [providerUrn("us-east-1")], analyzerName: "external-access" },
          },
        },
      );
      assert.deepStrictEqual(d.dropFromState, [providerUrn("ap-east-1")]);
      assert.deepStrictEqual(
        d.notes.map((n) => [n.region, n.status]),
        [["ap-east-1", "region-disabled"]],
      );
    });
  });
});
