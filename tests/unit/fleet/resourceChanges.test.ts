import * as assert from "assert";
import {
  type PreEvent,
  type ResourceChange,
  describeChanges,
  resourceChange,
} from "../../../fleet/domain/resourceChanges";

const ANALYZER = "aws:accessanalyzer/analyzer:Analyzer";
const RULE = "aws:accessanalyzer/archiveRule:ArchiveRule";
const PROVIDER = "pulumi:providers:aws";

function pre(op: string, type: string, name: string): PreEvent {
  const parent = "access-analyzer:index:AllRegionsAccessAnalyzer";
  return {
    resourcePreEvent: {
      metadata: { op, type, urn: `urn:pulumi:acct-1::access-analyzer::${parent}$${type}::${name}` },
    },
  };
}

describe("the resources a preview would change (drift's names and regions)", () => {
  it("takes creates, updates, replaces and deletes, and no other step", () => {
    for (const op of ["create", "update", "replace", "delete"]) {
      assert.strictEqual(resourceChange(pre(op, ANALYZER, "aa-eu-west-1"))?.op, op);
    }
    for (const op of [
      "same",
      "read",
      "refresh",
      "create-replacement",
      "delete-replaced",
      "import",
    ]) {
      assert.strictEqual(resourceChange(pre(op, ANALYZER, "aa-eu-west-1")), undefined, op);
    }
    assert.strictEqual(resourceChange({}), undefined);
    assert.strictEqual(
      resourceChange(pre("create", "pulumi:pulumi:Stack", "access-analyzer-acct-1")),
      undefined,
    );
  });

  it("reads the name from the URN and the region from the name's words", () => {
    const cases: [string, string | undefined][] = [
      ["access-analyzer-eu-west-1", "eu-west-1"],
      ["access-analyzer-org-ap-southeast-5", "ap-southeast-5"],
      ["access-analyzer-us-gov-west-1", "us-gov-west-1"],
      ["access-analyzer-internal-il-central-1", "il-central-1"],
      ["access-analyzer-me-south-1-partner-queues", "me-south-1"],
      ["access-analyzer-lookup", undefined],
      ["access-analyzer-unused-access", undefined],
      ["aa-eu", undefined],
    ];
    for (const [name, region] of cases) {
      const change = resourceChange(pre("create", ANALYZER, name));
      assert.strictEqual(change?.name, name);
      assert.strictEqual(change?.region, region, name);
      assert.strictEqual("region" in change, region !== undefined, name);
    }
  });

  it("says the changes in words, analyzers before providers, by region, and how many more", () => {
    const changes: ResourceChange[] = [
      { op: "create", type: PROVIDER, name: "aa-eu-west-1", region: "eu-west-1" },
      { op: "create", type: ANALYZER, name: "aa-eu-west-1", region: "eu-west-1" },
      { op: "update", type: RULE, name: "aa-ap-south-1-ours", region: "ap-south-1" },
      { op: "delete", type: ANALYZER, name: "aa-unused-access" },
    ];
    assert.strictEqual(
      describeChanges(changes),
      "delete Analyzer aa-unused-access, update ArchiveRule aa-ap-south-1-ours (ap-south-1), create Analyzer aa-eu-west-1 (eu-west-1), create provider aa-eu-west-1 (eu-west-1)",
    );
    assert.strictEqual(describeChanges(changes, 1), "delete Analyzer aa-unused-access, and 3 more");
  });
});
