// fake-aws in the GovCloud and China partitions: their regions and endpoints, their ARNs, their
// Organizations endpoint, and credentials that mean nothing in another partition.
import * as assert from "assert";
import { AccessAnalyzerClient, CreateAnalyzerCommand } from "@aws-sdk/client-accessanalyzer";
import { DescribeRegionsCommand, EC2Client } from "@aws-sdk/client-ec2";
import {
  DescribeOrganizationCommand,
  ListAccountsCommand,
  OrganizationsClient,
} from "@aws-sdk/client-organizations";
import { AssumeRoleCommand, GetCallerIdentityCommand, STSClient } from "@aws-sdk/client-sts";
import {
  CHINA_REGIONS,
  GOVCLOUD_REGIONS,
  startFakeAws,
  type FakeAws,
  type FakeAwsConfig,
} from "../harness/fake-aws";

const GOV_MGMT = "310000000001";
const GOV_MEMBER = "310000000002";
const CN = "320000000001";
const COMMERCIAL = "330000000001";
const key = (n: string) => ({
  accessKeyId: `AKIATESTPART${n}0000000`.slice(0, 20),
  secretAccessKey: `secret-partition-${n}-00000000000000000000000`,
});
const GOV_KEY = key("1");
const CN_KEY = key("2");
const COM_KEY = key("3");

const CONFIG: FakeAwsConfig = {
  accounts: [
    {
      id: GOV_MGMT,
      partition: "aws-us-gov",
      orgRole: "management",
      accessKeys: [{ ...GOV_KEY, userName: "bot" }],
    },
    {
      id: GOV_MEMBER,
      partition: "aws-us-gov",
      orgRole: "member",
      ou: "Workloads",
      roles: [{ name: "Deployer", trustedAccountIds: [GOV_MGMT, COMMERCIAL] }],
    },
    { id: CN, partition: "aws-cn", accessKeys: [CN_KEY] },
    {
      id: COMMERCIAL,
      accessKeys: [COM_KEY],
      roles: [{ name: "Deployer", trustedAccountIds: [GOV_MGMT] }],
    },
  ],
};

describe("fake-aws partitions: GovCloud and China", function () {
  this.timeout(30000);
  let fake: FakeAws;
  const clients: { destroy(): void }[] = [];
  const make = <C extends { destroy(): void }>(c: C): C => {
    clients.push(c);
    return c;
  };
  type Creds = { accessKeyId: string; secretAccessKey: string; sessionToken?: string };
  const sts = (creds: Creds, region: string) =>
    make(new STSClient({ endpoint: fake.url, region, credentials: creds, maxAttempts: 1 }));

  before(async () => {
    fake = await startFakeAws({ config: CONFIG });
  });
  after(async () => {
    for (const c of clients.splice(0)) c.destroy();
    await fake.close();
  });

  it("lists each partition's own regions with its endpoints, none of another partition", async () => {
    const regions = async (creds: Creds, region: string, all = false) => {
      const ec2 = make(
        new EC2Client({ endpoint: fake.url, region, credentials: creds, maxAttempts: 1 }),
      );
      const out = await ec2.send(new DescribeRegionsCommand({ AllRegions: all }));
      return out.Regions!.map((r) => [r.RegionName, r.Endpoint, r.OptInStatus]);
    };
    assert.deepStrictEqual(await regions(GOV_KEY, "us-gov-west-1", true), [
      ["us-gov-west-1", "ec2.us-gov-west-1.amazonaws.com", "opt-in-not-required"],
      ["us-gov-east-1", "ec2.us-gov-east-1.amazonaws.com", "opt-in-not-required"],
    ]);
    assert.deepStrictEqual(await regions(CN_KEY, "cn-northwest-1"), [
      ["cn-north-1", "ec2.cn-north-1.amazonaws.com.cn", "opt-in-not-required"],
      ["cn-northwest-1", "ec2.cn-northwest-1.amazonaws.com.cn", "opt-in-not-required"],
    ]);
    assert.deepStrictEqual(fake.state.enabledRegions(GOV_MEMBER), [...GOVCLOUD_REGIONS]);
    assert.deepStrictEqual(fake.state.enabledRegions(CN), [...CHINA_REGIONS]);
    assert.ok(fake.state.enabledRegions(COMMERCIAL).includes("us-east-1"));
    assert.ok(!fake.state.enabledRegions(COMMERCIAL).some((r) => r.startsWith("us-gov-")));
  });

  it("names principals, assumed roles and analyzers with the partition's ARNs", async () => {
    const me = await sts(GOV_KEY, "us-gov-west-1").send(new GetCallerIdentityCommand({}));
    assert.strictEqual(me.Arn, `arn:aws-us-gov:iam::${GOV_MGMT}:user/bot`);
    const cn = await sts(CN_KEY, "cn-north-1").send(new GetCallerIdentityCommand({}));
    assert.strictEqual(cn.Arn, `arn:aws-cn:iam::${CN}:root`);
    const assumed = await sts(GOV_KEY, "us-gov-east-1").send(
      new AssumeRoleCommand({
        RoleArn: `arn:aws-us-gov:iam::${GOV_MEMBER}:role/Deployer`,
        RoleSessionName: "fleet",
      }),
    );
    assert.strictEqual(
      assumed.AssumedRoleUser!.Arn,
      `arn:aws-us-gov:sts::${GOV_MEMBER}:assumed-role/Deployer/fleet`,
    );
    const c = assumed.Credentials!;
    const aa = make(
      new AccessAnalyzerClient({
        endpoint: fake.url,
        region: "us-gov-east-1",
        credentials: {
          accessKeyId: c.AccessKeyId!,
          secretAccessKey: c.SecretAccessKey!,
          sessionToken: c.SessionToken!,
        },
        maxAttempts: 1,
      }),
    );
    const created = await aa.send(
      new CreateAnalyzerCommand({ analyzerName: "external-access", type: "ACCOUNT" }),
    );
    assert.strictEqual(
      created.arn,
      `arn:aws-us-gov:access-analyzer:us-gov-east-1:${GOV_MEMBER}:analyzer/external-access`,
    );
  });

  it("refuses credentials in another partition's regions, and roles across partitions", async () => {
    // GovCloud keys at a commercial endpoint, commercial keys at a GovCloud one: unknown there.
    await assert.rejects(sts(GOV_KEY, "us-east-1").send(new GetCallerIdentityCommand({})), {
      name: "InvalidClientTokenId",
    });
    const aa = make(
      new AccessAnalyzerClient({
        endpoint: fake.url,
        region: "us-gov-west-1",
        credentials: COM_KEY,
        maxAttempts: 1,
      }),
    );
    await assert.rejects(
      aa.send(new CreateAnalyzerCommand({ analyzerName: "x", type: "ACCOUNT" })),
      { name: "UnrecognizedClientException" },
    );
    // A commercial ARN names no role in GovCloud, and a GovCloud role is not there for a
    // commercial caller, whatever its trust policy says.
    for (const [creds, region, roleArn] of [
      [GOV_KEY, "us-gov-west-1", `arn:aws:iam::${COMMERCIAL}:role/Deployer`],
      [GOV_KEY, "us-gov-west-1", `arn:aws:iam::${GOV_MEMBER}:role/Deployer`],
      [COM_KEY, "us-east-1", `arn:aws-us-gov:iam::${GOV_MEMBER}:role/Deployer`],
    ] as const) {
      await assert.rejects(
        sts(creds, region).send(
          new AssumeRoleCommand({ RoleArn: roleArn, RoleSessionName: "fleet" }),
        ),
        { name: "AccessDenied" },
        roleArn,
      );
    }
  });

  it("serves a GovCloud organization from us-gov-west-1 only, with aws-us-gov ARNs", async () => {
    const org = (region: string) =>
      make(
        new OrganizationsClient({
          endpoint: fake.url,
          region,
          credentials: GOV_KEY,
          maxAttempts: 1,
        }),
      );
    const out = await org("us-gov-west-1").send(new DescribeOrganizationCommand({}));
    assert.strictEqual(out.Organization!.MasterAccountId, GOV_MGMT);
    assert.match(
      out.Organization!.Arn!,
      new RegExp(`^arn:aws-us-gov:organizations::${GOV_MGMT}:organization/o-`),
    );
    const accounts = await org("us-gov-west-1").send(new ListAccountsCommand({}));
    assert.deepStrictEqual(accounts.Accounts!.map((a) => a.Id).sort(), [GOV_MGMT, GOV_MEMBER]);
    assert.ok(accounts.Accounts!.every((a) => a.Arn!.startsWith("arn:aws-us-gov:organizations::")));
    // Signed for the other GovCloud region: the endpoint takes us-gov-west-1 only.
    await assert.rejects(org("us-gov-east-1").send(new DescribeOrganizationCommand({})), {
      name: "InvalidSignatureException",
      message: /signed for us-gov-west-1/,
    });
  });

  it("keeps an organization in one partition and opt-in regions in their own", () => {
    assert.throws(
      () => fake.state.addAccount({ id: "330000000002", orgRole: "member" }),
      /partition aws, organization o-\w+ in aws-us-gov/,
    );
    assert.throws(
      () =>
        fake.state.addAccount({
          id: "320000000002",
          partition: "aws-cn",
          optedInRegions: ["af-south-1"],
        }),
      /not an opt-in region of partition aws-cn/,
    );
    assert.throws(() => fake.state.enableRegion(GOV_MEMBER, "af-south-1"), /partition/);
  });
});
