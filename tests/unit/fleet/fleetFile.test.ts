import * as assert from "assert";
import * as fs from "fs";
import * as path from "path";
import { stackConfigFor } from "../../../fleet/domain/stackConfig";
import { parseFleetFile } from "../../../fleet/settings/fleetFile";
import { formatPath } from "../../../components/problems";
import { suggestKey } from "../../../components/schema";

const ROOT = path.resolve(__dirname, "../../..");

function problemsOf(text: string): { path: string; message: string }[] {
  const parsed = parseFleetFile(text, "fleet.yaml");
  assert.ok(!parsed.ok, "expected the fleet file to be rejected");
  return parsed.problems;
}

function fleetOf(text: string) {
  const parsed = parseFleetFile(text, "fleet.yaml");
  assert.ok(parsed.ok, parsed.ok ? "" : parsed.messages.join("\n"));
  return parsed.fleet;
}

const ONE = `accounts:\n  - id: "111122223333"\n`;

/** [name, fleet file text, expected path, a fragment of the expected message] */
const BAD_INPUTS: [string, string, string, string][] = [
  ["an empty file", "", "(top level)", "the file is empty"],
  ["broken YAML", "accounts: [\n", "line 2, column 1", "fix the YAML syntax"],
  ["a list at the top", "- id: 1\n", "(top level)", "must be a map (got a list)"],
  ["no accounts key", "defaults: {}\n", "accounts", "is required"],
  ["an empty account list", "accounts: []\n", "accounts", "must list at least one account"],
  [
    "an unquoted account id",
    "accounts:\n  - id: 111122223333\n",
    "accounts[0].id",
    "must be a quoted string of 12 digits",
  ],
  [
    "an 11-digit id",
    'accounts:\n  - id: "11112222333"\n',
    "accounts[0].id",
    '"11112222333" is not an account id; use 12 digits, e.g. "111122223333"',
  ],
  ["a missing id", "accounts:\n  - name: prod\n", "accounts[0].id", "is required"],
  [
    "an id in the 4th entry",
    'accounts:\n  - id: "111122223333"\n  - id: "111122223334"\n  - id: "111122223335"\n  - id: "abc"\n',
    "accounts[3].id",
    '"abc" is not an account id; use 12 digits',
  ],
  [
    "a misspelt key",
    `${ONE}    regoins: [us-east-1]\n`,
    "accounts[0].regoins",
    'did you mean "regions"?',
  ],
  ["an unknown top-level key", `${ONE}backends: s3://x\n`, "backends", 'did you mean "backend"?'],
  [
    "a bad region code",
    `${ONE}    regions: [us-east-1, mars-north-1x]\n`,
    "accounts[0].regions[1]",
    "is not a region code",
  ],
  ["an empty region list", `${ONE}    regions: []\n`, "accounts[0].regions", "at least one region"],
  [
    "a bad analyzer name",
    `${ONE}    analyzerName: 9lives\n`,
    "accounts[0].analyzerName",
    "start with a letter",
  ],
  [
    "the removed analyzer type",
    `${ONE}    type: ORGANIZATION\n`,
    "accounts[0].type",
    "`type` was replaced: the ACCOUNT analyzers are always kept (IAM.28); add `organization: { externalAccess: true }`",
  ],
  [
    "an organization section of the wrong shape",
    `${ONE}    organization: { externalAccess: yes please }\n`,
    "accounts[0].organization.externalAccess",
    "must be a boolean",
  ],
  [
    "a numeric tag value",
    `${ONE}    tags: { CostCenter: 42 }\n`,
    "accounts[0].tags.CostCenter",
    "quote numbers",
  ],
  [
    "a reserved tag key",
    `${ONE}    tags: { "aws:owner": x }\n`,
    'accounts[0].tags["aws:owner"]',
    'reserved prefix "aws:"',
  ],
  [
    "a tag key with a newline",
    `${ONE}    tags: { "owner\\nteam": x }\n`,
    'accounts[0].tags["owner\\nteam"]',
    "outside AWS's tag character set",
  ],
  [
    "a tag key of one space",
    `${ONE}    tags: { " ": x }\n`,
    'accounts[0].tags[" "]',
    "is only spaces",
  ],
  [
    "protect as a string",
    `${ONE}    protect: "yes"\n`,
    "accounts[0].protect",
    "must be true or false",
  ],
  [
    "an unused-access age out of range",
    `${ONE}    unusedAccess: { region: us-east-1, unusedAccessAge: 400 }\n`,
    "accounts[0].unusedAccess.unusedAccessAge",
    "1 to 365",
  ],
  [
    "an archive filter without comparator",
    `${ONE}    archiveRules: [{ name: r1, filters: [{ criteria: isPublic }] }]\n`,
    "accounts[0].archiveRules[0].filters[0]",
    "at least one comparator",
  ],
  [
    "a malformed role ARN",
    `${ONE}    roleArn: arn:aws:iam::111122223333:user/bob\n`,
    "accounts[0].roleArn",
    '"arn:aws:iam::111122223333:user/bob" is not an IAM role ARN',
  ],
  [
    "a role ARN of another account",
    `${ONE}    roleArn: arn:aws:iam::999988887777:role/AccessAnalyzerDeployer\n`,
    "accounts[0].roleArn",
    "names account 999988887777 but this entry is account 111122223333",
  ],
  [
    "roleArn and roleName together",
    `${ONE}    roleArn: arn:aws:iam::111122223333:role/A\n    roleName: B\n`,
    "accounts[0].roleName",
    "not both",
  ],
  [
    "an externalId without a role",
    `${ONE}    externalId: abc123\n`,
    "accounts[0].externalId",
    "only applies when a role is assumed",
  ],
  [
    "a duplicate account id",
    `${ONE}  - id: "111122223333"\n`,
    "accounts[1].id",
    "duplicates accounts[0].id",
  ],
  [
    "a duplicate stack name",
    `${ONE}    stack: shared\n  - id: "444455556666"\n    stack: shared\n`,
    "accounts[1].stack",
    'stack "shared" is also used by accounts[0]',
  ],
  [
    "a duplicate name (any case)",
    `${ONE}    name: prod\n  - id: "444455556666"\n    name: PROD\n`,
    "accounts[1].name",
    "names must be unique",
  ],
  [
    "a name that looks like an id",
    `${ONE}    name: "444455556666"\n`,
    "accounts[0].name",
    "must not look like an account id",
  ],
  ["a bad backend URL", `backend: bucket-name\n${ONE}`, "backend", "must be a Pulumi backend URL"],
  [
    "a bad secrets provider",
    `secretsProvider: kms\n${ONE}`,
    "secretsProvider",
    'must be "passphrase"',
  ],
  [
    "roleArn in defaults",
    `defaults:\n  roleArn: arn:aws:iam::111122223333:role/A\n${ONE}`,
    "defaults.roleArn",
    "set roleName in defaults",
  ],
  [
    "an unused-access home region outside regions (component check)",
    `${ONE}    regions: [us-east-1]\n    unusedAccess: { region: eu-west-1 }\n`,
    "accounts[0].unusedAccess.region",
    '"eu-west-1" is not in regions',
  ],
  [
    "a duplicate region (component check)",
    `${ONE}    regions: [us-east-1, us-east-1]\n`,
    "accounts[0].regions[1]",
    "listed twice",
  ],
  [
    "51 tags once defaults and the account merge",
    `defaults:\n  tags: {${Array.from({ length: 30 }, (_, i) => `d${i}: x`).join(", ")}}\n${ONE}    tags: {${Array.from({ length: 21 }, (_, i) => `a${i}: x`).join(", ")}}\n`,
    "accounts[0].tags",
    "defaults.tags (30) and this account's tags (21) merge to 51 tags; AWS allows at most 50",
  ],
  [
    "an aws:-prefixed tag in defaults",
    `defaults:\n  tags: { "AWS:team": x }\n${ONE}`,
    'defaults.tags["AWS:team"]',
    'reserved prefix "aws:"',
  ],
  [
    "a role of another partition than the lookup region",
    `${ONE}    roleArn: arn:aws-cn:iam::111122223333:role/A\n    lookupRegion: us-east-1\n`,
    "accounts[0].roleArn",
    'the role arn:aws-cn:iam::111122223333:role/A is in partition aws-cn, but lookupRegion "us-east-1" is in aws',
  ],
  [
    "a GovCloud partition without a GovCloud lookup region",
    `defaults:\n  partition: aws-us-gov\n  roleName: R\n${ONE}`,
    "accounts[0].lookupRegion",
    'is not set, so it is "us-east-1" (partition aws), but the role "arn:aws-us-gov:iam::111122223333:role/R" is in aws-us-gov',
  ],
  [
    "regions of two partitions",
    `${ONE}    lookupRegion: us-gov-west-1\n    regions: [us-gov-west-1, us-east-1]\n`,
    "accounts[0].regions[1]",
    '"us-east-1" is in partition aws, but lookupRegion "us-gov-west-1" is in aws-us-gov',
  ],
  [
    "every listed region also excluded",
    `${ONE}    regions: [eu-west-1]\n    excludeRegions: [eu-west-1]\n`,
    "accounts[0].excludeRegions",
    "a region both listed and excluded is not covered",
  ],
  [
    "a defaults value that breaks one account (component check)",
    `defaults:\n  unusedAccess: { region: eu-west-1 }\naccounts:\n  - id: "111122223333"\n    regions: [us-east-1]\n`,
    "defaults.unusedAccess.region",
    "applies to accounts[0], 111122223333",
  ],
];

describe("fleet file", () => {
  describe("rejects bad input with the path and the fix", () => {
    for (const [name, text, expectedPath, fragment] of BAD_INPUTS) {
      it(`rejects ${name} at ${expectedPath}`, () => {
        const problems = problemsOf(text);
        const match = problems.find((p) => p.path === expectedPath);
        assert.ok(match, `no problem at ${expectedPath}; got ${JSON.stringify(problems)}`);
        assert.ok(
          match.message.includes(fragment),
          `message "${match.message}" lacks "${fragment}"`,
        );
      });
    }
  });

  describe("YAML aliases and size", () => {
    /** A fleet of `count` accounts that all reuse one anchor. */
    function sharedAnchor(count: number): string {
      const ids = Array.from({ length: count }, (_, i) => String(100000000000 + i));
      return (
        `accounts:\n  - id: "${ids[0]}"\n    tags: &common { Owner: security }\n` +
        ids
          .slice(1)
          .map((id) => `  - id: "${id}"\n    tags: *common\n`)
          .join("")
      );
    }

    it("accepts 1000 accounts that reuse one anchor (the yaml library alone refuses 101)", () => {
      const fleet = fleetOf(sharedAnchor(1001));
      assert.strictEqual(fleet.targets.length, 1001);
      assert.deepStrictEqual(fleet.targets[1000].settings.tags, { Owner: "security" });
    });

    it("refuses a billion-laughs file with a clear problem instead of a stack trace", () => {
      const levels = ["a: &a [lol, lol, lol, lol, lol, lol, lol, lol, lol, lol]"];
      for (let i = 1; i < 9; i++) {
        const prev = String.fromCharCode(96 + i);
        const name = String.fromCharCode(97 + i);
        levels.push(`${name}: &${name} [${Array(10).fill(`*${prev}`).join(", ")}]`);
      }
      const text = `x-laughs:\n${levels.map((l) => `  ${l}`).join("\n")}\n${ONE}`;
      const [problem] = problemsOf(text);
      assert.strictEqual(problem.path, "(top level)");
      assert.match(problem.message, /YAML aliases \(\*name\) expand to too much data/);
    });

    it("refuses a file over 10 MB before parsing it", () => {
      const text = `${ONE}# ${"x".repeat(10 * 1024 * 1024)}\n`;
      const [problem] = problemsOf(text);
      assert.strictEqual(problem.path, "(top level)");
      assert.match(problem.message, /a fleet file may be at most 10485760 bytes \(10 MB\)/);
    });
  });

  it("prefixes every message with the file name and the path", () => {
    const parsed = parseFleetFile('accounts:\n  - id: "1"\n', "ops/fleet.yaml");
    assert.ok(!parsed.ok);
    assert.match(
      parsed.messages[0],
      /^ops\/fleet\.yaml: accounts\[0\]\.id: "[^"]*" is not an account id; use 12 digits/,
    );
  });

  it("reports every problem at once, not only the first", () => {
    const problems = problemsOf(
      'accounts:\n  - id: "1"\n    type: X\n  - id: "2"\n    regions: [nowhere]\n',
    );
    assert.deepStrictEqual(
      problems.map((p) => p.path),
      ["accounts[0].id", "accounts[0].type", "accounts[1].id", "accounts[1].regions[0]"],
    );
  });

  it("applies defaults, builds role ARNs from roleName and derives stack names from ids", () => {
    const fleet = fleetOf(`
backend: s3://state-bucket
secretsProvider: awskms://alias/fleet?region=eu-west-1
defaults:
  roleName: AccessAnalyzerDeployer
  externalId: org-fleet-1
  tags: { Owner: security, Env: shared }
  regions: [us-east-1, eu-west-1]
accounts:
  - id: "111122223333"
    name: prod-eu
    tags: { Env: prod }
    regions: [eu-west-1]
  - id: "444455556666"
    stack: sandbox
    roleArn: arn:aws:iam::444455556666:role/Custom
    sessionName: custom-session
  - id: "777788889999"
    profile: legacy
`);
    assert.strictEqual(fleet.backend, "s3://state-bucket");
    assert.strictEqual(fleet.secretsProvider, "awskms://alias/fleet?region=eu-west-1");
    const [prod, sandbox, legacy] = fleet.targets;
    assert.deepStrictEqual(prod, {
      accountId: "111122223333",
      name: "prod-eu",
      stack: "acct-111122223333",
      access: {
        roleArn: "arn:aws:iam::111122223333:role/AccessAnalyzerDeployer",
        sessionName: "access-analyzer-fleet",
        externalId: "org-fleet-1",
      },
      settings: { regions: ["eu-west-1"], tags: { Owner: "security", Env: "prod" } },
    });
    assert.strictEqual(sandbox.stack, "sandbox");
    assert.deepStrictEqual(sandbox.access, {
      roleArn: "arn:aws:iam::444455556666:role/Custom",
      sessionName: "custom-session",
      externalId: "org-fleet-1",
    });
    assert.strictEqual(legacy.access.profile, "legacy");
    assert.strictEqual(
      legacy.access.roleArn,
      "arn:aws:iam::777788889999:role/AccessAnalyzerDeployer",
    );
    assert.deepStrictEqual(legacy.settings.regions, ["us-east-1", "eu-west-1"]);
  });

  it("takes applyArchiveRules from defaults, an account overriding it, and never as stack config", () => {
    const fleet = fleetOf(`
defaults: { applyArchiveRules: false }
accounts:
  - { id: "111122223333" }
  - { id: "444455556666", applyArchiveRules: true }
`);
    assert.deepStrictEqual(
      fleet.targets.map((t) => t.settings.applyArchiveRules),
      [false, true],
    );
    assert.doesNotMatch(JSON.stringify(stackConfigFor(fleet.targets[0])), /applyArchiveRules/);
    const [problem] = problemsOf(`${ONE}    applyArchiveRules: "no"\n`);
    assert.deepStrictEqual(problem, {
      path: "accounts[0].applyArchiveRules",
      message: "must be true or false",
    });
  });

  it("builds role ARNs in the lookup region's partition when defaults set no partition", () => {
    const gov = fleetOf(`defaults:\n  roleName: R\n  lookupRegion: us-gov-west-1\n${ONE}`);
    assert.strictEqual(gov.targets[0].access.roleArn, "arn:aws-us-gov:iam::111122223333:role/R");
    const cn = fleetOf(`defaults:\n  roleName: R\n${ONE}    lookupRegion: cn-north-1\n`);
    assert.strictEqual(cn.targets[0].access.roleArn, "arn:aws-cn:iam::111122223333:role/R");
    assert.strictEqual(
      fleetOf(`defaults:\n  roleName: R\n${ONE}`).targets[0].access.roleArn,
      "arn:aws:iam::111122223333:role/R",
    );
  });

  it("uses the partition from defaults for role ARNs", () => {
    const fleet = fleetOf(
      `defaults:\n  partition: aws-us-gov\n  roleName: R\n  lookupRegion: us-gov-west-1\n${ONE}`,
    );
    assert.strictEqual(fleet.targets[0].access.roleArn, "arn:aws-us-gov:iam::111122223333:role/R");
  });

  it("accepts the shipped example fleet file", () => {
    const text = fs.readFileSync(path.join(ROOT, "fleet.example.yaml"), "utf8");
    const parsed = parseFleetFile(text, "fleet.example.yaml");
    assert.ok(parsed.ok, parsed.ok ? "" : parsed.messages.join("\n"));
    assert.ok(parsed.fleet.targets.length >= 3);
  });

  it("suggests the nearest key only for plausible typos", () => {
    assert.strictEqual(
      suggestKey("excludeRegion", ["regions", "excludeRegions"]),
      "excludeRegions",
    );
    assert.strictEqual(suggestKey("zzzzzz", ["regions", "tags"]), undefined);
  });

  it("prints paths as people write them", () => {
    assert.strictEqual(
      formatPath(["accounts", 3, "tags", "cost center"]),
      'accounts[3].tags["cost center"]',
    );
    assert.strictEqual(formatPath([]), "(top level)");
  });

  describe("what a parsed fleet holds", () => {
    it("holds only the file and the targets when nothing else is set", () => {
      assert.deepStrictEqual(fleetOf(ONE), {
        file: "fleet.yaml",
        targets: [
          { accountId: "111122223333", stack: "acct-111122223333", access: {}, settings: {} },
        ],
      });
    });

    it("merges tags from defaults alone, and gives an account without tags none", () => {
      const fleet = fleetOf(
        `defaults: { tags: { Owner: sec } }\n${ONE}  - { id: "444455556666", tags: { Env: dev } }\n`,
      );
      assert.deepStrictEqual(
        fleet.targets.map((t) => t.settings.tags),
        [{ Owner: "sec" }, { Owner: "sec", Env: "dev" }],
      );
      assert.ok(!("tags" in fleetOf(ONE).targets[0].settings));
    });

    it("keeps an account's own role ARN over the defaults' role name, and adds no external id unless set", () => {
      const fleet = fleetOf(`defaults: { roleName: Deployer }
accounts:
  - { id: "111122223333", roleArn: "arn:aws:iam::111122223333:role/Own" }
`);
      assert.deepStrictEqual(fleet.targets[0].access, {
        roleArn: "arn:aws:iam::111122223333:role/Own",
        sessionName: "access-analyzer-fleet",
      });
    });

    it("builds the role from an account's own roleName, and keeps an account's own tags", () => {
      const fleet = fleetOf(`accounts:
  - { id: "111122223333", roleName: Own, tags: { Env: prod } }
`);
      assert.strictEqual(fleet.targets[0].access.roleArn, "arn:aws:iam::111122223333:role/Own");
      assert.deepStrictEqual(fleet.targets[0].settings.tags, { Env: "prod" });
    });

    it("accepts exactly 50 tags on an account", () => {
      const tags = Array.from({ length: 50 }, (_, i) => `t${i}: v`).join(", ");
      assert.strictEqual(
        Object.keys(fleetOf(`${ONE}    tags: { ${tags} }\n`).targets[0].settings.tags ?? {}).length,
        50,
      );
    });

    it("marks the targets of an organization file as listed in it, and gives discovered accounts its defaults", () => {
      const fleet = fleetOf(
        `defaults: { regions: [us-east-1], roleName: Deployer }\norganization: {}\n${ONE}`,
      );
      assert.deepStrictEqual(fleet.targets[0].origin, { fleetFile: true });
      assert.deepStrictEqual(fleet.discovered?.("444455556666"), {
        accountId: "444455556666",
        stack: "acct-444455556666",
        access: {
          roleArn: "arn:aws:iam::444455556666:role/Deployer",
          sessionName: "access-analyzer-fleet",
        },
        settings: { regions: ["us-east-1"] },
      });
      assert.deepStrictEqual(fleetOf(`organization: {}\n`).discovered?.("444455556666"), {
        accountId: "444455556666",
        stack: "acct-444455556666",
        access: {},
        settings: {},
      });
      assert.strictEqual(fleetOf(ONE).discovered, undefined);
    });
  });

  describe("account rules", () => {
    it("refuses a role ARN of another account, naming both and the fix", () => {
      assert.deepStrictEqual(
        problemsOf(
          'accounts:\n  - { id: "111122223333", roleArn: "arn:aws:iam::444455556666:role/R" }\n',
        ),
        [
          {
            path: "accounts[0].roleArn",
            message:
              'names account 444455556666 but this entry is account 111122223333; use the role in 111122223333, e.g. "arn:aws:iam::111122223333:role/AccessAnalyzerDeployer"',
          },
        ],
      );
    });

    it("reports a stack against its first user even after a duplicate account", () => {
      assert.deepStrictEqual(
        problemsOf(
          `${ONE}  - id: "111122223333"\n  - { id: "444455556666", stack: acct-111122223333 }\n`,
        ).map((p) => `${p.path}: ${p.message}`),
        [
          "accounts[1].id: duplicates accounts[0].id (111122223333); list each account once",
          'accounts[2].stack: stack "acct-111122223333" is also used by accounts[0]; give each account its own stack',
        ],
      );
    });

    it("reports a stack used three times against its first user each time", () => {
      assert.deepStrictEqual(
        problemsOf(`accounts:
  - { id: "111122223333", stack: s }
  - { id: "444455556666", stack: s }
  - { id: "777788889999", stack: s }
`).map((p) => `${p.path}: ${p.message}`),
        [
          'accounts[1].stack: stack "s" is also used by accounts[0]; give each account its own stack',
          'accounts[2].stack: stack "s" is also used by accounts[0]; give each account its own stack',
        ],
      );
    });

    it("reports a repeated account once, as a duplicate id, not also as a shared stack", () => {
      assert.deepStrictEqual(
        problemsOf(`${ONE}  - id: "111122223333"\n`).map((p) => p.path),
        ["accounts[1].id"],
      );
    });

    it("counts both sides when defaults.tags and an account's tags together pass the limit", () => {
      const tags = (prefix: string, n: number) =>
        `{ ${Array.from({ length: n }, (_, i) => `${prefix}${i}: v`).join(", ")} }`;
      assert.deepStrictEqual(
        problemsOf(`defaults:\n  tags: ${tags("d", 30)}\n${ONE}    tags: ${tags("a", 30)}\n`),
        [
          {
            path: "accounts[0].tags",
            message:
              "defaults.tags (30) and this account's tags (30) merge to 60 tags; AWS allows at most 50 per analyzer: drop some here or in defaults.tags",
          },
        ],
      );
      assert.deepStrictEqual(
        problemsOf(`${ONE}    tags: ${tags("a", 51)}\n`).map((p) => p.path),
        ["accounts[0].tags"],
      );
    });

    it("reports a component problem at defaults when the value came from there, and says which account", () => {
      assert.deepStrictEqual(
        problemsOf(`defaults:
  unusedAccess: { region: eu-west-1 }
accounts:
  - { id: "111122223333", regions: [us-east-1] }
`),
        [
          {
            path: "defaults.unusedAccess.region",
            message:
              '"eu-west-1" is not in regions; pick one of us-east-1 (applies to accounts[0], 111122223333)',
          },
        ],
      );
      assert.deepStrictEqual(
        problemsOf(`defaults:
  regions: [us-east-1]
accounts:
  - { id: "111122223333", unusedAccess: { region: eu-west-1 } }
`),
        [
          {
            path: "accounts[0].unusedAccess.region",
            message: '"eu-west-1" is not in regions; pick one of us-east-1',
          },
        ],
      );
    });

    it("reports an account's own setting at the account even when defaults set it too", () => {
      assert.deepStrictEqual(
        problemsOf(`defaults:
  regions: [us-east-1]
  unusedAccess: { region: us-east-1 }
accounts:
  - { id: "111122223333", unusedAccess: { region: eu-west-1 } }
`).map((p) => p.path),
        ["accounts[0].unusedAccess.region"],
      );
    });

    it("words a problem other than the tag count plainly when defaults and the account both set tags", () => {
      assert.deepStrictEqual(
        problemsOf(
          `defaults: { tags: { a: "1" } }\n${ONE}    tags: { b: "2" }\n    regions: []\n`,
        ).map((p) => p.path),
        ["accounts[0].regions"],
      );
    });

    it("reports a role in the wrong partition at the setting that made it", () => {
      const paths = (text: string) => problemsOf(text).map((p) => p.path);
      assert.deepStrictEqual(
        paths(`accounts:
  - { id: "111122223333", lookupRegion: us-east-1, roleArn: "arn:aws-cn:iam::111122223333:role/R" }
`),
        ["accounts[0].roleArn"],
      );
      assert.deepStrictEqual(
        paths(`defaults: { partition: aws-cn, roleName: R, lookupRegion: us-east-1 }\n${ONE}`),
        ["defaults.partition"],
      );
      const [byPartition] = problemsOf(
        `defaults: { partition: aws, roleName: R, lookupRegion: cn-north-1 }\n${ONE}`,
      );
      assert.strictEqual(byPartition.path, "defaults.partition");
      assert.match(
        byPartition.message,
        /^the role arn:aws:iam::111122223333:role\/R is in partition aws, .*\(applies to accounts\[0\], 111122223333\)$/,
      );
      // Without a partition, the role is built in the lookup region's: nothing to report.
      assert.strictEqual(
        fleetOf(`defaults: { roleName: R, lookupRegion: cn-north-1 }\n${ONE}`).targets[0].access
          .roleArn,
        "arn:aws-cn:iam::111122223333:role/R",
      );
    });

    it("checks defaults against every discovered account only in an organization file", () => {
      const text = `defaults:
  regions: [us-east-1]
  unusedAccess: { region: eu-west-1 }
accounts:
  - { id: "111122223333", regions: [eu-west-1, us-east-1] }
`;
      assert.ok(parseFleetFile(text, "fleet.yaml").ok);
      assert.deepStrictEqual(problemsOf(`organization: {}\n${text}`), [
        {
          path: "defaults.unusedAccess.region",
          message:
            '"eu-west-1" is not in regions; pick one of us-east-1 (applies to every discovered account)',
        },
      ]);
    });

    it("reports a defaults role problem of an organization file at defaults", () => {
      const [problem] = problemsOf(
        `defaults: { partition: aws, roleName: R, lookupRegion: cn-north-1 }\norganization: {}\n`,
      );
      assert.strictEqual(problem.path, "defaults.partition");
      assert.match(problem.message, /\(applies to every discovered account\)$/);
    });
  });

  describe("YAML", () => {
    it("drops the position from the syntax message, which the path already gives", () => {
      assert.deepStrictEqual(problemsOf(`${"# comment\n".repeat(10)}accounts: [ "a", "b" ] ]\n`), [
        {
          path: "line 11, column 24",
          message: 'Unexpected flow-seq-end token in YAML stream: "]" (fix the YAML syntax)',
        },
      ]);
    });

    it("refuses a key given twice", () => {
      assert.match(
        problemsOf(`${ONE}accounts: []\n`)[0].message,
        /^Map keys must be unique \(fix the YAML syntax\)$/,
      );
    });

    it("calls a file of comments or null empty", () => {
      for (const text of ["# nothing yet\n", "null\n"]) {
        assert.deepStrictEqual(problemsOf(text), [
          { path: "(top level)", message: "the file is empty; start from fleet.example.yaml" },
        ]);
      }
    });

    it("says accounts must be a list when it is something else", () => {
      assert.deepStrictEqual(problemsOf("accounts: 5\n"), [
        { path: "accounts", message: "must be a list of accounts, each with at least an id" },
      ]);
    });
  });
});
