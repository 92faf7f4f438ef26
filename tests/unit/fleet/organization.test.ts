import * as assert from "assert";
import { discoverAccounts, readOrganizationTree } from "../../../fleet/aws/organizations";
import { organizationSchema } from "../../../fleet/settings/schema";
import {
  OrganizationReadError,
  OrganizationScopeError,
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
        detail: "status SUSPENDED",
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
      { endpoint: fake.url, credentials: MGMT_KEY, pageSize: 1, maxAttempts: 1 },
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
    const options = { endpoint: fake.url, credentials: MGMT_KEY, pageSize: 2, maxAttempts: 1 };
    const before = await discoverAccounts(settings, options);
    await new FakeAwsAdminClient(fake.url).createAccount({ id: "888888888888", ou: "Prod/EU/New" });
    const after = await discoverAccounts(settings, options);
    assert.deepStrictEqual(ids(after.accounts), [...ids(before.accounts), "888888888888"].sort());
  });

  it("gives up on a throttled call after maxAttempts tries, and rides out one throttle with two", async () => {
    const options = { endpoint: fake.url, credentials: MGMT_KEY };
    fake.state.injectFault({ service: "organizations", operation: "ListRoots", count: 1 });
    await assert.rejects(discoverAccounts({}, { ...options, maxAttempts: 1 }), (e: unknown) => {
      assert.match(
        String(e),
        /^OrganizationReadError: ListRoots as the bot's own credentials: TooManyRequestsException/,
      );
      assert.equal((e as OrganizationReadError).environment, true, "throttling is not bad input");
      return true;
    });
    fake.state.injectFault({ service: "organizations", operation: "ListRoots", count: 1 });
    const s = await discoverAccounts({}, { ...options, maxAttempts: 2 });
    assert.strictEqual(s.organizationId.startsWith("o-"), true);
  });

  it("names organization.roleArn, as bad input, when its role does not exist", async () => {
    const roleArn = "arn:aws:iam::111111111111:role/NoSuchRole";
    await assert.rejects(
      discoverAccounts({ roleArn }, { endpoint: fake.url, credentials: MGMT_KEY, maxAttempts: 1 }),
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
      discoverAccounts({}, { endpoint: fake.url, credentials: MEMBER_KEY, maxAttempts: 1 }),
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
      discoverAccounts({}, { endpoint: fake.url, credentials: MEMBER_KEY, maxAttempts: 1 }),
      /DescribeOrganization: the bot's own credentials is not in an AWS organization; set organization.roleArn/,
    );
    await assert.rejects(
      discoverAccounts(
        { include: { ous: ["Root/Nope"] } },
        { endpoint: fake.url, credentials: MGMT_KEY, maxAttempts: 1 },
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
    assert.ok(c.sent.every((s) => JSON.stringify(s.options) === "{}"));
  });

  it("asks for the page size given, and passes the abort signal to every call", async () => {
    const signal = new AbortController().signal;
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
    assert.ok(c.sent.every((s) => (s.options as { abortSignal?: unknown }).abortSignal === signal));
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

  it("names the call and the role when a listing fails, and calls persistent throttling the environment's, not the input's", async () => {
    const slow = Object.assign(new Error("Rate exceeded"), { name: "TooManyRequestsException" });
    const denied = Object.assign(new Error("not allowed"), { name: "ValidationException" });
    for (const op of ["ListOrganizationalUnitsForParent", "ListAccountsForParent"]) {
      for (const [error, environment] of [
        [slow, true],
        [denied, false],
      ] as const) {
        await assert.rejects(
          readOrganizationTree(
            client({
              DescribeOrganization: [described],
              ListRoots: [{ Roots: [{ Id: "r-root" }] }],
              [op]: [error],
            }),
            { who },
          ),
          (got: unknown) => {
            assert.ok(got instanceof OrganizationReadError);
            assert.equal(got.message, `${op} as ${who}: ${error.name}: ${error.message}`);
            assert.equal(got.environment, environment, `${error.name} is the environment's`);
            return true;
          },
        );
      }
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
});
