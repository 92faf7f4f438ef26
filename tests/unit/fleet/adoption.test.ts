import * as assert from "assert";
import type { AccountReader, AnalyzerInfo } from "../../../fleet/domain/account";
import { decideRegions, regionProblems } from "../../../fleet/domain/adoption";
import { heldRegions, type HeldRegion } from "../../../fleet/domain/state";
import { readAccountView } from "../../../fleet/flows/accountView";
import type { AnalyzerSettings } from "../../../fleet/settings/schema";

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
    dryRun?: boolean;
  } = {},
) {
  return decideRegions({
    settings: options.settings ?? {},
    view: { enabled: options.enabled ?? ["eu-west-1", "us-east-1"], analyzers },
    held: options.held ?? {},
    adoptConsole: options.adoptConsole ?? false,
    stack: "acct-111122223333",
    ...(options.dryRun !== undefined ? { dryRun: options.dryRun } : {}),
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

  describe("heldRegions, the resources it must skip", () => {
    it("picks the external-access analyzer past rules, unused-access, organization and input-less analyzers listed before it", () => {
      const provider = `${providerUrn("eu-west-1")}::p1`;
      const deployment = {
        resources: [
          // The default provider (no parent) and a provider without inputs name no region.
          {
            urn: "urn:pulumi:acct::access-analyzer::pulumi:providers:aws::default_7",
            id: "d",
            type: "pulumi:providers:aws",
            inputs: { region: "us-west-2" },
          },
          { urn: providerUrn("x"), id: "px", type: "pulumi:providers:aws", parent: COMPONENT },
          {
            urn: providerUrn("eu-west-1"),
            id: "p1",
            type: "pulumi:providers:aws",
            parent: COMPONENT,
            inputs: { region: "eu-west-1" },
          },
          {
            urn: `${COMPONENT}-eu-west-1-private`,
            type: "aws:accessanalyzer/archiveRule:ArchiveRule",
            provider,
            parent: COMPONENT,
            inputs: { analyzerName: "rule-analyzer", ruleName: "private" },
          },
          {
            urn: `${COMPONENT}-unused-access`,
            type: "aws:accessanalyzer/analyzer:Analyzer",
            provider,
            inputs: { analyzerName: "unused-access" },
          },
          {
            urn: `${COMPONENT}-org-eu-west-1`,
            type: "aws:accessanalyzer/analyzer:Analyzer",
            provider,
            inputs: { analyzerName: "org", type: "ORGANIZATION" },
          },
          { urn: `${COMPONENT}-bare`, type: "aws:accessanalyzer/analyzer:Analyzer", provider },
          {
            urn: `${COMPONENT}-eu-west-1`,
            type: "aws:accessanalyzer/analyzer:Analyzer",
            provider,
            parent: COMPONENT,
            inputs: { region: "eu-west-1", analyzerName: "external-access" },
          },
          // On the default provider, with no region input: in no region.
          {
            urn: `${COMPONENT}-stray`,
            type: "aws:accessanalyzer/analyzer:Analyzer",
            provider: "urn:pulumi:acct::access-analyzer::pulumi:providers:aws::default_7::d",
            inputs: { analyzerName: "stray" },
          },
        ],
      };
      assert.deepStrictEqual(heldRegions(deployment), {
        "eu-west-1": { urns: [providerUrn("eu-west-1")], analyzerName: "external-access" },
      });
    });
  });

  describe("decideRegions, what it says", () => {
    it("lists disabled regions sorted, saying what AWS keeps and how it comes back", () => {
      const d = decide(
        {},
        {
          enabled: [],
          held: {
            "us-west-2": { urns: ["u2"] },
            "ap-east-1": { urns: ["a1"], analyzerName: "external-access" },
          },
        },
      );
      assert.deepStrictEqual(d.dropFromState, ["a1", "u2"]);
      assert.deepStrictEqual(
        d.notes.map((n) => [n.region, n.detail]),
        [
          [
            "ap-east-1",
            "the account no longer has ap-east-1 enabled: its resources leave the stack's state " +
              'without an AWS call; AWS keeps "external-access", and the next up after the region ' +
              "is enabled again takes it back",
          ],
          [
            "us-west-2",
            "the account no longer has us-west-2 enabled: its resources leave the stack's state " +
              "without an AWS call; AWS keeps the analyzer, and the next up after the region is " +
              "enabled again takes it back",
          ],
        ],
      );
    });

    it("does not pass back an import ID that names another analyzer than the state's", () => {
      const d = decide(
        {},
        {
          held: {
            "eu-west-1": { urns: ["p"], analyzerName: "renamed", importId: "old@eu-west-1" },
          },
        },
      );
      assert.deepStrictEqual(d.adopt, {});
    });

    it("goes through the enabled regions in sorted order", () => {
      const d = decide(
        {
          "us-east-1": [analyzer("console-us")],
          "eu-west-1": [analyzer("console-eu")],
        },
        { enabled: ["us-east-1", "eu-west-1"], adoptConsole: true },
      );
      assert.deepStrictEqual(
        d.notes.map((n) => [n.region, n.status, n.analyzer]),
        [
          ["eu-west-1", "adopted", "console-eu"],
          ["us-east-1", "adopted", "console-us"],
        ],
      );
      assert.strictEqual(
        d.notes[0].detail,
        'adopts "console-eu" (made outside the stack) with its findings and archive state',
      );
    });

    it("takes our name back only with every tag we set, and says so", () => {
      const settings = { tags: { owner: "sec", env: "prod" } };
      const partial = decide(
        { "eu-west-1": [analyzer("external-access", { tags: { owner: "sec" } })] },
        { settings },
      );
      assert.deepStrictEqual(partial.adopt, {});
      const untagged = decide({ "eu-west-1": [analyzer("external-access")] }, { settings });
      assert.deepStrictEqual(untagged.adopt, {});
      const ours = decide(
        { "eu-west-1": [analyzer("external-access", { tags: { owner: "sec", env: "prod" } })] },
        { settings },
      );
      assert.deepStrictEqual(ours.adopt, { "eu-west-1": "external-access" });
      assert.strictEqual(
        ours.notes[0].detail,
        'took "external-access" (ours by name and tags, not in the state) back into the stack',
      );
    });

    it("says how to handle an analyzer the provider cannot manage, and blocks with the same words", () => {
      const d = decide({ "eu-west-1": [analyzer("_console")] });
      const detail =
        'eu-west-1 has ACCOUNT analyzer "_console", whose name the AWS provider cannot manage ' +
        "(it must start with a letter); AWS allows one per region, so the stack cannot create its " +
        "own there: exclude eu-west-1 (excludeRegions), or replace that analyzer by hand with one " +
        "named by the provider's rule";
      assert.deepStrictEqual(d.notes, [
        { region: "eu-west-1", status: "unmanageable", analyzer: "_console", detail },
      ]);
      assert.deepStrictEqual(d.blockers, [detail]);
    });

    it("blocks with the exact commands that adopt a console-made analyzer, naming the stack", () => {
      const d = decide({ "eu-west-1": [analyzer("console-analyzer")] });
      assert.deepStrictEqual(d.blockers, [
        'eu-west-1 already has ACCOUNT analyzer "console-analyzer" (made outside this stack); ' +
          "AWS allows one per region, so a new one would fail on the quota. Adopt it, findings " +
          "kept: fleet preview --adopt, then fleet up --adopt --accounts <this account> " +
          "(stack acct-111122223333)",
      ]);
    });
  });

  describe("decideRegions in a preview (dryRun)", () => {
    it("says would-adopt, not adopted, for a console analyzer under --adopt, and still passes it on", () => {
      const d = decide(
        { "eu-west-1": [analyzer("console-eu")] },
        { adoptConsole: true, dryRun: true },
      );
      assert.deepStrictEqual(d.adopt, { "eu-west-1": "console-eu" });
      assert.deepStrictEqual(d.notes, [
        {
          region: "eu-west-1",
          status: "would-adopt",
          analyzer: "console-eu",
          detail:
            'up --adopt adopts "console-eu" (made outside the stack) with its findings and archive state',
        },
      ]);
    });

    it("says would-adopt for our own analyzer found outside the state", () => {
      const d = decide({ "eu-west-1": [analyzer("external-access")] }, { dryRun: true });
      assert.deepStrictEqual(
        d.notes.map((n) => [n.status, n.detail]),
        [
          [
            "would-adopt",
            'up takes "external-access" (ours by name and tags, not in the state) back into the stack',
          ],
        ],
      );
    });
  });

  describe("regionProblems", () => {
    const enabled = ["eu-west-1", "us-east-1"];

    it("is empty when every asked region is enabled and the home regions are covered", () => {
      assert.deepStrictEqual(
        regionProblems({ regions: ["eu-west-1"], unusedAccess: { region: "eu-west-1" } }, enabled),
        [],
      );
      assert.deepStrictEqual(regionProblems({}, enabled), []);
    });

    it("names a region of regions the account has not enabled, and how to fix it", () => {
      assert.deepStrictEqual(regionProblems({ regions: ["eu-west-1", "ap-east-1"] }, enabled), [
        'regions[1]: "ap-east-1" is not enabled in this account, so no analyzer can be created ' +
          "there; enable it (aws account enable-region --region-name ap-east-1) or remove it from the list",
      ]);
    });

    it("names a home region that the selection leaves uncovered", () => {
      assert.deepStrictEqual(
        regionProblems(
          { excludeRegions: ["us-east-1"], unusedAccess: { region: "us-east-1" } },
          enabled,
        ),
        [
          'unusedAccess.region: "us-east-1" is not covered (covered: eu-west-1); pick a covered region',
        ],
      );
    });

    it("names an exclusion that leaves nothing to cover", () => {
      const problems = regionProblems({ excludeRegions: enabled }, enabled);
      assert.strictEqual(problems.length, 1);
      assert.match(problems[0], /^excludeRegions: leaves no region to cover/);
    });
  });

  describe("readAccountView", () => {
    function reader(
      analyzers: Record<string, AnalyzerInfo[] | Error>,
      enabled: string[] | Error = Object.keys(analyzers),
    ): AccountReader & { closed: number; read: string[] } {
      const r = {
        closed: 0,
        read: [] as string[],
        enabledRegions: () =>
          enabled instanceof Error ? Promise.reject(enabled) : Promise.resolve(enabled),
        analyzers: (region: string) => {
          r.read.push(region);
          const a = analyzers[region];
          return a instanceof Error ? Promise.reject(a) : Promise.resolve(a ?? []);
        },
        activeFindings: () => Promise.resolve(0),
        close: () => {
          r.closed++;
        },
      };
      return r;
    }
    const t = (settings: AnalyzerSettings = {}) => ({
      accountId: "111122223333",
      stack: "acct-111122223333",
      access: {},
      settings,
    });

    it("reads every analyzer of the enabled regions in scope, then closes the reader", async () => {
      const r = reader({
        "us-east-1": [analyzer("a")],
        "eu-west-1": [],
        "ap-south-1": [analyzer("b")],
      });
      const view = await readAccountView(t({ excludeRegions: ["ap-south-1"] }), r);
      assert.deepStrictEqual(view, {
        enabled: ["us-east-1", "eu-west-1", "ap-south-1"],
        analyzers: { "eu-west-1": [], "us-east-1": [analyzer("a")] },
      });
      assert.deepStrictEqual(r.read.sort(), ["eu-west-1", "us-east-1"]);
      assert.strictEqual(r.closed, 1);
    });

    it("fails, naming the region and the error, when one region cannot be read; still closes", async () => {
      const denied = Object.assign(new Error("not authorized"), { name: "AccessDeniedException" });
      const r = reader({ "us-east-1": [], "eu-west-1": denied });
      await assert.rejects(readAccountView(t(), r), {
        message:
          "before the engine ran, reading the account failed: could not list the analyzers in " +
          "eu-west-1: AccessDeniedException: not authorized",
      });
      assert.strictEqual(r.closed, 1);
    });

    it("fails when the enabled regions cannot be read, and works with a reader that has no close", async () => {
      const noClose: AccountReader = { ...reader({}, new Error("ExpiredToken")), close: undefined };
      await assert.rejects(readAccountView(t(), noClose), {
        message: "before the engine ran, reading the account failed: ExpiredToken",
      });
    });

    it("reads no region once aborted, and fails rather than decide without them", async () => {
      const stop = new AbortController();
      stop.abort();
      const r = reader({ "us-east-1": [analyzer("a")] });
      await assert.rejects(
        readAccountView(t(), r, stop.signal),
        /could not list the analyzers in us-east-1: aborted before it was read/,
      );
      assert.deepStrictEqual(r.read, []);
    });
  });
});
