import * as assert from "assert";
import {
  AccessAnalyzerClient,
  CreateAnalyzerCommand,
  GetAnalyzerCommand,
} from "@aws-sdk/client-accessanalyzer";
import {
  DeregisterDelegatedAdministratorCommand,
  DescribeOrganizationCommand,
  DisableAWSServiceAccessCommand,
  EnableAWSServiceAccessCommand,
  ListAccountsCommand,
  ListAccountsForParentCommand,
  ListAWSServiceAccessForOrganizationCommand,
  ListDelegatedAdministratorsCommand,
  ListOrganizationalUnitsForParentCommand,
  ListParentsCommand,
  ListRootsCommand,
  OrganizationsClient,
  RegisterDelegatedAdministratorCommand,
  TooManyRequestsException,
} from "@aws-sdk/client-organizations";
import { AssumeRoleCommand, GetCallerIdentityCommand, STSClient } from "@aws-sdk/client-sts";
import {
  ACCESS_ANALYZER_PRINCIPAL,
  FakeAwsAdminClient,
  TokenBucket,
  startFakeAws,
  type FakeAws,
  type FakeAwsConfig,
} from "../harness/fake-aws";
import { rejectsWith } from "./helpers/fake-aws";

const MGMT = "111111111111";
const AUDIT = "222222222222";
const APP = "333333333333";
const SOLO = "999999999999";
const key = (n: string) => ({
  accessKeyId: `AKIATESTORG${n}00000`.slice(0, 20),
  secretAccessKey: `secret-${n}-000000000000000000000000000000`,
});
const MGMT_KEY = key("1");
const AUDIT_KEY = key("2");
const APP_KEY = key("3");
const SOLO_KEY = key("9");

/** Management at the root, Security/Audit nested, Prod/EU nested, one root-level app account. */
const CONFIG: FakeAwsConfig = {
  organization: { ous: ["Sandbox"] },
  accounts: [
    { id: MGMT, name: "management", orgRole: "management", accessKeys: [MGMT_KEY] },
    { id: AUDIT, name: "audit", orgRole: "member", ou: "Security/Audit", accessKeys: [AUDIT_KEY] },
    {
      id: APP,
      name: "app",
      orgRole: "member",
      ou: "Prod/EU",
      accessKeys: [APP_KEY],
      roles: [{ name: "Deployer", trustedAccountIds: [MGMT] }],
    },
    { id: "444444444444", orgRole: "member", ou: "Prod/EU" },
    { id: "555555555555", orgRole: "member", ou: "Prod/EU" },
    { id: SOLO, accessKeys: [SOLO_KEY] },
  ],
};

type Creds = { accessKeyId: string; secretAccessKey: string; sessionToken?: string };

describe("fake-aws Organizations (through the real SDK client)", function () {
  this.timeout(30000);
  let fake: FakeAws;
  const clients: { destroy(): void }[] = [];
  const org = (creds: Creds, region = "us-east-1") => {
    const c = new OrganizationsClient({
      endpoint: fake.url,
      region,
      credentials: creds,
      maxAttempts: 1,
    });
    clients.push(c);
    return c;
  };
  const aa = (creds: Creds, region = "eu-west-1") => {
    const c = new AccessAnalyzerClient({
      endpoint: fake.url,
      region,
      credentials: creds,
      maxAttempts: 1,
    });
    clients.push(c);
    return c;
  };
  const rootId = async () => (await org(MGMT_KEY).send(new ListRootsCommand({}))).Roots![0].Id!;
  const ouByName = async (parentId: string, name: string) => {
    const out = await org(MGMT_KEY).send(
      new ListOrganizationalUnitsForParentCommand({ ParentId: parentId }),
    );
    return out.OrganizationalUnits!.find((o) => o.Name === name)!.Id!;
  };

  beforeEach(async () => {
    fake = await startFakeAws({ config: CONFIG });
  });
  afterEach(async () => {
    for (const c of clients.splice(0)) c.destroy();
    await fake.close();
  });

  describe("reading the organization", () => {
    it("describes the organization to any member, with the management account", async () => {
      const out = await org(APP_KEY).send(new DescribeOrganizationCommand({}));
      assert.match(out.Organization!.Id!, /^o-[a-z0-9]{10,32}$/);
      assert.strictEqual(out.Organization!.MasterAccountId, MGMT);
      assert.strictEqual(out.Organization!.FeatureSet, "ALL");
    });

    it("lists nested OUs and the accounts of each parent", async () => {
      const root = await rootId();
      const topLevel = await org(MGMT_KEY).send(
        new ListOrganizationalUnitsForParentCommand({ ParentId: root }),
      );
      assert.deepStrictEqual(topLevel.OrganizationalUnits!.map((o) => o.Name).sort(), [
        "Prod",
        "Sandbox",
        "Security",
      ]);
      const eu = await ouByName(await ouByName(root, "Prod"), "EU");
      const accounts = await org(MGMT_KEY).send(new ListAccountsForParentCommand({ ParentId: eu }));
      assert.deepStrictEqual(accounts.Accounts!.map((a) => a.Id).sort(), [
        APP,
        "444444444444",
        "555555555555",
      ]);
      const app = accounts.Accounts!.find((a) => a.Id === APP)!;
      assert.strictEqual(app.Status, "ACTIVE");
      assert.strictEqual(app.State, "ACTIVE");
      assert.strictEqual(app.Name, "app");
      assert.ok(app.JoinedTimestamp instanceof Date);
      const atRoot = await org(MGMT_KEY).send(new ListAccountsForParentCommand({ ParentId: root }));
      assert.deepStrictEqual(
        atRoot.Accounts!.map((a) => a.Id),
        [MGMT],
      );
      const parents = await org(MGMT_KEY).send(new ListParentsCommand({ ChildId: APP }));
      assert.deepStrictEqual(parents.Parents, [{ Id: eu, Type: "ORGANIZATIONAL_UNIT" }]);
    });

    it("pages with MaxResults and NextToken, and refuses MaxResults above 20 or a foreign token", async () => {
      const c = org(MGMT_KEY);
      const seen: string[] = [];
      let token: string | undefined;
      let pages = 0;
      do {
        const out = await c.send(new ListAccountsCommand({ MaxResults: 2, NextToken: token }));
        assert.ok(out.Accounts!.length <= 2);
        seen.push(...out.Accounts!.map((a) => a.Id!));
        token = out.NextToken;
        pages++;
      } while (token);
      assert.strictEqual(pages, 3);
      assert.deepStrictEqual(seen.sort(), [MGMT, AUDIT, APP, "444444444444", "555555555555"]);
      await assert.rejects(c.send(new ListAccountsCommand({ MaxResults: 21 })), {
        name: "InvalidInputException",
        Reason: "MAX_VALUE_EXCEEDED",
      });
      const first = await c.send(new ListAccountsCommand({ MaxResults: 1 }));
      await assert.rejects(c.send(new ListRootsCommand({ NextToken: first.NextToken })), {
        name: "InvalidInputException",
        Reason: "INVALID_NEXT_TOKEN",
      });
    });

    it("answers AWSOrganizationsNotInUseException to an account outside any organization", async () => {
      await assert.rejects(org(SOLO_KEY).send(new DescribeOrganizationCommand({})), {
        name: "AWSOrganizationsNotInUseException",
      });
    });

    it("lets only the management account or a delegated administrator list", async () => {
      await assert.rejects(org(AUDIT_KEY).send(new ListRootsCommand({})), {
        name: "AccessDeniedException",
      });
      await assert.rejects(org(AUDIT_KEY).send(new ListAccountsCommand({})), {
        name: "AccessDeniedException",
      });
      // A delegated administrator of any service gets read-only access to Organizations.
      await new FakeAwsAdminClient(fake.url).setTrustedAccess("config.amazonaws.com", true);
      await org(MGMT_KEY).send(
        new RegisterDelegatedAdministratorCommand({
          AccountId: AUDIT,
          ServicePrincipal: "config.amazonaws.com",
        }),
      );
      const out = await org(AUDIT_KEY).send(new ListAccountsCommand({}));
      assert.strictEqual(out.Accounts!.length, 5);
    });

    it("takes SigV4 scoped to us-east-1 only, as the global endpoint does", async () => {
      await assert.rejects(org(MGMT_KEY, "eu-west-1").send(new ListRootsCommand({})), {
        name: "InvalidSignatureException",
      });
    });
  });

  describe("trusted access and delegated administrators", () => {
    it("registers a delegated administrator only from the management account, for a member", async () => {
      const register = (creds: Creds, AccountId: string) =>
        org(creds).send(
          new RegisterDelegatedAdministratorCommand({
            AccountId,
            ServicePrincipal: ACCESS_ANALYZER_PRINCIPAL,
          }),
        );
      await assert.rejects(register(AUDIT_KEY, AUDIT), { name: "AccessDeniedException" });
      await assert.rejects(register(MGMT_KEY, MGMT), {
        name: "ConstraintViolationException",
        Reason: "CANNOT_REGISTER_MASTER_AS_DELEGATED_ADMINISTRATOR",
      });
      await assert.rejects(register(MGMT_KEY, SOLO), { name: "AccountNotFoundException" });
      await register(MGMT_KEY, AUDIT);
      await assert.rejects(register(MGMT_KEY, AUDIT), {
        name: "AccountAlreadyRegisteredException",
      });
      const listed = await org(AUDIT_KEY).send(
        new ListDelegatedAdministratorsCommand({ ServicePrincipal: ACCESS_ANALYZER_PRINCIPAL }),
      );
      assert.deepStrictEqual(
        listed.DelegatedAdministrators!.map((d) => d.Id),
        [AUDIT],
      );
      assert.ok(listed.DelegatedAdministrators![0].DelegationEnabledDate instanceof Date);
      await org(MGMT_KEY).send(
        new DeregisterDelegatedAdministratorCommand({
          AccountId: AUDIT,
          ServicePrincipal: ACCESS_ANALYZER_PRINCIPAL,
        }),
      );
      await assert.rejects(
        org(MGMT_KEY).send(
          new DeregisterDelegatedAdministratorCommand({
            AccountId: AUDIT,
            ServicePrincipal: ACCESS_ANALYZER_PRINCIPAL,
          }),
        ),
        { name: "AccountNotRegisteredException" },
      );
    });

    it("needs trusted access before a delegated administrator, and lists what is enabled", async () => {
      const c = org(MGMT_KEY);
      await c.send(
        new DisableAWSServiceAccessCommand({ ServicePrincipal: ACCESS_ANALYZER_PRINCIPAL }),
      );
      await assert.rejects(
        c.send(
          new RegisterDelegatedAdministratorCommand({
            AccountId: AUDIT,
            ServicePrincipal: ACCESS_ANALYZER_PRINCIPAL,
          }),
        ),
        { name: "ConstraintViolationException", Reason: "SERVICE_ACCESS_NOT_ENABLED" },
      );
      assert.deepStrictEqual(
        (await c.send(new ListAWSServiceAccessForOrganizationCommand({}))).EnabledServicePrincipals,
        [],
      );
      await assert.rejects(
        org(AUDIT_KEY).send(
          new EnableAWSServiceAccessCommand({ ServicePrincipal: ACCESS_ANALYZER_PRINCIPAL }),
        ),
        { name: "AccessDeniedException" },
      );
      await c.send(
        new EnableAWSServiceAccessCommand({ ServicePrincipal: ACCESS_ANALYZER_PRINCIPAL }),
      );
      const enabled = await c.send(new ListAWSServiceAccessForOrganizationCommand({}));
      assert.deepStrictEqual(
        enabled.EnabledServicePrincipals!.map((e) => e.ServicePrincipal),
        [ACCESS_ANALYZER_PRINCIPAL],
      );
      await c.send(
        new RegisterDelegatedAdministratorCommand({
          AccountId: AUDIT,
          ServicePrincipal: ACCESS_ANALYZER_PRINCIPAL,
        }),
      );
    });
  });

  describe("Access Analyzer's organization rules", () => {
    const createOrg = (
      creds: Creds,
      analyzerName: string,
      type = "ORGANIZATION",
      region?: string,
    ) => aa(creds, region).send(new CreateAnalyzerCommand({ analyzerName, type: type as never }));

    it("lets the management account and the registered delegated administrator only", async () => {
      await assert.rejects(createOrg(AUDIT_KEY, "org"), {
        name: "AccessDeniedException",
        message: `Account ${AUDIT} is not a delegated administrator`,
      });
      await assert.rejects(createOrg(SOLO_KEY, "org"), { name: "ValidationException" });
      await createOrg(MGMT_KEY, "org");
      await org(MGMT_KEY).send(
        new RegisterDelegatedAdministratorCommand({
          AccountId: AUDIT,
          ServicePrincipal: ACCESS_ANALYZER_PRINCIPAL,
        }),
      );
      await createOrg(AUDIT_KEY, "org");
      await createOrg(AUDIT_KEY, "unused", "ORGANIZATION_UNUSED_ACCESS");
    });

    it("needs trusted access for access-analyzer.amazonaws.com", async () => {
      await org(MGMT_KEY).send(
        new DisableAWSServiceAccessCommand({ ServicePrincipal: ACCESS_ANALYZER_PRINCIPAL }),
      );
      await assert.rejects(createOrg(MGMT_KEY, "org"), {
        name: "ValidationException",
        message: "Service not enabled for AWS Organizations",
      });
    });

    it("allows 5 organization analyzers per type per account and region, 1 internal-access per organization and region", async () => {
      for (let i = 1; i <= 5; i++) await createOrg(MGMT_KEY, `org${i}`);
      await assert.rejects(createOrg(MGMT_KEY, "org6"), { name: "ServiceQuotaExceededException" });
      await createOrg(MGMT_KEY, "org6", "ORGANIZATION", "eu-west-2");

      await new FakeAwsAdminClient(fake.url).setDelegatedAdministrator(
        AUDIT,
        ACCESS_ANALYZER_PRINCIPAL,
      );
      await createOrg(MGMT_KEY, "internal", "ORGANIZATION_INTERNAL_ACCESS");
      // Another account of the same organization, same region: the organization's one is taken.
      await assert.rejects(createOrg(AUDIT_KEY, "internal", "ORGANIZATION_INTERNAL_ACCESS"), {
        name: "ServiceQuotaExceededException",
      });
      await createOrg(AUDIT_KEY, "internal", "ORGANIZATION_INTERNAL_ACCESS", "eu-west-2");
    });

    it("disables the old administrator's organization analyzers when it is deregistered", async () => {
      await new FakeAwsAdminClient(fake.url).setDelegatedAdministrator(
        AUDIT,
        ACCESS_ANALYZER_PRINCIPAL,
      );
      await createOrg(AUDIT_KEY, "org");
      await aa(AUDIT_KEY).send(
        new CreateAnalyzerCommand({ analyzerName: "acct", type: "ACCOUNT" }),
      );
      await org(MGMT_KEY).send(
        new DeregisterDelegatedAdministratorCommand({
          AccountId: AUDIT,
          ServicePrincipal: ACCESS_ANALYZER_PRINCIPAL,
        }),
      );
      const get = (analyzerName: string) =>
        aa(AUDIT_KEY).send(new GetAnalyzerCommand({ analyzerName }));
      assert.strictEqual((await get("org")).analyzer!.status, "DISABLED");
      assert.strictEqual((await get("acct")).analyzer!.status, "ACTIVE");
    });
  });

  describe("accounts that change at runtime (admin API)", () => {
    it("creates an account in a nested OU that the next listing shows", async () => {
      const admin = new FakeAwsAdminClient(fake.url);
      const created = await admin.createAccount({ id: "666666666666", name: "new", ou: "Prod/US" });
      assert.strictEqual(created.ouPath, "Root/Prod/US");
      const us = await ouByName(await ouByName(await rootId(), "Prod"), "US");
      const out = await org(MGMT_KEY).send(new ListAccountsForParentCommand({ ParentId: us }));
      assert.deepStrictEqual(
        out.Accounts!.map((a) => a.Id),
        ["666666666666"],
      );
      const moved = await admin.moveAccount("666666666666", "Root/Sandbox");
      assert.strictEqual(moved.ouPath, "Root/Sandbox");
      await admin.removeAccount("666666666666");
      const all = await org(MGMT_KEY).send(new ListAccountsCommand({}));
      assert.ok(!all.Accounts!.some((a) => a.Id === "666666666666"));
      const snapshot = await admin.state();
      assert.ok(snapshot.accounts.some((a) => a.id === "666666666666" && a.orgRole === "none"));
    });

    it("makes a suspended account unreachable: no AssumeRole into it, its own keys refused", async () => {
      const sts = (creds: Creds) => {
        const c = new STSClient({
          endpoint: fake.url,
          region: "us-east-1",
          credentials: creds,
          maxAttempts: 1,
        });
        clients.push(c);
        return c;
      };
      const assume = () =>
        sts(MGMT_KEY).send(
          new AssumeRoleCommand({
            RoleArn: `arn:aws:iam::${APP}:role/Deployer`,
            RoleSessionName: "fleet",
          }),
        );
      await assume();
      const admin = new FakeAwsAdminClient(fake.url);
      const suspended = await admin.setAccountStatus(APP, "SUSPENDED");
      assert.strictEqual(suspended.status, "SUSPENDED");
      await assert.rejects(assume(), { name: "AccessDenied" });
      await assert.rejects(sts(APP_KEY).send(new GetCallerIdentityCommand({})), {
        name: "InvalidClientTokenId",
      });
      const listed = await org(MGMT_KEY).send(new ListAccountsCommand({}));
      assert.strictEqual(listed.Accounts!.find((a) => a.Id === APP)!.Status, "SUSPENDED");
      await admin.setAccountStatus(APP, "ACTIVE");
      await assume();
    });

    it("serves the five account States of the model, with the older Status beside them", async () => {
      const admin = new FakeAwsAdminClient(fake.url);
      const seen: Record<string, [string | undefined, string | undefined]> = {};
      for (const state of [
        "PENDING_ACTIVATION",
        "ACTIVE",
        "SUSPENDED",
        "PENDING_CLOSURE",
        "CLOSED",
      ] as const) {
        await admin.setAccountStatus(APP, state);
        const listed = await org(MGMT_KEY).send(new ListAccountsCommand({}));
        const a = listed.Accounts!.find((x) => x.Id === APP)!;
        seen[state] = [a.State, a.Status];
      }
      // State is the account's life-cycle state; Status (retired 2026-09-09) has only three values.
      assert.deepStrictEqual(seen, {
        PENDING_ACTIVATION: ["PENDING_ACTIVATION", undefined],
        ACTIVE: ["ACTIVE", "ACTIVE"],
        SUSPENDED: ["SUSPENDED", "SUSPENDED"],
        PENDING_CLOSURE: ["PENDING_CLOSURE", "PENDING_CLOSURE"],
        CLOSED: ["CLOSED", "SUSPENDED"],
      });
      // Only an ACTIVE account can be reached.
      await assert.rejects(aa(APP_KEY).send(new GetAnalyzerCommand({ analyzerName: "x" })), {
        name: "UnrecognizedClientException",
      });
      await assert.rejects(admin.setAccountStatus(APP, "GONE" as never), /status must be one of/);
    });
  });

  describe("throttling (the organization's request rate)", () => {
    it("answers TooManyRequestsException once the organization's bucket is empty, and refills it", async () => {
      const admin = new FakeAwsAdminClient(fake.url);
      const rate = await admin.configure({ organizationsRate: { requestsPerSecond: 2, burst: 3 } });
      assert.deepStrictEqual(rate.organizationsRate, { requestsPerSecond: 2, burst: 3 });
      // Three calls pass on the burst, whoever makes them; the fourth is refused.
      await org(MGMT_KEY).send(new ListRootsCommand({}));
      await org(AUDIT_KEY).send(new DescribeOrganizationCommand({}));
      await org(MGMT_KEY).send(new ListAccountsCommand({}));
      const err = await rejectsWith(
        org(MGMT_KEY).send(new ListRootsCommand({})),
        TooManyRequestsException,
        400,
      );
      assert.match(err.message, /too many requests in too short a period of time/);
      // 2 per second: a token is back after 500 ms.
      await new Promise((r) => setTimeout(r, 600));
      await org(MGMT_KEY).send(new ListRootsCommand({}));
      // Rate 0 turns the throttle off.
      await admin.configure({ organizationsRate: { requestsPerSecond: 0, burst: 1 } });
      for (let i = 0; i < 10; i++) await org(MGMT_KEY).send(new ListRootsCommand({}));
    });

    it("throttles at 200 requests per second with a burst of 100 by default, per the bucket's clock", async () => {
      assert.deepStrictEqual(
        (await new FakeAwsAdminClient(fake.url).settings()).organizationsRate,
        {
          requestsPerSecond: 200,
          burst: 100,
        },
      );
      let t = 0;
      const bucket = new TokenBucket(200, 100, () => t);
      const taken = (n: number) => Array.from({ length: n }, () => bucket.take()).filter(Boolean);
      assert.strictEqual(taken(150).length, 100, "the burst, then nothing at the same instant");
      t += 100; // 100 ms: 20 more
      assert.strictEqual(taken(50).length, 20);
      t += 10_000; // a long pause refills to the burst, not beyond
      assert.strictEqual(taken(500).length, 100);
    });
  });
});
