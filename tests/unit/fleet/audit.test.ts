import * as assert from "assert";
import * as fs from "fs";
import * as os from "os";
import * as path from "path";
import {
  accountAudit,
  auditAccount,
  auditOutcome,
  auditTotals,
  countsFindings,
  formatAuditTable,
  organizationRegionView,
  organizationViewSource,
  regionAudit,
  type AccountReader,
  type AnalyzerInfo,
  type RegionReading,
} from "../../../fleet/audit";
import { SdkAccountReader } from "../../../fleet/auditSdk";
import { main, type CliDeps } from "../../../fleet/cli";
import { buildReport, exitCodeFor } from "../../../fleet/report";
import type { FleetReport, StackResult, Target } from "../../../fleet/types";
import { DEFAULT_REGIONS, startFakeAws, type FakeAws } from "../../harness/fake-aws";
import { target } from "./helpers";

function analyzer(
  name: string,
  type: string,
  status = "ACTIVE",
  extra: Partial<AnalyzerInfo> = {},
): AnalyzerInfo {
  return {
    name,
    type,
    status,
    arn: `arn:aws:access-analyzer:eu-west-1:111122223333:analyzer/${name}`,
    ...extra,
  };
}

function reading(analyzers: AnalyzerInfo[], findings: Record<string, number> = {}): RegionReading {
  return { analyzers, findings };
}

describe("audit verdicts (pure)", () => {
  it("counts a region as covered by any ACTIVE ACCOUNT analyzer, whatever its name", () => {
    const a = analyzer("ConsoleMade-42", "ACCOUNT");
    const r = regionAudit("eu-west-1", reading([a]));
    assert.strictEqual(r.verdict, "covered");
    assert.strictEqual(r.analyzer?.arn, a.arn);
  });

  it("says missing when the region has no ACCOUNT analyzer (an unused-access one does not count)", () => {
    const r = regionAudit("eu-west-1", reading([analyzer("unused", "ACCOUNT_UNUSED_ACCESS")]));
    assert.strictEqual(r.verdict, "missing");
    assert.strictEqual(r.detail, "no ACCOUNT analyzer");
  });

  it("says missing when only an ORGANIZATION analyzer is there, and names it in the detail", () => {
    const r = regionAudit("eu-west-1", reading([analyzer("org-wide", "ORGANIZATION")]));
    assert.strictEqual(r.verdict, "missing");
    assert.match(r.detail ?? "", /ORGANIZATION analyzer "org-wide" does not count for IAM\.28/);
  });

  it("says not-active for an ACCOUNT analyzer that is FAILED, with its status reason", () => {
    const a = analyzer("external-access", "ACCOUNT", "FAILED", {
      statusReason: "SERVICE_LINKED_ROLE_CREATION_FAILED",
    });
    const r = regionAudit("eu-west-1", reading([a]));
    assert.strictEqual(r.verdict, "not-active");
    assert.strictEqual(r.analyzer?.name, "external-access");
    assert.match(r.detail ?? "", /is FAILED \(SERVICE_LINKED_ROLE_CREATION_FAILED\)/);
  });

  it("says pending (not not-active, not a failure) for an ACCOUNT analyzer that is CREATING", () => {
    const r = regionAudit("eu-west-1", reading([analyzer("new", "ACCOUNT", "CREATING")]));
    assert.strictEqual(r.verdict, "pending");
    assert.strictEqual(r.analyzer?.name, "new");
    const audit = accountAudit(
      ["eu-west-1"],
      {},
      { "eu-west-1": reading([analyzer("new", "ACCOUNT", "CREATING")]) },
    );
    assert.strictEqual(audit.counts.pending, 1);
    assert.strictEqual(audit.counts.notActive, 0);
    assert.strictEqual(auditOutcome(audit), "succeeded");
  });

  it("prefers an ACTIVE ACCOUNT analyzer over a CREATING one in the same region", () => {
    const r = regionAudit(
      "eu-west-1",
      reading([analyzer("new", "ACCOUNT", "CREATING"), analyzer("old", "ACCOUNT")]),
    );
    assert.strictEqual(r.verdict, "covered");
    assert.strictEqual(r.analyzer?.name, "old");
  });

  it("says error with the message when the region could not be read, keeping what was read", () => {
    const a = analyzer("external-access", "ACCOUNT");
    const r = regionAudit("eu-west-1", {
      analyzers: [a],
      findings: {},
      error: "ThrottlingException: slow down",
    });
    assert.strictEqual(r.verdict, "error");
    assert.strictEqual(r.error, "ThrottlingException: slow down");
    assert.strictEqual(r.analyzers.length, 1);
  });

  it("lists excluded regions without reading them and does not count them as non-compliant", () => {
    const audit = accountAudit(
      ["us-east-1", "eu-west-1", "ap-northeast-3", "eu-south-1"],
      { excludeRegions: ["ap-northeast-3"], regions: ["us-east-1", "eu-west-1", "ap-northeast-3"] },
      {
        "us-east-1": reading([analyzer("a", "ACCOUNT")]),
        "eu-west-1": reading([analyzer("a", "ACCOUNT")]),
      },
    );
    assert.deepStrictEqual(
      audit.regions.map((r) => [r.region, r.verdict, r.detail]),
      [
        ["ap-northeast-3", "excluded", "excluded by the fleet file (in excludeRegions); not read"],
        ["eu-south-1", "excluded", "excluded by the fleet file (not in regions); not read"],
        ["eu-west-1", "covered", undefined],
        ["us-east-1", "covered", undefined],
      ],
    );
    assert.deepStrictEqual(audit.counts, {
      enabled: 4,
      covered: 2,
      pending: 0,
      missing: 0,
      notActive: 0,
      excluded: 2,
      error: 0,
    });
    assert.strictEqual(auditOutcome(audit), "succeeded");
  });

  it("treats an in-scope region that has no reading as an error, never as covered", () => {
    const audit = accountAudit(["us-east-1"], {}, {});
    assert.strictEqual(audit.regions[0].verdict, "error");
    assert.strictEqual(auditOutcome(audit), "failed");
  });

  it("sums active findings per family: external-access and unused-access, internal-access not counted", () => {
    const ext = analyzer("ext", "ACCOUNT");
    const org = analyzer("org", "ORGANIZATION");
    const unused = analyzer("unused", "ACCOUNT_UNUSED_ACCESS");
    const audit = accountAudit(
      ["eu-west-1", "us-east-1"],
      {},
      {
        "eu-west-1": reading([ext, org], { [ext.arn]: 3, [org.arn]: 4 }),
        "us-east-1": reading([{ ...ext, arn: "arn:x" }, unused], { "arn:x": 2, [unused.arn]: 5 }),
      },
    );
    assert.deepStrictEqual(audit.regions[0].activeFindings, { externalAccess: 7, unusedAccess: 0 });
    assert.deepStrictEqual(audit.activeFindings, { externalAccess: 9, unusedAccess: 5 });
    assert.strictEqual(
      audit.regions[1].analyzers.find((a) => a.name === "unused")?.activeFindings,
      5,
    );
    assert.strictEqual(countsFindings(analyzer("i", "ACCOUNT_INTERNAL_ACCESS")), false);
    assert.strictEqual(countsFindings(analyzer("d", "ACCOUNT", "DISABLED")), false);
    assert.strictEqual(countsFindings(unused), true);
  });

  it("decides the account outcome: unreadable beats non-compliant beats covered", () => {
    const missing = reading([]);
    const covered = reading([analyzer("a", "ACCOUNT")]);
    const broken: RegionReading = { findings: {}, error: "AccessDeniedException: no" };
    assert.strictEqual(
      auditOutcome(accountAudit(["a-1", "b-1"], {}, { "a-1": covered, "b-1": missing })),
      "noncompliant",
    );
    assert.strictEqual(
      auditOutcome(accountAudit(["a-1", "b-1"], {}, { "a-1": broken, "b-1": missing })),
      "failed",
    );
    assert.strictEqual(auditOutcome(accountAudit(["a-1"], {}, { "a-1": covered })), "succeeded");
  });
});

describe("audit exit codes and report", () => {
  const t = target("111122223333", "prod");
  const res = (outcome: StackResult["outcome"]): StackResult => ({
    accountId: t.accountId,
    stack: t.stack,
    operation: "audit",
    outcome,
    changes: { create: 0, update: 0, replace: 0, delete: 0, same: 0 },
    regions: [],
    analyzerArns: {},
    durationMs: 1,
  });

  it("exits 2 for a non-compliant account, 1 when another could not be read, 130 when aborted", () => {
    assert.strictEqual(exitCodeFor("audit", [res("succeeded")], false), 0);
    assert.strictEqual(exitCodeFor("audit", [res("succeeded"), res("noncompliant")], false), 2);
    assert.strictEqual(exitCodeFor("audit", [res("noncompliant"), res("failed")], false), 1);
    assert.strictEqual(exitCodeFor("audit", [res("noncompliant")], true), 130);
  });

  it("keeps schemaVersion 1 and adds the audit totals beside the usual totals", () => {
    const report = buildReport({
      command: "audit",
      fleetFile: "fleet.yaml",
      startedAt: new Date(0),
      finishedAt: new Date(1000),
      options: { concurrency: 4, refresh: false, regionConcurrency: 4 },
      aborted: false,
      results: [res("noncompliant")],
      audit: auditTotals([res("noncompliant")]),
    });
    assert.strictEqual(report.schemaVersion, 1);
    assert.strictEqual(report.totals.noncompliant, 1);
    assert.strictEqual(report.audit?.accounts, 1);
    assert.strictEqual(report.exitCode, 2);
  });
});

/** A scripted reader: regions per account, analyzers per region, failures by region. */
class ScriptedReader implements AccountReader {
  inFlight = 0;
  maxInFlight = 0;
  closed = false;

  constructor(
    private readonly script: {
      regions: string[] | Error;
      analyzers?: Record<string, AnalyzerInfo[] | Error>;
      findings?: Record<string, number>;
    },
  ) {}

  enabledRegions(): Promise<string[]> {
    const r = this.script.regions;
    return r instanceof Error ? Promise.reject(r) : Promise.resolve(r);
  }

  async analyzers(region: string): Promise<AnalyzerInfo[]> {
    this.inFlight++;
    this.maxInFlight = Math.max(this.maxInFlight, this.inFlight);
    await new Promise((r) => setTimeout(r, 2));
    this.inFlight--;
    const a = this.script.analyzers?.[region] ?? [];
    if (a instanceof Error) throw a;
    return a;
  }

  activeFindings(_region: string, arn: string): Promise<number> {
    return Promise.resolve(this.script.findings?.[arn] ?? 0);
  }

  close(): void {
    this.closed = true;
  }
}

describe("audit's organization view", () => {
  const ADMIN = "999999999999";
  const inOrg = { administratorAccountId: ADMIN, inOrganization: true };

  it("covers a region with an ACTIVE ORGANIZATION analyzer of the delegated administrator only", () => {
    const org = analyzer("org", "ORGANIZATION");
    assert.strictEqual(
      organizationRegionView({ ...inOrg, analyzers: [analyzer("acct", "ACCOUNT"), org] }).verdict,
      "covered",
    );
    const none = organizationRegionView({ ...inOrg, analyzers: [analyzer("acct", "ACCOUNT")] });
    assert.strictEqual(none.verdict, "missing");
    assert.match(none.detail ?? "", /999999999999 has no ORGANIZATION analyzer/);
    const disabled = organizationRegionView({
      ...inOrg,
      analyzers: [analyzer("org", "ORGANIZATION", "DISABLED")],
    });
    assert.strictEqual(disabled.verdict, "not-active");
    assert.match(disabled.detail ?? "", /"org" of 999999999999 is DISABLED/);
    assert.strictEqual(
      organizationRegionView({ ...inOrg, analyzers: [analyzer("o", "ORGANIZATION", "CREATING")] })
        .verdict,
      "pending",
    );
  });

  it("says missing where the administrator has not enabled the region, error when unreadable, outside for non-members", () => {
    const off = organizationRegionView({ ...inOrg, regionNotEnabled: true });
    assert.strictEqual(off.verdict, "missing");
    assert.match(off.detail ?? "", /has not enabled this region/);
    assert.strictEqual(organizationRegionView({ ...inOrg, error: "denied" }).verdict, "error");
    assert.strictEqual(
      organizationRegionView({ administratorAccountId: ADMIN, inOrganization: false }).verdict,
      "outside-organization",
    );
  });

  it("reads the administrator once per region for every account; the IAM.28 view alone decides the outcome", async () => {
    const orgA = analyzer("org", "ORGANIZATION");
    const admin = new ScriptedReader({
      regions: ["r-1", "r-2"],
      analyzers: { "r-1": [orgA], "r-2": [] },
    });
    let listed = 0;
    const counting = {
      enabledRegions: () => admin.enabledRegions(),
      analyzers: (region: string) => {
        listed++;
        return admin.analyzers(region);
      },
    };
    const source = organizationViewSource(ADMIN, counting);
    const member = (id: string): Target => ({
      ...target(id),
      origin: { ouPath: "Root/Workloads/Prod", fleetFile: false },
    });
    const acct = analyzer("acct", "ACCOUNT");
    const [covered, onlyOrg, outside] = await Promise.all([
      auditAccount(
        member("111111111111"),
        new ScriptedReader({
          regions: ["r-1", "r-2"],
          analyzers: { "r-1": [acct], "r-2": [acct] },
        }),
        { organizationView: source },
      ),
      auditAccount(
        member("222222222222"),
        new ScriptedReader({ regions: ["r-1", "r-3"], analyzers: {} }),
        { organizationView: source },
      ),
      auditAccount(
        target("333333333333"),
        new ScriptedReader({ regions: ["r-1"], analyzers: { "r-1": [acct] } }),
        { organizationView: source },
      ),
    ]);
    assert.strictEqual(listed, 2, "r-1 and r-2 once each; r-3 is not enabled in the admin account");
    assert.strictEqual(covered.outcome, "succeeded", "organization view gaps do not fail IAM.28");
    assert.deepStrictEqual(
      covered.audit?.regions.map((r) => r.organizationView?.verdict),
      ["covered", "missing"],
    );
    assert.strictEqual(
      onlyOrg.outcome,
      "noncompliant",
      "an ORGANIZATION analyzer does not count for IAM.28",
    );
    assert.deepStrictEqual(onlyOrg.audit?.organizationView, {
      covered: 1,
      pending: 0,
      missing: 1,
      notActive: 0,
      outsideOrganization: 0,
      error: 0,
    });
    assert.strictEqual(outside.audit?.regions[0].organizationView?.verdict, "outside-organization");

    const totals = auditTotals([covered, onlyOrg, outside]);
    assert.deepStrictEqual(totals.organizationView, {
      covered: 2,
      pending: 0,
      missing: 2,
      notActive: 0,
      outsideOrganization: 1,
      error: 0,
    });
    const table = formatAuditTable([covered, onlyOrg, outside]);
    assert.match(table, /ORG-VIEW/);
    assert.match(table, /111111111111\s+succeeded\s+2\s+2\s+1\/2/);
    assert.match(table, /333333333333\s+succeeded\s+1\s+1\s+outside/);
    assert.match(
      table,
      /222222222222\s+r-3\s+missing\s+the delegated administrator 999999999999 has not enabled/,
    );
    assert.match(table, /organization view: 2 covered, 0 pending, 2 missing/);
    assert.match(table, /\nRegions the organization view does not cover \(informational; IAM\.28/);
  });

  it("leaves the organization view out when there is no delegated administrator", async () => {
    const r = await auditAccount(
      target("111111111111"),
      new ScriptedReader({ regions: ["r-1"], analyzers: { "r-1": [analyzer("a", "ACCOUNT")] } }),
    );
    assert.strictEqual(r.audit?.organizationView, undefined);
    assert.strictEqual(r.audit?.regions[0].organizationView, undefined);
    assert.strictEqual(auditTotals([r]).organizationView, undefined);
    assert.match(formatAuditTable([r]), /111111111111\s+succeeded\s+1\s+1\s+-/);
  });
});

function throttled(): Error {
  const e = new Error("Rate exceeded");
  e.name = "ThrottlingException";
  return e;
}

describe("auditAccount (through an AccountReader)", () => {
  const t: Target = { ...target("111122223333", "prod"), settings: { excludeRegions: ["r-9"] } };

  it("reports an unreadable region as error and still reads the account's other regions", async () => {
    const a = analyzer("a", "ACCOUNT");
    const reader = new ScriptedReader({
      regions: ["r-1", "r-2", "r-3", "r-9"],
      analyzers: { "r-1": [a], "r-2": throttled(), "r-3": [] },
      findings: { [a.arn]: 2 },
    });
    const result = await auditAccount(t, reader);
    assert.strictEqual(result.outcome, "failed");
    assert.deepStrictEqual(
      result.audit?.regions.map((r) => r.verdict),
      ["covered", "error", "missing", "excluded"],
    );
    assert.match(
      result.error ?? "",
      /1 region\(s\) could not be read: r-2: ThrottlingException: Rate exceeded/,
    );
    assert.deepStrictEqual(result.regions, ["r-1"]);
    assert.strictEqual(result.analyzerArns["r-1"], a.arn);
    assert.strictEqual(result.audit?.activeFindings.externalAccess, 2);
    assert.strictEqual(reader.closed, true);
  });

  it("reports an account whose regions cannot be listed as failed, with the error", async () => {
    const denied = new Error("User is not authorized");
    denied.name = "AccessDenied";
    const result = await auditAccount(t, new ScriptedReader({ regions: denied }));
    assert.strictEqual(result.outcome, "failed");
    assert.strictEqual(result.error, "AccessDenied: User is not authorized");
    assert.strictEqual(result.audit, undefined);
  });

  it("reads at most --region-concurrency regions of one account at once", async () => {
    const regions = Array.from({ length: 9 }, (_, i) => `r-${i}`);
    const reader = new ScriptedReader({ regions });
    const result = await auditAccount({ ...t, settings: {} }, reader, { regionConcurrency: 2 });
    assert.strictEqual(reader.maxInFlight, 2);
    assert.strictEqual(result.audit?.counts.missing, 9);
    assert.strictEqual(result.outcome, "noncompliant");
  });

  it("masks credentials in error messages", async () => {
    const leak = new Error("bad key AKIAABCDEFGHIJKLMNOP");
    const result = await auditAccount(
      t,
      new ScriptedReader({ regions: ["r-1"], analyzers: { "r-1": leak } }),
      {
        redact: (s) => s.replace(/AKIA[A-Z0-9]{16}/g, "AKIA****"),
      },
    );
    assert.doesNotMatch(JSON.stringify(result), /AKIAABCDEFGHIJKLMNOP/);
  });

  it("shows the non-covered regions under the table", async () => {
    const a = analyzer("a", "ACCOUNT");
    const org = analyzer("org", "ORGANIZATION");
    const result = await auditAccount(
      t,
      new ScriptedReader({ regions: ["r-1", "r-2"], analyzers: { "r-1": [a], "r-2": [org] } }),
    );
    const text = formatAuditTable([result]);
    assert.match(
      text,
      /^ACCOUNT\s+RESULT\s+ENABLED\s+COVERED\s+ORG-VIEW\s+PENDING\s+MISSING\s+NOT-ACTIVE\s+EXCLUDED/,
    );
    assert.match(text, /prod 111122223333\s+noncompliant\s+2\s+1\s+-\s+0\s+1\s+0\s+0/);
    assert.match(
      text,
      /prod 111122223333\s+r-2\s+missing\s+no ACCOUNT analyzer; ORGANIZATION analyzer "org"/,
    );
    assert.match(
      text,
      /1 account\(s\): 1 noncompliant; regions: 2 enabled, 1 covered, 0 pending, 1 missing/,
    );
  });
});

// ---- the AWS SDK implementation against fake-aws --------------------------------------------

const BOT = "999999999999";
const COVERED = "111111111111"; // analyzers in two regions, an opted-in region without one
const ORG_ONLY = "222222222222"; // management account with an ORGANIZATION analyzer only
const DENIED = "333333333333"; // its role does not trust the bot
const EXPLICIT = "444444444444"; // fleet file lists two regions, both covered
const BOT_KEY = {
  accessKeyId: "AKIAFAKEAUDITBOT0001",
  secretAccessKey: "audit-bot-secret-0000000000000000000000",
};
const ROLE = "AccessAnalyzerAuditor";
const trustBot = [{ name: ROLE, trustedAccountIds: [BOT] }];

function roleTarget(id: string, name: string, settings: Target["settings"] = {}): Target {
  return {
    accountId: id,
    name,
    stack: `acct-${id}`,
    access: { roleArn: `arn:aws:iam::${id}:role/${ROLE}`, sessionName: "audit-test" },
    settings,
  };
}

describe("SdkAccountReader against fake-aws", function () {
  this.timeout(60000);
  let fake: FakeAws;

  before(async () => {
    fake = await startFakeAws({
      config: {
        accounts: [
          { id: BOT, name: "tooling", accessKeys: [{ ...BOT_KEY, userName: "audit-bot" }] },
          {
            id: COVERED,
            optedInRegions: ["af-south-1"],
            roles: trustBot,
            analyzers: [
              { region: "us-east-1", name: "external-access", type: "ACCOUNT" },
              { region: "eu-west-1", name: "ConsoleAnalyzer", type: "ACCOUNT" },
              { region: "us-east-1", name: "unused-access", type: "ACCOUNT_UNUSED_ACCESS" },
            ],
          },
          {
            id: ORG_ONLY,
            orgRole: "management",
            roles: [{ name: ROLE, trustedAccountIds: [BOT], externalId: "audit-ext-id" }],
            analyzers: [{ region: "us-east-1", name: "org-wide", type: "ORGANIZATION" }],
          },
          { id: DENIED, roles: [{ name: ROLE, trustedAccountIds: [COVERED] }] },
          {
            id: EXPLICIT,
            roles: trustBot,
            analyzers: [
              { region: "us-east-1", name: "external-access", type: "ACCOUNT" },
              { region: "eu-west-1", name: "external-access", type: "ACCOUNT" },
            ],
          },
        ],
      },
    });
    const add = (
      region: string,
      name: string,
      status: "ACTIVE" | "ARCHIVED" | "RESOLVED",
      n: number,
    ) => {
      for (let i = 0; i < n; i++) {
        fake.state.addFinding(COVERED, region, name, { resourceType: "AWS::S3::Bucket", status });
      }
    };
    add("us-east-1", "external-access", "ACTIVE", 3);
    add("us-east-1", "external-access", "ARCHIVED", 2);
    add("eu-west-1", "ConsoleAnalyzer", "ACTIVE", 105); // more than one page of 100
    add("eu-west-1", "ConsoleAnalyzer", "ARCHIVED", 5);
    add("us-east-1", "unused-access", "ACTIVE", 1);
    add("us-east-1", "unused-access", "RESOLVED", 1);
  });

  after(async () => {
    await fake.close();
  });

  beforeEach(() => {
    fake.state.clearFaults();
    fake.state.clearCalls();
  });

  const reader = (t: Target, extra: { maxAttempts?: number } = {}) =>
    new SdkAccountReader(t, { endpoint: fake.url, credentials: BOT_KEY, ...extra });

  it("lists the enabled regions only: the 17 defaults and the opted-in one", async () => {
    const r = reader(roleTarget(COVERED, "covered"));
    try {
      const regions = await r.enabledRegions();
      assert.deepStrictEqual(regions, [...DEFAULT_REGIONS, "af-south-1"].sort());
    } finally {
      r.close();
    }
  });

  it("counts only ACTIVE findings, across pages, for external-access and unused-access analyzers", async () => {
    const result = await auditAccount(
      roleTarget(COVERED, "covered"),
      reader(roleTarget(COVERED, "covered")),
    );
    const audit = result.audit!;
    const byRegion = Object.fromEntries(audit.regions.map((r) => [r.region, r]));
    assert.strictEqual(byRegion["us-east-1"].verdict, "covered");
    assert.strictEqual(byRegion["eu-west-1"].verdict, "covered");
    assert.strictEqual(byRegion["eu-west-1"].analyzer?.name, "ConsoleAnalyzer");
    assert.deepStrictEqual(byRegion["us-east-1"].activeFindings, {
      externalAccess: 3,
      unusedAccess: 1,
    });
    assert.deepStrictEqual(byRegion["eu-west-1"].activeFindings, {
      externalAccess: 105,
      unusedAccess: 0,
    });
    assert.deepStrictEqual(audit.activeFindings, { externalAccess: 108, unusedAccess: 1 });
    assert.strictEqual(
      byRegion["af-south-1"].verdict,
      "missing",
      "an opted-in region without analyzer",
    );
    assert.deepStrictEqual(audit.counts, {
      enabled: 18,
      covered: 2,
      pending: 0,
      missing: 16,
      notActive: 0,
      excluded: 0,
      error: 0,
    });
    assert.strictEqual(result.outcome, "noncompliant");
    assert.strictEqual(
      result.unusedAccessAnalyzerArn,
      `arn:aws:access-analyzer:us-east-1:${COVERED}:analyzer/unused-access`,
    );
  });

  it("only reads: AssumeRole once, DescribeRegions, ListAnalyzers, ListFindingsV2, nothing else", async () => {
    await auditAccount(roleTarget(COVERED, "covered"), reader(roleTarget(COVERED, "covered")));
    const ops = new Set(fake.state.calls.map((c) => c.operation));
    assert.deepStrictEqual([...ops].sort(), [
      "AssumeRole",
      "DescribeRegions",
      "ListAnalyzers",
      "ListFindingsV2",
    ]);
    assert.strictEqual(fake.state.calls.filter((c) => c.operation === "AssumeRole").length, 1);
    assert.ok(
      fake.state.calls
        .filter((c) => c.operation !== "AssumeRole")
        .every((c) => c.accountId === COVERED),
    );
  });

  it("says missing in every region of an account with an ORGANIZATION analyzer only (external id passed)", async () => {
    const t = {
      ...roleTarget(ORG_ONLY, "org"),
      access: { ...roleTarget(ORG_ONLY, "org").access, externalId: "audit-ext-id" },
    };
    const result = await auditAccount(t, reader(t));
    assert.strictEqual(result.outcome, "noncompliant");
    assert.strictEqual(result.audit?.counts.covered, 0);
    const east = result.audit?.regions.find((r) => r.region === "us-east-1");
    assert.strictEqual(east?.verdict, "missing");
    assert.match(east?.detail ?? "", /ORGANIZATION analyzer "org-wide" does not count/);
  });

  it("reports a role the bot may not assume as that account's error, without any secret", async () => {
    const result = await auditAccount(
      roleTarget(DENIED, "denied"),
      reader(roleTarget(DENIED, "denied")),
    );
    assert.strictEqual(result.outcome, "failed");
    assert.match(
      result.error ?? "",
      /AssumeRole arn:aws:iam::333333333333:role\/AccessAnalyzerAuditor: AccessDenied/,
    );
    const text = JSON.stringify(result);
    assert.doesNotMatch(text, new RegExp(BOT_KEY.secretAccessKey));
    assert.doesNotMatch(text, /AKIAFAKEAUDITBOT0001/);
  });

  it("makes a region throttled past the SDK's retries an error, and reads the others", async () => {
    fake.state.injectFault({
      service: "access-analyzer",
      operation: "ListAnalyzers",
      accountId: EXPLICIT,
      region: "eu-west-1",
      count: 2,
    });
    const t = roleTarget(EXPLICIT, "explicit", { regions: ["us-east-1", "eu-west-1"] });
    const result = await auditAccount(t, reader(t, { maxAttempts: 2 }));
    assert.strictEqual(result.outcome, "failed");
    const west = result.audit?.regions.find((r) => r.region === "eu-west-1");
    assert.strictEqual(west?.verdict, "error");
    assert.match(west?.error ?? "", /ListAnalyzers: ThrottlingException/);
    assert.strictEqual(
      result.audit?.regions.find((r) => r.region === "us-east-1")?.verdict,
      "covered",
    );
    assert.strictEqual(result.audit?.counts.excluded, 15);
  });

  it("retries a brief throttle and then covers the region", async () => {
    fake.state.injectFault({
      service: "access-analyzer",
      operation: "ListAnalyzers",
      accountId: EXPLICIT,
      count: 1,
    });
    const t = roleTarget(EXPLICIT, "explicit", { regions: ["us-east-1", "eu-west-1"] });
    const result = await auditAccount(t, reader(t));
    assert.strictEqual(result.outcome, "succeeded");
  });

  it("reports a CREATING analyzer as pending, and with waitForActiveMs waits until it is ACTIVE", async () => {
    const t = roleTarget(EXPLICIT, "explicit", { regions: ["us-east-1", "eu-west-1"] });
    fake.state.deleteAnalyzer(EXPLICIT, "eu-west-1", "external-access");
    fake.state.configure({ analyzerActivationMs: 600 });
    try {
      fake.state.createAnalyzer(EXPLICIT, "eu-west-1", {
        analyzerName: "external-access",
        type: "ACCOUNT",
      });
      const now = await auditAccount(t, reader(t));
      const west = now.audit?.regions.find((r) => r.region === "eu-west-1");
      assert.strictEqual(west?.verdict, "pending");
      assert.strictEqual(now.audit?.counts.pending, 1);
      assert.strictEqual(now.outcome, "succeeded");

      const waited = await auditAccount(t, reader(t), {
        waitForActiveMs: 5000,
        pollIntervalMs: 100,
      });
      assert.strictEqual(
        waited.audit?.regions.find((r) => r.region === "eu-west-1")?.verdict,
        "covered",
      );
      assert.strictEqual(waited.audit?.counts.pending, 0);
    } finally {
      fake.state.configure({ analyzerActivationMs: 0 });
    }
  });

  it("stops waiting for a CREATING analyzer after waitForActiveMs and leaves it pending", async () => {
    const t = roleTarget(EXPLICIT, "explicit", { regions: ["us-east-1", "eu-west-1"] });
    const a = fake.state.getAnalyzer(EXPLICIT, "eu-west-1", "external-access");
    a.status = "CREATING"; // no activation time: stays CREATING
    try {
      const started = Date.now();
      const result = await auditAccount(t, reader(t), { waitForActiveMs: 300, pollIntervalMs: 50 });
      const took = Date.now() - started;
      assert.strictEqual(
        result.audit?.regions.find((r) => r.region === "eu-west-1")?.verdict,
        "pending",
      );
      assert.ok(took >= 300, `waited ${took} ms`);
      assert.ok(
        fake.state.calls.filter((c) => c.operation === "ListAnalyzers" && c.region === "eu-west-1")
          .length > 1,
        "re-read the pending region",
      );
    } finally {
      a.status = "ACTIVE";
    }
  });

  it("says not-active for an ACCOUNT analyzer that AWS reports DISABLED", async () => {
    const a = fake.state.getAnalyzer(EXPLICIT, "eu-west-1", "external-access");
    a.status = "DISABLED";
    try {
      const t = roleTarget(EXPLICIT, "explicit", { regions: ["us-east-1", "eu-west-1"] });
      const result = await auditAccount(t, reader(t));
      assert.strictEqual(result.outcome, "noncompliant");
      assert.strictEqual(
        result.audit?.regions.find((r) => r.region === "eu-west-1")?.verdict,
        "not-active",
      );
    } finally {
      a.status = "ACTIVE";
    }
  });

  it("reaches an account through the target's profile when it names no role", async () => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), "audit-profile-"));
    const credentialsFile = path.join(dir, "credentials");
    fs.writeFileSync(
      credentialsFile,
      `[audit-profile]\naws_access_key_id = ${BOT_KEY.accessKeyId}\naws_secret_access_key = ${BOT_KEY.secretAccessKey}\n`,
    );
    fs.writeFileSync(path.join(dir, "config"), "");
    const saved = { c: process.env.AWS_SHARED_CREDENTIALS_FILE, f: process.env.AWS_CONFIG_FILE };
    process.env.AWS_SHARED_CREDENTIALS_FILE = credentialsFile;
    process.env.AWS_CONFIG_FILE = path.join(dir, "config");
    try {
      const t: Target = {
        accountId: BOT,
        stack: `acct-${BOT}`,
        access: { profile: "audit-profile" },
        settings: {},
      };
      // No base credentials: the profile is the only way in.
      const r = new SdkAccountReader(t, { endpoint: fake.url });
      const result = await auditAccount(t, r);
      assert.strictEqual(result.outcome, "noncompliant");
      assert.strictEqual(result.audit?.counts.missing, 17);
      assert.ok(
        fake.state.calls.some((c) => c.operation === "DescribeRegions" && c.accountId === BOT),
      );
    } finally {
      for (const [k, v] of [
        ["AWS_SHARED_CREDENTIALS_FILE", saved.c],
        ["AWS_CONFIG_FILE", saved.f],
      ] as const) {
        if (v === undefined) delete process.env[k];
        else process.env[k] = v;
      }
    }
  });

  describe("the audit command end to end (main)", () => {
    const FLEET = `
defaults:
  roleName: ${ROLE}
  sessionName: audit-test
accounts:
  - id: "${COVERED}"
    name: covered
    excludeRegions: [ap-northeast-3]
  - id: "${ORG_ONLY}"
    name: org-only
    externalId: audit-ext-id
  - id: "${DENIED}"
    name: denied
  - id: "${EXPLICIT}"
    name: explicit
    regions: [us-east-1, eu-west-1]
`;

    function harness(): { deps: CliDeps; out: () => string; err: () => string; dir: string } {
      const dir = fs.mkdtempSync(path.join(os.tmpdir(), "fleet-audit-"));
      fs.writeFileSync(path.join(dir, "fleet.yaml"), FLEET);
      let out = "";
      let err = "";
      const deps: CliDeps = {
        stdout: (t) => (out += t),
        stderr: (t) => (err += t),
        env: { AWS_SECRET_ACCESS_KEY: BOT_KEY.secretAccessKey },
        cwd: dir,
        memory: () => ({ total: 1, free: 1 }),
        createRunner: () => {
          throw new Error("audit must not start a Pulumi stack");
        },
        onSignal: () => () => undefined,
        interactive: false,
        exit: () => undefined,
        now: () => new Date(),
        createAccountReader: (t, { signal }) =>
          new SdkAccountReader(t, {
            endpoint: fake.url,
            credentials: BOT_KEY,
            maxAttempts: 2,
            ...(signal ? { signal } : {}),
          }),
      };
      return { deps, out: () => out, err: () => err, dir };
    }

    it("exits 1 when one account cannot be read, and still reports the others in the JSON", async () => {
      const h = harness();
      const code = await main(["audit", "--json", "--report", "out/report.json"], h.deps);
      assert.strictEqual(code, 1, h.err());
      const report = JSON.parse(h.out()) as FleetReport;
      assert.strictEqual(report.command, "audit");
      assert.strictEqual(report.exitCode, 1);
      assert.deepStrictEqual(
        report.results.map((r) => [r.name, r.outcome]),
        [
          ["covered", "noncompliant"],
          ["org-only", "noncompliant"],
          ["denied", "failed"],
          ["explicit", "succeeded"],
        ],
      );
      const covered = report.results[0].audit!;
      assert.strictEqual(
        covered.regions.find((r) => r.region === "ap-northeast-3")?.verdict,
        "excluded",
      );
      assert.deepStrictEqual(covered.activeFindings, { externalAccess: 108, unusedAccess: 1 });
      assert.deepStrictEqual(report.audit, {
        accounts: 4,
        enabled: 18 + 17 + 17,
        covered: 2 + 0 + 2,
        pending: 0,
        missing: 16 - 1 + 17,
        notActive: 0,
        excluded: 1 + 15,
        error: 0,
        activeFindings: { externalAccess: 108, unusedAccess: 1 },
      });
      assert.strictEqual(report.totals.noncompliant, 2);
      const written = fs.readFileSync(path.join(h.dir, "out/report.json"), "utf8");
      assert.deepStrictEqual(JSON.parse(written), report);
      for (const text of [h.out(), h.err(), written]) {
        assert.doesNotMatch(text, new RegExp(BOT_KEY.secretAccessKey));
        assert.doesNotMatch(text, /ASIA[A-Z0-9]{16}/);
      }
    });

    it("exits 2 when every chosen account was read and a region is not covered, with the table", async () => {
      const h = harness();
      const code = await main(["audit", "--accounts", "covered,org-only"], h.deps);
      assert.strictEqual(code, 2, h.err());
      assert.match(
        h.out(),
        /covered 111111111111\s+noncompliant\s+18\s+2\s+-\s+0\s+15\s+0\s+1\s+-\s+108\s+1/,
      );
      assert.match(h.out(), /covered 111111111111\s+af-south-1\s+missing\s+no ACCOUNT analyzer/);
      assert.match(
        h.out(),
        /org-only 222222222222\s+us-east-1\s+missing\s+.*ORGANIZATION analyzer "org-wide"/,
      );
    });

    it("exits 0 when every enabled, non-excluded region is covered", async () => {
      const h = harness();
      const code = await main(["audit", "--accounts", "explicit", "--json"], h.deps);
      assert.strictEqual(code, 0, h.err());
      const report = JSON.parse(h.out()) as FleetReport;
      assert.deepStrictEqual(report.results[0].regions, ["eu-west-1", "us-east-1"]);
      assert.strictEqual(report.options.regionConcurrency, 4);
      assert.strictEqual(report.options.workDir, undefined);
    });

    it("exits 0 on pending regions alone, warning on stderr that IAM.28 does not count them yet", async () => {
      const a = fake.state.getAnalyzer(EXPLICIT, "eu-west-1", "external-access");
      a.status = "CREATING";
      try {
        const h = harness();
        const code = await main(["audit", "--accounts", "explicit"], h.deps);
        assert.strictEqual(code, 0, h.err());
        assert.match(
          h.err(),
          /warning: 1 region\(s\) pending: .*CREATING; Security Hub IAM\.28 does not count a region until its analyzer is ACTIVE\. .*--wait <seconds>/,
        );
        assert.match(h.err(), /done succeeded: 17 enabled, 1 covered, 1 pending, 0 missing/);
        assert.match(h.out(), /explicit 444444444444\s+eu-west-1\s+pending/);
      } finally {
        a.status = "ACTIVE";
      }
    });

    it("--wait re-reads a CREATING analyzer until it is ACTIVE and reports the region covered", async () => {
      fake.state.deleteAnalyzer(EXPLICIT, "eu-west-1", "external-access");
      fake.state.configure({ analyzerActivationMs: 600 });
      try {
        fake.state.createAnalyzer(EXPLICIT, "eu-west-1", {
          analyzerName: "external-access",
          type: "ACCOUNT",
        });
        const h = harness();
        const code = await main(
          ["audit", "--accounts", "explicit", "--wait", "2", "--json"],
          h.deps,
        );
        assert.strictEqual(code, 0, h.err());
        const report = JSON.parse(h.out()) as FleetReport;
        assert.strictEqual(report.audit?.pending, 0);
        assert.strictEqual(report.audit?.covered, 2);
        assert.doesNotMatch(h.err(), /pending:/);
      } finally {
        fake.state.configure({ analyzerActivationMs: 0 });
      }
    });

    it("exits 3 on a --wait beyond an hour and reads nothing", async () => {
      const h = harness();
      fake.state.clearCalls();
      assert.strictEqual(await main(["audit", "--wait", "3601"], h.deps), 3);
      assert.match(h.err(), /'--wait <seconds>' argument '3601' is invalid/);
      assert.strictEqual(fake.state.calls.length, 0);
    });

    it("exits 3 on a bad option and reads nothing", async () => {
      const h = harness();
      fake.state.clearCalls();
      const code = await main(["audit", "--region-concurrency", "0"], h.deps);
      assert.strictEqual(code, 3);
      assert.match(
        h.err(),
        /'--region-concurrency <n>' argument '0' is invalid\. must be a whole number/,
      );
      assert.strictEqual(fake.state.calls.length, 0);
    });
  });
});
