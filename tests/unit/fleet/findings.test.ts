import * as assert from "assert";
import { SdkAccountReader } from "../../../fleet/aws/reader";
import type { AnalyzerInfo } from "../../../fleet/domain/account";
import {
  type FindingCriteria,
  type FindingDetail,
  type FindingsAccountReader,
  type FindingSummary,
} from "../../../fleet/domain/account";
import {
  describeFilter,
  FindingsFilterError,
  grantDescription,
  keepFinding,
  parseFindingsFilter,
  parseSince,
  serverCriteria,
  sortFindings,
  type Finding,
  type FindingsFilter,
} from "../../../fleet/domain/findings";
import {
  DETAIL_CONCURRENCY,
  eachLimited,
  readAccountFindings,
  runFindings,
} from "../../../fleet/flows/findings";
import type { Target } from "../../../fleet/settings/schema";
import { FakeAwsAdminClient, startFakeAws, type FakeAws } from "../../harness/fake-aws";

const NOW = new Date("2025-06-15T12:00:00.000Z");
const ACTIVE: FindingsFilter = { status: "ACTIVE", publicOnly: false };

const finding = (extra: Partial<Finding>): Finding => ({
  accountId: "111122223333",
  region: "eu-west-1",
  analyzer: { name: "a", arn: "arn", type: "ACCOUNT" },
  id: "f1",
  findingType: "ExternalAccess",
  resourceType: "AWS::S3::Bucket",
  resourceOwnerAccount: "111122223333",
  exposure: "cross-account",
  status: "ACTIVE",
  updatedAt: "2025-06-10T00:00:00.000Z",
  ...extra,
});

describe("findings filters (pure)", () => {
  it("defaults to ACTIVE findings of every resource type, public or not, of any age", () => {
    assert.deepStrictEqual(parseFindingsFilter({}, NOW), ACTIVE);
  });

  it("accepts a status in any case and resource types comma-separated or repeated", () => {
    const f = parseFindingsFilter(
      { status: "archived", resourceType: ["aws::s3::bucket,AWS::IAM::Role", "AWS::KMS::Key"] },
      NOW,
    );
    assert.strictEqual(f.status, "ARCHIVED");
    assert.deepStrictEqual(f.resourceTypes, ["AWS::S3::Bucket", "AWS::IAM::Role", "AWS::KMS::Key"]);
  });

  it("rejects an unknown status, naming --status and the allowed values", () => {
    assert.throws(
      () => parseFindingsFilter({ status: "OPEN" }, NOW),
      (e: Error) =>
        e instanceof FindingsFilterError &&
        /^--status: "OPEN" is not a finding status; use one of ACTIVE, ARCHIVED, RESOLVED$/.test(
          e.message,
        ),
    );
  });

  it("rejects an unknown resource type, naming --resource-type and listing the known ones", () => {
    assert.throws(
      () => parseFindingsFilter({ resourceType: "AWS::S3::Buckets" }, NOW),
      /--resource-type: "AWS::S3::Buckets" is not a resource type Access Analyzer reports; use one of .*AWS::S3::Bucket,/,
    );
  });

  it("reads --since as a duration before now or as an ISO date", () => {
    assert.strictEqual(parseSince("7d", NOW), "2025-06-08T12:00:00.000Z");
    assert.strictEqual(parseSince("12h", NOW), "2025-06-15T00:00:00.000Z");
    assert.strictEqual(parseSince("30m", NOW), "2025-06-15T11:30:00.000Z");
    assert.strictEqual(parseSince("2w", NOW), "2025-06-01T12:00:00.000Z");
    assert.strictEqual(parseSince("2025-01-31", NOW), "2025-01-31T00:00:00.000Z");
    assert.strictEqual(parseSince("2025-01-31T10:00:00+02:00", NOW), "2025-01-31T08:00:00.000Z");
  });

  it("rejects a --since that is neither, saying what to write", () => {
    for (const bad of ["yesterday", "7 days", "2025-13-45", "-7d"]) {
      assert.throws(() => parseSince(bad, NOW), /^FindingsFilterError: --since: .* such as 30m/);
    }
  });

  it("keeps only public findings with publicOnly, and only recent ones with since", () => {
    const filter: FindingsFilter = { ...ACTIVE, publicOnly: true, since: "2025-06-09T00:00:00Z" };
    assert.strictEqual(keepFinding(finding({ exposure: "public" }), filter), true);
    assert.strictEqual(keepFinding(finding({}), filter), false);
    assert.strictEqual(
      keepFinding(finding({ exposure: "public", updatedAt: "2025-06-08T23:59:59.000Z" }), filter),
      false,
    );
  });

  it("describes the grant by principal, then condition, in a stable order", () => {
    assert.strictEqual(
      grantDescription({
        principal: { Service: "lambda.amazonaws.com", AWS: "444455556666" },
        condition: { "aws:SourceIp": "10.0.0.0/8" },
      }),
      "AWS: 444455556666; Service: lambda.amazonaws.com (if aws:SourceIp: 10.0.0.0/8)",
    );
    assert.strictEqual(grantDescription({}), "");
  });
});

describe("findings filters and ordering (pure), edge by edge", () => {
  it("reads --since with surrounding blanks, a blank before the unit, and an upper-case unit", () => {
    assert.strictEqual(parseSince("  7d  ", NOW), "2025-06-08T12:00:00.000Z");
    assert.strictEqual(parseSince("7 d", NOW), "2025-06-08T12:00:00.000Z");
    assert.strictEqual(parseSince("3H", NOW), "2025-06-15T09:00:00.000Z");
    assert.strictEqual(parseSince(" 2025-01-31 ", NOW), "2025-01-31T00:00:00.000Z");
  });

  it("reads --since as an ISO time with or without a zone, with or without the colon in the offset", () => {
    assert.strictEqual(parseSince("2025-01-31T10:00:00Z", NOW), "2025-01-31T10:00:00.000Z");
    assert.strictEqual(parseSince("2025-01-31T10:00:00+0200", NOW), "2025-01-31T08:00:00.000Z");
    assert.strictEqual(
      parseSince("2025-01-31T10:00:00", NOW),
      new Date(2025, 0, 31, 10, 0, 0).toISOString(),
      "no zone: local time, as Date.parse reads it",
    );
  });

  it("rejects --since dates JavaScript would guess at but that are not ISO dates", () => {
    for (const bad of ["2025/01/31", "Jan 31 2025", "Friday 2025-01-31", "2025-01-31junk"]) {
      assert.throws(
        () => parseSince(bad, NOW),
        (e: Error) => e instanceof FindingsFilterError && e.message.startsWith(`--since: "${bad}"`),
        bad,
      );
    }
  });

  it("accepts a status with blanks around it", () => {
    assert.strictEqual(parseFindingsFilter({ status: " resolved " }, NOW).status, "RESOLVED");
  });

  it("trims resource types, ignores empty entries and keeps each type once", () => {
    const f = parseFindingsFilter(
      { resourceType: [" AWS::S3::Bucket , ,AWS::IAM::Role,", "aws::s3::bucket"] },
      NOW,
    );
    assert.deepStrictEqual(f.resourceTypes, ["AWS::S3::Bucket", "AWS::IAM::Role"]);
    // Nothing at all is refused: it would otherwise filter nothing without a word.
    assert.throws(
      () => parseFindingsFilter({ resourceType: " , " }, NOW),
      /--resource-type: empty; name at least one/,
    );
  });

  it("passes the parsed --since and --public on", () => {
    assert.deepStrictEqual(parseFindingsFilter({ publicOnly: true, since: "1d" }, NOW), {
      status: "ACTIVE",
      publicOnly: true,
      since: "2025-06-14T12:00:00.000Z",
    });
  });

  it("asks AWS to filter on status, and on resource type only when some are given", () => {
    assert.deepStrictEqual(serverCriteria(ACTIVE), { status: { eq: ["ACTIVE"] } });
    assert.deepStrictEqual(
      serverCriteria({ ...ACTIVE, resourceTypes: ["AWS::S3::Bucket", "AWS::KMS::Key"] }),
      {
        status: { eq: ["ACTIVE"] },
        resourceType: { eq: ["AWS::S3::Bucket", "AWS::KMS::Key"] },
      },
    );
  });

  it("describes the filter in words, each part only when set", () => {
    assert.strictEqual(describeFilter(ACTIVE), "status ACTIVE");
    assert.strictEqual(
      describeFilter({
        status: "ARCHIVED",
        resourceTypes: ["AWS::S3::Bucket", "AWS::IAM::Role"],
        publicOnly: true,
        since: "2025-06-01T00:00:00.000Z",
      }),
      "status ARCHIVED; resource type AWS::S3::Bucket, AWS::IAM::Role; public only; " +
        "updated since 2025-06-01T00:00:00.000Z",
    );
  });

  it("keeps a finding only if its status and resource type match, and it was updated at or after since", () => {
    assert.strictEqual(keepFinding(finding({}), ACTIVE), true);
    assert.strictEqual(keepFinding(finding({ status: "ARCHIVED" }), ACTIVE), false);
    const buckets: FindingsFilter = { ...ACTIVE, resourceTypes: ["AWS::S3::Bucket"] };
    assert.strictEqual(keepFinding(finding({}), buckets), true);
    assert.strictEqual(keepFinding(finding({ resourceType: "AWS::KMS::Key" }), buckets), false);
    const since: FindingsFilter = { ...ACTIVE, since: "2025-06-10T00:00:00.000Z" };
    assert.strictEqual(keepFinding(finding({}), since), true, "updated exactly at since");
    assert.strictEqual(
      keepFinding(finding({ updatedAt: "2025-06-09T23:59:59.999Z" }), since),
      false,
    );
  });

  it("describes a grant with only a condition as 'if …'", () => {
    assert.strictEqual(
      grantDescription({ condition: { "aws:SourceVpc": "vpc-1", "aws:SourceIp": "10.0.0.0/8" } }),
      "if aws:SourceIp: 10.0.0.0/8; aws:SourceVpc: vpc-1",
    );
  });

  it("sorts findings by region, then analyzer, then resource (none first), then id, without touching the input", () => {
    const a = (region: string, analyzer: string, resource: string | undefined, id: string) =>
      finding({ region, analyzer: { name: analyzer, arn: "arn", type: "ACCOUNT" }, resource, id });
    const input = Object.freeze([
      a("us-east-1", "a", "r1", "1"),
      a("eu-west-1", "b", "r1", "2"),
      a("eu-west-1", "a", "r2", "3"),
      a("eu-west-1", "a", "r1", "5"),
      a("eu-west-1", "a", "r1", "4"),
      a("eu-west-1", "a", undefined, "6"),
    ]);
    assert.deepStrictEqual(
      sortFindings(input).map((f) => f.id),
      ["6", "4", "5", "3", "2", "1"],
    );
    assert.deepStrictEqual(
      input.map((f) => f.id),
      ["1", "2", "3", "5", "4", "6"],
    );
  });
});

describe("readAccountFindings with details (through a FindingsAccountReader)", () => {
  const arn = "arn:aws:access-analyzer:eu-west-1:111122223333:analyzer/external-access";
  function stubReader(calls: string[]): FindingsAccountReader {
    return {
      enabledRegions: () => Promise.resolve(["eu-west-1"]),
      analyzers: () =>
        Promise.resolve([{ name: "external-access", arn, type: "ACCOUNT", status: "ACTIVE" }]),
      activeFindings: () => Promise.reject(new Error("not used by findings")),
      findings: (_region: string, _arn: string, criteria: FindingCriteria) => {
        calls.push(`list ${JSON.stringify(criteria)}`);
        return Promise.resolve([
          {
            id: "f1",
            resourceType: "AWS::KMS::Key",
            resource: "arn:aws:kms:eu-west-1:111122223333:key/k",
            resourceOwnerAccount: "111122223333",
            status: "ACTIVE",
            findingType: "ExternalAccess",
            updatedAt: "2025-06-10T00:00:00.000Z",
          },
        ]);
      },
      findingDetail: (_region: string, _arn: string, id: string) => {
        calls.push(`get ${id}`);
        return Promise.resolve({
          isPublic: false,
          principal: { AWS: "arn:aws:iam::444455556666:root" },
          condition: { "kms:ViaService": "s3.eu-west-1.amazonaws.com" },
          action: ["kms:Decrypt"],
        });
      },
    };
  }

  it("reads the details of an analyzer's findings DETAIL_CONCURRENCY at a time, each finding with its own", async () => {
    const ids = Array.from({ length: 50 }, (_, i) => `f${i}`);
    let inFlight = 0;
    let most = 0;
    const reader: FindingsAccountReader = {
      ...stubReader([]),
      findings: () =>
        Promise.resolve(
          ids.map((id) => ({
            id,
            resourceType: "AWS::S3::Bucket",
            resourceOwnerAccount: "111122223333",
            status: "ACTIVE",
            updatedAt: "2025-06-10T00:00:00.000Z",
          })),
        ),
      findingDetail: async (_region, _arn, id) => {
        inFlight++;
        most = Math.max(most, inFlight);
        // Later findings answer sooner: results must still go to their own finding.
        await new Promise((r) => setTimeout(r, 50 - Number(id.slice(1))));
        inFlight--;
        return { isPublic: false, principal: { AWS: id } };
      },
    };
    const got = await readAccountFindings(
      { accountId: "111122223333", stack: "s", access: {}, settings: {} },
      reader,
      ACTIVE,
      { details: true },
    );
    assert.strictEqual(most, DETAIL_CONCURRENCY, "as many in flight as allowed, no more");
    assert.strictEqual(got.findings.length, ids.length);
    for (const f of got.findings) assert.deepStrictEqual(f.principal, { AWS: f.id });
  });

  it("eachLimited runs every item once, and rejects with the first failure", async () => {
    const seen: number[] = [];
    await eachLimited([1, 2, 3, 4, 5], 2, (n) => {
      seen.push(n);
      return Promise.resolve();
    });
    assert.deepStrictEqual(seen.sort(), [1, 2, 3, 4, 5]);
    await assert.rejects(
      eachLimited([1, 2, 3], 3, (n) =>
        n === 2 ? Promise.reject(new Error("boom")) : Promise.resolve(),
      ),
      /boom/,
    );
  });

  it("reads each external-access finding with GetFindingV2 for its principal, condition and actions", async () => {
    const calls: string[] = [];
    const got = await readAccountFindings(
      { accountId: "111122223333", stack: "s", access: {}, settings: {} },
      stubReader(calls),
      ACTIVE,
      { details: true },
    );
    assert.deepStrictEqual(calls, ['list {"status":{"eq":["ACTIVE"]}}', "get f1"]);
    const f = got.findings[0];
    assert.deepStrictEqual(
      [f.exposure, f.principal, f.condition, f.action],
      [
        "cross-account",
        { AWS: "arn:aws:iam::444455556666:root" },
        { "kms:ViaService": "s3.eu-west-1.amazonaws.com" },
        ["kms:Decrypt"],
      ],
    );
  });

  it("without details, asks AWS for the public ones with an isPublic filter instead", async () => {
    const calls: string[] = [];
    const got = await readAccountFindings(
      { accountId: "111122223333", stack: "s", access: {}, settings: {} },
      stubReader(calls),
      ACTIVE,
    );
    assert.deepStrictEqual(calls, [
      'list {"status":{"eq":["ACTIVE"]}}',
      'list {"status":{"eq":["ACTIVE"]},"isPublic":{"eq":["true"]}}',
    ]);
    assert.strictEqual(got.findings[0].exposure, "public");
    assert.strictEqual(got.findings[0].principal, undefined);
  });
});

describe("readAccountFindings and runFindings through a scripted FindingsAccountReader", () => {
  const ACCOUNT = "111122223333";
  const arnOf = (region: string, name: string) =>
    `arn:aws:access-analyzer:${region}:${ACCOUNT}:analyzer/${name}`;
  const analyzer = (region: string, name: string, type = "ACCOUNT", status = "ACTIVE") => ({
    name,
    arn: arnOf(region, name),
    type,
    status,
  });
  const summary = (id: string, extra: Partial<FindingSummary> = {}): FindingSummary => ({
    id,
    resource: `arn:aws:s3:::${id}`,
    resourceType: "AWS::S3::Bucket",
    resourceOwnerAccount: ACCOUNT,
    status: "ACTIVE",
    updatedAt: "2025-06-10T00:00:00.000Z",
    ...extra,
  });

  /** What the scripted account holds; an Error is thrown by the call that would read it. */
  interface World {
    regions: string[] | Error;
    analyzers: Record<string, AnalyzerInfo[] | Error>;
    /** Analyzer ARN → its findings. */
    findings?: Record<string, FindingSummary[] | Error>;
    publicIds?: string[];
    details?: Record<string, FindingDetail>;
    onAnalyzers?: (region: string) => void;
  }
  type Scripted = FindingsAccountReader & { calls: string[]; closed: number; maxInFlight: number };
  function scripted(world: World): Scripted {
    let inFlight = 0;
    const reader: Scripted = {
      calls: [],
      closed: 0,
      maxInFlight: 0,
      enabledRegions: () =>
        world.regions instanceof Error
          ? Promise.reject(world.regions)
          : Promise.resolve(world.regions),
      analyzers: async (region) => {
        reader.calls.push(`analyzers ${region}`);
        inFlight++;
        reader.maxInFlight = Math.max(reader.maxInFlight, inFlight);
        await new Promise((resolve) => setImmediate(resolve));
        inFlight--;
        world.onAnalyzers?.(region);
        const got = world.analyzers[region] ?? [];
        if (got instanceof Error) throw got;
        return got;
      },
      activeFindings: () => Promise.reject(new Error("not used by findings")),
      findings: (region, arn, criteria) => {
        const publicOnly = criteria.isPublic !== undefined;
        reader.calls.push(`${publicOnly ? "public" : "list"} ${arn.split("/")[1]}`);
        const got = world.findings?.[arn] ?? [];
        if (got instanceof Error) return Promise.reject(got);
        return Promise.resolve(
          publicOnly ? got.filter((f) => world.publicIds?.includes(f.id)) : got,
        );
      },
      findingDetail: (_region, _arn, id) => {
        reader.calls.push(`get ${id}`);
        return Promise.resolve(world.details?.[id] ?? {});
      },
      close: () => {
        reader.closed++;
      },
    };
    return reader;
  }
  /** An account with one region, eu-west-1: these analyzers, and their findings by analyzer name. */
  const euWest1 = (
    analyzers: AnalyzerInfo[],
    findings: Record<string, FindingSummary[] | Error> = {},
    extra: Partial<World> = {},
  ): World => ({
    regions: ["eu-west-1"],
    analyzers: { "eu-west-1": analyzers },
    findings: Object.fromEntries(
      Object.entries(findings).map(([name, f]) => [arnOf("eu-west-1", name), f]),
    ),
    ...extra,
  });
  const target = (extra: Partial<Target> = {}): Target => ({
    accountId: ACCOUNT,
    name: "prod",
    stack: "s",
    access: {},
    settings: {},
    ...extra,
  });
  const ticking = (stepMs: number) => {
    let t = NOW.getTime();
    return () => {
      const d = new Date(t);
      t += stepMs;
      return d;
    };
  };

  it("builds each finding from its summary: default finding type per analyzer family, optional fields only when AWS sent them", async () => {
    const reader = scripted(
      euWest1(
        [analyzer("eu-west-1", "ext"), analyzer("eu-west-1", "unused", "ACCOUNT_UNUSED_ACCESS")],
        {
          ext: [
            summary("bare", { resource: undefined }),
            summary("full", {
              findingType: "ExternalAccess",
              createdAt: "2025-06-01T00:00:00.000Z",
              error: "ACCESS_DENIED",
            }),
          ],
          unused: [summary("u1", { resourceType: "AWS::IAM::Role" })],
        },
        { publicIds: ["full"] },
      ),
    );
    const got = await readAccountFindings(target({ name: undefined }), reader, ACTIVE);
    const ext = { name: "ext", arn: arnOf("eu-west-1", "ext"), type: "ACCOUNT" };
    assert.deepStrictEqual(got.findings, [
      {
        accountId: ACCOUNT,
        region: "eu-west-1",
        analyzer: ext,
        id: "bare",
        findingType: "ExternalAccess",
        resourceType: "AWS::S3::Bucket",
        resourceOwnerAccount: ACCOUNT,
        exposure: "cross-account",
        status: "ACTIVE",
        updatedAt: "2025-06-10T00:00:00.000Z",
      },
      {
        accountId: ACCOUNT,
        region: "eu-west-1",
        analyzer: ext,
        id: "full",
        findingType: "ExternalAccess",
        resource: "arn:aws:s3:::full",
        resourceType: "AWS::S3::Bucket",
        resourceOwnerAccount: ACCOUNT,
        exposure: "public",
        status: "ACTIVE",
        updatedAt: "2025-06-10T00:00:00.000Z",
        createdAt: "2025-06-01T00:00:00.000Z",
        error: "ACCESS_DENIED",
      },
      {
        accountId: ACCOUNT,
        region: "eu-west-1",
        analyzer: {
          name: "unused",
          arn: arnOf("eu-west-1", "unused"),
          type: "ACCOUNT_UNUSED_ACCESS",
        },
        id: "u1",
        findingType: "UnusedAccess",
        resource: "arn:aws:s3:::u1",
        resourceType: "AWS::IAM::Role",
        resourceOwnerAccount: ACCOUNT,
        exposure: "unused",
        status: "ACTIVE",
        updatedAt: "2025-06-10T00:00:00.000Z",
      },
    ]);
    assert.ok(!("name" in got), "no account name when the fleet file gives none");
    assert.strictEqual(got.outcome, "succeeded");
    assert.ok(!("error" in got));
  });

  it("names the account on it and on each finding when the fleet file does", async () => {
    const got = await readAccountFindings(
      target(),
      scripted(euWest1([analyzer("eu-west-1", "ext")], { ext: [summary("f1")] })),
      ACTIVE,
    );
    assert.strictEqual(got.name, "prod");
    assert.strictEqual(got.findings[0].accountName, "prod");
  });

  it("asks for public ones only of external-access analyzers with findings, and reads only ACTIVE analyzers", async () => {
    const reader = scripted({
      regions: ["eu-west-1"],
      analyzers: {
        "eu-west-1": [
          analyzer("eu-west-1", "empty"),
          analyzer("eu-west-1", "ext"),
          analyzer("eu-west-1", "off", "ACCOUNT", "DISABLED"),
          analyzer("eu-west-1", "unused", "ACCOUNT_UNUSED_ACCESS"),
        ],
      },
      findings: {
        [arnOf("eu-west-1", "ext")]: [summary("f1")],
        [arnOf("eu-west-1", "off")]: [summary("never")],
        [arnOf("eu-west-1", "unused")]: [summary("u1")],
      },
    });
    const got = await readAccountFindings(target(), reader, ACTIVE);
    assert.deepStrictEqual(reader.calls, [
      "analyzers eu-west-1",
      "list empty",
      "list ext",
      "public ext",
      "list unused",
    ]);
    assert.deepStrictEqual(
      got.findings.map((f) => f.id),
      ["f1", "u1"],
    );
  });

  it("with details, leaves out an empty condition and keeps the principal and actions", async () => {
    const got = await readAccountFindings(
      target(),
      scripted(
        euWest1(
          [analyzer("eu-west-1", "ext")],
          { ext: [summary("f1"), summary("f2")] },
          {
            details: {
              f1: {
                isPublic: true,
                principal: { AWS: "*" },
                condition: {},
                action: ["s3:GetObject"],
              },
              f2: {},
            },
          },
        ),
      ),
      ACTIVE,
      { details: true },
    );
    assert.deepStrictEqual(
      got.findings.map((f) => [f.id, f.exposure, f.principal, "condition" in f, f.action]),
      [
        ["f1", "public", { AWS: "*" }, false, ["s3:GetObject"]],
        ["f2", "cross-account", undefined, false, undefined],
      ],
    );
  });

  it("applies the filters AWS does not: publicOnly and since", async () => {
    const got = await readAccountFindings(
      target(),
      scripted(
        euWest1(
          [analyzer("eu-west-1", "ext")],
          {
            ext: [
              summary("old-public", { updatedAt: "2025-05-01T00:00:00.000Z" }),
              summary("new-public"),
              summary("new-private"),
            ],
          },
          { publicIds: ["old-public", "new-public"] },
        ),
      ),
      { ...ACTIVE, publicOnly: true, since: "2025-06-01T00:00:00.000Z" },
    );
    assert.deepStrictEqual(
      got.findings.map((f) => f.id),
      ["new-public"],
    );
  });

  it("lists unreadable regions sorted and redacted, keeps the others' findings, and sums them up in the account's error", async () => {
    const reader = scripted({
      regions: ["us-east-1", "eu-west-1", "ap-south-1"],
      analyzers: {
        "us-east-1": new Error("ListAnalyzers: AccessDenied for SECRET\nsecond line"),
        "eu-west-1": [analyzer("eu-west-1", "a"), analyzer("eu-west-1", "b")],
        "ap-south-1": [analyzer("ap-south-1", "ok")],
      },
      findings: {
        [arnOf("eu-west-1", "a")]: Object.assign(new Error("throttled SECRET"), {
          name: "ThrottlingException",
        }),
        [arnOf("eu-west-1", "b")]: [summary("b1")],
        [arnOf("ap-south-1", "ok")]: [summary("p1")],
      },
    });
    const got = await readAccountFindings(target(), reader, ACTIVE, {
      redact: (t) => t.replace(/SECRET/g, "***"),
    });
    assert.strictEqual(got.outcome, "failed");
    assert.deepStrictEqual(got.regionErrors, [
      { region: "eu-west-1", error: "ThrottlingException: throttled ***" },
      { region: "us-east-1", error: "ListAnalyzers: AccessDenied for ***\nsecond line" },
    ]);
    assert.strictEqual(
      got.error,
      "2 region(s) could not be read: eu-west-1: ThrottlingException: throttled ***; " +
        "us-east-1: ListAnalyzers: AccessDenied for ***",
    );
    assert.deepStrictEqual(
      got.findings.map((f) => [f.region, f.id]),
      [
        ["ap-south-1", "p1"],
        ["eu-west-1", "b1"],
      ],
    );
    const verdicts = got.coverage?.regions.map((r) => [r.region, r.verdict, r.error]);
    assert.deepStrictEqual(verdicts, [
      ["ap-south-1", "covered", undefined],
      ["eu-west-1", "covered", undefined],
      ["us-east-1", "error", "ListAnalyzers: AccessDenied for ***\nsecond line"],
    ]);
    assert.strictEqual(reader.closed, 1);
  });

  it("joins the errors of several analyzers in one region", async () => {
    const got = await readAccountFindings(
      target(),
      scripted(
        euWest1([analyzer("eu-west-1", "a"), analyzer("eu-west-1", "b")], {
          a: new Error("first"),
          b: new Error("second"),
        }),
      ),
      ACTIVE,
    );
    assert.deepStrictEqual(got.regionErrors, [{ region: "eu-west-1", error: "first; second" }]);
  });

  it("fails the account alone, redacted and closed, when its regions cannot be listed", async () => {
    const reader = scripted({
      regions: Object.assign(new Error("token SECRET expired"), { name: "ExpiredToken" }),
      analyzers: {},
    });
    const got = await readAccountFindings(target(), reader, ACTIVE, {
      redact: (t) => t.replace(/SECRET/g, "***"),
      now: ticking(250),
    });
    assert.deepStrictEqual(got, {
      accountId: ACCOUNT,
      name: "prod",
      outcome: "failed",
      error: "ExpiredToken: token *** expired",
      regionErrors: [],
      findings: [],
      durationMs: 250,
    });
    assert.strictEqual(reader.closed, 1);
  });

  it("measures the account's duration with the injected clock", async () => {
    const got = await readAccountFindings(
      target(),
      scripted({ regions: ["eu-west-1"], analyzers: {} }),
      ACTIVE,
      { now: ticking(40) },
    );
    assert.strictEqual(got.durationMs, 40);
  });

  it("reads at most regionConcurrency regions at once", async () => {
    const regions = ["ap-south-1", "eu-west-1", "eu-west-2", "us-east-1", "us-east-2", "us-west-2"];
    const one = scripted({ regions, analyzers: {} });
    await readAccountFindings(target(), one, ACTIVE, { regionConcurrency: 1 });
    assert.strictEqual(one.maxInFlight, 1);
    const three = scripted({ regions, analyzers: {} });
    await readAccountFindings(target(), three, ACTIVE, { regionConcurrency: 3 });
    assert.strictEqual(three.maxInFlight, 3);
  });

  it("once aborted, starts no region; the account is aborted and the regions not read are listed", async () => {
    const stop = new AbortController();
    const reader = scripted({
      regions: ["eu-west-1", "us-east-1"],
      analyzers: { "eu-west-1": [analyzer("eu-west-1", "ext")] },
      findings: { [arnOf("eu-west-1", "ext")]: [summary("f1")] },
      onAnalyzers: () => stop.abort(),
    });
    const got = await readAccountFindings(target(), reader, ACTIVE, {
      regionConcurrency: 1,
      signal: stop.signal,
    });
    assert.strictEqual(got.outcome, "aborted");
    assert.strictEqual(got.error, "aborted");
    assert.deepStrictEqual(
      reader.calls.filter((c) => c.startsWith("analyzers")),
      ["analyzers eu-west-1"],
    );
    assert.deepStrictEqual(got.regionErrors, [
      { region: "us-east-1", error: "aborted before it was read" },
    ]);
    const notRead = got.coverage?.regions.find((r) => r.region === "us-east-1");
    assert.deepStrictEqual(
      [notRead?.verdict, notRead?.error],
      ["error", "aborted before it was read"],
    );
  });

  it("an account whose regions cannot be listed after an abort is aborted, not failed", async () => {
    const stop = new AbortController();
    stop.abort();
    const got = await readAccountFindings(
      target(),
      scripted({ regions: new Error("socket closed"), analyzers: {} }),
      ACTIVE,
      { signal: stop.signal },
    );
    assert.deepStrictEqual([got.outcome, got.error], ["aborted", "aborted"]);
  });

  it("runFindings: the report in fleet-file order with its kind, totals and progress lines", async () => {
    const lines: string[] = [];
    const readers = new Map<string, Scripted>();
    const given: unknown[] = [];
    const report = await runFindings({
      targets: [target(), target({ accountId: "222233334444", name: undefined })],
      fleetFile: "fleet.yaml",
      filter: ACTIVE,
      createReader: (t, o) => {
        given.push(o);
        const r = scripted(
          t.accountId === ACCOUNT
            ? euWest1(
                [analyzer("eu-west-1", "ext")],
                { ext: [summary("f1"), summary("f2")] },
                { publicIds: ["f2"] },
              )
            : { regions: new Error("AssumeRole: AccessDenied\nmore"), analyzers: {} },
        );
        readers.set(t.accountId, r);
        return r;
      },
      onProgress: (l) => lines.push(l),
      concurrency: 1,
      now: () => NOW,
    });
    assert.strictEqual(report.schemaVersion, 1);
    assert.strictEqual(report.kind, "access-analyzer-fleet/findings");
    assert.strictEqual(report.fleetFile, "fleet.yaml");
    assert.deepStrictEqual(report.filter, ACTIVE);
    assert.deepStrictEqual(
      report.accounts.map((a) => [a.accountId, a.outcome]),
      [
        [ACCOUNT, "succeeded"],
        ["222233334444", "failed"],
      ],
    );
    assert.deepStrictEqual(report.totals, {
      accounts: 2,
      failedAccounts: 1,
      unreadableRegions: 0,
      findings: 2,
      public: 1,
      crossAccount: 1,
      unused: 0,
    });
    assert.deepStrictEqual(lines, [
      "[prod 111122223333] start findings",
      "[prod 111122223333] done: 2 finding(s)",
      "[222233334444] start findings",
      "[222233334444] FAILED: AssumeRole: AccessDenied (0 finding(s) read)",
    ]);
    assert.deepStrictEqual(given, [{}, {}], "no signal to hand the readers");
  });

  it("runFindings: without a clock, stamps the report with the current time", async () => {
    const before = Date.now();
    const report = await runFindings({
      targets: [],
      fleetFile: "fleet.yaml",
      filter: ACTIVE,
      createReader: () => scripted({ regions: [], analyzers: {} }),
    });
    const at = Date.parse(report.generatedAt);
    assert.ok(at >= before && at <= Date.now(), report.generatedAt);
  });

  it("runFindings: a reader that throws is an internal error for that account alone, redacted", async () => {
    const report = await runFindings({
      targets: [target(), target({ accountId: "222233334444", name: undefined })],
      fleetFile: "fleet.yaml",
      filter: ACTIVE,
      createReader: (t) => {
        if (t.accountId === ACCOUNT) throw new Error("boom SECRET");
        return scripted({ regions: [], analyzers: {} });
      },
      redact: (t) => t.replace(/SECRET/g, "***"),
      onProgress: () => undefined,
    });
    assert.deepStrictEqual(report.accounts, [
      {
        accountId: ACCOUNT,
        name: "prod",
        outcome: "failed",
        error: "internal error: Error: boom ***",
        regionErrors: [],
        findings: [],
        durationMs: 0,
      },
      {
        accountId: "222233334444",
        outcome: "succeeded",
        coverage: report.accounts[1].coverage,
        regionErrors: [],
        findings: [],
        durationMs: report.accounts[1].durationMs,
      },
    ]);
  });

  it("runFindings: without redact, an internal error is shown as thrown", async () => {
    const report = await runFindings({
      targets: [target()],
      fleetFile: "fleet.yaml",
      filter: ACTIVE,
      createReader: () => {
        throw new Error("boom");
      },
    });
    assert.strictEqual(report.accounts[0].error, "internal error: Error: boom");
  });

  it("runFindings: once aborted, no account starts; each is skipped and says why", async () => {
    const stop = new AbortController();
    stop.abort();
    const lines: string[] = [];
    let created = 0;
    const report = await runFindings({
      targets: [target(), target({ accountId: "222233334444", name: undefined })],
      fleetFile: "fleet.yaml",
      filter: ACTIVE,
      signal: stop.signal,
      createReader: () => {
        created++;
        return scripted({ regions: [], analyzers: {} });
      },
      onProgress: (l) => lines.push(l),
    });
    assert.strictEqual(created, 0);
    assert.deepStrictEqual(lines, []);
    assert.deepStrictEqual(report.accounts[1], {
      accountId: "222233334444",
      outcome: "skipped",
      error: "run aborted before it started",
      regionErrors: [],
      findings: [],
      durationMs: 0,
    });
    assert.strictEqual(report.accounts[0].name, "prod");
  });

  it("runFindings: hands the signal to each reader and reads `concurrency` accounts at once", async () => {
    const stop = new AbortController();
    const given: unknown[] = [];
    let inFlight = 0;
    let most = 0;
    await runFindings({
      targets: ["1", "2", "3", "4", "5"].map((n) => target({ accountId: n.repeat(12) })),
      fleetFile: "fleet.yaml",
      filter: ACTIVE,
      signal: stop.signal,
      concurrency: 2,
      createReader: (_t, o) => {
        given.push(o);
        const r = scripted({ regions: [], analyzers: {} });
        return {
          ...r,
          enabledRegions: async () => {
            inFlight++;
            most = Math.max(most, inFlight);
            await new Promise((resolve) => setImmediate(resolve));
            inFlight--;
            return [];
          },
        };
      },
    });
    assert.strictEqual(most, 2);
    assert.strictEqual(given.length, 5);
    assert.ok(given.every((o) => (o as { signal?: AbortSignal }).signal === stop.signal));
  });
});

const BOT = "999999999999";
const OWNER = "111122223333";
const DENIED = "222233334444";
const OTHER = "444455556666";
const BOT_KEY = {
  accessKeyId: "AKIAFAKEFINDINGSBOT1",
  secretAccessKey: "findings-bot-secret-00000000000000000000",
};
const ROLE = "AccessAnalyzerAuditor";

function roleTarget(id: string, name: string, settings: Target["settings"] = {}): Target {
  return {
    accountId: id,
    name,
    stack: `acct-${id}`,
    access: { roleArn: `arn:aws:iam::${id}:role/${ROLE}`, sessionName: "findings-test" },
    settings,
  };
}

describe("findings reader against fake-aws (real SDK, findings planted through the admin API)", function () {
  this.timeout(60000);
  let fake: FakeAws;
  const reader = (t: Target) =>
    new SdkAccountReader(t, { endpoint: fake.url, credentials: BOT_KEY });

  before(async () => {
    fake = await startFakeAws({
      config: {
        accounts: [
          { id: BOT, accessKeys: [{ ...BOT_KEY, userName: "findings-bot" }] },
          {
            id: OWNER,
            roles: [{ name: ROLE, trustedAccountIds: [BOT] }],
            analyzers: [
              { region: "us-east-1", name: "external-access", type: "ACCOUNT" },
              { region: "eu-west-1", name: "ConsoleAnalyzer", type: "ACCOUNT" },
              { region: "us-east-1", name: "unused-access", type: "ACCOUNT_UNUSED_ACCESS" },
            ],
          },
          { id: DENIED, roles: [{ name: ROLE, trustedAccountIds: [OTHER] }] },
        ],
      },
    });
    const admin = new FakeAwsAdminClient(fake.url);
    await admin.addFinding(OWNER, "us-east-1", "external-access", {
      id: "public-bucket",
      resourceType: "AWS::S3::Bucket",
      resource: "arn:aws:s3:::open-data",
      isPublic: true,
      principal: { AWS: "*" },
      action: ["s3:GetObject"],
    });
    await admin.addFinding(OWNER, "eu-west-1", "ConsoleAnalyzer", {
      id: "cross-account-role",
      resourceType: "AWS::IAM::Role",
      resource: `arn:aws:iam::${OWNER}:role/PartnerAccess`,
      isPublic: false,
      principal: { AWS: `arn:aws:iam::${OTHER}:root` },
      action: ["sts:AssumeRole"],
    });
    await admin.addFinding(OWNER, "us-east-1", "unused-access", {
      id: "unused-role",
      resourceType: "AWS::IAM::Role",
      resource: `arn:aws:iam::${OWNER}:role/Forgotten`,
      findingType: "UnusedIAMRole",
    });
    await admin.addFinding(OWNER, "us-east-1", "external-access", {
      id: "archived-queue",
      resourceType: "AWS::SQS::Queue",
      resource: `arn:aws:sqs:us-east-1:${OWNER}:old`,
      isPublic: true,
      status: "ARCHIVED",
    });
    // A finding that arrives beyond the first page of 100.
    for (let i = 0; i < 101; i++) {
      fake.state.addFinding(OWNER, "eu-west-1", "ConsoleAnalyzer", {
        id: `bulk-${String(i).padStart(3, "0")}`,
        resourceType: "AWS::KMS::Key",
        resource: `arn:aws:kms:eu-west-1:${OWNER}:key/${i}`,
        isPublic: false,
      });
    }
  });

  after(async () => {
    await fake.close();
  });

  beforeEach(() => {
    fake.state.clearFaults();
  });

  it("lists the ACTIVE public bucket, cross-account role and unused role; the archived one is left out", async () => {
    const t = roleTarget(OWNER, "owner");
    const got = await readAccountFindings(t, reader(t), {
      ...ACTIVE,
      resourceTypes: ["AWS::S3::Bucket", "AWS::IAM::Role", "AWS::SQS::Queue"],
    });
    assert.strictEqual(got.outcome, "succeeded", got.error);
    const byId = new Map(got.findings.map((f) => [f.id, f]));
    assert.deepStrictEqual([...byId.keys()].sort(), [
      "cross-account-role",
      "public-bucket",
      "unused-role",
    ]);
    const bucket = byId.get("public-bucket");
    assert.deepStrictEqual(
      {
        region: bucket?.region,
        analyzer: bucket?.analyzer.name,
        type: bucket?.analyzer.type,
        findingType: bucket?.findingType,
        resource: bucket?.resource,
        exposure: bucket?.exposure,
        owner: bucket?.resourceOwnerAccount,
        account: bucket?.accountName,
      },
      {
        region: "us-east-1",
        analyzer: "external-access",
        type: "ACCOUNT",
        findingType: "ExternalAccess",
        resource: "arn:aws:s3:::open-data",
        exposure: "public",
        owner: OWNER,
        account: "owner",
      },
    );
    assert.ok(!Number.isNaN(Date.parse(bucket?.updatedAt ?? "")), "updatedAt is an ISO time");
    assert.strictEqual(byId.get("cross-account-role")?.exposure, "cross-account");
    assert.strictEqual(byId.get("cross-account-role")?.region, "eu-west-1");
    assert.strictEqual(byId.get("unused-role")?.exposure, "unused");
    assert.strictEqual(byId.get("unused-role")?.findingType, "UnusedIAMRole");
    assert.strictEqual(got.coverage?.counts.covered, 2);
    assert.strictEqual(got.coverage?.counts.missing, 15);
  });

  it("with details, reads each external-access finding's principal and actions over the wire with GetFindingV2", async () => {
    const t = roleTarget(OWNER, "owner");
    const got = await readAccountFindings(
      t,
      reader(t),
      { ...ACTIVE, resourceTypes: ["AWS::S3::Bucket", "AWS::IAM::Role"] },
      { details: true },
    );
    assert.strictEqual(got.outcome, "succeeded", got.error);
    const byId = new Map(got.findings.map((f) => [f.id, f]));
    assert.deepStrictEqual(
      [byId.get("public-bucket")?.exposure, byId.get("public-bucket")?.principal],
      ["public", { AWS: "*" }],
    );
    assert.deepStrictEqual(byId.get("public-bucket")?.action, ["s3:GetObject"]);
    assert.deepStrictEqual(
      [byId.get("cross-account-role")?.exposure, byId.get("cross-account-role")?.principal],
      ["cross-account", { AWS: `arn:aws:iam::${OTHER}:root` }],
    );
    assert.strictEqual(byId.get("unused-role")?.principal, undefined);
  });

  it("reads every page of ListFindingsV2", async () => {
    const t = roleTarget(OWNER, "owner");
    const got = await readAccountFindings(t, reader(t), {
      ...ACTIVE,
      resourceTypes: ["AWS::KMS::Key"],
    });
    assert.strictEqual(got.findings.length, 101);
    assert.ok(got.findings.some((f) => f.id === "bulk-100"));
  });

  it("with status ARCHIVED lists only the archived finding", async () => {
    const t = roleTarget(OWNER, "owner");
    const got = await readAccountFindings(t, reader(t), { status: "ARCHIVED", publicOnly: false });
    assert.deepStrictEqual(
      got.findings.map((f) => [f.id, f.status, f.exposure]),
      [["archived-queue", "ARCHIVED", "public"]],
    );
  });

  it("with publicOnly keeps the public bucket only", async () => {
    const t = roleTarget(OWNER, "owner");
    const got = await readAccountFindings(t, reader(t), { ...ACTIVE, publicOnly: true });
    assert.deepStrictEqual(
      got.findings.map((f) => f.id),
      ["public-bucket"],
    );
  });

  it("reports an unreadable region and still reads the others", async () => {
    fake.state.injectFault({
      count: 10,
      service: "access-analyzer",
      operation: "ListFindingsV2",
      region: "eu-west-1",
      errorCode: "AccessDeniedException",
      httpStatus: 403,
    });
    const t = roleTarget(OWNER, "owner");
    const got = await readAccountFindings(
      t,
      new SdkAccountReader(t, { endpoint: fake.url, credentials: BOT_KEY, maxAttempts: 1 }),
      { ...ACTIVE, resourceTypes: ["AWS::S3::Bucket", "AWS::IAM::Role"] },
    );
    assert.strictEqual(got.outcome, "failed");
    assert.deepStrictEqual(
      got.regionErrors.map((e) => e.region),
      ["eu-west-1"],
    );
    assert.match(got.regionErrors[0].error, /ListFindingsV2 .*AccessDeniedException/);
    assert.deepStrictEqual(
      got.findings.map((f) => f.id),
      ["public-bucket", "unused-role"],
    );
    // The analyzers were read, so the coverage verdict stands.
    assert.strictEqual(
      got.coverage?.regions.find((r) => r.region === "eu-west-1")?.verdict,
      "covered",
    );
  });

  it("runFindings reads several accounts; one that cannot be reached fails alone", async () => {
    const lines: string[] = [];
    const report = await runFindings({
      targets: [roleTarget(OWNER, "owner"), roleTarget(DENIED, "denied")],
      fleetFile: "fleet.yaml",
      filter: { ...ACTIVE, resourceTypes: ["AWS::S3::Bucket"] },
      createReader: (t, o) =>
        new SdkAccountReader(t, { ...o, endpoint: fake.url, credentials: BOT_KEY }),
      onProgress: (l) => lines.push(l),
      now: () => NOW,
    });
    assert.deepStrictEqual(
      report.accounts.map((a) => [a.accountId, a.outcome, a.findings.length]),
      [
        [OWNER, "succeeded", 1],
        [DENIED, "failed", 0],
      ],
    );
    assert.match(report.accounts[1].error ?? "", /AssumeRole .*AccessDenied/);
    assert.deepStrictEqual(
      { findings: report.totals.findings, public: report.totals.public },
      { findings: 1, public: 1 },
    );
    assert.strictEqual(report.totals.failedAccounts, 1);
    assert.strictEqual(report.generatedAt, NOW.toISOString());
    assert.ok(
      lines.some((l) => /^\[denied 222233334444\] FAILED: AssumeRole/.test(l)),
      lines.join("\n"),
    );
  });
});
