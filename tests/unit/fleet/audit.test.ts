import * as assert from "assert";
import * as fs from "fs";
import * as os from "os";
import * as path from "path";
import { SdkAccountReader } from "../../../fleet/aws/reader";
import { main, type CliDeps } from "../../../fleet/cli";
import {
  countsFindings,
  type AccountReader,
  type AnalyzerInfo,
} from "../../../fleet/domain/account";
import { describeError } from "../../../fleet/domain/errors";
import type { FleetReport, StackResult } from "../../../fleet/domain/results";
import {
  buildReport,
  exitCodeFor,
  failedResult,
  skippedResult,
} from "../../../fleet/domain/results";
import type { HeldRegion } from "../../../fleet/domain/state";
import {
  accountAudit,
  auditOutcome,
  auditTotals,
  organizationRegionView,
  regionAudit,
  staleStateRegions,
  type RegionReading,
} from "../../../fleet/domain/verdicts";
import { auditAccount, organizationViewSource } from "../../../fleet/flows/audit";
import { scanRegions } from "../../../fleet/flows/scan";
import { formatAuditTable, iam28Notes } from "../../../fleet/report/auditTable";
import type { Target } from "../../../fleet/settings/schema";
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

  it("says missing when only an ORGANIZATION analyzer is there, and that IAM.28 passes on it", () => {
    const r = regionAudit("eu-west-1", reading([analyzer("org-wide", "ORGANIZATION")]));
    assert.strictEqual(r.verdict, "missing");
    assert.strictEqual(
      r.detail,
      'no ACCOUNT analyzer; Security Hub IAM.28 passes here on ORGANIZATION analyzer "org-wide", ' +
        "but this tool's coverage rule wants an ACCOUNT analyzer in every account and region",
    );
    assert.deepStrictEqual(r.iam28, {
      verdict: "passed",
      offered: true,
      analyzer: { name: "org-wide", type: "ORGANIZATION" },
      detail: 'ORGANIZATION analyzer "org-wide" is ACTIVE',
    });
  });

  it("judges IAM.28 as AWS Config's rule does: any ACTIVE external-access analyzer, ACCOUNT first", () => {
    const verdict = (region: string, ...as: AnalyzerInfo[]) =>
      regionAudit(region, reading(as)).iam28;
    // Unused-access and internal-access analyzers are not external-access ones.
    assert.strictEqual(
      verdict(
        "eu-west-1",
        analyzer("u", "ACCOUNT_UNUSED_ACCESS"),
        analyzer("i", "ACCOUNT_INTERNAL_ACCESS"),
      )?.verdict,
      "failed",
    );
    // CREATING, DISABLED, FAILED: not ACTIVE, so NON_COMPLIANT.
    const creating = verdict("eu-west-1", analyzer("a", "ACCOUNT", "CREATING"));
    assert.strictEqual(creating?.verdict, "failed");
    assert.strictEqual(creating?.detail, 'no external-access analyzer is ACTIVE ("a" CREATING)');
    assert.strictEqual(
      verdict("eu-west-1", analyzer("o", "ORGANIZATION"), analyzer("a", "ACCOUNT"))?.analyzer?.name,
      "a",
    );
    assert.strictEqual(
      verdict("eu-west-1", analyzer("o", "ORGANIZATION", "DISABLED"), analyzer("a", "ACCOUNT"))
        ?.verdict,
      "passed",
    );
    // Where the rule is not offered the verdict stands, and says only audit checks it.
    const gov = verdict("us-gov-west-1", analyzer("a", "ACCOUNT"));
    assert.strictEqual(gov?.verdict, "passed");
    assert.strictEqual(gov?.offered, false);
    assert.match(
      gov?.detail ?? "",
      /does not offer IAM\.28 in this region, so only this audit checks it$/,
    );
    assert.strictEqual(
      regionAudit("eu-west-1", { findings: {}, error: "boom" }).iam28?.verdict,
      "unknown",
    );
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
    assert.strictEqual(covered.outcome, "succeeded", "organization view gaps do not fail coverage");
    assert.deepStrictEqual(
      covered.audit?.regions.map((r) => r.organizationView?.verdict),
      ["covered", "missing"],
    );
    assert.strictEqual(
      onlyOrg.outcome,
      "noncompliant",
      "an ORGANIZATION analyzer does not meet the coverage rule",
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
    assert.match(table, /111111111111\s+succeeded\s+2\s+2\s+2\/2\s+1\/2/);
    assert.match(table, /222222222222\s+noncompliant\s+2\s+0\s+0\/2\s+1\/2/);
    assert.match(table, /333333333333\s+succeeded\s+1\s+1\s+1\/1\s+outside/);
    assert.match(
      table,
      /222222222222\s+r-3\s+missing\s+the delegated administrator 999999999999 has not enabled/,
    );
    assert.match(table, /organization view: 2 covered, 0 pending, 2 missing/);
    assert.match(
      table,
      /\nRegions the organization view does not cover \(informational; the coverage rule decides/,
    );
  });

  it("leaves the organization view out when there is no delegated administrator", async () => {
    const r = await auditAccount(
      target("111111111111"),
      new ScriptedReader({ regions: ["r-1"], analyzers: { "r-1": [analyzer("a", "ACCOUNT")] } }),
    );
    assert.strictEqual(r.audit?.organizationView, undefined);
    assert.strictEqual(r.audit?.regions[0].organizationView, undefined);
    assert.strictEqual(auditTotals([r]).organizationView, undefined);
    assert.match(formatAuditTable([r]), /111111111111\s+succeeded\s+1\s+1\s+1\/1\s+-/);
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

  it("names once the regions read where Security Hub does not offer IAM.28, and counts them", async () => {
    const a = analyzer("a", "ACCOUNT");
    const read = (regions: string[]) =>
      auditAccount(
        t,
        new ScriptedReader({
          regions,
          analyzers: Object.fromEntries(regions.map((r) => [r, [a]])),
        }),
      );
    const results = [
      await read(["il-central-1", "eu-west-1", "ca-west-1"]),
      await read(["il-central-1"]),
    ];
    assert.deepStrictEqual(results[0].audit?.iam28, {
      passed: 3,
      failed: 0,
      unknown: 0,
      notOffered: 2,
    });
    assert.deepStrictEqual(iam28Notes(results), [
      "note: Security Hub does not offer IAM.28 (the AWS Config rule iam-external-access-analyzer-enabled) " +
        "in ca-west-1, il-central-1: there this audit is the only check.",
    ]);
    assert.deepStrictEqual(iam28Notes([await read(["eu-west-1"])]), []);
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
      /^ACCOUNT\s+RESULT\s+ENABLED\s+COVERED\s+IAM\.28\s+ORG-VIEW\s+PENDING\s+MISSING\s+NOT-ACTIVE\s+EXCLUDED/,
    );
    assert.match(text, /prod 111122223333\s+noncompliant\s+2\s+1\s+2\/2\s+-\s+0\s+1\s+0\s+0/);
    assert.match(text, /; Security Hub IAM\.28: 2 passed, 0 failed, 0 unknown;/);
    assert.match(
      text,
      /prod 111122223333\s+r-2\s+missing\s+no ACCOUNT analyzer; Security Hub IAM\.28 passes here on ORGANIZATION analyzer "org"/,
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
    assert.match(
      east?.detail ?? "",
      /Security Hub IAM\.28 passes here on ORGANIZATION analyzer "org-wide"/,
    );
    assert.strictEqual(east?.iam28?.verdict, "passed");
    assert.deepStrictEqual(
      result.audit?.iam28,
      { passed: 1, failed: 16, unknown: 0, notOffered: 0 },
      "IAM.28 passes where the ORGANIZATION analyzer is, and only there",
    );
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
    // Long enough that a slow machine still reads it CREATING; the wait below shortens it.
    fake.state.configure({ analyzerActivationMs: 10 * 60_000 });
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

      fake.state.getAnalyzer(EXPLICIT, "eu-west-1", "external-access").activeAt = Date.now() + 300;
      const waited = await auditAccount(t, reader(t), {
        waitForActiveMs: 60_000,
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
        version: "0.1.0-test",
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
        // covered: 2 of its 17 regions read; org-only: us-east-1 (its ORGANIZATION analyzer).
        iam28: { passed: 2 + 1 + 2, failed: 15 + 16, unknown: 0, notOffered: 0 },
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
        /covered 111111111111\s+noncompliant\s+18\s+2\s+2\/17\s+-\s+0\s+15\s+0\s+1\s+-\s+108\s+1/,
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

describe("audit verdicts: details, copies and counts", () => {
  const ADMIN = "999999999999";
  const inOrg = { administratorAccountId: ADMIN, inOrganization: true };

  it("names the administrator in every organization verdict and returns a copy of the analyzer it judged", () => {
    const org = analyzer("org", "ORGANIZATION");
    const covered = organizationRegionView({ ...inOrg, analyzers: [org] });
    assert.deepStrictEqual(covered, {
      administratorAccountId: ADMIN,
      verdict: "covered",
      analyzer: org,
    });
    assert.notStrictEqual(covered.analyzer, org);
    const creating = analyzer("new", "ORGANIZATION", "CREATING");
    assert.deepStrictEqual(organizationRegionView({ ...inOrg, analyzers: [creating] }), {
      administratorAccountId: ADMIN,
      verdict: "pending",
      analyzer: creating,
      detail: `ORGANIZATION analyzer "new" of ${ADMIN} is CREATING`,
    });
    const failed = analyzer("bad", "ORGANIZATION", "FAILED", {
      statusReason: "SERVICE_LINKED_ROLE_CREATION_FAILED",
    });
    const notActive = organizationRegionView({ ...inOrg, analyzers: [failed] });
    assert.deepStrictEqual(notActive.analyzer, failed);
    assert.strictEqual(
      notActive.detail,
      `ORGANIZATION analyzer "bad" of ${ADMIN} is FAILED (SERVICE_LINKED_ROLE_CREATION_FAILED)`,
    );
    assert.strictEqual(
      organizationRegionView({ ...inOrg, analyzers: [analyzer("off", "ORGANIZATION", "DISABLED")] })
        .detail,
      `ORGANIZATION analyzer "off" of ${ADMIN} is DISABLED`,
    );
    assert.deepStrictEqual(
      organizationRegionView({ administratorAccountId: ADMIN, inOrganization: false }),
      {
        administratorAccountId: ADMIN,
        verdict: "outside-organization",
        detail: "not an account of the organization: the organization's analyzers do not see it",
      },
    );
    assert.deepStrictEqual(organizationRegionView(inOrg), {
      administratorAccountId: ADMIN,
      verdict: "missing",
      detail: `the delegated administrator ${ADMIN} has no ORGANIZATION analyzer here`,
    });
  });

  it("turns an administrator that cannot be read into an error naming it, read once per region", async () => {
    let calls = 0;
    const denied = new Error("not allowed");
    denied.name = "AccessDenied";
    const source = organizationViewSource(ADMIN, {
      enabledRegions: () => {
        calls++;
        return Promise.reject(denied);
      },
      analyzers: () => Promise.resolve([]),
    });
    const [a, b] = await Promise.all([source.read("r-1"), source.read("r-1")]);
    assert.deepStrictEqual(a, {
      administratorAccountId: ADMIN,
      error: `delegated administrator ${ADMIN}: AccessDenied: not allowed`,
    });
    assert.strictEqual(b, a);
    assert.strictEqual(calls, 1);
  });

  it("details a CREATING, a FAILED and two ORGANIZATION-only analyzers in the region verdicts", () => {
    assert.strictEqual(
      regionAudit("r-1", reading([analyzer("new", "ACCOUNT", "CREATING")])).detail,
      'ACCOUNT analyzer "new" is CREATING; AWS makes it ACTIVE by itself',
    );
    assert.strictEqual(
      regionAudit(
        "r-1",
        reading([analyzer("bad", "ACCOUNT", "FAILED", { statusReason: "DISABLED_ACCESS" })]),
      ).detail,
      'ACCOUNT analyzer "bad" is FAILED (DISABLED_ACCESS)',
    );
    assert.strictEqual(
      regionAudit("r-1", reading([analyzer("off", "ACCOUNT", "DISABLED")])).detail,
      'ACCOUNT analyzer "off" is DISABLED',
    );
    assert.strictEqual(
      regionAudit("r-1", reading([analyzer("o1", "ORGANIZATION"), analyzer("o2", "ORGANIZATION")]))
        .detail,
      'no ACCOUNT analyzer; Security Hub IAM.28 passes here on ORGANIZATION analyzer "o1", ' +
        "but this tool's coverage rule wants an ACCOUNT analyzer in every account and region",
    );
    assert.strictEqual(
      regionAudit("r-1", reading([analyzer("o1", "ORGANIZATION", "DISABLED")])).detail,
      'no ACCOUNT analyzer (ORGANIZATION analyzer "o1" is not ACTIVE)',
    );
  });

  it("gives findings only to the analyzers counted, and an error verdict with no analyzers when none were read", () => {
    const counted = analyzer("ext", "ACCOUNT");
    const creating = analyzer("unused", "ACCOUNT_UNUSED_ACCESS", "CREATING");
    const r = regionAudit("r-1", reading([counted, creating], { [counted.arn]: 4 }));
    assert.deepStrictEqual(r.analyzers, [{ ...counted, activeFindings: 4 }, creating]);
    assert.strictEqual("activeFindings" in r.analyzers[1], false);
    assert.deepStrictEqual(r.activeFindings, { externalAccess: 4, unusedAccess: 0 });
    const unread = regionAudit("r-1", { findings: {} });
    assert.strictEqual(unread.verdict, "error");
    assert.strictEqual(unread.error, "analyzers were not read");
    assert.deepStrictEqual(unread.analyzers, []);
    assert.deepStrictEqual(regionAudit("r-1", { findings: {}, error: "boom" }).analyzers, []);
  });

  it("lists a stale region without analyzers, and without a name when the state holds none", () => {
    const held: Record<string, HeldRegion> = { "me-south-1": { urns: ["urn:x"] } };
    const [stale] = staleStateRegions([], held);
    assert.deepStrictEqual(stale.analyzers, []);
    assert.match(stale.detail ?? "", /^disabled, still in the stack's state: the next up drops it/);
  });

  it("sorts and de-duplicates the enabled regions, counts not-active ones, and reads none of the excluded", () => {
    const audit = accountAudit(
      ["r-3", "r-1", "r-2", "r-1"],
      { excludeRegions: ["r-2"] },
      { "r-1": reading([analyzer("off", "ACCOUNT", "DISABLED")]) },
    );
    assert.deepStrictEqual(audit.enabledRegions, ["r-1", "r-2", "r-3"]);
    assert.deepStrictEqual(audit.counts, {
      enabled: 3,
      covered: 0,
      pending: 0,
      missing: 0,
      notActive: 1,
      excluded: 1,
      error: 1,
    });
    const [, excluded, unread] = audit.regions;
    assert.deepStrictEqual(excluded.analyzers, []);
    assert.strictEqual(excluded.detail, "excluded by the fleet file (in excludeRegions); not read");
    assert.strictEqual(unread.error, "not read");
  });

  it("describes an SDK error by name and message, a plain Error by message, anything else as text", () => {
    const named = new Error("Rate exceeded");
    named.name = "ThrottlingException";
    assert.strictEqual(describeError(named), "ThrottlingException: Rate exceeded");
    assert.strictEqual(describeError(new Error("plain")), "plain");
    assert.strictEqual(describeError("just text"), "just text");
  });
});

describe("scanRegions and auditAccount: what is read, and when it stops", () => {
  const t: Target = { ...target("111122223333"), settings: { excludeRegions: ["r-9"] } };

  it("reads each enabled region in scope once, in order, and never an excluded one", async () => {
    const read: string[] = [];
    const scan = await scanRegions(
      t,
      { enabledRegions: () => Promise.resolve(["r-3", "r-9", "r-1", "r-3"]) },
      (region) => {
        read.push(region);
        return Promise.resolve(region.toUpperCase());
      },
      { regionConcurrency: 1, failed: (e) => `failed: ${e}` },
    );
    assert.deepStrictEqual(read, ["r-1", "r-3"]);
    assert.deepStrictEqual(scan.readings, { "r-1": "R-1", "r-3": "R-3" });
    assert.deepStrictEqual(scan.enabled, ["r-3", "r-9", "r-1", "r-3"]);
  });

  it("makes a read that throws that region's failure, and regions not started after an abort 'aborted before it was read'", async () => {
    const stop = new AbortController();
    const scan = await scanRegions(
      t,
      { enabledRegions: () => Promise.resolve(["r-1", "r-2", "r-3"]) },
      (region) => {
        if (region === "r-2") stop.abort();
        return region === "r-1" ? Promise.reject(new Error("boom")) : Promise.resolve("ok");
      },
      { regionConcurrency: 1, signal: stop.signal, failed: (e) => `failed: ${e}` },
    );
    assert.deepStrictEqual(scan.readings, {
      "r-1": "failed: boom",
      "r-2": "ok",
      "r-3": "failed: aborted before it was read",
    });
  });

  it("keeps what was read when counting findings fails, and counts findings only of the analyzers that have them", async () => {
    const ext = analyzer("ext", "ACCOUNT");
    const creating = analyzer("later", "ACCOUNT_UNUSED_ACCESS", "CREATING");
    const asked: string[] = [];
    const reader: AccountReader = {
      enabledRegions: () => Promise.resolve(["r-1"]),
      analyzers: () => Promise.resolve([ext, creating]),
      activeFindings: (_r, arn) => {
        asked.push(arn);
        return Promise.reject(new Error("findings unavailable"));
      },
    };
    const result = await auditAccount({ ...t, settings: {} }, reader);
    assert.deepStrictEqual(asked, [ext.arn]);
    const region = result.audit!.regions[0];
    assert.strictEqual(region.verdict, "error");
    assert.strictEqual(region.error, "findings unavailable");
    assert.deepStrictEqual(
      region.analyzers.map((a) => a.name),
      ["ext", "later"],
    );
    assert.strictEqual(result.error, "1 region(s) could not be read: r-1: findings unavailable");
  });

  it("joins every unreadable region into the account's error, and has none when all were read", async () => {
    const reader = new ScriptedReader({
      regions: ["r-1", "r-2", "r-3"],
      analyzers: {
        "r-1": new Error("one"),
        "r-2": new Error("two"),
        "r-3": [analyzer("a", "ACCOUNT")],
      },
    });
    const result = await auditAccount({ ...t, settings: {} }, reader);
    assert.strictEqual(result.error, "2 region(s) could not be read: r-1: one; r-2: two");
    const ok = await auditAccount(
      { ...t, settings: {} },
      new ScriptedReader({ regions: ["r-1"], analyzers: { "r-1": [analyzer("a", "ACCOUNT")] } }),
    );
    assert.strictEqual(ok.outcome, "succeeded");
    assert.strictEqual("error" in ok, false);
    assert.strictEqual("name" in ok, false, "a target without a name has none in its result");
  });

  it("reports an unreadable account with no regions and no ARNs, and the run's duration from the clock", async () => {
    const times = [new Date(1000), new Date(4500)];
    const result = await auditAccount(t, new ScriptedReader({ regions: new Error("down") }), {
      now: () => times.shift()!,
    });
    assert.deepStrictEqual(result.regions, []);
    assert.deepStrictEqual(result.analyzerArns, {});
    assert.strictEqual(result.durationMs, 3500);
    assert.strictEqual(result.startedAt, new Date(1000).toISOString());
  });

  it("takes the unused-access analyzer ARN only from an ACTIVE one", async () => {
    const unused = analyzer("unused", "ACCOUNT_UNUSED_ACCESS", "CREATING");
    const result = await auditAccount(
      { ...t, settings: {} },
      new ScriptedReader({
        regions: ["r-1"],
        analyzers: { "r-1": [analyzer("a", "ACCOUNT"), unused] },
      }),
    );
    assert.strictEqual(result.unusedAccessAnalyzerArn, undefined);
  });

  it("says aborted, with what was read, when the signal fires during the read; aborted without an audit before the regions are known", async () => {
    const stop = new AbortController();
    const during = await auditAccount(
      { ...t, settings: {} },
      {
        enabledRegions: () => Promise.resolve(["r-1", "r-2"]),
        analyzers: () => {
          stop.abort();
          return Promise.resolve([analyzer("a", "ACCOUNT")]);
        },
        activeFindings: () => Promise.resolve(0),
      },
      { regionConcurrency: 1, signal: stop.signal },
    );
    assert.strictEqual(during.outcome, "aborted");
    assert.strictEqual(during.error, "aborted");
    assert.deepStrictEqual(
      during.audit?.regions.map((r) => [r.region, r.verdict, r.error]),
      [
        ["r-1", "covered", undefined],
        ["r-2", "error", "aborted before it was read"],
      ],
    );
    const early = new AbortController();
    const before = await auditAccount(
      t,
      {
        enabledRegions: () => {
          early.abort();
          return Promise.reject(new Error("The operation was aborted"));
        },
        analyzers: () => Promise.resolve([]),
        activeFindings: () => Promise.resolve(0),
      },
      { signal: early.signal },
    );
    assert.strictEqual(before.outcome, "aborted");
    assert.strictEqual(before.error, "aborted");
    assert.strictEqual(before.audit, undefined);
  });

  it("gives an account outside the organization the administrator's id, and redacts the administrator's errors", async () => {
    const source = {
      administratorAccountId: "999999999999",
      read: () =>
        Promise.resolve({ administratorAccountId: "999999999999", error: "token SECRET denied" }),
    };
    const reader = () =>
      new ScriptedReader({ regions: ["r-1"], analyzers: { "r-1": [analyzer("a", "ACCOUNT")] } });
    const outside = await auditAccount({ ...t, settings: {} }, reader(), {
      organizationView: source,
    });
    assert.deepStrictEqual(outside.audit?.regions[0].organizationView, {
      administratorAccountId: "999999999999",
      verdict: "outside-organization",
      detail: "not an account of the organization: the organization's analyzers do not see it",
    });
    const member = await auditAccount(
      { ...t, settings: {}, origin: { ouPath: "Root/Prod", fleetFile: false } },
      reader(),
      { organizationView: source, redact: (s) => s.replace("SECRET", "***") },
    );
    assert.strictEqual(member.audit?.regions[0].organizationView?.error, "token *** denied");
  });
});

describe("auditAccount --wait: re-reading pending regions", () => {
  /** One region stays CREATING, another is covered; counts the reads of each. */
  function creatingReader(): AccountReader & { reads: Record<string, number> } {
    const reads: Record<string, number> = {};
    return {
      reads,
      enabledRegions: () => Promise.resolve(["r-1", "r-2"]),
      analyzers: (region) => {
        reads[region] = (reads[region] ?? 0) + 1;
        return Promise.resolve([
          analyzer("a", "ACCOUNT", region === "r-1" ? "CREATING" : "ACTIVE"),
        ]);
      },
      activeFindings: () => Promise.resolve(0),
    };
  }
  const t = target("111122223333");

  it("re-reads only the pending region, every pollIntervalMs until waitForActiveMs has passed", async () => {
    const reader = creatingReader();
    const result = await auditAccount(t, reader, { waitForActiveMs: 150, pollIntervalMs: 40 });
    assert.strictEqual(result.audit?.counts.pending, 1);
    assert.strictEqual(reader.reads["r-2"], 1);
    assert.ok(
      reader.reads["r-1"] >= 3 && reader.reads["r-1"] <= 6,
      `r-1 read ${reader.reads["r-1"]} times`,
    );
  });

  it("does not wait when nothing is pending, and stops waiting at once on abort", async () => {
    const started = Date.now();
    const none = await auditAccount(
      t,
      new ScriptedReader({ regions: ["r-1"], analyzers: { "r-1": [analyzer("a", "ACCOUNT")] } }),
      { waitForActiveMs: 60_000, pollIntervalMs: 60_000 },
    );
    assert.strictEqual(none.outcome, "succeeded");
    const stop = new AbortController();
    const reader = creatingReader();
    setTimeout(() => stop.abort(), 20);
    const aborted = await auditAccount(t, reader, {
      waitForActiveMs: 60_000,
      pollIntervalMs: 60_000,
      signal: stop.signal,
    });
    assert.strictEqual(aborted.outcome, "aborted");
    assert.strictEqual(reader.reads["r-1"], 1, "not re-read after the abort");
    assert.ok(Date.now() - started < 1000, "neither waited for the deadline");
  });
});

describe("formatAuditTable", () => {
  const t = target("111122223333", "prod");

  it("shows - for the counts of an account that was not read, and the skipped reason without a duration", () => {
    const failed: StackResult = {
      ...failedResult(t, "audit", "failed", "AccessDenied: no"),
      durationMs: 2000,
    };
    const skipped = skippedResult(
      target("444455556666", "dev"),
      "audit",
      "failure tolerance reached",
    );
    const text = formatAuditTable([failed, skipped]);
    assert.match(text, /^prod 111122223333 +failed +(- +){11}2s +AccessDenied: no$/m);
    assert.match(text, /^dev 444455556666 +skipped +(- +){12}failure tolerance reached$/m);
    assert.doesNotMatch(text, /Regions not covered|Disabled regions|organization view/);
    assert.match(
      text,
      /\n\n2 account\(s\): 1 failed, 1 skipped; regions: 0 enabled, 0 covered, 0 pending, 0 missing, 0 not-active, 0 excluded, 0 unreadable; Security Hub IAM\.28: 0 passed, 0 failed, 0 unknown; active findings: 0 external-access, 0 unused-access$/,
    );
  });

  it("says none for an empty run", () => {
    assert.match(formatAuditTable([]), /^0 account\(s\): none; regions: 0 enabled/m);
  });

  it("lists under the table every region not covered (missing, not-active, error, pending) but not covered or excluded ones", async () => {
    const result = await auditAccount(
      { ...t, settings: { excludeRegions: ["r-6"] } },
      new ScriptedReader({
        regions: ["r-1", "r-2", "r-3", "r-4", "r-5", "r-6"],
        analyzers: {
          "r-1": [analyzer("a", "ACCOUNT")],
          "r-2": [],
          "r-3": [analyzer("off", "ACCOUNT", "DISABLED")],
          "r-4": new Error("boom\nsecond line"),
          "r-5": [analyzer("new", "ACCOUNT", "CREATING")],
        },
      }),
    );
    const lines = formatAuditTable([result]).split("\n");
    const at = lines.indexOf("Regions not covered:");
    assert.strictEqual(lines[at - 1], "");
    assert.deepStrictEqual(
      lines.slice(at + 1, at + 5).map((l) =>
        l
          .trim()
          .split(/\s{2,}/)
          .slice(1, 3),
      ),
      [
        ["r-2", "missing"],
        ["r-3", "not-active"],
        ["r-4", "error"],
        ["r-5", "pending"],
      ],
    );
    assert.match(lines[at + 3], /r-4\s+error\s+boom$/);
    assert.match(lines[at + 1], /^  prod 111122223333/);
    assert.strictEqual(lines[at + 5], "");
  });

  it("lists only the organization view's gaps, and sums the view in the last line", async () => {
    const source = organizationViewSource("999999999999", {
      enabledRegions: () => Promise.resolve(["r-1", "r-2"]),
      analyzers: (region) =>
        Promise.resolve(region === "r-1" ? [analyzer("org", "ORGANIZATION")] : []),
    });
    const result = await auditAccount(
      { ...t, origin: { ouPath: "Root", fleetFile: false } },
      new ScriptedReader({
        regions: ["r-1", "r-2"],
        analyzers: { "r-1": [analyzer("a", "ACCOUNT")], "r-2": [analyzer("a", "ACCOUNT")] },
      }),
      { organizationView: source },
    );
    const lines = formatAuditTable([result]).split("\n");
    const at = lines.findIndex((l) => l.startsWith("Regions the organization view does not cover"));
    assert.strictEqual(lines[at - 1], "");
    assert.match(
      lines[at + 1],
      /^  prod 111122223333\s+r-2\s+missing\s+the delegated administrator 999999999999 has no ORGANIZATION analyzer here$/,
    );
    assert.strictEqual(lines[at + 2], "");
    assert.match(
      lines[lines.length - 1],
      /; organization view: 1 covered, 0 pending, 1 missing, 0 not-active, 0 outside the organization, 0 unreadable$/,
    );
    assert.doesNotMatch(lines.join("\n"), /Regions not covered/);
  });
});
