/**
 * The AWS SDK reader with its clients replaced by scripted ones: what each call sends (pages,
 * filters, role session), how the answers are mapped, and how failures are named. The same reader
 * against fake-aws over the real wire protocols is in audit.test.ts.
 */
import { AccessAnalyzerClient } from "@aws-sdk/client-accessanalyzer";
import { EC2Client } from "@aws-sdk/client-ec2";
import { STSClient } from "@aws-sdk/client-sts";
import * as assert from "assert";
import { SdkArchiveRuleClient } from "../../../fleet/aws/archiveRules";
import { AssumeRoleError, assumedRoleProvider } from "../../../fleet/aws/credentials";
import { SdkAccountReader, type SdkReaderOptions } from "../../../fleet/aws/reader";
import type { Target } from "../../../fleet/settings/schema";
import { target } from "./helpers";

type Sent = { command: string; input: Record<string, unknown>; options: unknown };
type Answer = Record<string, unknown> | Error;

/** A client whose `send` records each command and answers the next scripted answer. */
function scriptedClient(answers: Answer[]): {
  send: (...a: unknown[]) => Promise<unknown>;
  sent: Sent[];
} {
  const sent: Sent[] = [];
  return {
    sent,
    send: (command, options) => {
      const c = command as { constructor: { name: string }; input: Record<string, unknown> };
      sent.push({ command: c.constructor.name, input: c.input, options });
      const answer = answers.shift() ?? {};
      return answer instanceof Error ? Promise.reject(answer) : Promise.resolve(answer);
    },
  };
}

function named(name: string, message: string): Error {
  const e = new Error(message);
  e.name = name;
  return e;
}

const ROLE = "arn:aws:iam::111122223333:role/Auditor";

describe("assumedRoleProvider", () => {
  const creds = (extra: Record<string, unknown> = {}) => ({
    Credentials: { AccessKeyId: "ASIAEXAMPLE", SecretAccessKey: "s3cret", ...extra },
  });

  it("assumes the role with the default session name, and an external id only when given", async () => {
    const sts = scriptedClient([creds(), creds()]);
    await assumedRoleProvider(sts as unknown as STSClient, { roleArn: ROLE })();
    assert.deepStrictEqual(sts.sent[0].input, {
      RoleArn: ROLE,
      RoleSessionName: "access-analyzer-fleet",
    });
    await assumedRoleProvider(sts as unknown as STSClient, {
      roleArn: ROLE,
      externalId: "ext-1",
      sessionName: "audit",
    })();
    assert.deepStrictEqual(sts.sent[1].input, {
      RoleArn: ROLE,
      RoleSessionName: "audit",
      ExternalId: "ext-1",
    });
  });

  it("returns the session token and expiry only when AWS gives them", async () => {
    const expiration = new Date(Date.now() + 3600_000);
    const full = scriptedClient([creds({ SessionToken: "tok", Expiration: expiration })]);
    assert.deepStrictEqual(
      await assumedRoleProvider(full as unknown as STSClient, { roleArn: ROLE })(),
      {
        accessKeyId: "ASIAEXAMPLE",
        secretAccessKey: "s3cret",
        sessionToken: "tok",
        expiration,
      },
    );
    const bare = scriptedClient([creds()]);
    assert.deepStrictEqual(
      await assumedRoleProvider(bare as unknown as STSClient, { roleArn: ROLE })(),
      {
        accessKeyId: "ASIAEXAMPLE",
        secretAccessKey: "s3cret",
      },
    );
  });

  it("fails as AssumeRoleError naming the role when the answer has no key, no secret or no credentials", async () => {
    for (const answer of [
      {},
      creds({ AccessKeyId: undefined }),
      creds({ SecretAccessKey: undefined }),
    ]) {
      const sts = scriptedClient([answer]);
      await assert.rejects(
        assumedRoleProvider(sts as unknown as STSClient, { roleArn: ROLE })(),
        (e: Error) => {
          assert.ok(e instanceof AssumeRoleError);
          assert.strictEqual(e.name, "AssumeRoleError");
          assert.strictEqual(e.message, `AssumeRole ${ROLE}: the response carried no credentials`);
          return true;
        },
      );
    }
  });

  it("assumes once while the credentials are fresh, again within 5 minutes of expiry", async () => {
    const fresh = scriptedClient([
      creds({ Expiration: new Date(Date.now() + 6 * 60_000) }),
      creds(),
    ]);
    const provider = assumedRoleProvider(fresh as unknown as STSClient, { roleArn: ROLE });
    await provider();
    await provider();
    assert.strictEqual(fresh.sent.length, 1);
    const expiring = scriptedClient([
      creds({ Expiration: new Date(Date.now() + 4 * 60_000) }),
      creds(),
    ]);
    const renewing = assumedRoleProvider(expiring as unknown as STSClient, { roleArn: ROLE });
    await renewing();
    await renewing();
    assert.strictEqual(expiring.sent.length, 2);
  });

  it("tries a failed AssumeRole again on the next call, and lets an abort through unwrapped", async () => {
    const sts = scriptedClient([named("AccessDenied", "no"), creds()]);
    const provider = assumedRoleProvider(
      sts as unknown as STSClient,
      { roleArn: ROLE },
      { abortSignal: undefined },
    );
    await assert.rejects(
      provider(),
      new RegExp(`^AssumeRoleError: AssumeRole ${ROLE}: AccessDenied: no$`),
    );
    assert.strictEqual((await provider()).accessKeyId, "ASIAEXAMPLE");
    const aborted = scriptedClient([named("AbortError", "aborted")]);
    await assert.rejects(
      assumedRoleProvider(aborted as unknown as STSClient, { roleArn: ROLE })(),
      (e: Error) => {
        assert.ok(!(e instanceof AssumeRoleError));
        assert.strictEqual(e.message, "aborted");
        return true;
      },
    );
  });
});

/** The reader with every Access Analyzer call answered by one scripted client. */
class ScriptedSdkReader extends SdkArchiveRuleClient {
  readonly client: ReturnType<typeof scriptedClient>;
  constructor(
    answers: Answer[],
    t: Target = target("111122223333"),
    options: SdkReaderOptions = {},
  ) {
    super(t, options);
    this.client = scriptedClient(answers);
  }
  protected analyzerClient(): AccessAnalyzerClient {
    return this.client as unknown as AccessAnalyzerClient;
  }
}

describe("SdkAccountReader with scripted clients", () => {
  const ARN = "arn:aws:access-analyzer:eu-west-1:111122223333:analyzer/a";

  it("lists every page of analyzers, mapping what AWS leaves out to empty or UNKNOWN", async () => {
    const reader = new ScriptedSdkReader([
      {
        analyzers: [
          {
            name: "a",
            arn: ARN,
            type: "ACCOUNT",
            status: "FAILED",
            statusReason: { code: "DISABLED_ACCESS" },
            tags: { team: "sec" },
          },
        ],
        nextToken: "page-2",
      },
      { analyzers: [{}] },
    ]);
    const found = await reader.analyzers("eu-west-1");
    assert.deepStrictEqual(
      reader.client.sent.map((s) => s.input),
      [{}, { nextToken: "page-2" }],
    );
    assert.deepStrictEqual(found, [
      {
        name: "a",
        arn: ARN,
        type: "ACCOUNT",
        status: "FAILED",
        statusReason: "DISABLED_ACCESS",
        tags: { team: "sec" },
      },
      { name: "", arn: "", type: "UNKNOWN", status: "UNKNOWN" },
    ]);
    assert.deepStrictEqual(await new ScriptedSdkReader([{}]).analyzers("eu-west-1"), []);
  });

  it("lists every page of findings with the filter, mapping each summary", async () => {
    const created = new Date("2024-01-01T00:00:00Z");
    const updated = new Date("2024-02-01T00:00:00Z");
    const reader = new ScriptedSdkReader([
      {
        findings: [
          {
            id: "f1",
            resource: "arn:aws:s3:::b",
            resourceType: "AWS::S3::Bucket",
            resourceOwnerAccount: "111122223333",
            status: "ACTIVE",
            findingType: "ExternalAccess",
            createdAt: created,
            updatedAt: updated,
            error: "ACCESS_DENIED",
          },
          { createdAt: created },
        ],
        nextToken: "p2",
      },
      { findings: [{}] },
    ]);
    const filter = { status: { eq: ["ACTIVE"] } };
    const found = await reader.findings("eu-west-1", ARN, filter);
    assert.deepStrictEqual(
      reader.client.sent.map((s) => s.input),
      [
        { analyzerArn: ARN, filter },
        { analyzerArn: ARN, filter, nextToken: "p2" },
      ],
    );
    assert.deepStrictEqual(found, [
      {
        id: "f1",
        resource: "arn:aws:s3:::b",
        resourceType: "AWS::S3::Bucket",
        resourceOwnerAccount: "111122223333",
        status: "ACTIVE",
        findingType: "ExternalAccess",
        updatedAt: updated.toISOString(),
        createdAt: created.toISOString(),
        error: "ACCESS_DENIED",
      },
      {
        id: "",
        resourceType: "UNKNOWN",
        resourceOwnerAccount: "",
        status: "UNKNOWN",
        updatedAt: created.toISOString(),
        createdAt: created.toISOString(),
      },
      {
        id: "",
        resourceType: "UNKNOWN",
        resourceOwnerAccount: "",
        status: "UNKNOWN",
        updatedAt: new Date(0).toISOString(),
      },
    ]);
    assert.strictEqual(await new ScriptedSdkReader([{}]).activeFindings("eu-west-1", ARN), 0);
  });

  it("merges the external-access details of every page of a finding", async () => {
    const reader = new ScriptedSdkReader([
      {
        findingDetails: [
          {
            externalAccessDetails: {
              isPublic: true,
              principal: { AWS: "123" },
              action: ["s3:GetObject"],
            },
          },
          { unusedPermissionDetails: {} },
          {
            externalAccessDetails: { isPublic: false, condition: { "aws:SourceIp": "10.0.0.0/8" } },
          },
        ],
        nextToken: "p2",
      },
      {
        findingDetails: [
          {
            externalAccessDetails: {
              principal: { Federated: "x" },
              condition: { "aws:PrincipalOrgID": "o-1" },
              action: ["s3:GetObject", "s3:PutObject"],
            },
          },
        ],
      },
    ]);
    const detail = await reader.findingDetail("eu-west-1", ARN, "f1");
    assert.deepStrictEqual(
      reader.client.sent.map((s) => s.input),
      [
        { analyzerArn: ARN, id: "f1" },
        { analyzerArn: ARN, id: "f1", nextToken: "p2" },
      ],
    );
    assert.deepStrictEqual(detail, {
      isPublic: true,
      principal: { AWS: "123", Federated: "x" },
      condition: { "aws:SourceIp": "10.0.0.0/8", "aws:PrincipalOrgID": "o-1" },
      action: ["s3:GetObject", "s3:PutObject"],
    });
    const privateOnly = new ScriptedSdkReader([
      { findingDetails: [{ externalAccessDetails: { isPublic: false } }] },
    ]);
    assert.deepStrictEqual(await privateOnly.findingDetail("eu-west-1", ARN, "f2"), {
      isPublic: false,
    });
    assert.deepStrictEqual(
      await new ScriptedSdkReader([{}]).findingDetail("eu-west-1", ARN, "f3"),
      {},
    );
  });

  it("reads when unused access was last used, joining the services of every page", async () => {
    const reader = new ScriptedSdkReader([
      {
        findingDetails: [
          {
            unusedPermissionDetails: {
              serviceNamespace: "s3",
              lastAccessed: new Date("2025-01-02T00:00:00Z"),
              actions: [{ action: "s3:PutObject" }],
            },
          },
        ],
        nextToken: "p2",
      },
      {
        findingDetails: [
          {
            unusedPermissionDetails: {
              serviceNamespace: "ec2",
              lastAccessed: new Date("2025-03-04T00:00:00Z"),
            },
          },
        ],
      },
    ]);
    assert.deepStrictEqual(await reader.findingDetail("eu-west-1", ARN, "u1"), {
      unused: {
        lastAccessed: "2025-03-04T00:00:00.000Z",
        services: [
          {
            serviceNamespace: "s3",
            lastAccessed: "2025-01-02T00:00:00.000Z",
            actions: [{ action: "s3:PutObject" }],
          },
          { serviceNamespace: "ec2", lastAccessed: "2025-03-04T00:00:00.000Z" },
        ],
      },
    });
    const key = new ScriptedSdkReader([
      { findingDetails: [{ unusedIamUserAccessKeyDetails: { accessKeyId: "AKIAEXAMPLE" } }] },
    ]);
    // Never used: no lastAccessed.
    assert.deepStrictEqual(await key.findingDetail("eu-west-1", ARN, "u2"), {
      unused: { accessKeyId: "AKIAEXAMPLE" },
    });
  });

  it("names the call that failed, but passes an abort or a failed AssumeRole through as it is", async () => {
    const denied = () => named("AccessDeniedException", "no");
    await assert.rejects(
      new ScriptedSdkReader([denied()]).analyzers("eu-west-1"),
      /^Error: ListAnalyzers: AccessDeniedException: no$/,
    );
    await assert.rejects(
      new ScriptedSdkReader([denied()]).findings("eu-west-1", ARN, {}),
      new RegExp(`^Error: ListFindingsV2 ${ARN}: AccessDeniedException: no$`),
    );
    await assert.rejects(
      new ScriptedSdkReader([denied()]).findingDetail("eu-west-1", ARN, "f1"),
      /^Error: GetFindingV2 f1: AccessDeniedException: no$/,
    );
    await assert.rejects(
      new ScriptedSdkReader([denied()]).applyArchiveRule("eu-west-1", ARN, "ours"),
      new RegExp(`^Error: ApplyArchiveRule ours on ${ARN}: AccessDeniedException: no$`),
    );
    const abort = named("AbortError", "The operation was aborted");
    await assert.rejects(new ScriptedSdkReader([abort]).analyzers("eu-west-1"), (e) => e === abort);
    const assume = new AssumeRoleError(`AssumeRole ${ROLE}: AccessDenied: no`);
    await assert.rejects(
      new ScriptedSdkReader([assume]).analyzers("eu-west-1"),
      (e) => e === assume,
    );
  });

  it("applies an archive rule with a fresh client token, and passes the abort signal to every call", async () => {
    const stop = new AbortController();
    const reader = new ScriptedSdkReader([{}, {}], target("111122223333"), { signal: stop.signal });
    await reader.applyArchiveRule("eu-west-1", ARN, "ours");
    await reader.applyArchiveRule("eu-west-1", ARN, "ours");
    const [first, second] = reader.client.sent;
    assert.strictEqual(first.command, "ApplyArchiveRuleCommand");
    assert.deepStrictEqual(
      { ...first.input, clientToken: undefined },
      { analyzerArn: ARN, ruleName: "ours", clientToken: undefined },
    );
    assert.match(String(first.input.clientToken), /^[0-9a-f-]{36}$/);
    assert.notStrictEqual(first.input.clientToken, second.input.clientToken);
    assert.deepStrictEqual(first.options, { abortSignal: stop.signal });
    const plain = new ScriptedSdkReader([{}]);
    await plain.analyzers("eu-west-1");
    assert.deepStrictEqual(plain.client.sent[0].options, {});
  });

  describe("its own clients", () => {
    // Restored as the same own properties of the prototype chain: the SDK's methods, never called here.
    const prototypes = [EC2Client.prototype, STSClient.prototype, AccessAnalyzerClient.prototype];
    const saved = prototypes.map((p) => Object.getOwnPropertyDescriptors(p));
    afterEach(() => {
      prototypes.forEach((p, i) => {
        for (const key of ["send", "destroy"]) {
          if (key in saved[i]) Object.defineProperty(p, key, saved[i][key]);
          else delete (p as unknown as Record<string, unknown>)[key];
        }
      });
    });

    it("assumes the target's role once, through STS in the lookup region, for every client of the account", async () => {
      const sts: { region: string; input: unknown }[] = [];
      const used: string[] = [];
      let stsDestroyed = 0;
      Object.assign(STSClient.prototype, {
        async send(this: STSClient, command: { input: unknown }) {
          sts.push({ region: await this.config.region(), input: command.input });
          return { Credentials: { AccessKeyId: "ASIAROLE", SecretAccessKey: "role-secret" } };
        },
        destroy() {
          stsDestroyed++;
        },
      });
      Object.assign(AccessAnalyzerClient.prototype, {
        async send(this: AccessAnalyzerClient) {
          const c = await this.config.credentials();
          used.push(`${await this.config.region()} ${c.accessKeyId}`);
          return {};
        },
      });
      const t: Target = {
        ...target("111122223333"),
        access: { roleArn: ROLE, externalId: "ext", sessionName: "audit" },
        settings: { lookupRegion: "eu-central-1" },
      };
      const reader = new SdkAccountReader(t, {
        credentials: { accessKeyId: "AKIABOT", secretAccessKey: "bot-secret" },
      });
      await reader.analyzers("eu-west-1");
      await reader.analyzers("us-east-1");
      assert.deepStrictEqual(used, ["eu-west-1 ASIAROLE", "us-east-1 ASIAROLE"]);
      assert.deepStrictEqual(sts, [
        {
          region: "eu-central-1",
          input: { RoleArn: ROLE, RoleSessionName: "audit", ExternalId: "ext" },
        },
      ]);
      reader.close();
      assert.strictEqual(stsDestroyed, 1);
    });

    it("uses the bot's own credentials for an account without a role", async () => {
      const used: string[] = [];
      Object.assign(AccessAnalyzerClient.prototype, {
        async send(this: AccessAnalyzerClient) {
          used.push((await this.config.credentials()).accessKeyId);
          return {};
        },
      });
      const reader = new SdkAccountReader(target("111122223333"), {
        credentials: { accessKeyId: "AKIABOT", secretAccessKey: "bot-secret" },
      });
      await reader.analyzers("eu-west-1");
      assert.deepStrictEqual(used, ["AKIABOT"]);
      reader.close();
    });

    it("asks EC2 in the lookup region for the enabled regions only, sorted, and closes the EC2 client", async () => {
      const inputs: unknown[] = [];
      let regions = 0;
      let destroyed = 0;
      Object.assign(EC2Client.prototype, {
        send(this: EC2Client, command: { input: unknown }) {
          inputs.push(command.input);
          return this.config.region().then((r) => {
            regions++;
            assert.strictEqual(r, "eu-central-1");
            return { Regions: [{ RegionName: "us-east-1" }, {}, { RegionName: "af-south-1" }] };
          });
        },
        destroy() {
          destroyed++;
        },
      });
      const t: Target = { ...target("111122223333"), settings: { lookupRegion: "eu-central-1" } };
      const reader = new SdkAccountReader(t, {
        credentials: { accessKeyId: "a", secretAccessKey: "b" },
      });
      assert.deepStrictEqual(await reader.enabledRegions(), ["af-south-1", "us-east-1"]);
      assert.deepStrictEqual(inputs, [
        { Filters: [{ Name: "opt-in-status", Values: ["opt-in-not-required", "opted-in"] }] },
      ]);
      assert.strictEqual(regions, 1);
      assert.strictEqual(destroyed, 1);
      Object.assign(EC2Client.prototype, {
        send: () => Promise.reject(named("UnauthorizedOperation", "no")),
      });
      await assert.rejects(
        reader.enabledRegions(),
        /^Error: DescribeRegions in eu-central-1: UnauthorizedOperation: no$/,
      );
      assert.strictEqual(destroyed, 2);
      Object.assign(EC2Client.prototype, { send: () => Promise.resolve({}) });
      assert.deepStrictEqual(await reader.enabledRegions(), []);
    });

    it("keeps one Access Analyzer client per region until close, which destroys them", () => {
      class Exposed extends SdkAccountReader {
        client(region: string): AccessAnalyzerClient {
          return this.analyzerClient(region);
        }
      }
      const reader = new Exposed(target("111122223333"), {
        credentials: { accessKeyId: "a", secretAccessKey: "b" },
      });
      const west = reader.client("eu-west-1");
      assert.strictEqual(reader.client("eu-west-1"), west);
      assert.notStrictEqual(reader.client("us-east-1"), west);
      let destroyed = 0;
      west.destroy = () => {
        destroyed++;
      };
      reader.close();
      assert.strictEqual(destroyed, 1);
      assert.notStrictEqual(reader.client("eu-west-1"), west);
      reader.close();
    });
  });
});
