import * as assert from "node:assert/strict";
import * as fs from "node:fs";
import * as path from "node:path";

import * as pulumi from "@pulumi/pulumi";
import * as YAML from "yaml";

import { ConfigError, readProgramConfig } from "../../program/config";
import { MOCK_PROJECT, RecordingMocks, installMocks, promiseOf, settled } from "./helpers/mocks";

const ROOT = path.join(__dirname, "..", "..");

/** An analyzer stack's configuration as the component's arguments (readProgramConfig's `analyzers`). */
function analyzerArgs(config: Record<string, string>, namespace: string) {
  const read = readProgramConfig(config, namespace);
  assert.strictEqual(read.kind, "analyzers");
  return read.args;
}

/** A stack file's config as the CLI hands it to a program: structured values as JSON text. */
function stackConfig(file: string): Record<string, string> {
  const doc = YAML.parse(fs.readFileSync(path.join(ROOT, file), "utf8"));
  return Object.fromEntries(
    Object.entries(doc.config as Record<string, unknown>).map(([key, value]) => [
      key,
      typeof value === "string" ? value : JSON.stringify(value),
    ]),
  );
}

function problemsOf(config: Record<string, string>): string[] {
  try {
    analyzerArgs(config, MOCK_PROJECT);
  } catch (err) {
    assert.ok(err instanceof ConfigError);
    return err.problems;
  }
  assert.fail("expected a ConfigError");
}

describe("program configuration", () => {
  it("turns every key into the component's arguments", () => {
    const args = analyzerArgs(
      {
        "access-analyzer:regions": `["us-east-1","eu-west-1"]`,
        "access-analyzer:excludeRegions": `["eu-west-1"]`,
        "access-analyzer:analyzerName": "cis",
        "access-analyzer:unusedAccess": `{"region":"us-east-1","unusedAccessAge":30}`,
        "access-analyzer:internalAccess": `{"regions":["us-east-1"],"analyzeAllResources":true}`,
        "access-analyzer:organization": `{"externalAccess":{"analyzerName":"org"},"internalAccess":{"region":"us-east-1","analysisRule":{"inclusions":[{"resourceTypes":["AWS::S3::Bucket"]}]}}}`,
        "access-analyzer:archiveRules": `[{"name":"r","filters":[{"criteria":"isPublic","eqs":["false"]}]}]`,
        "access-analyzer:tags": `{"owner":"sec"}`,
        "access-analyzer:providerArgs": `{"profile":"audit"}`,
        "access-analyzer:protect": "true",
        "access-analyzer:retainOnDelete": "false",
        "aws:region": "us-east-1",
      },
      MOCK_PROJECT,
    );
    assert.deepEqual(args, {
      regions: ["us-east-1", "eu-west-1"],
      excludeRegions: ["eu-west-1"],
      analyzerName: "cis",
      unusedAccess: { region: "us-east-1", unusedAccessAge: 30 },
      internalAccess: { regions: ["us-east-1"], analyzeAllResources: true },
      organization: {
        externalAccess: { analyzerName: "org" },
        internalAccess: {
          region: "us-east-1",
          analysisRule: { inclusions: [{ resourceTypes: ["AWS::S3::Bucket"] }] },
        },
      },
      archiveRules: [{ name: "r", filters: [{ criteria: "isPublic", eqs: ["false"] }] }],
      tags: { owner: "sec" },
      providerArgs: { profile: "audit" },
      protect: true,
      retainOnDelete: false,
    });
  });

  it("needs no configuration at all", () => {
    assert.deepEqual(analyzerArgs({}, MOCK_PROJECT), {});
  });

  it("names an unknown key and suggests the right one", () => {
    const [problem] = problemsOf({ "access-analyzer:excludedRegions": `["us-east-1"]` });
    assert.match(problem, /^access-analyzer:excludedRegions: is not a setting of this program/);
    assert.match(problem, /did you mean access-analyzer:excludeRegions\?/);
  });

  it("reports a region typo with the other config problems, before any region lookup, with a suggestion", () => {
    const problems = problemsOf({
      "access-analyzer:regions": `["us-east-1","eu-wset-1"]`,
      "access-analyzer:excludedRegions": `["us-east-1"]`,
    });
    assert.strictEqual(problems.length, 2, problems.join("\n"));
    assert.ok(
      problems.some((p) =>
        /^access-analyzer:regions\[1\]: "eu-wset-1" is not an AWS region code .*did you mean "eu-west-1"\?/.test(
          p,
        ),
      ),
      problems.join("\n"),
    );
  });

  it("names a nested key with a wrong type and shows how to set it", () => {
    const [problem] = problemsOf({
      "access-analyzer:unusedAccess": `{"region":"us-east-1","unusedAccessAge":"ninety"}`,
    });
    assert.match(problem, /^access-analyzer:unusedAccess\.unusedAccessAge: /);
    assert.match(problem, /pulumi config set access-analyzer:unusedAccess/);
  });

  it("rejects a bare word where a list is expected", () => {
    const [problem] = problemsOf({ "access-analyzer:regions": "us-east-1" });
    assert.match(
      problem,
      /^access-analyzer:regions: .*Example: pulumi config set access-analyzer:regions/,
    );
  });

  it("rejects a misspelt field inside a structured key", () => {
    const [problem] = problemsOf({
      "access-analyzer:unusedAccess": `{"region":"us-east-1","unusedAccesAge":30}`,
    });
    assert.match(
      problem,
      /^access-analyzer:unusedAccess\.unusedAccesAge: unknown key; did you mean "unusedAccessAge"\?/,
    );
  });

  /** [what, config key, JSON value, expected problem] */
  const GAPS: [string, string, string, RegExp][] = [
    [
      "an aws:-prefixed tag (the provider would drop it silently)",
      "tags",
      `{"aws:owner":"x"}`,
      /^access-analyzer:tags\["aws:owner"\]: tag key "aws:owner" uses the reserved prefix "aws:"/,
    ],
    [
      "51 tags",
      "tags",
      JSON.stringify(Object.fromEntries(Array.from({ length: 51 }, (_, i) => [`k${i}`, "v"]))),
      /^access-analyzer:tags: has 51 tags; AWS allows at most 50/,
    ],
    [
      "a tag key of 129 characters",
      "tags",
      JSON.stringify({ ["k".repeat(129)]: "v" }),
      /tag key must be 1 to 128 characters long \(got 129\)/,
    ],
    [
      "a tag value of 257 characters",
      "tags",
      JSON.stringify({ owner: "v".repeat(257) }),
      /^access-analyzer:tags\.owner: tag value must be at most 256 characters long/,
    ],
    [
      "assumeRoles given as a string",
      "providerArgs",
      `{"assumeRoles":"arn:aws:iam::111122223333:role/R"}`,
      /^access-analyzer:providerArgs\.assumeRoles: must be a list of roles/,
    ],
    [
      "an 11-digit allowedAccountIds entry",
      "providerArgs",
      `{"allowedAccountIds":["11112222333"]}`,
      /^access-analyzer:providerArgs\.allowedAccountIds\[0\]: "11112222333" is not an account id/,
    ],
    [
      "a role ARN that is not a role",
      "providerArgs",
      `{"assumeRoles":[{"roleArn":"arn:aws:iam::111122223333:user/bob"}]}`,
      /providerArgs\.assumeRoles\[0\]\.roleArn: .* is not an IAM role ARN/,
    ],
    [
      "maxRetries as a fraction",
      "providerArgs",
      `{"maxRetries":2.5}`,
      /providerArgs\.maxRetries: must be a whole number/,
    ],
    [
      "skipRegionValidation as a string",
      "providerArgs",
      `{"skipRegionValidation":"yes"}`,
      /providerArgs\.skipRegionValidation: must be true or false/,
    ],
    [
      "defaultTags without its tags map",
      "providerArgs",
      `{"defaultTags":{"owner":"x"}}`,
      /providerArgs\.defaultTags\.owner: unknown key/,
    ],
  ];
  for (const [what, key, value, expected] of GAPS) {
    it(`rejects ${what}`, () => {
      const problems = problemsOf({ [`access-analyzer:${key}`]: value });
      assert.ok(
        problems.some((p) => expected.test(p)),
        `no problem matches ${expected}: ${problems.join("\n")}`,
      );
    });
  }

  it("refuses a role of another partition than the lookup region", () => {
    const problems = problemsOf({
      "access-analyzer:lookupRegion": "us-east-1",
      "access-analyzer:providerArgs": `{"assumeRoles":[{"roleArn":"arn:aws-us-gov:iam::111122223333:role/R"}]}`,
    });
    assert.deepEqual(problems, [
      `access-analyzer:providerArgs.assumeRoles[0].roleArn: "arn:aws-us-gov:iam::111122223333:role/R" ` +
        `is in partition aws-us-gov, but lookupRegion "us-east-1" is in aws; a stack works in one ` +
        `partition: use values of aws only`,
    ]);
  });

  it("asks for a lookup region when the regions are in another partition", () => {
    const [problem] = problemsOf({ "access-analyzer:regions": `["cn-north-1","cn-northwest-1"]` });
    assert.match(
      problem,
      /^access-analyzer:lookupRegion: is not set, so it is "us-east-1" \(partition aws\), but regions\[0\] "cn-north-1" is in aws-cn; set lookupRegion to a region of aws-cn, e.g. "cn-north-1"/,
    );
  });

  it("says why a region both listed and excluded leaves nothing to cover", () => {
    const [problem] = problemsOf({
      "access-analyzer:regions": `["eu-west-1"]`,
      "access-analyzer:excludeRegions": `["eu-west-1"]`,
    });
    assert.match(
      problem,
      /^access-analyzer:excludeRegions: excludes every region in regions \(eu-west-1\): a region both listed and excluded is not covered/,
    );
  });

  it("reports the component's own rules against the config key", () => {
    const problems = problemsOf({
      "access-analyzer:regions": `["us-east-1","not a region"]`,
      "access-analyzer:analyzerName": "9lives",
    });
    assert.deepEqual(
      problems.map((p) => p.split(":").slice(0, 2).join(":")),
      ["access-analyzer:regions[1]", "access-analyzer:analyzerName"],
    );
  });

  it("refuses the removed type key, naming its replacement and how to remove it", () => {
    for (const value of ["ORGANIZATION", "ACCOUNT"]) {
      assert.deepEqual(problemsOf({ "access-analyzer:type": value }), [
        "access-analyzer:type: `type` was replaced: the ACCOUNT analyzers are always kept (IAM.28); " +
          "add `organization: { externalAccess: true }` for ORGANIZATION analyzers (management or " +
          'delegated administrator account only); see docs/CONFIGURATION.md, "Migrating from type: ORGANIZATION". ' +
          "Remove it: pulumi config rm access-analyzer:type",
      ]);
    }
  });

  it("reads delegatedAdministrator as a registration stack, with the provider settings and region", () => {
    const read = readProgramConfig(
      {
        "access-analyzer:delegatedAdministrator": `{"accountId":"222233334444","enableTrustedAccess":true}`,
        "access-analyzer:providerArgs": `{"profile":"management"}`,
        "access-analyzer:lookupRegion": "eu-west-1",
        "access-analyzer:protect": "true",
      },
      MOCK_PROJECT,
    );
    assert.deepEqual(read, {
      kind: "delegatedAdministrator",
      args: {
        accountId: "222233334444",
        enableTrustedAccess: true,
        region: "eu-west-1",
        providerArgs: { profile: "management" },
      },
      protect: true,
    });
  });

  it("refuses analyzer keys on a registration stack, naming the conflict", () => {
    assert.deepEqual(
      problemsOf({
        "access-analyzer:delegatedAdministrator": `{"accountId":"222233334444"}`,
        "access-analyzer:organization": `{"externalAccess":true}`,
        "access-analyzer:regions": `["us-east-1"]`,
      }).map((p) => p.split(":").slice(0, 3).join(":")),
      [
        "access-analyzer:organization: conflicts with access-analyzer",
        "access-analyzer:regions: conflicts with access-analyzer",
      ],
    );
  });

  it("names a bad delegated administrator account id", () => {
    const [problem] = problemsOf({
      "access-analyzer:delegatedAdministrator": `{"accountId":"123"}`,
    });
    assert.match(
      problem,
      /^access-analyzer:delegatedAdministrator.accountId: "123" is not an account id; use 12 digits/,
    );
  });

  it("accepts the production example stack as it ships", () => {
    const args = analyzerArgs(stackConfig("Pulumi.prod.yaml"), MOCK_PROJECT);
    assert.equal(args.protect, true);
    assert.equal(args.unusedAccess?.region, "us-east-1");
    assert.equal(args.archiveRules?.length, 1);
  });

  describe("external id from ACCESS_ANALYZER_EXTERNAL_ID", () => {
    const role = `{"assumeRoles":[{"roleArn":"arn:aws:iam::111122223333:role/A"},{"roleArn":"arn:aws:iam::444455556666:role/B"}]}`;
    const read = (providerArgs: string, env: Record<string, string>) =>
      readProgramConfig({ [`${MOCK_PROJECT}:providerArgs`]: providerArgs }, MOCK_PROJECT, env);

    it("sets it on the last role of the chain and leaves the first alone", () => {
      const config = read(role, { ACCESS_ANALYZER_EXTERNAL_ID: "PLANTED-EXTERNAL-ID-7f3a" });
      assert.equal(config.kind, "analyzers");
      assert.deepEqual(config.args.providerArgs?.assumeRoles, [
        { roleArn: "arn:aws:iam::111122223333:role/A" },
        { roleArn: "arn:aws:iam::444455556666:role/B", externalId: "PLANTED-EXTERNAL-ID-7f3a" },
      ]);
    });

    it("refuses it without a role, or beside an externalId in config, never showing the value", () => {
      for (const [providerArgs, where] of [
        [
          `{"profile":"hub"}`,
          /providerArgs\.assumeRoles: ACCESS_ANALYZER_EXTERNAL_ID is set but no role/,
        ],
        [
          `{"assumeRoles":[{"roleArn":"arn:aws:iam::111122223333:role/A","externalId":"x"}]}`,
          /providerArgs\.assumeRoles\[0\]\.externalId: also set by ACCESS_ANALYZER_EXTERNAL_ID/,
        ],
      ] as const) {
        assert.throws(
          () => read(providerArgs, { ACCESS_ANALYZER_EXTERNAL_ID: "PLANTED-EXTERNAL-ID-7f3a" }),
          (err: Error) => where.test(err.message) && !err.message.includes("PLANTED"),
        );
      }
    });

    it("changes nothing when the variable is unset", () => {
      const config = read(role, {});
      assert.equal(config.kind, "analyzers");
      assert.ok(!JSON.stringify(config.args).includes("externalId"));
    });
  });
});

describe("the per-account program", () => {
  let mocks: RecordingMocks;
  let program: typeof import("../../index");

  before(async () => {
    mocks = await installMocks();
    mocks.reset(["ap-northeast-3", "eu-west-1", "us-east-1"]);
    pulumi.runtime.setAllConfig(stackConfig("Pulumi.prod.yaml"));
    program = await import("../../index");
    await promiseOf(program.analyzerArns!);
    await settled();
  });

  it("builds the component from the production stack's configuration", async () => {
    assert.deepEqual(await promiseOf(program.regions!), ["eu-west-1", "us-east-1"]);
    const analyzers = mocks.ofType("aws:accessanalyzer/analyzer:Analyzer");
    assert.deepEqual(analyzers.map((a) => a.name).sort(), [
      "access-analyzer-eu-west-1",
      "access-analyzer-unused-access",
      "access-analyzer-us-east-1",
    ]);
    analyzers.forEach((a) => {
      assert.equal(a.protect, true);
      assert.deepEqual(a.inputs.tags, { owner: "security-engineering", compliance: "cis-1.19" });
    });
    assert.equal(mocks.ofType("aws:accessanalyzer/archiveRule:ArchiveRule").length, 2);
    for (const provider of mocks.ofType("pulumi:providers:aws")) {
      // A secret (it may hold an external id): the engine keeps it encrypted in the state.
      assert.equal(
        provider.inputs.assumeRoles["4dabf18193072939515e22adb298388d"],
        "1b47061264138c4ac30d75fd1eb44270",
      );
      assert.match(provider.inputs.assumeRoles.value, /AccessAnalyzerDeployer/);
      assert.equal(provider.inputs.allowedAccountIds, `["111122223333"]`);
    }
  });

  it("exports only the outputs this stack has: no organization or registration outputs here", () => {
    // (`default` is the import interop's own copy of module.exports.)
    assert.deepEqual(
      Object.keys(program)
        .filter((k) => k !== "default")
        .sort(),
      [
        "analyzerArns",
        "fingerprint",
        "internalAccessAnalyzerArns",
        "organizationAnalyzerArns",
        "regions",
        "unusedAccessAnalyzerArn",
      ],
    );
  });

  it("exports the regions, analyzer ARNs and the unused-access analyzer ARN", async () => {
    assert.deepEqual(Object.keys(await promiseOf(program.analyzerArns!)), [
      "eu-west-1",
      "us-east-1",
    ]);
    assert.match(
      (await promiseOf(program.unusedAccessAnalyzerArn!)) ?? "",
      /^arn:aws:access-analyzer:us-east-1:\d{12}:analyzer\/unused-access$/,
    );
  });
});
