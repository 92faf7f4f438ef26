import * as assert from "assert";
import { discoverAccounts, readOrganizationTree } from "../../../fleet/aws/organizations";
import { organizationSchema } from "../../../fleet/settings/schema";
import {
  OrganizationReadError,
  OrganizationScopeError,
  OrganizationThrottledError,
  selectAccounts,
  type OrganizationTree,
} from "../../../fleet/domain/organization";
import { AssumeRoleError } from "../../../fleet/aws/credentials";
import { FakeAwsAdminClient, startFakeAws, type FakeAws } from "../../harness/fake-aws";

/** Root ─ mgmt; Prod ─ EU (a, b), US (c, suspended d); Sandbox ─ Deep (e); Security (f). */
const TREE: OrganizationTree = {
  organizationId: "o-abcdefghij",
  managementAccountId: "100000000000",
  rootId: "r-root",
  ous: [
    { id: "ou-root-prod0000", name: "Prod", parentId: "r-root" },
    { id: "ou-root-eu000000", name: "EU", parentId: "ou-root-prod0000" },
    { id: "ou-root-us000000", name: "US", parentId: "ou-root-prod0000" },
    { id: "ou-root-sandbox0", name: "Sandbox", parentId: "r-root" },
    { id: "ou-root-deep0000", name: "Deep", parentId: "ou-root-sandbox0" },
    { id: "ou-root-security", name: "Security", parentId: "r-root" },
  ],
  accounts: [
    {
      accountId: "600000000000",
      name: "f",
      email: "f@x.io",
      status: "ACTIVE",
      parentId: "ou-root-security",
    },
    {
      accountId: "100000000000",
      name: "mgmt",
      email: "m@x.io",
      status: "ACTIVE",
      parentId: "r-root",
    },
    {
      accountId: "200000000000",
      name: "a",
      email: "a@x.io",
      status: "ACTIVE",
      parentId: "ou-root-eu000000",
    },
    {
      accountId: "300000000000",
      name: "b",
      email: "b@x.io",
      status: "ACTIVE",
      parentId: "ou-root-eu000000",
    },
    {
      accountId: "400000000000",
      name: "c",
      email: "c@x.io",
      status: "ACTIVE",
      parentId: "ou-root-us000000",
    },
    {
      accountId: "450000000000",
      name: "d",
      email: "d@x.io",
      status: "SUSPENDED",
      parentId: "ou-root-us000000",
    },
    {
      accountId: "500000000000",
      name: "e",
      email: "e@x.io",
      status: "ACTIVE",
      parentId: "ou-root-deep0000",
    },
  ],
};

const ids = (xs: { accountId: string }[]) => xs.map((x) => x.accountId);

describe("organization: account selection (pure)", () => {
  it("covers every ACTIVE account of the whole organization by default, sorted by id, with OU paths", () => {
    const s = selectAccounts(TREE, {});
    assert.deepStrictEqual(ids(s.accounts), [
      "100000000000",
      "200000000000",
      "300000000000",
      "400000000000",
      "500000000000",
      "600000000000",
    ]);
    assert.strictEqual(
      s.accounts.find((a) => a.accountId === "500000000000")!.ouPath,
      "Root/Sandbox/Deep",
    );
    assert.deepStrictEqual(s.leftOut, [
      {
        ...s.leftOut[0],
        accountId: "450000000000",
        reason: "not-active",
        detail: "state SUSPENDED",
      },
    ]);
  });

  it("includes OUs with their nested OUs, by path or id, and says who fell outside", () => {
    const s = selectAccounts(TREE, { include: { ous: ["Root/Prod", "ou-root-security"] } });
    assert.deepStrictEqual(ids(s.accounts), [
      "200000000000",
      "300000000000",
      "400000000000",
      "600000000000",
    ]);
    const outside = s.leftOut.filter((l) => l.reason === "outside-scope");
    assert.deepStrictEqual(ids(outside), ["100000000000", "500000000000"]);
    assert.strictEqual(s.leftOut.find((l) => l.accountId === "450000000000")!.reason, "not-active");
  });

  it("excludes OUs with their nested OUs, and account ids, naming why", () => {
    const s = selectAccounts(TREE, {
      exclude: { ous: ["Root/Sandbox"], accounts: ["300000000000", "999999999999"] },
    });
    assert.deepStrictEqual(ids(s.accounts), [
      "100000000000",
      "200000000000",
      "400000000000",
      "600000000000",
    ]);
    const e = s.leftOut.find((l) => l.accountId === "500000000000")!;
    assert.deepStrictEqual([e.reason, e.detail], ["excluded-ou", "in excluded OU Root/Sandbox"]);
    assert.strictEqual(
      s.leftOut.find((l) => l.accountId === "300000000000")!.reason,
      "excluded-account",
    );
    assert.deepStrictEqual(s.warnings, [
      "organization.exclude.accounts: 999999999999 is not in organization o-abcdefghij (nothing to exclude)",
    ]);
  });

  it("treats Root as the whole organization", () => {
    assert.strictEqual(selectAccounts(TREE, { include: { ous: ["Root"] } }).accounts.length, 6);
  });

  it("rejects OUs that do not exist, all at once, naming the key and the OUs there are", () => {
    assert.throws(
      () =>
        selectAccounts(TREE, {
          include: { ous: ["Root/prod"] },
          exclude: { ous: ["ou-root-nothere0"] },
        }),
      (e: unknown) => {
        assert.ok(e instanceof OrganizationScopeError);
        assert.strictEqual(e.problems.length, 2);
        assert.match(
          e.problems[0],
          /^organization\.include\.ous\[0\]: no OU "Root\/prod" in organization o-abcdefghij; its OUs are Root, Root\/Prod, .*case-sensitive/,
        );
        assert.match(e.problems[1], /^organization\.exclude\.ous\[0\]: no OU "ou-root-nothere0"/);
        return true;
      },
    );
  });

  it("refuses an organization with another management account than the file expects", () => {
    assert.throws(
      () => selectAccounts(TREE, { managementAccountId: "111111111111" }),
      /organization\.managementAccountId: expected 111111111111, but organization o-abcdefghij is managed by 100000000000/,
    );
  });
});

describe("organization: the fleet file section", () => {
  it("accepts the documented keys", () => {
    const parsed = organizationSchema.parse({
      roleArn: "arn:aws:iam::100000000000:role/OrganizationsReader",
      externalId: "ext-123",
      managementAccountId: "100000000000",
      include: { ous: ["Root/Prod", "ou-ab12-34567890"] },
      exclude: { ous: ["r-ab12"], accounts: ["200000000000"] },
      delegatedAdministrator: { accountId: "200000000000", enableTrustedAccess: true },
    });
    assert.strictEqual(parsed.delegatedAdministrator!.enableTrustedAccess, true);
  });

  it("names the key and the fix for a bad OU, an unknown key and an unquoted id", () => {
    const r = organizationSchema.safeParse({
      include: { ous: ["Prod"] },
      exclude: { accounts: [200000000000] },
      roleName: "x",
    });
    assert.ok(!r.success);
    const messages = r.error.issues.map((i) => `${i.path.join(".")}: ${i.message}`);
    assert.ok(
      messages.some((m) => /^include\.ous\.0: must be an OU id .*"Root\/Prod\/EU"/.test(m)),
      messages.join("\n"),
    );
    assert.ok(
      messages.some((m) => /^exclude\.accounts\.0: must be a quoted string of 12 digits/.test(m)),
      messages.join("\n"),
    );
    assert.ok(
      messages.some((m) => /roleName/.test(m)),
      messages.join("\n"),
    );
  });
});

describe("organization: reading AWS Organizations (fake-aws, real SDK)", function () {
  this.timeout(30000);
  let fake: FakeAws;
  const MGMT_KEY = {
    accessKeyId: "AKIATESTDISCOVERY001",
    secretAccessKey: "discovery-secret-000000000000000000000",
  };
  const MEMBER_KEY = {
    accessKeyId: "AKIATESTDISCOVERY002",
    secretAccessKey: "discovery-secret-111111111111111111111",
  };
  const READER = "arn:aws:iam::111111111111:role/OrganizationsReader";

  beforeEach(async () => {
    fake = await startFakeAws({
      config: {
        organization: { ous: ["Sandbox"] },
        accounts: [
          {
            id: "111111111111",
            orgRole: "management",
            accessKeys: [{ ...MGMT_KEY, userName: "fleet-bot" }],
            roles: [{ name: "OrganizationsReader", trustedAccountIds: ["111111111111"] }],
          },
          { id: "222222222222", orgRole: "member", ou: "Security", accessKeys: [MEMBER_KEY] },
          { id: "333333333333", orgRole: "member", ou: "Prod/EU" },
          { id: "444444444444", orgRole: "member", ou: "Prod/EU" },
          { id: "555555555555", orgRole: "member", ou: "Prod/US", status: "SUSPENDED" },
          { id: "666666666666", orgRole: "member", ou: "Sandbox/Experiments" },
          { id: "777777777777", orgRole: "member", ou: "Prod/US" },
        ],
      },
    });
  });
  afterEach(() => fake.close());

  it("reads nested OUs over pages of 1 and covers exactly the in-scope ACTIVE accounts", async () => {
    const s = await discoverAccounts(
      { roleArn: READER, exclude: { ous: ["Root/Sandbox"] } },
      { endpoint: fake.url, credentials: MGMT_KEY, pageSize: 1 },
    );
    assert.deepStrictEqual(ids(s.accounts), [
      "111111111111",
      "222222222222",
      "333333333333",
      "444444444444",
      "777777777777",
    ]);
    assert.strictEqual(
      s.accounts.find((a) => a.accountId === "333333333333")!.ouPath,
      "Root/Prod/EU",
    );
    assert.deepStrictEqual(
      s.leftOut.map((l) => [l.accountId, l.reason]),
      [
        ["555555555555", "not-active"],
        ["666666666666", "excluded-ou"],
      ],
    );
    // Every page was asked for: more than one call per listing with accounts.
    const calls = fake.state.calls.filter((c) => c.operation === "ListAccountsForParent");
    assert.ok(calls.length > 7, `expected paging, got ${calls.length} ListAccountsForParent calls`);
    assert.ok(calls.every((c) => c.accountId === "111111111111" && c.region === "us-east-1"));
    // Read as organization.roleArn, not as the bot's own user.
    assert.ok(
      calls.every((c) => /assumed-role\/OrganizationsReader\//.test(c.principalArn ?? "")),
      JSON.stringify(calls[0]),
    );
  });

  it("covers an account created in the organization at the next read, with nothing else changed", async () => {
    const settings = { include: { ous: ["Root/Prod"] } };
    const options = { endpoint: fake.url, credentials: MGMT_KEY, pageSize: 2 };
    const before = await discoverAccounts(settings, options);
    await new FakeAwsAdminClient(fake.url).createAccount({ id: "888888888888", ou: "Prod/EU/New" });
    const after = await discoverAccounts(settings, options);
    assert.deepStrictEqual(ids(after.accounts), [...ids(before.accounts), "888888888888"].sort());
  });

  it("backs off a throttled call and tries again, and gives up with a typed error after the last try", async () => {
    const options = { endpoint: fake.url, credentials: MGMT_KEY };
    const pacing = { throttleAttempts: 3, baseMs: 5, capMs: 20 };
    fake.state.injectFault({ service: "organizations", operation: "ListRoots", count: 2 });
    const s = await discoverAccounts({}, { ...options, pacing });
    assert.strictEqual(s.organizationId.startsWith("o-"), true);
    assert.strictEqual(
      fake.state.calls.filter((c) => c.operation === "ListRoots").length,
      3,
      "two throttled tries, then the one that passed",
    );
    fake.state.injectFault({ service: "organizations", operation: "ListRoots", count: 3 });
    await assert.rejects(discoverAccounts({}, { ...options, pacing }), (e: unknown) => {
      assert.ok(e instanceof OrganizationThrottledError, String(e));
      assert.strictEqual(e.operation, "ListRoots");
      assert.strictEqual(e.attempts, 3);
      assert.match(
        e.message,
        /^ListRoots as the bot's own credentials: AWS Organizations answered TooManyRequestsException 3 times over \d+ s, backing off between tries; .*run again later$/,
      );
      return true;
    });
  });

  it("reads a wide tree at once under the organization's rate, with no error and the same result as one call at a time", async () => {
    const org = fake.state.organization!;
    for (let i = 0; i < 40; i++) {
      const ou = org.createOu(org.rootId, `Team${i}`);
      for (let j = 0; j < 3; j++)
        org.join(`9${String(i * 3 + j).padStart(11, "0")}`, { parent: ou.id });
    }
    const options = { endpoint: fake.url, credentials: MGMT_KEY, pageSize: 2 };
    // One call at a time, never throttled: the reference.
    await new FakeAwsAdminClient(fake.url).configure({
      organizationsRate: { requestsPerSecond: 0, burst: 1 },
    });
    const serial = await discoverAccounts({}, { ...options, pacing: { concurrency: 1 } });
    // 16 at once against 40 requests per second (burst 10): throttled, and backing off.
    await new FakeAwsAdminClient(fake.url).configure({
      organizationsRate: { requestsPerSecond: 40, burst: 10 },
    });
    fake.state.clearCalls();
    const paced = await discoverAccounts(
      {},
      // Enough tries that a loaded machine (whose calls bunch up) still gets through.
      { ...options, pacing: { concurrency: 16, baseMs: 20, capMs: 1000, throttleAttempts: 40 } },
    );
    assert.deepStrictEqual(paced, serial);
    assert.strictEqual(serial.accounts.length, 7 + 120 - 1, "every ACTIVE account");
    const calls = fake.state.calls.filter((c) => c.service === "organizations");
    const throttled = calls.filter((c) => c.errorCode === "TooManyRequestsException");
    assert.ok(throttled.length > 0, "the rate was reached");
    assert.ok(
      calls.every((c) => c.errorCode === undefined || c.errorCode === "TooManyRequestsException"),
    );
  });

  it("reads a GovCloud organization through the partition's Organizations and STS region", async () => {
    const GOV_KEY = {
      accessKeyId: "AKIATESTDISCOVGOV001",
      secretAccessKey: "discovery-gov-secret-0000000000000000000",
    };
    const gov = await startFakeAws({
      config: {
        accounts: [
          {
            id: "311111111111",
            partition: "aws-us-gov",
            orgRole: "management",
            accessKeys: [{ ...GOV_KEY, userName: "fleet-bot" }],
            roles: [{ name: "OrganizationsReader", trustedAccountIds: ["311111111111"] }],
          },
          { id: "322222222222", partition: "aws-us-gov", orgRole: "member", ou: "Prod" },
        ],
      },
    });
    try {
      const settings = { roleArn: "arn:aws-us-gov:iam::311111111111:role/OrganizationsReader" };
      const options = { endpoint: gov.url, credentials: GOV_KEY, pacing: { transientAttempts: 1 } };
      const s = await discoverAccounts(settings, { ...options, partition: "aws-us-gov" });
      assert.deepStrictEqual(ids(s.accounts), ["311111111111", "322222222222"]);
      assert.deepStrictEqual(
        [...new Set(gov.state.calls.map((c) => `${c.service} ${c.region} ${c.httpStatus}`))].sort(),
        ["organizations us-gov-west-1 200", "sts us-gov-west-1 200"],
      );
      // Without the partition the reader signs for us-east-1, where GovCloud keys mean nothing.
      await assert.rejects(
        discoverAccounts(settings, options),
        /AssumeRole .*InvalidClientTokenId/,
      );
    } finally {
      await gov.close();
    }
  });

  it("names organization.roleArn, as bad input, when its role does not exist", async () => {
    const roleArn = "arn:aws:iam::111111111111:role/NoSuchRole";
    await assert.rejects(
      discoverAccounts(
        { roleArn },
        { endpoint: fake.url, credentials: MGMT_KEY, pacing: { transientAttempts: 1 } },
      ),
      (e: unknown) => {
        assert.ok(e instanceof OrganizationReadError, String(e));
        assert.match(
          e.message,
          new RegExp(
            `^organization.roleArn: AssumeRole ${roleArn}: AccessDenied: .*; use a role that exists in the management account`,
          ),
        );
        assert.equal(e.environment, false);
        return true;
      },
    );
  });

  it("says which permission and role were refused when a member account reads", async () => {
    await assert.rejects(
      discoverAccounts({}, { endpoint: fake.url, credentials: MEMBER_KEY }),
      (e: unknown) => {
        assert.ok(e instanceof OrganizationReadError);
        assert.match(
          e.message,
          /^ListRoots was denied to the bot's own credentials: only the management account or a delegated administrator/,
        );
        assert.match(e.message, /organizations:ListRoots is the one refused/);
        return true;
      },
    );
  });

  it("says the account is not in an organization, and an included OU that does not exist", async () => {
    await new FakeAwsAdminClient(fake.url).removeAccount("222222222222");
    await assert.rejects(
      discoverAccounts({}, { endpoint: fake.url, credentials: MEMBER_KEY }),
      /DescribeOrganization: the bot's own credentials is not in an AWS organization; set organization.roleArn/,
    );
    await assert.rejects(
      discoverAccounts(
        { include: { ous: ["Root/Nope"] } },
        { endpoint: fake.url, credentials: MGMT_KEY },
      ),
      OrganizationScopeError,
    );
  });
});

describe("organization: selection details (pure)", () => {
  /** TREE with its OUs and accounts listed in reverse. */
  const reversed: OrganizationTree = {
    ...TREE,
    ous: [...TREE.ous].reverse(),
    accounts: [...TREE.accounts].reverse(),
  };

  it("sorts covered and left-out accounts by id, and lists the OUs there are sorted", () => {
    const s = selectAccounts(reversed, { exclude: { ous: ["Root/Prod"] } });
    assert.deepStrictEqual(ids(s.accounts), ["100000000000", "500000000000", "600000000000"]);
    assert.deepStrictEqual(ids(s.leftOut), [
      "200000000000",
      "300000000000",
      "400000000000",
      "450000000000",
    ]);
    assert.throws(() => selectAccounts(reversed, { include: { ous: ["ou-root-nothere0"] } }), {
      message:
        'organization.include.ous[0]: no OU "ou-root-nothere0" in organization o-abcdefghij; its OUs are ' +
        "Root, Root/Prod, Root/Prod/EU, Root/Prod/US, Root/Sandbox, Root/Sandbox/Deep, Root/Security",
    });
  });

  it("takes OUs and the root by id", () => {
    const s = selectAccounts(TREE, { include: { ous: ["ou-root-eu000000", "r-root"] } });
    assert.strictEqual(s.accounts.length, 6);
    const eu = selectAccounts(TREE, { include: { ous: ["ou-root-eu000000"] } });
    assert.deepStrictEqual(ids(eu.accounts), ["200000000000", "300000000000"]);
  });

  it("accepts the management account the file expects, and warns of nothing by default", () => {
    const s = selectAccounts(TREE, { managementAccountId: "100000000000" });
    assert.strictEqual(s.accounts.length, 6);
    assert.deepStrictEqual(s.warnings, []);
  });

  it("says why each account is left out", () => {
    const s = selectAccounts(TREE, {
      include: { ous: ["Root/Prod"] },
      exclude: { accounts: ["300000000000"] },
    });
    const detail = (id: string) => s.leftOut.find((l) => l.accountId === id)?.detail;
    assert.strictEqual(detail("100000000000"), "not under organization.include.ous");
    assert.strictEqual(detail("300000000000"), "in organization.exclude.accounts");
  });

  it("OrganizationScopeError lists every problem, one a line, under its own name", () => {
    const e = new OrganizationScopeError(["a", "b"]);
    assert.strictEqual(e.message, "a\nb");
    assert.strictEqual(e.name, "OrganizationScopeError");
    assert.strictEqual(new OrganizationReadError("x").name, "OrganizationReadError");
  });

  it("the section refuses organization analyzers without a delegated administrator, naming the key to set", () => {
    const r = organizationSchema.safeParse({ analyzers: {} });
    assert.ok(!r.success);
    const issue = r.error.issues.find((i) => i.path.join(".") === "analyzers");
    assert.strictEqual(issue?.code, "custom");
    assert.match(issue?.message ?? "", /set organization\.delegatedAdministrator\.accountId too/);
  });

  it("the section says an account id must be 12 digits, quoting what it got (as the component does)", () => {
    const r = organizationSchema.safeParse({ exclude: { accounts: ["12345"] } });
    assert.ok(!r.success);
    assert.strictEqual(
      r.error.issues[0].message,
      '"12345" is not an account id; use 12 digits, e.g. "111122223333"',
    );
  });
});

describe("organization: readOrganizationTree (scripted client)", () => {
  type Reply = Record<string, unknown> | Error;
  /** Answers each command from `replies[name]` in turn (the last one repeats); records every send. */
  function client(replies: Record<string, Reply[]>) {
    const sent: { name: string; input: Record<string, unknown>; options: unknown }[] = [];
    const counts: Record<string, number> = {};
    return {
      sent,
      send: (command: { input: Record<string, unknown> }, options?: unknown) => {
        const name = command.constructor.name.replace(/Command$/, "");
        sent.push({ name, input: command.input, options });
        const list = replies[name] ?? [{}];
        const i = counts[name] ?? 0;
        counts[name] = i + 1;
        const reply = list[Math.min(i, list.length - 1)];
        return reply instanceof Error ? Promise.reject(reply) : Promise.resolve(reply);
      },
    } as unknown as { sent: typeof sent } & Parameters<typeof readOrganizationTree>[0];
  }
  const described = { Organization: { Id: "o-abcdefghij", MasterAccountId: "100000000000" } };
  const who = "arn:aws:iam::100000000000:role/Reader";

  it("reads every page, skips entries without an id, and fills missing names, emails and states", async () => {
    const c = client({
      DescribeOrganization: [described],
      ListRoots: [{ Roots: [], NextToken: "t1" }, { Roots: [{ Id: "r-root" }] }],
      ListOrganizationalUnitsForParent: [
        { OrganizationalUnits: [{ Name: "no id" }, { Id: "ou-root-aaaaaaaa" }] },
        {},
      ],
      ListAccountsForParent: [
        {
          Accounts: [
            { Name: "no id" },
            {
              Id: "100000000000",
              Name: "mgmt",
              Email: "m@x.io",
              State: "ACTIVE",
              Status: "SUSPENDED",
            },
            { Id: "200000000000", Status: "SUSPENDED" },
          ],
        },
        { Accounts: [{ Id: "300000000000" }] },
      ],
    });
    const tree = await readOrganizationTree(c, { who });
    assert.deepStrictEqual(tree, {
      organizationId: "o-abcdefghij",
      managementAccountId: "100000000000",
      rootId: "r-root",
      ous: [{ id: "ou-root-aaaaaaaa", name: "ou-root-aaaaaaaa", parentId: "r-root" }],
      accounts: [
        {
          accountId: "100000000000",
          name: "mgmt",
          email: "m@x.io",
          status: "ACTIVE",
          parentId: "r-root",
        },
        { accountId: "200000000000", name: "", email: "", status: "SUSPENDED", parentId: "r-root" },
        {
          accountId: "300000000000",
          name: "",
          email: "",
          status: "UNKNOWN",
          parentId: "ou-root-aaaaaaaa",
        },
      ],
    });
    assert.deepStrictEqual(
      c.sent.filter((s) => s.name === "ListRoots").map((s) => s.input),
      [{ NextToken: undefined }, { NextToken: "t1" }],
    );
    assert.ok(c.sent.every((s) => !("MaxResults" in s.input)));
  });

  it("asks for the page size given, and passes the abort signal to every call", async () => {
    const controller = new AbortController();
    const signal = controller.signal;
    const c = client({
      DescribeOrganization: [described],
      ListRoots: [{ Roots: [{ Id: "r-root" }] }],
    });
    await readOrganizationTree(c, { who, pageSize: 5, signal });
    assert.deepStrictEqual(
      c.sent.map((s) => [s.name, s.input.MaxResults, s.input.ParentId]),
      [
        ["DescribeOrganization", undefined, undefined],
        ["ListRoots", 5, undefined],
        ["ListOrganizationalUnitsForParent", 5, "r-root"],
        ["ListAccountsForParent", 5, "r-root"],
      ],
    );
    // Every call gets a signal that aborts when the caller's does.
    const signals = c.sent.map((s) => (s.options as { abortSignal: AbortSignal }).abortSignal);
    assert.ok(signals.every((s) => s instanceof AbortSignal && !s.aborted));
    controller.abort();
    assert.ok(signals.every((s) => s.aborted));
  });

  it("refuses an organization without an id or management account, and one without a root", async () => {
    for (const reply of [
      {},
      { Organization: { Id: "o-abcdefghij" } },
      { Organization: { MasterAccountId: "1" } },
    ]) {
      await assert.rejects(
        readOrganizationTree(client({ DescribeOrganization: [reply] }), { who }),
        {
          name: "OrganizationReadError",
          message: "DescribeOrganization returned no organization id",
        },
      );
    }
    await assert.rejects(
      readOrganizationTree(client({ DescribeOrganization: [described], ListRoots: [{}] }), { who }),
      { name: "OrganizationReadError", message: "ListRoots returned no root" },
    );
  });

  it("names the call and the role when a listing fails, and passes role and abort errors on as they are", async () => {
    const refused = Object.assign(new Error("no"), { name: "ConstraintViolationException" });
    for (const op of ["ListOrganizationalUnitsForParent", "ListAccountsForParent"]) {
      await assert.rejects(
        readOrganizationTree(
          client({
            DescribeOrganization: [described],
            ListRoots: [{ Roots: [{ Id: "r-root" }] }],
            [op]: [refused],
          }),
          { who },
        ),
        { message: `${op} as ${who}: ConstraintViolationException: no` },
      );
    }
    const abort = Object.assign(new Error("aborted"), { name: "AbortError" });
    await assert.rejects(
      readOrganizationTree(client({ DescribeOrganization: [abort] }), { who }),
      (got: unknown) => got === abort,
    );
  });

  it("turns a role that cannot be assumed into the organization's message, bad input unless STS itself failed", async () => {
    const denied = new AssumeRoleError(
      "AssumeRole arn:aws:iam::111122223333:role/Nope: AccessDenied: not authorized",
      { cause: Object.assign(new Error("not authorized"), { name: "AccessDenied" }) },
    );
    const throttled = new AssumeRoleError(
      "AssumeRole arn:aws:iam::111122223333:role/R: Throttling",
      {
        cause: Object.assign(new Error("Rate exceeded"), { name: "Throttling" }),
      },
    );
    for (const [error, environment] of [
      [denied, false],
      [throttled, true],
    ] as const) {
      await assert.rejects(
        readOrganizationTree(client({ DescribeOrganization: [error] }), { who }),
        (got: unknown) => {
          assert.ok(got instanceof OrganizationReadError);
          assert.ok(
            got.message.startsWith(
              `organization.roleArn: ${error.message}; use a role that exists in the management account`,
            ),
            got.message,
          );
          assert.equal(got.environment, environment);
          return true;
        },
      );
    }
  });

  /** A client over a tree of `width` OUs under the root, each with one account, every answer late. */
  function wideTree(width: number, delayMs: (name: string, parent?: string) => number) {
    const ous = Array.from({ length: width }, (_, i) => `ou-root-${String(i).padStart(8, "0")}`);
    let inFlight = 0;
    const seen = { most: 0, sent: [] as string[] };
    const answer = (name: string, input: Record<string, unknown>): Record<string, unknown> => {
      const parent = input.ParentId as string | undefined;
      if (name === "DescribeOrganization") return described;
      if (name === "ListRoots") return { Roots: [{ Id: "r-root" }] };
      if (name === "ListOrganizationalUnitsForParent") {
        return parent === "r-root"
          ? { OrganizationalUnits: ous.map((Id, i) => ({ Id, Name: `Team${i}` })) }
          : {};
      }
      if (parent === "r-root") return { Accounts: [{ Id: "100000000000", State: "ACTIVE" }] };
      const i = ous.indexOf(parent!);
      return { Accounts: [{ Id: `2${String(i).padStart(11, "0")}`, State: "ACTIVE" }] };
    };
    const c = {
      send: async (
        command: { input: Record<string, unknown> },
        options?: { abortSignal?: AbortSignal },
      ) => {
        const name = command.constructor.name.replace(/Command$/, "");
        seen.sent.push(`${name} ${(command.input.ParentId as string | undefined) ?? ""}`);
        inFlight++;
        seen.most = Math.max(seen.most, inFlight);
        try {
          await new Promise((r) => setTimeout(r, delayMs(name, command.input.ParentId as string)));
          if (options?.abortSignal?.aborted) {
            throw Object.assign(new Error("aborted"), { name: "AbortError" });
          }
          const reply = answer(name, command.input);
          if (reply instanceof Error) throw reply;
          return reply;
        } finally {
          inFlight--;
        }
      },
    } as unknown as Parameters<typeof readOrganizationTree>[0];
    return { client: c, seen, ous };
  }

  it("lists many parents at once, within the bound, and lists the tree as a walk one parent at a time would", async () => {
    // Later OUs answer sooner: the tree must not follow the order the answers came in.
    const {
      client: c,
      seen,
      ous,
    } = wideTree(12, (_n, parent) =>
      parent?.startsWith("ou-") ? 40 - Number(parent.slice(-2)) * 3 : 1,
    );
    const tree = await readOrganizationTree(c, { who, pacing: { concurrency: 5 } });
    assert.strictEqual(seen.most, 5, "five calls in flight at once, never more");
    assert.deepStrictEqual(
      tree.ous.map((o) => o.id),
      ous,
    );
    assert.deepStrictEqual(
      tree.accounts.map((a) => a.accountId),
      ["100000000000", ...ous.map((_, i) => `2${String(i).padStart(11, "0")}`)],
    );
    const one = wideTree(12, () => 1);
    const serial = await readOrganizationTree(one.client, { who, pacing: { concurrency: 1 } });
    assert.strictEqual(one.seen.most, 1);
    assert.deepStrictEqual(serial, tree);
  });

  it("retries a throttled call after a growing, jittered pause, halving the calls in flight", async () => {
    const throttle = Object.assign(new Error("Rate exceeded"), {
      name: "TooManyRequestsException",
    });
    const c = client({
      DescribeOrganization: [throttle, throttle, described],
      ListRoots: [{ Roots: [{ Id: "r-root" }] }],
    });
    const pauses: number[] = [];
    let stats: { throttled: number; lowestLimit: number } | undefined;
    await readOrganizationTree(c, {
      who,
      pacing: { concurrency: 8, baseMs: 100, capMs: 1000 },
      random: () => 0.5,
      sleep: (ms) => {
        pauses.push(ms);
        return Promise.resolve();
      },
      onStats: (s) => (stats = s),
    });
    assert.deepStrictEqual(pauses, [50, 100], "half of 100 ms, then half of 200 ms");
    assert.strictEqual(stats?.throttled, 2);
    assert.strictEqual(
      stats?.lowestLimit,
      4,
      "halved once: the second throttle was of the same round",
    );
  });

  it("stops sending once a listing fails, and fails with that error, not the aborts it caused", async () => {
    const { client: c, seen } = wideTree(30, (name, parent) =>
      name === "ListAccountsForParent" && parent === "r-root" ? 1 : 20,
    );
    const refusing = {
      send: (command: { input: Record<string, unknown> }, options?: unknown) =>
        command.constructor.name === "ListAccountsForParentCommand" &&
        command.input.ParentId === "ou-root-00000003"
          ? Promise.reject(Object.assign(new Error("gone"), { name: "ParentNotFoundException" }))
          : (c.send as (x: unknown, o: unknown) => Promise<unknown>)(command, options),
    } as unknown as Parameters<typeof readOrganizationTree>[0];
    await assert.rejects(readOrganizationTree(refusing, { who, pacing: { concurrency: 2 } }), {
      name: "OrganizationReadError",
      message: `ListAccountsForParent as ${who}: ParentNotFoundException: gone`,
    });
    assert.ok(
      seen.sent.length < 2 + 2 * 31,
      `calls not yet sent were not sent (${seen.sent.length} sent)`,
    );
  });
});
