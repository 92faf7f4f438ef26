import * as assert from "assert";
import { spawn } from "child_process";
import * as path from "path";
import * as readline from "readline";
import {
  AccessAnalyzerClient,
  AccessAnalyzerServiceException,
  AccessDeniedException,
  ApplyArchiveRuleCommand,
  ConflictException,
  InternalServerException,
  CreateAnalyzerCommand,
  CreateArchiveRuleCommand,
  DeleteAnalyzerCommand,
  DeleteArchiveRuleCommand,
  GetAnalyzerCommand,
  GetArchiveRuleCommand,
  ListAnalyzersCommand,
  ListArchiveRulesCommand,
  ListFindingsCommand,
  ListFindingsV2Command,
  ListTagsForResourceCommand,
  ResourceNotFoundException,
  ServiceQuotaExceededException,
  TagResourceCommand,
  ThrottlingException,
  UntagResourceCommand,
  UpdateAnalyzerCommand,
  UpdateArchiveRuleCommand,
  ValidationException,
} from "@aws-sdk/client-accessanalyzer";
import { DescribeRegionsCommand, EC2Client, EC2ServiceException } from "@aws-sdk/client-ec2";
import {
  AssumeRoleCommand,
  GetCallerIdentityCommand,
  STSClient,
  STSServiceException,
} from "@aws-sdk/client-sts";
import {
  DEFAULT_REGIONS,
  FakeAwsAdminClient,
  OPT_IN_REGIONS,
  startFakeAws,
  type FakeAws,
  type FakeAwsConfig,
} from "../harness/fake-aws";
import { rejectsWith } from "./helpers/fake-aws";

const MGMT = "111111111111";
const MEMBER = "222222222222";
const SOLO = "333333333333";
const MGMT_KEY = {
  accessKeyId: "AKIATESTMGMT00000001",
  secretAccessKey: "mgmt-secret-000000000000000000000000000",
};
const MEMBER_KEY = {
  accessKeyId: "AKIATESTMEMBER000001",
  secretAccessKey: "member-secret-0000000000000000000000000",
};
const SOLO_KEY = {
  accessKeyId: "AKIATESTSOLO00000001",
  secretAccessKey: "solo-secret-00000000000000000000000000",
};
const DEPLOYER_ARN = `arn:aws:iam::${MEMBER}:role/AccessAnalyzerDeployer`;

const CONFIG: FakeAwsConfig = {
  accounts: [
    {
      id: MGMT,
      orgRole: "management",
      optedInRegions: ["af-south-1"],
      accessKeys: [{ ...MGMT_KEY, userName: "fleet-bot" }],
    },
    {
      id: MEMBER,
      orgRole: "member",
      accessKeys: [MEMBER_KEY],
      roles: [
        { name: "AccessAnalyzerDeployer", trustedAccountIds: [MGMT] },
        { name: "NeedsExternalId", trustedAccountIds: [MGMT], externalId: "ext-123" },
      ],
    },
    { id: SOLO, accessKeys: [SOLO_KEY] },
  ],
};

type Creds = { accessKeyId: string; secretAccessKey: string; sessionToken?: string };

describe("fake-aws (through the real SDK v3 clients)", function () {
  this.timeout(30000);
  let fake: FakeAws;
  const clients: { destroy(): void }[] = [];

  function track<T extends { destroy(): void }>(c: T): T {
    clients.push(c);
    return c;
  }
  const base = (region: string, credentials: Creds) => ({
    endpoint: fake.url,
    region,
    credentials,
    maxAttempts: 1,
  });
  const sts = (creds: Creds, region = "us-east-1") => track(new STSClient(base(region, creds)));
  const ec2 = (creds: Creds, region = "us-east-1") => track(new EC2Client(base(region, creds)));
  const aa = (creds: Creds, region = "eu-west-1", maxAttempts = 1) =>
    track(new AccessAnalyzerClient({ ...base(region, creds), maxAttempts }));

  async function assumeDeployer(): Promise<Creds> {
    const out = await sts(MGMT_KEY).send(
      new AssumeRoleCommand({ RoleArn: DEPLOYER_ARN, RoleSessionName: "fleet" }),
    );
    const c = out.Credentials!;
    return {
      accessKeyId: c.AccessKeyId!,
      secretAccessKey: c.SecretAccessKey!,
      sessionToken: c.SessionToken!,
    };
  }

  beforeEach(async () => {
    fake = await startFakeAws({ config: CONFIG });
  });
  afterEach(async () => {
    for (const c of clients.splice(0)) c.destroy();
    await fake.close();
  });

  describe("STS", () => {
    it("answers GetCallerIdentity with the account and principal the key belongs to", async () => {
      const user = await sts(MGMT_KEY).send(new GetCallerIdentityCommand({}));
      assert.strictEqual(user.Account, MGMT);
      assert.strictEqual(user.Arn, `arn:aws:iam::${MGMT}:user/fleet-bot`);
      assert.match(user.UserId!, /^AIDA[A-Z2-7]{17}$/);
      const root = await sts(MEMBER_KEY, "eu-west-1").send(new GetCallerIdentityCommand({}));
      assert.strictEqual(root.Account, MEMBER);
      assert.strictEqual(root.Arn, `arn:aws:iam::${MEMBER}:root`);
    });

    it("AssumeRole of a trusting role returns temporary credentials of the target account", async () => {
      const before = Date.now();
      const out = await sts(MGMT_KEY).send(
        new AssumeRoleCommand({
          RoleArn: DEPLOYER_ARN,
          RoleSessionName: "fleet",
          DurationSeconds: 900,
        }),
      );
      assert.match(out.Credentials!.AccessKeyId!, /^ASIA[A-Z2-7]{16}$/);
      assert.ok(out.Credentials!.SessionToken!.length > 100);
      assert.ok(out.Credentials!.Expiration instanceof Date);
      const ttl = out.Credentials!.Expiration.getTime() - before;
      assert.ok(ttl > 890_000 && ttl <= 901_000, `expiration ${ttl}ms away`);
      assert.strictEqual(
        out.AssumedRoleUser!.Arn,
        `arn:aws:sts::${MEMBER}:assumed-role/AccessAnalyzerDeployer/fleet`,
      );
      const c = out.Credentials!;
      const who = await sts({
        accessKeyId: c.AccessKeyId!,
        secretAccessKey: c.SecretAccessKey!,
        sessionToken: c.SessionToken!,
      }).send(new GetCallerIdentityCommand({}));
      assert.strictEqual(who.Account, MEMBER);
      assert.strictEqual(who.Arn, out.AssumedRoleUser!.Arn);
    });

    it("AssumeRole from an untrusted account or of an unknown role is AccessDenied as STS words it", async () => {
      const err = await rejectsWith(
        sts(SOLO_KEY).send(new AssumeRoleCommand({ RoleArn: DEPLOYER_ARN, RoleSessionName: "x1" })),
        STSServiceException,
        403,
        "AccessDenied",
      );
      assert.strictEqual(
        err.message,
        `User: arn:aws:iam::${SOLO}:root is not authorized to perform: sts:AssumeRole on resource: ${DEPLOYER_ARN}`,
      );
      const missing = `arn:aws:iam::${MEMBER}:role/DoesNotExist`;
      await rejectsWith(
        sts(MGMT_KEY).send(new AssumeRoleCommand({ RoleArn: missing, RoleSessionName: "x1" })),
        STSServiceException,
        403,
        "AccessDenied",
      );
    });

    it("AssumeRole enforces a role's ExternalId", async () => {
      const roleArn = `arn:aws:iam::${MEMBER}:role/NeedsExternalId`;
      await rejectsWith(
        sts(MGMT_KEY).send(new AssumeRoleCommand({ RoleArn: roleArn, RoleSessionName: "x1" })),
        STSServiceException,
        403,
        "AccessDenied",
      );
      const ok = await sts(MGMT_KEY).send(
        new AssumeRoleCommand({ RoleArn: roleArn, RoleSessionName: "x1", ExternalId: "ext-123" }),
      );
      assert.ok(ok.Credentials?.AccessKeyId);
    });

    it("rejects expired temporary credentials with ExpiredToken", async () => {
      const creds = await assumeDeployer();
      fake.state.credentials.get(creds.accessKeyId)!.expiration = new Date(Date.now() - 1000);
      await rejectsWith(
        sts(creds).send(new GetCallerIdentityCommand({})),
        STSServiceException,
        403,
        "ExpiredToken",
      );
      await rejectsWith(
        aa(creds).send(new ListAnalyzersCommand({})),
        AccessAnalyzerServiceException,
        403,
        "ExpiredTokenException",
      );
    });
  });

  describe("EC2 DescribeRegions", () => {
    it("lists only enabled regions unless AllRegions is set", async () => {
      const enabled = await ec2(MGMT_KEY).send(new DescribeRegionsCommand({}));
      const names = enabled.Regions!.map((r) => r.RegionName!);
      assert.deepStrictEqual(names.sort(), [...DEFAULT_REGIONS, "af-south-1"].sort());
      const af = enabled.Regions!.find((r) => r.RegionName === "af-south-1")!;
      assert.strictEqual(af.OptInStatus, "opted-in");
      assert.strictEqual(af.Endpoint, "ec2.af-south-1.amazonaws.com");

      const all = await ec2(MGMT_KEY).send(new DescribeRegionsCommand({ AllRegions: true }));
      assert.strictEqual(all.Regions!.length, DEFAULT_REGIONS.length + OPT_IN_REGIONS.length);
      assert.strictEqual(
        all.Regions!.find((r) => r.RegionName === "me-south-1")!.OptInStatus,
        "not-opted-in",
      );
    });

    it("applies the opt-in-status filter", async () => {
      const notOptedIn = await ec2(MGMT_KEY).send(
        new DescribeRegionsCommand({
          AllRegions: true,
          Filters: [{ Name: "opt-in-status", Values: ["not-opted-in"] }],
        }),
      );
      const names = notOptedIn.Regions!.map((r) => r.RegionName!);
      assert.deepStrictEqual(names.sort(), OPT_IN_REGIONS.filter((r) => r !== "af-south-1").sort());

      const usable = await ec2(MGMT_KEY).send(
        new DescribeRegionsCommand({
          AllRegions: true,
          Filters: [{ Name: "opt-in-status", Values: ["opt-in-not-required", "opted-in"] }],
        }),
      );
      assert.strictEqual(usable.Regions!.length, DEFAULT_REGIONS.length + 1);
    });

    it("reflects a region enabled later through the state API", async () => {
      fake.state.enableRegion(SOLO, "il-central-1");
      const out = await ec2(SOLO_KEY).send(new DescribeRegionsCommand({}));
      assert.ok(out.Regions!.some((r) => r.RegionName === "il-central-1"));
      assert.strictEqual(out.Regions!.length, DEFAULT_REGIONS.length + 1);
    });
  });

  describe("Access Analyzer analyzers", () => {
    it("creates, gets, lists (type filter, pagination) and deletes analyzers", async () => {
      const client = aa(MEMBER_KEY);
      const created = await client.send(
        new CreateAnalyzerCommand({
          analyzerName: "external-access",
          type: "ACCOUNT",
          tags: { team: "sec" },
        }),
      );
      assert.strictEqual(
        created.arn,
        `arn:aws:access-analyzer:eu-west-1:${MEMBER}:analyzer/external-access`,
      );
      const got = await client.send(new GetAnalyzerCommand({ analyzerName: "external-access" }));
      assert.strictEqual(got.analyzer!.arn, created.arn);
      assert.strictEqual(got.analyzer!.type, "ACCOUNT");
      assert.strictEqual(got.analyzer!.status, "ACTIVE");
      assert.ok(
        got.analyzer!.createdAt instanceof Date && !isNaN(got.analyzer!.createdAt.getTime()),
      );
      assert.deepStrictEqual(got.analyzer!.tags, { team: "sec" });

      await client.send(
        new CreateAnalyzerCommand({ analyzerName: "unused", type: "ACCOUNT_UNUSED_ACCESS" }),
      );
      await client.send(
        new CreateAnalyzerCommand({ analyzerName: "internal", type: "ACCOUNT_INTERNAL_ACCESS" }),
      );
      const onlyAccount = await client.send(new ListAnalyzersCommand({ type: "ACCOUNT" }));
      assert.deepStrictEqual(
        onlyAccount.analyzers!.map((a) => a.name),
        ["external-access"],
      );

      const page1 = await client.send(new ListAnalyzersCommand({ maxResults: 2 }));
      assert.strictEqual(page1.analyzers!.length, 2);
      assert.ok(page1.nextToken);
      const page2 = await client.send(
        new ListAnalyzersCommand({ maxResults: 2, nextToken: page1.nextToken }),
      );
      assert.strictEqual(page2.analyzers!.length, 1);
      assert.strictEqual(page2.nextToken, undefined);
      assert.deepStrictEqual(
        [...page1.analyzers!, ...page2.analyzers!].map((a) => a.name),
        ["external-access", "unused", "internal"],
      );

      // Regions are separate: nothing in eu-west-2.
      const other = await aa(MEMBER_KEY, "eu-west-2").send(new ListAnalyzersCommand({}));
      assert.deepStrictEqual(other.analyzers, []);

      await client.send(new DeleteAnalyzerCommand({ analyzerName: "external-access" }));
      await rejectsWith(
        client.send(new GetAnalyzerCommand({ analyzerName: "external-access" })),
        ResourceNotFoundException,
        404,
      );
      await rejectsWith(
        client.send(new DeleteAnalyzerCommand({ analyzerName: "external-access" })),
        ResourceNotFoundException,
        404,
      );
    });

    it("allows one ACCOUNT analyzer per account and region (ServiceQuotaExceededException 402)", async () => {
      const client = aa(MEMBER_KEY);
      await client.send(
        new CreateAnalyzerCommand({ analyzerName: "ConsoleAnalyzer", type: "ACCOUNT" }),
      );
      const err = await rejectsWith(
        client.send(
          new CreateAnalyzerCommand({ analyzerName: "external-access", type: "ACCOUNT" }),
        ),
        ServiceQuotaExceededException,
        402,
      );
      assert.strictEqual((err as ServiceQuotaExceededException).resourceId, "external-access");
      // Another region and another type are fine.
      await aa(MEMBER_KEY, "eu-west-2").send(
        new CreateAnalyzerCommand({ analyzerName: "external-access", type: "ACCOUNT" }),
      );
      await client.send(
        new CreateAnalyzerCommand({ analyzerName: "unused", type: "ACCOUNT_UNUSED_ACCESS" }),
      );
    });

    it("rejects a taken name with ConflictException 409", async () => {
      const client = aa(MEMBER_KEY);
      await client.send(new CreateAnalyzerCommand({ analyzerName: "shared", type: "ACCOUNT" }));
      await rejectsWith(
        client.send(
          new CreateAnalyzerCommand({ analyzerName: "shared", type: "ACCOUNT_UNUSED_ACCESS" }),
        ),
        ConflictException,
        409,
      );
    });

    it("validates names and unusedAccessAge (ValidationException 400)", async () => {
      const client = aa(MEMBER_KEY);
      for (const bad of ["1starts-with-digit", "has space", "a/b", "x".repeat(256)]) {
        await rejectsWith(
          client.send(new CreateAnalyzerCommand({ analyzerName: bad, type: "ACCOUNT" })),
          ValidationException,
          400,
        );
      }
      await client.send(
        new CreateAnalyzerCommand({ analyzerName: "a" + "b".repeat(254), type: "ACCOUNT" }),
      );
      for (const age of [0, 366]) {
        await rejectsWith(
          client.send(
            new CreateAnalyzerCommand({
              analyzerName: "unused",
              type: "ACCOUNT_UNUSED_ACCESS",
              configuration: { unusedAccess: { unusedAccessAge: age } },
            }),
          ),
          ValidationException,
          400,
        );
      }
      assert.deepStrictEqual(
        fake.state.listAnalyzers(MEMBER, "eu-west-1").map((a) => a.type),
        ["ACCOUNT"],
      );
    });

    it("stores and updates the unused-access configuration", async () => {
      const client = aa(MEMBER_KEY);
      await client.send(
        new CreateAnalyzerCommand({
          analyzerName: "unused",
          type: "ACCOUNT_UNUSED_ACCESS",
          configuration: {
            unusedAccess: {
              unusedAccessAge: 45,
              analysisRule: { exclusions: [{ resourceTags: [{ team: "ci" }] }] },
            },
          },
        }),
      );
      const got = await client.send(new GetAnalyzerCommand({ analyzerName: "unused" }));
      assert.strictEqual(got.analyzer!.configuration?.unusedAccess?.unusedAccessAge, 45);
      assert.deepStrictEqual(got.analyzer!.configuration?.unusedAccess?.analysisRule?.exclusions, [
        { resourceTags: [{ team: "ci" }] },
      ]);
      const upd = await client.send(
        new UpdateAnalyzerCommand({
          analyzerName: "unused",
          configuration: { unusedAccess: { unusedAccessAge: 180 } },
        }),
      );
      assert.strictEqual(upd.configuration?.unusedAccess?.unusedAccessAge, 180);
      const defaulted = aa(MEMBER_KEY, "eu-west-2");
      await defaulted.send(
        new CreateAnalyzerCommand({ analyzerName: "u2", type: "ACCOUNT_UNUSED_ACCESS" }),
      );
      const d = await defaulted.send(new GetAnalyzerCommand({ analyzerName: "u2" }));
      assert.strictEqual(d.analyzer!.configuration?.unusedAccess?.unusedAccessAge, 90);
    });

    it("refuses the analysis rules the model's documentation rules out, creating nothing", async () => {
      const client = aa(MEMBER_KEY, "ap-south-1");
      const refused: [string, Record<string, unknown>, RegExp][] = [
        [
          "ACCOUNT_UNUSED_ACCESS",
          { unusedAccess: { analysisRule: { exclusions: [{ accountIds: [SOLO] }] } } },
          /exclusions\.1\.member\.accountIds' failed to satisfy constraint: Account IDs can only be applied to the analysis rule criteria for organization-level analyzers/,
        ],
        [
          "ACCOUNT_INTERNAL_ACCESS",
          { internalAccess: { analysisRule: { inclusions: [{ accountIds: [SOLO] }] } } },
          /inclusions\.1\.member\.accountIds' failed to satisfy constraint: Account IDs can only be applied/,
        ],
        [
          "ACCOUNT_INTERNAL_ACCESS",
          {
            internalAccess: {
              analysisRule: {
                inclusions: [
                  { resourceTypes: ["AWS::S3::Bucket"] },
                  { resourceTypes: ["AWS::IAM::Role"] },
                ],
              },
            },
          },
          /Value 'AWS::IAM::Role' at 'configuration\.internalAccess\.analysisRule\.inclusions\.2\.member\.resourceTypes' failed to satisfy constraint: Resource type is not supported for internal access analyzers/,
        ],
      ];
      for (const [type, configuration, message] of refused) {
        const err = await rejectsWith(
          client.send(
            new CreateAnalyzerCommand({
              analyzerName: "r",
              type: type as never,
              configuration: configuration as never,
            }),
          ),
          ValidationException,
          400,
        );
        assert.match(err.message, message);
      }
      assert.deepStrictEqual(fake.state.listAnalyzers(MEMBER, "ap-south-1"), []);
    });

    it("lets only the management account or delegated admin create organization analyzers", async () => {
      await rejectsWith(
        aa(MEMBER_KEY).send(
          new CreateAnalyzerCommand({ analyzerName: "org", type: "ORGANIZATION" }),
        ),
        AccessDeniedException,
        403,
      );
      await rejectsWith(
        aa(SOLO_KEY).send(new CreateAnalyzerCommand({ analyzerName: "org", type: "ORGANIZATION" })),
        ValidationException,
        400,
      );
      const ok = await aa(MGMT_KEY).send(
        new CreateAnalyzerCommand({ analyzerName: "org", type: "ORGANIZATION" }),
      );
      assert.match(ok.arn!, /analyzer\/org$/);
      fake.state.setOrgRole(MEMBER, "delegated-admin");
      await aa(MEMBER_KEY).send(
        new CreateAnalyzerCommand({ analyzerName: "org", type: "ORGANIZATION" }),
      );
    });

    it("tags, untags and lists tags of an analyzer", async () => {
      const client = aa(MEMBER_KEY);
      const { arn } = await client.send(
        new CreateAnalyzerCommand({ analyzerName: "tagged", type: "ACCOUNT", tags: { a: "1" } }),
      );
      await client.send(new TagResourceCommand({ resourceArn: arn, tags: { b: "2", c: "3" } }));
      await client.send(new UntagResourceCommand({ resourceArn: arn, tagKeys: ["a", "c"] }));
      const tags = await client.send(new ListTagsForResourceCommand({ resourceArn: arn }));
      assert.deepStrictEqual(tags.tags, { b: "2" });
      await rejectsWith(
        client.send(
          new ListTagsForResourceCommand({
            resourceArn: `arn:aws:access-analyzer:eu-west-1:${MEMBER}:analyzer/missing`,
          }),
        ),
        ResourceNotFoundException,
        404,
      );
    });
  });

  describe("Access Analyzer archive rules and findings", () => {
    it("creates, gets, lists, updates and deletes archive rules", async () => {
      const client = aa(MEMBER_KEY);
      await client.send(
        new CreateAnalyzerCommand({
          analyzerName: "ext",
          type: "ACCOUNT",
          archiveRules: [{ ruleName: "inline", filter: { isPublic: { eq: ["false"] } } }],
        }),
      );
      await client.send(
        new CreateArchiveRuleCommand({
          analyzerName: "ext",
          ruleName: "trusted-org",
          filter: { "principal.AWS": { eq: [MGMT] } },
        }),
      );
      const got = await client.send(
        new GetArchiveRuleCommand({ analyzerName: "ext", ruleName: "trusted-org" }),
      );
      assert.deepStrictEqual(got.archiveRule!.filter, { "principal.AWS": { eq: [MGMT] } });
      assert.ok(got.archiveRule!.createdAt instanceof Date);

      const list = await client.send(new ListArchiveRulesCommand({ analyzerName: "ext" }));
      assert.deepStrictEqual(
        list.archiveRules!.map((r) => r.ruleName),
        ["inline", "trusted-org"],
      );

      await client.send(
        new UpdateArchiveRuleCommand({
          analyzerName: "ext",
          ruleName: "trusted-org",
          filter: { resourceType: { eq: ["AWS::S3::Bucket"] } },
        }),
      );
      const updated = await client.send(
        new GetArchiveRuleCommand({ analyzerName: "ext", ruleName: "trusted-org" }),
      );
      assert.deepStrictEqual(updated.archiveRule!.filter, {
        resourceType: { eq: ["AWS::S3::Bucket"] },
      });

      await rejectsWith(
        client.send(
          new CreateArchiveRuleCommand({
            analyzerName: "ext",
            ruleName: "inline",
            filter: { isPublic: { eq: ["true"] } },
          }),
        ),
        ConflictException,
        409,
      );
      await client.send(new DeleteArchiveRuleCommand({ analyzerName: "ext", ruleName: "inline" }));
      await rejectsWith(
        client.send(new GetArchiveRuleCommand({ analyzerName: "ext", ruleName: "inline" })),
        ResourceNotFoundException,
        404,
      );
      await rejectsWith(
        client.send(
          new CreateArchiveRuleCommand({
            analyzerName: "nope",
            ruleName: "r",
            filter: { isPublic: { eq: ["true"] } },
          }),
        ),
        ResourceNotFoundException,
        404,
      );
    });

    it("caps archive rules at 100 per analyzer", async () => {
      const client = aa(MEMBER_KEY);
      await client.send(new CreateAnalyzerCommand({ analyzerName: "ext", type: "ACCOUNT" }));
      for (let i = 0; i < 100; i++) {
        fake.state.createArchiveRule(MEMBER, "eu-west-1", "ext", `rule${i}`, {
          isPublic: { eq: ["false"] },
        });
      }
      await rejectsWith(
        client.send(
          new CreateArchiveRuleCommand({
            analyzerName: "ext",
            ruleName: "one-too-many",
            filter: { isPublic: { eq: ["false"] } },
          }),
        ),
        ServiceQuotaExceededException,
        402,
      );
    });

    it("archives only later findings, until ApplyArchiveRule archives existing ones", async () => {
      const client = aa(MEMBER_KEY);
      const { arn } = await client.send(
        new CreateAnalyzerCommand({ analyzerName: "ext", type: "ACCOUNT" }),
      );
      const early = fake.state.addFinding(MEMBER, "eu-west-1", "ext", {
        resourceType: "AWS::S3::Bucket",
        resource: "arn:aws:s3:::early",
        principal: { AWS: MGMT },
        isPublic: false,
      });
      fake.state.addFinding(MEMBER, "eu-west-1", "ext", {
        resourceType: "AWS::IAM::Role",
        principal: { AWS: "999999999999" },
      });
      await client.send(
        new CreateArchiveRuleCommand({
          analyzerName: "ext",
          ruleName: "own-org",
          filter: { "principal.AWS": { eq: [MGMT] }, resourceType: { eq: ["AWS::S3::Bucket"] } },
        }),
      );
      const late = fake.state.addFinding(MEMBER, "eu-west-1", "ext", {
        resourceType: "AWS::S3::Bucket",
        resource: "arn:aws:s3:::late",
        principal: { AWS: MGMT },
      });
      assert.strictEqual(late.status, "ARCHIVED");

      const active = await client.send(
        new ListFindingsCommand({ analyzerArn: arn, filter: { status: { eq: ["ACTIVE"] } } }),
      );
      const activeIds = active.findings!.map((f) => f.id);
      assert.strictEqual(activeIds.length, 2);
      assert.ok(
        activeIds.includes(early.id),
        "the finding that existed before the rule stays ACTIVE",
      );
      assert.ok(
        !activeIds.includes(late.id),
        "the finding that arrived after the rule is archived",
      );
      const s3 = active.findings!.find((f) => f.id === early.id)!;
      assert.strictEqual(s3.resource, "arn:aws:s3:::early");
      assert.deepStrictEqual(s3.principal, { AWS: MGMT });
      assert.strictEqual(s3.isPublic, false);
      assert.ok(s3.createdAt instanceof Date);

      await client.send(new ApplyArchiveRuleCommand({ analyzerArn: arn, ruleName: "own-org" }));
      const after = await client.send(
        new ListFindingsCommand({ analyzerArn: arn, filter: { status: { eq: ["ACTIVE"] } } }),
      );
      assert.deepStrictEqual(
        after.findings!.map((f) => f.resourceType),
        ["AWS::IAM::Role"],
      );
      const archived = await client.send(
        new ListFindingsV2Command({ analyzerArn: arn, filter: { status: { eq: ["ARCHIVED"] } } }),
      );
      assert.strictEqual(archived.findings!.length, 2);
      assert.ok(archived.findings!.every((f) => f.findingType === "ExternalAccess"));
    });

    it("paginates findings and keeps ListFindings to external-access analyzers", async () => {
      const client = aa(MEMBER_KEY);
      const { arn } = await client.send(
        new CreateAnalyzerCommand({ analyzerName: "ext", type: "ACCOUNT" }),
      );
      for (let i = 0; i < 5; i++) {
        fake.state.addFinding(MEMBER, "eu-west-1", "ext", {
          resourceType: "AWS::SQS::Queue",
          resource: `q${i}`,
        });
      }
      const seen: string[] = [];
      let nextToken: string | undefined;
      let pages = 0;
      do {
        const out = await client.send(
          new ListFindingsCommand({ analyzerArn: arn, maxResults: 2, nextToken }),
        );
        seen.push(...out.findings!.map((f) => f.resource!));
        nextToken = out.nextToken;
        pages++;
      } while (nextToken);
      assert.strictEqual(pages, 3);
      assert.deepStrictEqual(seen, ["q0", "q1", "q2", "q3", "q4"]);

      const unused = await client.send(
        new CreateAnalyzerCommand({ analyzerName: "unused", type: "ACCOUNT_UNUSED_ACCESS" }),
      );
      fake.state.addFinding(MEMBER, "eu-west-1", "unused", { resourceType: "AWS::IAM::Role" });
      await rejectsWith(
        client.send(new ListFindingsCommand({ analyzerArn: unused.arn })),
        ValidationException,
        400,
      );
      const v2 = await client.send(new ListFindingsV2Command({ analyzerArn: unused.arn }));
      assert.strictEqual(v2.findings!.length, 1);
      assert.strictEqual(v2.findings![0].findingType, "UnusedIAMRole");
    });
  });

  describe("authentication and regions", () => {
    it("refuses calls to a region the account has not enabled, per service", async () => {
      await rejectsWith(
        aa(MEMBER_KEY, "af-south-1").send(new ListAnalyzersCommand({})),
        AccessAnalyzerServiceException,
        403,
        "UnrecognizedClientException",
      );
      await rejectsWith(
        sts(MEMBER_KEY, "af-south-1").send(new GetCallerIdentityCommand({})),
        STSServiceException,
        403,
        "InvalidClientTokenId",
      );
      await rejectsWith(
        ec2(MEMBER_KEY, "af-south-1").send(new DescribeRegionsCommand({})),
        EC2ServiceException,
        401,
        "AuthFailure",
      );
      // The management account opted in to af-south-1, so it works there.
      await aa(MGMT_KEY, "af-south-1").send(new ListAnalyzersCommand({}));
      // Enabling the region later opens it.
      fake.state.enableRegion(MEMBER, "af-south-1");
      await aa(MEMBER_KEY, "af-south-1").send(new ListAnalyzersCommand({}));
    });

    it("verifies SigV4 signatures and rejects unknown keys", async () => {
      const wrongSecret = { ...MEMBER_KEY, secretAccessKey: "not-the-secret" };
      await rejectsWith(
        aa(wrongSecret).send(new ListAnalyzersCommand({})),
        AccessAnalyzerServiceException,
        403,
        "InvalidSignatureException",
      );
      await rejectsWith(
        sts(wrongSecret).send(new GetCallerIdentityCommand({})),
        STSServiceException,
        403,
        "SignatureDoesNotMatch",
      );
      await rejectsWith(
        ec2(wrongSecret).send(new DescribeRegionsCommand({})),
        EC2ServiceException,
        403,
        "SignatureDoesNotMatch",
      );
      const unknown = { accessKeyId: "AKIAUNKNOWN000000000", secretAccessKey: "x" };
      await rejectsWith(
        aa(unknown).send(new ListAnalyzersCommand({})),
        AccessAnalyzerServiceException,
        403,
        "UnrecognizedClientException",
      );
      await rejectsWith(
        sts(unknown).send(new GetCallerIdentityCommand({})),
        STSServiceException,
        403,
        "InvalidClientTokenId",
      );
      // A temporary key without (or with a wrong) session token is not recognised either.
      const temp = await assumeDeployer();
      await rejectsWith(
        aa({ ...temp, sessionToken: "forged" }).send(new ListAnalyzersCommand({})),
        AccessAnalyzerServiceException,
        403,
        "UnrecognizedClientException",
      );
      // Labels with characters that need escaping are signed and verified correctly: the call
      // gets past the signature check to the model's name pattern.
      await rejectsWith(
        aa(MEMBER_KEY).send(new GetAnalyzerCommand({ analyzerName: "a b/c+d" })),
        ValidationException,
        400,
      );
    });

    it("is reached through AWS_ENDPOINT_URL when a client sets no endpoint", async () => {
      const saved = process.env.AWS_ENDPOINT_URL;
      process.env.AWS_ENDPOINT_URL = fake.url;
      try {
        const client = track(
          new STSClient({ region: "eu-west-1", credentials: MGMT_KEY, maxAttempts: 1 }),
        );
        const who = await client.send(new GetCallerIdentityCommand({}));
        assert.strictEqual(who.Account, MGMT);
      } finally {
        if (saved === undefined) delete process.env.AWS_ENDPOINT_URL;
        else process.env.AWS_ENDPOINT_URL = saved;
      }
    });

    it("rejects a request signed with a clock more than 15 minutes off", async () => {
      const client = track(
        new AccessAnalyzerClient({
          ...base("eu-west-1", MEMBER_KEY),
          systemClockOffset: -20 * 60 * 1000,
        }),
      );
      const err = await rejectsWith(
        client.send(new ListAnalyzersCommand({})),
        AccessAnalyzerServiceException,
        403,
        "InvalidSignatureException",
      );
      assert.match(err.message, /Signature expired/);
    });
  });

  describe("faults, latency and the admin API", () => {
    it("injects ThrottlingException for the next N matching calls", async () => {
      fake.state.injectFault({
        operation: "CreateAnalyzer",
        accountId: MEMBER,
        region: "eu-west-1",
        count: 1,
      });
      await rejectsWith(
        aa(MEMBER_KEY).send(new CreateAnalyzerCommand({ analyzerName: "ext", type: "ACCOUNT" })),
        ThrottlingException,
        429,
      );
      await aa(MEMBER_KEY).send(
        new CreateAnalyzerCommand({ analyzerName: "ext", type: "ACCOUNT" }),
      );

      // With its default retry strategy the SDK retries throttling and succeeds on the third attempt.
      fake.state.injectFault({ operation: "GetAnalyzer", count: 2 });
      const out = await aa(MEMBER_KEY, "eu-west-1", 3).send(
        new GetAnalyzerCommand({ analyzerName: "ext" }),
      );
      assert.strictEqual(out.$metadata.attempts, 3);
      const calls = fake.state.calls.filter((c) => c.operation === "GetAnalyzer");
      assert.deepStrictEqual(
        calls.map((c) => c.errorCode ?? "ok"),
        ["ThrottlingException", "ThrottlingException", "ok"],
      );
    });

    it("fails only the drawn share of matching calls with a probability fault, each using up count", async () => {
      const draws = [0.9, 0.1, 0.5, 0.2, 0.1];
      fake.state.random = () => draws.shift() ?? 0.99;
      try {
        fake.state.injectFault({ operation: "ListAnalyzers", count: 2, probability: 0.3 });
        const results: string[] = [];
        for (let i = 0; i < 5; i++) {
          results.push(
            await aa(MEMBER_KEY, "eu-west-1", 1)
              .send(new ListAnalyzersCommand({}))
              .then(
                () => "ok",
                (e: Error) => e.name,
              ),
          );
        }
        // Draws under 0.3 fail; after two failures the fault is used up, whatever is drawn.
        assert.deepStrictEqual(results, [
          "ok",
          "ThrottlingException",
          "ok",
          "ThrottlingException",
          "ok",
        ]);
      } finally {
        fake.state.random = Math.random;
      }
    });

    it("an afterEffect fault creates the analyzer and still answers the error", async () => {
      fake.state.injectFault({
        operation: "CreateAnalyzer",
        accountId: MEMBER,
        count: 1,
        errorCode: "InternalServerException",
        httpStatus: 500,
        afterEffect: true,
      });
      await rejectsWith(
        aa(MEMBER_KEY, "eu-west-1", 1).send(
          new CreateAnalyzerCommand({ analyzerName: "lost", type: "ACCOUNT" }),
        ),
        InternalServerException,
        500,
      );
      const out = await aa(MEMBER_KEY).send(new GetAnalyzerCommand({ analyzerName: "lost" }));
      assert.strictEqual(out.analyzer?.status, "ACTIVE", "AWS did the work");
    });

    it("adds latency to matching calls", async () => {
      fake.state.setLatency({ service: "access-analyzer", region: "eu-west-1", ms: 300 });
      const t0 = Date.now();
      await aa(MEMBER_KEY).send(new ListAnalyzersCommand({}));
      assert.ok(Date.now() - t0 >= 290, "eu-west-1 delayed");
      const t1 = Date.now();
      await aa(MEMBER_KEY, "eu-west-2").send(new ListAnalyzersCommand({}));
      assert.ok(Date.now() - t1 < 290, "eu-west-2 not delayed");
    });

    it("lets another process change state through the admin HTTP API", async () => {
      const admin = new FakeAwsAdminClient(fake.url);
      const client = aa(MEMBER_KEY);
      await client.send(new CreateAnalyzerCommand({ analyzerName: "ext", type: "ACCOUNT" }));

      await admin.addFinding(MEMBER, "eu-west-1", "ext", { resourceType: "AWS::KMS::Key" });
      const arn = `arn:aws:access-analyzer:eu-west-1:${MEMBER}:analyzer/ext`;
      const findings = await client.send(new ListFindingsCommand({ analyzerArn: arn }));
      assert.strictEqual(findings.findings![0].resourceType, "AWS::KMS::Key");

      await admin.deleteAnalyzer(MEMBER, "eu-west-1", "ext");
      await rejectsWith(
        client.send(new GetAnalyzerCommand({ analyzerName: "ext" })),
        ResourceNotFoundException,
        404,
      );

      const console = await admin.createAnalyzer({
        accountId: MEMBER,
        region: "eu-west-2",
        analyzerName: "Console",
      });
      assert.strictEqual(console.type, "ACCOUNT");
      await rejectsWith(
        aa(MEMBER_KEY, "eu-west-2").send(
          new CreateAnalyzerCommand({ analyzerName: "ext", type: "ACCOUNT" }),
        ),
        ServiceQuotaExceededException,
        402,
      );

      const { enabledRegions } = await admin.enableRegion(SOLO, "ap-south-2");
      assert.ok(enabledRegions.includes("ap-south-2"));
      await aa(SOLO_KEY, "ap-south-2").send(new ListAnalyzersCommand({}));

      await admin.injectFault({ service: "sts", count: 1 });
      await rejectsWith(
        sts(SOLO_KEY).send(new GetCallerIdentityCommand({})),
        STSServiceException,
        400,
        "Throttling",
      );

      const snapshot = await admin.state();
      const member = snapshot.accounts.find((a) => a.id === MEMBER)!;
      assert.deepStrictEqual(
        member.analyzers.map((a) => `${a.region}/${a.name}`),
        ["eu-west-2/Console"],
      );
      assert.ok(
        !JSON.stringify(snapshot).includes(MEMBER_KEY.secretAccessKey),
        "no secrets in the state dump",
      );
      const creates = await admin.calls({ operation: "CreateAnalyzer", accountId: MEMBER });
      assert.deepStrictEqual(
        creates.map((c) => c.httpStatus),
        [200, 402],
      );
      await assert.rejects(admin.deleteAnalyzer(MEMBER, "eu-west-1", "ext"), /not found/);
    });

    it("runs as a CLI that prints its url and stops on SIGTERM", async () => {
      const main = path.join(__dirname, "..", "harness", "fake-aws", "main.ts");
      const child = spawn(
        process.execPath,
        ["-r", "ts-node/register/transpile-only", main, "--config-json", JSON.stringify(CONFIG)],
        { cwd: path.join(__dirname, "..", ".."), stdio: ["ignore", "pipe", "pipe"] },
      );
      try {
        const line = await new Promise<string>((resolve, reject) => {
          const rl = readline.createInterface({ input: child.stdout });
          rl.once("line", resolve);
          child.once("exit", (code) => reject(new Error(`fake-aws exited early with ${code}`)));
        });
        const { url } = JSON.parse(line) as { url: string };
        assert.match(url, /^http:\/\/127\.0\.0\.1:\d+$/);
        const client = track(
          new STSClient({ endpoint: url, region: "us-east-1", credentials: SOLO_KEY }),
        );
        const who = await client.send(new GetCallerIdentityCommand({}));
        assert.strictEqual(who.Account, SOLO);
        client.destroy();
        const exited = new Promise<number | null>((resolve) => child.once("exit", resolve));
        child.kill("SIGTERM");
        assert.strictEqual(await exited, 0);
      } finally {
        if (child.exitCode === null) child.kill("SIGKILL");
      }
    });
  });
});
