import * as assert from "assert";
import {
  AccessAnalyzerClient,
  AccessAnalyzerServiceException,
  CreateAnalyzerCommand,
  CreateArchiveRuleCommand,
  GetAnalyzedResourceCommand,
  GetAnalyzerCommand,
  GetFindingCommand,
  GetFindingV2Command,
  ListAnalyzedResourcesCommand,
  ListAnalyzersCommand,
  ListFindingsV2Command,
  ResourceNotFoundException,
  ValidationException,
} from "@aws-sdk/client-accessanalyzer";
import { GetCallerIdentityCommand, STSClient, STSServiceException } from "@aws-sdk/client-sts";
import { FakeAwsAdminClient, startFakeAws, type FakeAws } from "../harness/fake-aws";
import { rejectsWith } from "./helpers/fake-aws";

const ACCOUNT = "444444444444";
const KEY = {
  accessKeyId: "AKIATESTFIDELITY0001",
  secretAccessKey: "fidelity-secret-00000000000000000000000",
};
const REGION = "eu-west-1";
const BUCKET_ARN = "arn:aws:s3:::public-bucket";

/** Re-signs a request's credential scope for another service, as that service's own SDK would. */
function signedFor(service: string) {
  return {
    applyToStack(stack: { addRelativeTo(mw: unknown, opts: Record<string, unknown>): void }): void {
      stack.addRelativeTo(
        (next: (a: unknown) => Promise<unknown>) =>
          (args: { request: { headers: Record<string, string> } }) => {
            const h = args.request.headers;
            h.authorization = h.authorization.replace(
              /\/(sts|access-analyzer)\/aws4_request/,
              `/${service}/aws4_request`,
            );
            return next(args);
          },
        { relation: "after", toMiddleware: "httpSigningMiddleware", name: `resign-${service}` },
      );
    },
  };
}

describe("fake-aws fidelity to AWS (findings read side, errors, CREATING)", function () {
  this.timeout(20000);
  let fake: FakeAws;
  let client: AccessAnalyzerClient;

  beforeEach(async () => {
    fake = await startFakeAws({ config: { accounts: [{ id: ACCOUNT, accessKeys: [KEY] }] } });
    client = new AccessAnalyzerClient({
      endpoint: fake.url,
      region: REGION,
      credentials: KEY,
      maxAttempts: 1,
    });
  });
  afterEach(async () => {
    client.destroy();
    await fake.close();
  });

  async function plantPublicBucket(): Promise<{ arn: string; id: string }> {
    const admin = new FakeAwsAdminClient(fake.url);
    const analyzer = await admin.createAnalyzer({
      accountId: ACCOUNT,
      region: REGION,
      analyzerName: "external",
    });
    const finding = await admin.addFinding(ACCOUNT, REGION, "external", {
      resourceType: "AWS::S3::Bucket",
      resource: BUCKET_ARN,
      principal: { AWS: "*" },
      action: ["s3:GetObject", "s3:ListBucket"],
      condition: {},
      isPublic: true,
    });
    return { arn: analyzer.arn, id: finding.id };
  }

  it("serves a planted public-bucket finding through GetFinding, GetFindingV2 and the analyzed-resource calls", async () => {
    const { arn, id } = await plantPublicBucket();
    const listed = await client.send(new ListFindingsV2Command({ analyzerArn: arn }));
    assert.deepStrictEqual(
      listed.findings?.map((f) => f.id),
      [id],
    );

    const v1 = (await client.send(new GetFindingCommand({ analyzerArn: arn, id }))).finding!;
    assert.strictEqual(v1.resource, BUCKET_ARN);
    assert.strictEqual(v1.resourceType, "AWS::S3::Bucket");
    assert.strictEqual(v1.isPublic, true);
    assert.deepStrictEqual(v1.principal, { AWS: "*" });
    assert.deepStrictEqual(v1.action, ["s3:GetObject", "s3:ListBucket"]);
    assert.strictEqual(v1.status, "ACTIVE");
    assert.strictEqual(v1.resourceOwnerAccount, ACCOUNT);
    assert.ok(v1.updatedAt instanceof Date);

    const v2 = await client.send(new GetFindingV2Command({ analyzerArn: arn, id }));
    assert.strictEqual(v2.findingType, "ExternalAccess");
    assert.deepStrictEqual(v2.findingDetails, [
      {
        externalAccessDetails: {
          action: ["s3:GetObject", "s3:ListBucket"],
          condition: {},
          isPublic: true,
          principal: { AWS: "*" },
        },
      },
    ]);

    const resources = await client.send(new ListAnalyzedResourcesCommand({ analyzerArn: arn }));
    assert.deepStrictEqual(resources.analyzedResources, [
      { resourceArn: BUCKET_ARN, resourceOwnerAccount: ACCOUNT, resourceType: "AWS::S3::Bucket" },
    ]);
    const none = await client.send(
      new ListAnalyzedResourcesCommand({ analyzerArn: arn, resourceType: "AWS::KMS::Key" }),
    );
    assert.deepStrictEqual(none.analyzedResources, []);
    const resource = (
      await client.send(
        new GetAnalyzedResourceCommand({ analyzerArn: arn, resourceArn: BUCKET_ARN }),
      )
    ).resource!;
    assert.strictEqual(resource.isPublic, true);
    assert.strictEqual(resource.status, "ACTIVE");

    await rejectsWith(
      client.send(new GetFindingCommand({ analyzerArn: arn, id: "no-such-finding" })),
      ResourceNotFoundException,
      404,
    );
    await rejectsWith(
      client.send(
        new GetAnalyzedResourceCommand({ analyzerArn: arn, resourceArn: "arn:aws:s3:::other" }),
      ),
      ResourceNotFoundException,
      404,
    );
  });

  it("serves an unused-role finding through GetFindingV2 only, with its last-access details", async () => {
    const admin = new FakeAwsAdminClient(fake.url);
    const analyzer = await admin.createAnalyzer({
      accountId: ACCOUNT,
      region: REGION,
      analyzerName: "unused",
      type: "ACCOUNT_UNUSED_ACCESS",
    });
    const lastAccessed = "2025-01-02T03:04:05.000Z";
    const finding = await admin.addFinding(ACCOUNT, REGION, "unused", {
      resourceType: "AWS::IAM::Role",
      resource: `arn:aws:iam::${ACCOUNT}:role/forgotten`,
      findingType: "UnusedIAMRole",
      unusedAccess: { lastAccessed },
    });
    const v2 = await client.send(
      new GetFindingV2Command({ analyzerArn: analyzer.arn, id: finding.id }),
    );
    assert.strictEqual(v2.findingType, "UnusedIAMRole");
    assert.strictEqual(
      v2.findingDetails?.[0]?.unusedIamRoleDetails?.lastAccessed?.toISOString(),
      lastAccessed,
    );
    const err = await rejectsWith(
      client.send(new GetFindingCommand({ analyzerArn: analyzer.arn, id: finding.id })),
      ValidationException,
      400,
    );
    assert.strictEqual((err as ValidationException).reason, "notSupported");
  });

  it("rejects an unknown ListAnalyzers type and a malformed analyzerArn with ValidationException naming the field", async () => {
    const err = (await rejectsWith(
      client.send(new ListAnalyzersCommand({ type: "EVERYTHING" as never })),
      ValidationException,
      400,
    )) as ValidationException;
    assert.strictEqual(err.reason, "fieldValidationFailed");
    assert.deepStrictEqual(
      err.fieldList?.map((f) => f.name),
      ["type"],
    );
    const bad = (await rejectsWith(
      client.send(new ListFindingsV2Command({ analyzerArn: "not-an-arn" })),
      ValidationException,
      400,
    )) as ValidationException;
    assert.deepStrictEqual(
      bad.fieldList?.map((f) => f.name),
      ["analyzerArn"],
    );
    // A well-formed ARN of no analyzer is still ResourceNotFoundException.
    await rejectsWith(
      client.send(
        new ListFindingsV2Command({
          analyzerArn: `arn:aws:access-analyzer:${REGION}:${ACCOUNT}:analyzer/nothing`,
        }),
      ),
      ResourceNotFoundException,
      404,
    );
  });

  it("accepts analyzer names with a leading underscore but keeps archive rule names letter-first", async () => {
    await client.send(new CreateAnalyzerCommand({ analyzerName: "_console", type: "ACCOUNT" }));
    const got = await client.send(new GetAnalyzerCommand({ analyzerName: "_console" }));
    assert.strictEqual(got.analyzer?.name, "_console");
    await rejectsWith(
      client.send(
        new CreateArchiveRuleCommand({
          analyzerName: "_console",
          ruleName: "_rule",
          filter: { isPublic: { eq: ["false"] } },
        }),
      ),
      ValidationException,
      400,
    );
  });

  it("keeps a new analyzer CREATING for analyzerActivationMs, then ACTIVE", async () => {
    const admin = new FakeAwsAdminClient(fake.url);
    assert.strictEqual(
      (await admin.configure({ analyzerActivationMs: 300 })).analyzerActivationMs,
      300,
    );
    await client.send(new CreateAnalyzerCommand({ analyzerName: "slow", type: "ACCOUNT" }));
    const first = await client.send(new ListAnalyzersCommand({}));
    assert.strictEqual(first.analyzers?.[0]?.status, "CREATING");
    await new Promise((r) => setTimeout(r, 350));
    const later = await client.send(new GetAnalyzerCommand({ analyzerName: "slow" }));
    assert.strictEqual(later.analyzer?.status, "ACTIVE");
    await assert.rejects(admin.configure({ analyzerActivationMs: -1 }), /analyzerActivationMs/);
  });

  it("answers a service it does not serve in that service's protocol, so the SDK reads the code", async () => {
    // IAM is awsQuery like STS: the STS client's deserializer is the one IAM's client uses.
    const iamLike = new STSClient({
      endpoint: fake.url,
      region: "us-east-1",
      credentials: KEY,
      maxAttempts: 1,
    });
    iamLike.middlewareStack.use(signedFor("iam") as never);
    try {
      const err = await rejectsWith(
        iamLike.send(new GetCallerIdentityCommand({})),
        STSServiceException,
        400,
      );
      assert.strictEqual(err.name, "InvalidAction");
    } finally {
      iamLike.destroy();
    }
    // restJson: the Access Analyzer client reads x-amzn-errortype.
    const restLike = new AccessAnalyzerClient({
      endpoint: fake.url,
      region: REGION,
      credentials: KEY,
      maxAttempts: 1,
    });
    restLike.middlewareStack.use(signedFor("securityhub") as never);
    try {
      const err = await rejectsWith(
        restLike.send(new ListAnalyzersCommand({})),
        AccessAnalyzerServiceException,
        400,
      );
      assert.strictEqual(err.name, "UnknownOperationException");
    } finally {
      restLike.destroy();
    }
    // awsJson (KMS): `__type` in a JSON body.
    const res = await fetch(fake.url, {
      method: "POST",
      headers: {
        "content-type": "application/x-amz-json-1.1",
        "x-amz-target": "TrentService.ListKeys",
        authorization: `AWS4-HMAC-SHA256 Credential=AKIATESTFIDELITY0001/20250101/us-east-1/kms/aws4_request, SignedHeaders=host, Signature=${"0".repeat(64)}`,
      },
      body: "{}",
    });
    assert.strictEqual(res.status, 400);
    assert.strictEqual(res.headers.get("content-type"), "application/x-amz-json-1.1");
    const body = (await res.json()) as { __type: string; message: string };
    assert.strictEqual(body.__type, "UnknownOperationException");
    assert.match(body.message, /ListKeys/);
  });
});
