// The wording of argument problems (components/problems.ts), region selection (regions.ts), name
// checks (validation.ts) and the schema's cross-field rules (schema.ts), as a person reads them.
// Pure functions: no Pulumi engine, no AWS.
import * as assert from "node:assert/strict";
import * as fs from "node:fs";
import { z } from "zod";
import {
  formatPath,
  formatProblems,
  genericMessage,
  keysAt,
  problemsOf,
} from "../../components/problems";
import { checkRegionList, selectRegions } from "../../components/regions";
import { checkArgs, checkName } from "../../components/validation";
import {
  DEFAULTS,
  homeRegions,
  KNOWN_REGIONS,
  partitionOfArn,
  plannedAnalyzers,
  regionWordProblem,
  suggestKey,
  TAG_LIMITS,
} from "../../components/schema";
import type { AllRegionsAccessAnalyzerArgs } from "../../components/types";

type RawIssue = Parameters<typeof genericMessage>[0];
const issue = (fields: Record<string, unknown>) => fields as unknown as RawIssue;

/** The problems of `args`, as `path: message` lines. */
function problemLines(args: Record<string, unknown>): string[] {
  return checkArgs(args as AllRegionsAccessAnalyzerArgs).map((p) => `${p.path}: ${p.message}`);
}

function manyTags(n: number): Record<string, string> {
  return Object.fromEntries(Array.from({ length: n }, (_, i) => [`k${i}`, "v"]));
}

describe("argument problems", () => {
  describe("formatPath", () => {
    it("writes keys dotted, indexes in brackets and odd keys quoted", () => {
      assert.equal(
        formatPath(["accounts", 3, "tags", "cost center"]),
        'accounts[3].tags["cost center"]',
      );
      assert.equal(formatPath([0, "name"]), "[0].name");
      assert.equal(formatPath(["9lives"]), '["9lives"]');
    });

    it("quotes a symbol key instead of failing on it", () => {
      assert.equal(formatPath([Symbol("k")]), '["Symbol(k)"]');
    });

    it("names the top level when the path is empty", () => {
      assert.equal(formatPath([]), "(top level)");
    });
  });

  it("formatProblems puts the prefix first and one indented line per problem", () => {
    assert.equal(
      formatProblems("Bad arguments:", [
        { path: "regions[0]", message: "is wrong" },
        { path: "tags", message: "too many" },
      ]),
      "Bad arguments:\n  - regions[0]: is wrong\n  - tags: too many",
    );
  });

  describe("region codes AWS does not use", () => {
    it("refuses a typo in a region's words, naming the nearest region", () => {
      assert.strictEqual(
        regionWordProblem("eu-wset-1"),
        '"eu-wset-1" is not an AWS region code (no region uses "wset"); did you mean "eu-west-1"?',
      );
      assert.strictEqual(
        regionWordProblem("uss-east-1"),
        '"uss-east-1" is not an AWS region code (no region uses "uss"); did you mean "us-east-1"?',
      );
      assert.match(regionWordProblem("xx-yyyyyy-1") ?? "", /use the form "us-east-1"$/);
    });

    it("accepts every region AWS has, and a later one made of known words", () => {
      for (const region of KNOWN_REGIONS) assert.strictEqual(regionWordProblem(region), undefined);
      for (const later of ["eu-west-9", "ap-southeast-12", "me-north-1", "us-gov-central-1"]) {
        assert.strictEqual(regionWordProblem(later), undefined, later);
      }
    });

    it("knows the regions of AWS's endpoint metadata as the SDK ships it, in every partition", () => {
      // The SDK's own copy of AWS's partitions.json, a JSON literal in an ES module.
      const text = fs.readFileSync(
        require
          .resolve("@aws-sdk/core")
          .replace(
            /dist-cjs\/index\.js$/,
            "dist-es/submodules/client/util-endpoints/lib/aws/partitions.js",
          ),
        "utf8",
      );
      const sdk = JSON.parse(text.slice(text.indexOf("{"), text.lastIndexOf("}") + 1)) as {
        partitions: { regions: Record<string, unknown> }[];
      };
      const regions = sdk.partitions.flatMap((p) =>
        Object.keys(p.regions).filter((r) => !r.startsWith("aws")),
      );
      assert.deepStrictEqual([...KNOWN_REGIONS].sort(), regions.sort());
    });
  });

  describe("suggestKey", () => {
    it("prefers the first of two equally close keys", () => {
      assert.equal(suggestKey("ab", ["ac", "ad"]), "ac");
    });

    it("allows a third of a long key's letters to differ", () => {
      // 9 letters: up to 3 edits still count as a typo.
      assert.equal(suggestKey("abcdefghi", ["abcdefxyz"]), "abcdefxyz");
      assert.equal(suggestKey("abcdefghi", ["abcdewxyz"]), undefined);
    });

    it("ignores case", () => {
      assert.equal(suggestKey("REGIONS", ["regions"]), "regions");
    });
  });

  describe("genericMessage", () => {
    it("says a missing value is required", () => {
      assert.equal(
        genericMessage(issue({ code: "invalid_type", expected: "string", input: undefined })),
        "is required",
      );
    });

    it("names what was expected and what came, in words", () => {
      const got = (expected: string, input: unknown) =>
        genericMessage(issue({ code: "invalid_type", expected, input }));
      assert.equal(got("string", null), "must be a string (got null)");
      assert.equal(got("string", [1]), "must be a string (got a list)");
      assert.equal(got("string", { a: 1 }), "must be a string (got a map)");
      assert.equal(got("string", 5), "must be a string (got number 5)");
      assert.equal(got("array", "x"), 'must be a list (got string "x")');
      assert.equal(got("object", 1), "must be a map (got number 1)");
      assert.equal(got("record", true), "must be a map (got boolean true)");
    });

    it("words list lengths as items and numbers as bounds", () => {
      const msg = (code: string, origin: string, bound: Record<string, number>) =>
        genericMessage(issue({ code, origin, ...bound }));
      assert.equal(msg("too_small", "array", { minimum: 1 }), "must have at least 1 item(s)");
      assert.equal(msg("too_small", "number", { minimum: 3 }), "must be at least 3");
      assert.equal(msg("too_big", "array", { maximum: 10 }), "must have at most 10 item(s)");
      assert.equal(msg("too_big", "number", { maximum: 365 }), "must be at most 365");
    });

    it("leaves other issues to the schema's own message", () => {
      assert.equal(genericMessage(issue({ code: "invalid_format", format: "regex" })), undefined);
    });
  });

  describe("keysAt", () => {
    const inner = z.strictObject({ name: z.string(), filters: z.number() });
    const schema = z.strictObject({
      list: z.array(inner),
      map: z.record(z.string(), z.strictObject({ x: z.number() })),
      either: z.union([z.strictObject({ k: z.string() }), z.string()]).optional(),
      piped: z.strictObject({ p: z.string() }).transform((v) => v.p),
    });

    it("follows lists, maps, unions, optionals and transforms to the object's keys", () => {
      assert.deepEqual(keysAt(schema, []), ["list", "map", "either", "piped"]);
      assert.deepEqual(keysAt(schema, ["list", 0]), ["name", "filters"]);
      assert.deepEqual(keysAt(schema, ["map", "any key"]), ["x"]);
      assert.deepEqual(keysAt(schema, ["either"]), ["k"]);
      assert.deepEqual(keysAt(schema, ["piped"]), ["p"]);
    });

    it("gives no keys where there is no object or no such key", () => {
      assert.deepEqual(keysAt(schema, ["list"]), []);
      assert.deepEqual(keysAt(schema, ["nope"]), []);
      assert.deepEqual(keysAt(schema, ["nope", "deeper"]), []);
      assert.deepEqual(keysAt(schema, ["map", "k", "x"]), []);
    });
  });

  describe("problemsOf", () => {
    const schema = z.strictObject({
      rules: z
        .array(z.strictObject({ name: z.string(), filter: z.string().optional() }))
        .optional(),
      empty: z.strictObject({}).optional(),
      providerArgs: z.strictObject({ profile: z.string() }).optional(),
      labels: z
        .record(z.string().regex(/^a/, { error: "must start with a" }), z.number())
        .optional(),
      value: z.union([z.string().min(3, { error: "is too short" }), z.number()]).optional(),
    });
    const problems = (input: unknown, keyHints?: Record<string, string>) => {
      const parsed = schema.safeParse(input);
      assert.ok(!parsed.success);
      return problemsOf(parsed.error.issues, { schema, keyHints });
    };

    it("suggests the nearest allowed key and lists the allowed ones", () => {
      assert.deepEqual(problems({ rules: [{ nmae: "x", name: "y" }] }), [
        {
          path: "rules[0].nmae",
          message: 'unknown key; did you mean "name"? Allowed here: name, filter',
        },
      ]);
    });

    it("ends with a full stop when no key is close, and lists none where none is allowed", () => {
      assert.deepEqual(problems({ rules: [{ name: "y", zzzzzzzz: 1 }], empty: { q: 1 } }), [
        { path: "rules[0].zzzzzzzz", message: "unknown key. Allowed here: name, filter" },
        { path: "empty.q", message: "unknown key." },
      ]);
    });

    it("says a stray providerArgs key is no aws.ProviderArgs field", () => {
      assert.deepEqual(problems({ providerArgs: { profile: "p", regoin: "x" } }), [
        {
          path: "providerArgs.regoin",
          message: "is not an aws.ProviderArgs field. Allowed here: profile",
        },
      ]);
    });

    it("uses a key hint instead of the generic wording", () => {
      assert.deepEqual(
        problems({ empty: { roleArn: "x" } }, { "empty.roleArn": "goes elsewhere" }),
        [{ path: "empty.roleArn", message: "goes elsewhere" }],
      );
    });

    it("reports a bad map key at the key with the key schema's own message", () => {
      assert.deepEqual(problems({ labels: { b: 1 } }), [
        { path: "labels.b", message: "must start with a" },
      ]);
    });

    it("reports a union's first option's problem at the full path", () => {
      assert.deepEqual(problems({ value: "ab" }), [{ path: "value", message: "is too short" }]);
    });

    it("falls back to the issue's message when a key or union issue carries no details", () => {
      const raw = [
        { code: "invalid_key", origin: "record", issues: [], path: ["labels"], message: "bad key" },
        { code: "invalid_union", errors: [], path: ["value"], message: "no option fits" },
      ] as unknown as z.core.$ZodIssue[];
      assert.deepEqual(problemsOf(raw, { schema }, ["top"]), [
        { path: "top.labels", message: "bad key" },
        { path: "top.value", message: "no option fits" },
      ]);
    });
  });
});

describe("region lists and region selection", () => {
  it("checkRegionList accepts a missing list and a good one", () => {
    assert.deepEqual(checkRegionList("regions", undefined), []);
    assert.deepEqual(checkRegionList("regions", ["us-east-1", "eu-west-1"]), []);
  });

  it("checkRegionList names the argument and the entry of every bad or repeated region", () => {
    assert.deepEqual(checkRegionList("excludeRegions", ["us-east-1", "bogus", "us-east-1"]), [
      {
        path: "excludeRegions[1]",
        message: '"bogus" is not a region code; use the form "us-east-1"',
      },
      {
        path: "excludeRegions[2]",
        message: '"us-east-1" is listed twice; list each region once',
      },
    ]);
    assert.deepEqual(checkRegionList("regions", [5]), [
      { path: "regions[0]", message: 'must be a region code string, e.g. "us-east-1"' },
    ]);
  });

  it("without exclusions covers every enabled region, sorted, and warns about nothing", () => {
    assert.deepEqual(selectRegions(["us-west-2", "eu-west-1"], undefined), {
      regions: ["eu-west-1", "us-west-2"],
      problems: [],
      warnings: [],
    });
  });

  it("an exclusion of an enabled region is silent", () => {
    assert.deepEqual(selectRegions(["us-east-1", "eu-west-1"], undefined, ["eu-west-1"]), {
      regions: ["us-east-1"],
      problems: [],
      warnings: [],
    });
  });

  it("names a region that is not enabled and how to enable it", () => {
    const s = selectRegions(["us-east-1"], ["us-east-1", "ap-east-1"]);
    assert.deepEqual(s.problems, [
      {
        path: "regions[1]",
        message:
          '"ap-east-1" is not enabled in this account, so no analyzer can be created there; ' +
          "enable it (aws account enable-region --region-name ap-east-1) or remove it from the list",
      },
    ]);
  });

  it("warns about an exclusion outside the explicit regions", () => {
    const s = selectRegions(["us-east-1", "eu-west-1"], ["us-east-1"], ["eu-west-1"]);
    assert.deepEqual(s.warnings, [
      'excludeRegions: "eu-west-1" is not in regions; nothing to exclude',
    ]);
    assert.deepEqual(s.regions, ["us-east-1"]);
  });

  it("reports only the not-enabled region when that leaves nothing to cover", () => {
    const s = selectRegions(["us-east-1"], ["ap-east-1"], ["ap-east-1"]);
    assert.deepEqual(
      s.problems.map((p) => p.path),
      ["regions[0]"],
    );
  });

  it("says which explicit regions are all excluded", () => {
    const s = selectRegions(
      ["us-east-1", "eu-west-1"],
      ["us-east-1", "eu-west-1"],
      ["us-east-1", "eu-west-1"],
    );
    assert.deepEqual(s.problems, [
      {
        path: "excludeRegions",
        message:
          "leaves no region to cover: every region in regions (us-east-1, eu-west-1) is also " +
          "excluded; remove it from one of the lists",
      },
    ]);
  });

  it("says which enabled regions are all excluded, or that none is enabled", () => {
    assert.deepEqual(selectRegions(["us-east-1"], undefined, ["us-east-1"]).problems, [
      {
        path: "excludeRegions",
        message: "leaves no region to cover (enabled: us-east-1); remove some exclusions",
      },
    ]);
    assert.deepEqual(
      selectRegions(["us-east-1", "eu-west-1"], undefined, ["us-east-1", "eu-west-1"]).problems,
      [
        {
          path: "excludeRegions",
          message:
            "leaves no region to cover (enabled: us-east-1, eu-west-1); remove some exclusions",
        },
      ],
    );
    assert.deepEqual(selectRegions([], undefined).problems, [
      {
        path: "excludeRegions",
        message: "leaves no region to cover (enabled: none); remove some exclusions",
      },
    ]);
  });
});

describe("checkName", () => {
  it("returns the problem at the given path with the schema's wording", () => {
    assert.deepEqual(checkName("archiveRules[0].name", "1bad"), {
      path: "archiveRules[0].name",
      message:
        '"1bad" is not allowed: start with a letter and use only letters, digits, "_", "." and "-" ' +
        `(e.g. "${DEFAULTS.analyzerName}")`,
    });
    assert.equal(checkName("analyzerName", "good-name"), undefined);
  });
});

describe("component schema rules", () => {
  it("partitionOfArn reads only a leading ARN", () => {
    assert.equal(partitionOfArn("arn:aws-cn:iam::111122223333:role/x"), "aws-cn");
    assert.equal(partitionOfArn("role arn:aws-cn:iam::111122223333:role/x"), undefined);
    assert.equal(partitionOfArn("not an arn"), undefined);
  });

  it("allows exactly the tag limit and refuses one more", () => {
    assert.deepEqual(problemLines({ tags: manyTags(TAG_LIMITS.maxTags) }), []);
    assert.deepEqual(problemLines({ tags: manyTags(TAG_LIMITS.maxTags + 1) }), [
      `tags: has ${TAG_LIMITS.maxTags + 1} tags; AWS allows at most ${TAG_LIMITS.maxTags} per analyzer`,
    ]);
  });

  it("lets a promised tag value through and refuses a missing or null one", () => {
    assert.deepEqual(problemLines({ tags: { team: Promise.resolve("x") } }), []);
    assert.equal(problemLines({ tags: { team: null } }).length, 1);
    assert.equal(problemLines({ tags: { team: undefined } }).length, 1);
  });

  it("says why a reserved tag key is refused and what to do", () => {
    assert.deepEqual(problemLines({ tags: { "aws:owner": "x" } }), [
      'tags["aws:owner"]: tag key "aws:owner" uses the reserved prefix "aws:" (AWS sets those ' +
        "tags itself, and the provider drops them); choose another key",
    ]);
  });

  it("refuses tag keys outside AWS's tag character set (a newline, a NUL, a #) or of spaces only, naming the character", () => {
    const allowed = "cost-center/eu:1 = +_.@ Ünïcode 名前 42";
    assert.deepEqual(problemLines({ tags: { [allowed]: "a, b (c) #1" } }), []);
    assert.deepEqual(problemLines({ tags: { "owner\nteam": "x" } }), [
      `tags["owner\\nteam"]: tag key "owner\\nteam" has "\\n" at position 6, outside AWS's tag ` +
        "character set; use letters, digits, spaces and _ . : / = + - @",
    ]);
    assert.match(problemLines({ tags: { "a\u0000": "x" } })[0], /has "\\u0000" at position 2/);
    assert.match(problemLines({ tags: { "a#b": "x" } })[0], /has "#" at position 2/);
    for (const spaces of [" ", "   ", "\u00a0"]) {
      assert.deepEqual(problemLines({ tags: { [spaces]: "x" } }), [
        `tags[${JSON.stringify(spaces)}]: tag key ${JSON.stringify(spaces)} is only spaces; give it a letter, digit or one of _ . : / = + - @`,
      ]);
    }
    assert.deepEqual(
      problemLines({ tags: { " owner ": "x" } }),
      [],
      "spaces around a key are AWS's",
    );
  });

  it("refuses a tag value with a control character, and keeps any printable one", () => {
    assert.deepEqual(problemLines({ tags: { owner: "line one\nline two" } }), [
      `tags.owner: tag value "line one\\nline two" has a control character ("\\n"), outside AWS's tag character set; remove it`,
    ]);
    assert.deepEqual(problemLines({ tags: { owner: "a\u0000" } }).length, 1);
    assert.deepEqual(problemLines({ tags: { owner: "Security, EU (24/7) #1 'x' & y" } }), []);
  });

  it("accepts an unused-access exclusion of accounts only or of tags only", () => {
    const args = (exclusion: unknown) => ({
      unusedAccess: { region: "us-east-1", exclusions: [exclusion] },
    });
    assert.deepEqual(problemLines(args({ accountIds: ["111122223333"] })), []);
    assert.deepEqual(problemLines(args({ resourceTags: [{ team: "a" }] })), []);
    assert.deepEqual(problemLines(args({ accountIds: [] })), [
      "unusedAccess.exclusions[0]: excludes nothing; give accountIds or resourceTags",
    ]);
  });

  it("refuses an internal-access inclusion whose lists are empty, and names a bad ARN", () => {
    const args = (inclusion: unknown) => ({
      internalAccess: { analysisRule: { inclusions: [inclusion] } },
    });
    assert.deepEqual(problemLines(args({ resourceTypes: [] })), [
      "internalAccess.analysisRule.inclusions[0]: includes nothing; give resourceTypes or resourceArns",
    ]);
    assert.deepEqual(
      problemLines(args({ resourceTypes: undefined, resourceArns: ["arn:aws:s3:::b"] })),
      [],
    );
    assert.deepEqual(problemLines(args({ resourceArns: ["bucket"] })), [
      'internalAccess.analysisRule.inclusions[0].resourceArns[0]: "bucket" is not an ARN, e.g. "arn:aws:s3:::my-bucket"',
    ]);
  });

  it("names an empty adopted analyzer name in words, not as a pattern", () => {
    assert.deepEqual(problemLines({ adopt: { "us-east-1": "" } }), [
      'adopt["us-east-1"]: "" is not an analyzer name (or name@region, as a state records it)',
    ]);
  });

  it("refuses an adopted name@region whose region is not its key: the import would read another region's analyzer", () => {
    assert.deepEqual(problemLines({ adopt: { "eu-west-1": "console@us-east-1" } }), [
      'adopt["eu-west-1"]: "console@us-east-1" names us-east-1, not eu-west-1: the import would ' +
        'read another region\'s analyzer; use "console@eu-west-1" (or the plain name)',
    ]);
    assert.deepEqual(problemLines({ adopt: { "eu-west-1": "console@eu-west-1" } }), []);
  });

  it("takes allowDelete entries only as name@region", () => {
    assert.deepEqual(
      problemLines({ allowDelete: ["console@eu-west-1", "console", 3], adopt: {} }),
      [
        'allowDelete[1]: "console" is not an adopted analyzer as name@region, e.g. "console@eu-west-1"',
        'allowDelete[2]: 3 is not an adopted analyzer as name@region, e.g. "console@eu-west-1"',
      ],
    );
    assert.deepEqual(problemLines({ allowDelete: "console@eu-west-1" }), [
      'allowDelete: must be a list of adopted analyzers as name@region, e.g. ["console@eu-west-1"]',
    ]);
  });

  it("lists the regions when explicit regions are all excluded or a home region is outside them", () => {
    assert.deepEqual(
      problemLines({
        regions: ["us-east-1", "eu-west-1"],
        excludeRegions: ["us-east-1", "eu-west-1"],
      }),
      [
        "excludeRegions: excludes every region in regions (us-east-1, eu-west-1): a region both " +
          "listed and excluded is not covered, which leaves nothing to cover; remove it from one of the lists",
      ],
    );
    assert.deepEqual(
      problemLines({
        regions: ["us-east-1", "eu-west-1"],
        organization: { unusedAccess: { region: "ap-south-1" } },
      }),
      [
        'organization.unusedAccess.region: "ap-south-1" is not in regions; pick one of us-east-1, eu-west-1',
      ],
    );
  });

  describe("partitions", () => {
    it("names the STS region and the web-identity role that are in another partition", () => {
      assert.deepEqual(
        problemLines({
          lookupRegion: "us-east-1",
          providerArgs: {
            stsRegion: "cn-north-1",
            assumeRoleWithWebIdentity: {
              roleArn: "arn:aws-cn:iam::111122223333:role/ci",
              webIdentityToken: "t",
            },
          },
        }).map((l) => l.split(":")[0]),
        ["providerArgs.stsRegion", "providerArgs.assumeRoleWithWebIdentity.roleArn"],
      );
    });

    it("takes the reference from lookupRegion only when it is a region code", () => {
      assert.deepEqual(
        problemLines({ lookupRegion: "nowhere", regions: ["cn-north-1"] }).map(
          (l) => l.split(":")[0],
        ),
        ["lookupRegion", "lookupRegion"],
      );
    });

    it("gives no example region for a partition it has none for", () => {
      const lines = problemLines({
        providerArgs: { assumeRoles: [{ roleArn: "arn:aws-iso:iam::111122223333:role/x" }] },
      });
      assert.equal(lines.length, 1);
      assert.match(lines[0], /^lookupRegion: .*set lookupRegion to a region of aws-iso$/);
    });
  });

  describe("analyzer names", () => {
    it("homeRegions lists every home region with its path", () => {
      assert.deepEqual(
        homeRegions({
          unusedAccess: { region: "us-east-1" },
          internalAccess: { regions: ["eu-west-1"] },
          organization: {
            unusedAccess: { region: "eu-west-2" },
            internalAccess: { region: "eu-west-3" },
          },
        }),
        [
          { path: ["unusedAccess", "region"], region: "us-east-1" },
          { path: ["internalAccess", "regions", 0], region: "eu-west-1" },
          { path: ["organization", "unusedAccess", "region"], region: "eu-west-2" },
          { path: ["organization", "internalAccess", "region"], region: "eu-west-3" },
        ],
      );
    });

    it("plannedAnalyzers resolves every analyzer's name, regions and wording", () => {
      assert.deepEqual(
        plannedAnalyzers({
          internalAccess: {},
          organization: {
            externalAccess: true,
            unusedAccess: { region: "us-east-1" },
            internalAccess: { region: "eu-west-1" },
          },
        }),
        [
          {
            path: ["analyzerName"],
            name: DEFAULTS.analyzerName,
            regions: "every",
            what: "the external-access analyzer",
          },
          {
            path: ["internalAccess", "analyzerName"],
            name: DEFAULTS.internalAccessAnalyzerName,
            regions: "every",
            what: "the internal-access analyzer",
          },
          {
            path: ["organization", "externalAccess", "analyzerName"],
            name: DEFAULTS.organizationAnalyzerName,
            regions: "every",
            what: "the organization external-access analyzer",
          },
          {
            path: ["organization", "unusedAccess", "analyzerName"],
            name: DEFAULTS.organizationUnusedAccessAnalyzerName,
            regions: ["us-east-1"],
            what: "the organization unused-access analyzer",
          },
          {
            path: ["organization", "internalAccess", "analyzerName"],
            name: DEFAULTS.organizationInternalAccessAnalyzerName,
            regions: ["eu-west-1"],
            what: "the organization internal-access analyzer",
          },
        ],
      );
    });

    it("plannedAnalyzers takes the names that are set", () => {
      const names = plannedAnalyzers({
        organization: {
          externalAccess: { analyzerName: "org-ext" },
          internalAccess: { region: "eu-west-1", analyzerName: "org-int" },
        },
      }).map((a) => a.name);
      assert.deepEqual(names, [DEFAULTS.analyzerName, "org-ext", "org-int"]);
    });

    it("allows one name for analyzers in different home regions", () => {
      assert.deepEqual(
        problemLines({
          unusedAccess: { region: "us-east-1", analyzerName: "shared" },
          organization: { unusedAccess: { region: "eu-west-1", analyzerName: "shared" } },
        }),
        [],
      );
    });

    it("refuses a name shared with an analyzer in every region, naming the other setting", () => {
      assert.deepEqual(
        problemLines({
          unusedAccess: { region: "us-east-1", analyzerName: "shared" },
          internalAccess: { analyzerName: "shared" },
        }),
        [
          'internalAccess.analyzerName: "shared" is also the name of the unused-access analyzer ' +
            "(unusedAccess.analyzerName); analyzer names are unique per account and region, so " +
            "give the internal-access analyzer another one",
        ],
      );
    });

    it("refuses a name shared in one region of several", () => {
      const lines = problemLines({
        internalAccess: { analyzerName: "shared", regions: ["us-east-1", "eu-west-1"] },
        organization: { unusedAccess: { region: "eu-west-1", analyzerName: "shared" } },
      });
      assert.equal(lines.length, 1);
      assert.match(
        lines[0],
        /^organization\.unusedAccess\.analyzerName: "shared" is also the name/,
      );
    });
  });
});
