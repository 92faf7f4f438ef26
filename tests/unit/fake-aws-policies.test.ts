import * as assert from "assert";
import * as fs from "fs";
import * as path from "path";
import {
  AccessAnalyzerClient,
  AccessDeniedException,
  CreateAnalyzerCommand,
  GetAnalyzerCommand,
  ListAnalyzersCommand,
  ListFindingsV2Command,
} from "@aws-sdk/client-accessanalyzer";
import { DescribeRegionsCommand, EC2Client, EC2ServiceException } from "@aws-sdk/client-ec2";
import {
  AccessDeniedException as OrgAccessDenied,
  DescribeOrganizationCommand,
  OrganizationsClient,
  RegisterDelegatedAdministratorCommand,
} from "@aws-sdk/client-organizations";
import {
  AssumeRoleCommand,
  GetCallerIdentityCommand,
  STSClient,
  STSServiceException,
} from "@aws-sdk/client-sts";
import { accessAnalyzerSlrArn } from "../harness/fake-aws/iam";
import {
  FakeAwsAdminClient,
  evaluate,
  policyDocumentSchema,
  startFakeAws,
  type FakeAws,
  type PolicyDocument,
} from "../harness/fake-aws";
import { rejectsWith } from "./helpers/fake-aws";

const BOT = "999999999999";
const TARGET = "222222222222";
const MGMT = "111111111111";
const BOT_KEY = {
  accessKeyId: "AKIATESTPOLICYBOT001",
  secretAccessKey: "bot-secret-0000000000000000000000000000",
};
const ROOT = path.resolve(__dirname, "../..");
const shipped = (file: string): PolicyDocument =>
  policyDocumentSchema.parse(
    JSON.parse(fs.readFileSync(path.join(ROOT, "policies", file), "utf8")),
  );

const doc = (...Statement: PolicyDocument["Statement"][]): PolicyDocument => ({
  Version: "2012-10-17",
  Statement: Statement.flat(),
});

describe("fake-aws policy evaluation (pure)", () => {
  const req = (action: string, resource = "*", context = {}) => ({ action, resource, context });

  it("matches action wildcards case-insensitively and denies what no statement allows", () => {
    const p = [
      doc({ Effect: "Allow", Action: ["access-analyzer:*", "ec2:Describe*"], Resource: "*" }),
    ];
    assert.strictEqual(evaluate(p, req("access-analyzer:CreateAnalyzer")), "allow");
    assert.strictEqual(evaluate(p, req("Access-Analyzer:createanalyzer")), "allow");
    assert.strictEqual(evaluate(p, req("ec2:DescribeRegions")), "allow");
    assert.strictEqual(evaluate(p, req("ec2:RunInstances")), "implicit-deny");
    assert.strictEqual(evaluate(p, req("organizations:ListRoots")), "implicit-deny");
  });

  it("lets an explicit Deny win over any Allow, and honours NotAction", () => {
    const p = [
      doc({ Effect: "Allow", Action: "*", Resource: "*" }),
      doc({ Effect: "Deny", NotAction: "access-analyzer:Get*", Resource: "*" }),
    ];
    assert.strictEqual(evaluate(p, req("access-analyzer:GetAnalyzer")), "allow");
    assert.strictEqual(evaluate(p, req("access-analyzer:DeleteAnalyzer")), "explicit-deny");
  });

  it("matches resource ARNs with wildcards, case-sensitively", () => {
    const p = [
      doc({
        Effect: "Allow",
        Action: "access-analyzer:GetAnalyzer",
        Resource: "arn:aws:access-analyzer:*:222222222222:analyzer/aa-?",
      }),
    ];
    const arn = (name: string) => `arn:aws:access-analyzer:eu-west-1:222222222222:analyzer/${name}`;
    assert.strictEqual(evaluate(p, req("access-analyzer:GetAnalyzer", arn("aa-1"))), "allow");
    assert.strictEqual(
      evaluate(p, req("access-analyzer:GetAnalyzer", arn("AA-1"))),
      "implicit-deny",
    );
    assert.strictEqual(
      evaluate(p, req("access-analyzer:GetAnalyzer", arn("aa-12"))),
      "implicit-deny",
    );
  });

  it("applies StringEquals and StringLike conditions; a missing key fails them", () => {
    const p = [
      doc({
        Effect: "Allow",
        Action: "iam:CreateServiceLinkedRole",
        Resource: "*",
        Condition: { StringEquals: { "iam:AWSServiceName": "access-analyzer.amazonaws.com" } },
      }),
      doc({
        Effect: "Allow",
        Action: "organizations:EnableAWSServiceAccess",
        Resource: "*",
        Condition: { StringLike: { "organizations:ServicePrincipal": "access-analyzer.*" } },
      }),
    ];
    const slr = "iam:CreateServiceLinkedRole";
    const key = "iam:AWSServiceName";
    assert.strictEqual(
      evaluate(p, req(slr, "*", { [key]: "access-analyzer.amazonaws.com" })),
      "allow",
    );
    assert.strictEqual(evaluate(p, req(slr, "*", { [key]: "ec2.amazonaws.com" })), "implicit-deny");
    assert.strictEqual(evaluate(p, req(slr)), "implicit-deny");
    const enable = "organizations:EnableAWSServiceAccess";
    const sp = "organizations:ServicePrincipal";
    assert.strictEqual(
      evaluate(p, req(enable, "*", { [sp]: "access-analyzer.amazonaws.com" })),
      "allow",
    );
    assert.strictEqual(
      evaluate(p, req(enable, "*", { [sp]: "sso.amazonaws.com" })),
      "implicit-deny",
    );
  });

  it("refuses a malformed policy document, naming what is wrong", () => {
    const bad = { Version: "2012-10-17", Statement: [{ Effect: "Allow", Resource: "*" }] };
    assert.throws(() => policyDocumentSchema.parse(bad), /exactly one of Action or NotAction/);
    const badOp = {
      Version: "2012-10-17",
      Statement: { Effect: "Allow", Action: "*", Resource: "*", Condition: { NumericEquals: {} } },
    };
    assert.throws(() => policyDocumentSchema.parse(badOp), /NumericEquals|Condition/);
  });

  it("grants every action of every shipped policy alike in the commercial, GovCloud and China partitions", () => {
    const files = fs
      .readdirSync(path.join(ROOT, "policies"))
      .filter((f) => f.endsWith(".json") && f !== "trust-policy.json");
    const region = { aws: "eu-west-1", "aws-us-gov": "us-gov-east-1", "aws-cn": "cn-north-1" };
    const account = "222222222222";
    /** The resource and condition keys AWS evaluates the action on (fake-aws iam.ts requestOf). */
    const requestFor = (action: string, partition: keyof typeof region) => {
      if (action.startsWith("access-analyzer:") && action !== "access-analyzer:ListAnalyzers") {
        return req(
          action,
          `arn:${partition}:access-analyzer:${region[partition]}:${account}:analyzer/external-access`,
        );
      }
      if (action === "iam:CreateServiceLinkedRole") {
        return req(action, accessAnalyzerSlrArn(account, partition), {
          "iam:AWSServiceName": "access-analyzer.amazonaws.com",
        });
      }
      if (action.startsWith("organizations:") && /Register|Enable/.test(action)) {
        return req(action, "*", {
          "organizations:ServicePrincipal": "access-analyzer.amazonaws.com",
        });
      }
      return req(action);
    };
    const denied: string[] = [];
    for (const file of files) {
      const policy = shipped(file);
      const actions = [policy.Statement].flat().flatMap((st) => [st.Action ?? []].flat());
      for (const action of actions) {
        for (const partition of ["aws", "aws-us-gov", "aws-cn"] as const) {
          if (evaluate([policy], requestFor(action, partition)) !== "allow") {
            denied.push(`${file}: ${action} in ${partition}`);
          }
        }
      }
    }
    assert.deepStrictEqual(denied, []);
    // The trust policy's principal takes no wildcard: the partition is a placeholder to replace.
    const trust = fs.readFileSync(path.join(ROOT, "policies", "trust-policy.json"), "utf8");
    assert.deepStrictEqual(trust.match(/arn:[^:]*:/g), ["arn:PARTITION:"]);
  });

  it("ships policy documents that parse and name only exact actions (no wildcards)", () => {
    const files = fs.readdirSync(path.join(ROOT, "policies")).filter((f) => f.endsWith(".json"));
    assert.ok(files.includes("deployer.json") && files.includes("audit.json"), files.join(", "));
    for (const file of files.filter((f) => f !== "trust-policy.json")) {
      for (const s of [shipped(file).Statement].flat()) {
        for (const a of [s.Action ?? []].flat()) assert.doesNotMatch(a, /[*?]/, `${file}: ${a}`);
      }
    }
  });
});

describe("fake-aws enforces role policies over the wire", function () {
  this.timeout(30000);
  let fake: FakeAws;
  let admin: FakeAwsAdminClient;
  const region = "eu-west-1";
  const bot = { region, credentials: BOT_KEY };

  before(async () => {
    fake = await startFakeAws({
      config: {
        accounts: [
          { id: BOT, accessKeys: [{ ...BOT_KEY, userName: "fleet-bot" }] },
          {
            id: TARGET,
            roles: [
              { name: "Deployer", trustedAccountIds: [BOT], policies: [shipped("deployer.json")] },
              { name: "Auditor", trustedAccountIds: [BOT], policies: [shipped("audit.json")] },
              {
                name: "NoSlr",
                trustedAccountIds: [BOT],
                policies: [
                  doc({ Effect: "Allow", Action: "access-analyzer:CreateAnalyzer", Resource: "*" }),
                ],
              },
              { name: "Anything", trustedAccountIds: [BOT] },
            ],
          },
          {
            id: MGMT,
            orgRole: "management",
            roles: [
              {
                name: "OrgReader",
                trustedAccountIds: [BOT],
                policies: [shipped("organizations-read.json")],
              },
            ],
          },
        ],
      },
    });
    admin = new FakeAwsAdminClient(fake.url);
  });
  after(() => fake.close());

  async function session(accountId: string, role: string) {
    const sts = new STSClient({ endpoint: fake.url, ...bot });
    const out = await sts.send(
      new AssumeRoleCommand({
        RoleArn: `arn:aws:iam::${accountId}:role/${role}`,
        RoleSessionName: "policy-test",
      }),
    );
    const c = out.Credentials!;
    return {
      endpoint: fake.url,
      region,
      credentials: {
        accessKeyId: c.AccessKeyId!,
        secretAccessKey: c.SecretAccessKey!,
        sessionToken: c.SessionToken!,
      },
    };
  }

  it("denies Access Analyzer calls outside the policy with AccessDeniedException and AWS's message", async () => {
    const aa = new AccessAnalyzerClient(await session(TARGET, "Auditor"));
    const err = await rejectsWith(
      aa.send(new CreateAnalyzerCommand({ analyzerName: "aa", type: "ACCOUNT" })),
      AccessDeniedException,
      403,
    );
    assert.match(
      err.message,
      new RegExp(
        `^User: arn:aws:sts::${TARGET}:assumed-role/Auditor/policy-test is not authorized to perform: access-analyzer:CreateAnalyzer on resource: arn:aws:access-analyzer:${region}:${TARGET}:analyzer/aa because no identity-based policy allows the access-analyzer:CreateAnalyzer action$`,
      ),
    );
    assert.deepStrictEqual(await admin.listAnalyzers(TARGET), [], "nothing was created");
  });

  it("denies EC2 with UnauthorizedOperation and STS-style query errors with AccessDenied", async () => {
    const ec2 = new EC2Client(await session(MGMT, "OrgReader"));
    const err = await rejectsWith(
      ec2.send(new DescribeRegionsCommand({})),
      EC2ServiceException,
      403,
    );
    assert.strictEqual(err.name, "UnauthorizedOperation");
    assert.match(err.message, /not authorized to perform: ec2:DescribeRegions/);
    // A role chain from a session whose policy does not allow sts:AssumeRole.
    const sts = new STSClient(await session(TARGET, "Auditor"));
    const denied = await rejectsWith(
      sts.send(
        new AssumeRoleCommand({
          RoleArn: `arn:aws:iam::${TARGET}:role/Anything`,
          RoleSessionName: "chain",
        }),
      ),
      STSServiceException,
      403,
    );
    assert.strictEqual(denied.name, "AccessDenied");
    assert.match(denied.message, /not authorized to perform: sts:AssumeRole/);
    // GetCallerIdentity needs no permission on AWS, so no policy can deny it.
    const me = await sts.send(new GetCallerIdentityCommand({}));
    assert.strictEqual(me.Account, TARGET);
  });

  it("denies Organizations with AccessDeniedException and allows the read policy's calls", async () => {
    const org = new OrganizationsClient({
      ...(await session(MGMT, "OrgReader")),
      region: "us-east-1",
    });
    const out = await org.send(new DescribeOrganizationCommand({}));
    assert.strictEqual(out.Organization?.MasterAccountId, MGMT);
    const err = await rejectsWith(
      org.send(
        new RegisterDelegatedAdministratorCommand({
          AccountId: TARGET,
          ServicePrincipal: "access-analyzer.amazonaws.com",
        }),
      ),
      OrgAccessDenied,
      400,
    );
    assert.match(err.message, /organizations:RegisterDelegatedAdministrator/);
  });

  it("needs iam:CreateServiceLinkedRole for the account's first analyzer only", async () => {
    const noSlr = new AccessAnalyzerClient(await session(TARGET, "NoSlr"));
    const err = await rejectsWith(
      noSlr.send(new CreateAnalyzerCommand({ analyzerName: "first", type: "ACCOUNT" })),
      AccessDeniedException,
      403,
    );
    assert.match(
      err.message,
      /iam:CreateServiceLinkedRole on resource: arn:aws:iam::222222222222:role\/aws-service-role\/access-analyzer.amazonaws.com\/AWSServiceRoleForAccessAnalyzer/,
    );
    const deployer = new AccessAnalyzerClient(await session(TARGET, "Deployer"));
    await deployer.send(new CreateAnalyzerCommand({ analyzerName: "first", type: "ACCOUNT" }));
    await deployer.send(new GetAnalyzerCommand({ analyzerName: "first" }));
    // The role now exists: the policy without iam:CreateServiceLinkedRole creates the next one.
    const other = "us-east-1";
    const noSlrUs = new AccessAnalyzerClient({
      ...(await session(TARGET, "NoSlr")),
      region: other,
    });
    await noSlrUs.send(new CreateAnalyzerCommand({ analyzerName: "second", type: "ACCOUNT" }));
  });

  it("authorises ListFindingsV2 as access-analyzer:ListFindings and records each role's actions", async () => {
    const auditor = new AccessAnalyzerClient(await session(TARGET, "Auditor"));
    const list = await auditor.send(new ListAnalyzersCommand({}));
    const arn = list.analyzers?.find((a) => a.name === "first")?.arn;
    assert.ok(arn, "the analyzer made by the deployer");
    await auditor.send(new ListFindingsV2Command({ analyzerArn: arn }));
    const actions = await admin.authorizedActions();
    assert.deepStrictEqual(actions[`arn:aws:iam::${TARGET}:role/Auditor`], [
      "access-analyzer:ListAnalyzers",
      "access-analyzer:ListFindings",
      "sts:GetCallerIdentity",
    ]);
    assert.ok(
      actions[`arn:aws:iam::${TARGET}:role/Deployer`]?.includes("iam:CreateServiceLinkedRole"),
      JSON.stringify(actions),
    );
  });
});
