import * as assert from "assert";
import {
  type AccountFindings,
  type Finding,
  type FindingsReport,
  ageInWords,
  archiveCommand,
  compareTriage,
  consoleUrl,
  findingsTotals,
  finishReport,
  inOus,
  lastUsedDescription,
  triageTier,
} from "../../../fleet/domain/findings";
import {
  compareWithBaseline,
  mergeFindingsReports,
  parseFindingsReport,
} from "../../../fleet/domain/findingsReports";
import { applySuppressions, parseSuppressions } from "../../../fleet/domain/suppressions";
import { accountAudit } from "../../../fleet/domain/verdicts";
import { fleetFileUri } from "../../../fleet/commands/findingsFiles";

const A = "111122223333";
const B = "444455556666";
const NOW = "2025-06-15T12:00:00.000Z";

function finding(extra: Partial<Finding> & Pick<Finding, "id">): Finding {
  const accountId = extra.accountId ?? A;
  const region = extra.region ?? "us-east-1";
  return {
    accountId,
    region,
    analyzer: {
      name: "ext",
      arn: `arn:aws:access-analyzer:${region}:${accountId}:analyzer/ext`,
      type: "ACCOUNT",
    },
    findingType: "ExternalAccess",
    resourceType: "AWS::S3::Bucket",
    resource: `arn:aws:s3:::${extra.id}`,
    resourceOwnerAccount: accountId,
    exposure: "cross-account",
    status: "ACTIVE",
    updatedAt: "2025-06-10T08:00:00.000Z",
    ...extra,
  };
}

const analyzer = (accountId: string, region: string) => ({
  name: "ext",
  arn: `arn:aws:access-analyzer:${region}:${accountId}:analyzer/ext`,
  type: "ACCOUNT",
  status: "ACTIVE",
});

/** An account read in us-east-1 and eu-west-1 (unless `unreadable`). */
function account(accountId: string, findings: Finding[], unreadable?: string): AccountFindings {
  const regions = ["us-east-1", "eu-west-1"];
  return {
    accountId,
    outcome: unreadable ? "failed" : "succeeded",
    coverage: accountAudit(
      regions,
      {},
      Object.fromEntries(
        regions.map((r) => [
          r,
          r === unreadable
            ? { error: "AccessDenied", findings: {} }
            : { analyzers: [analyzer(accountId, r)], findings: {} },
        ]),
      ),
    ),
    regionErrors: unreadable ? [{ region: unreadable, error: "AccessDenied" }] : [],
    findings,
    durationMs: 1,
  };
}

function report(accounts: AccountFindings[], generatedAt = NOW): FindingsReport {
  return finishReport({
    schemaVersion: 1,
    kind: "access-analyzer-fleet/findings",
    fleetFile: "fleet.yaml",
    generatedAt,
    filter: { status: "ACTIVE", publicOnly: false },
    totals: findingsTotals(accounts),
    accounts,
  });
}

describe("findings triage: the ranking", () => {
  it("puts public before cross-account before unused, unconditional before conditional, keys before roles before permissions", () => {
    const cond = { "aws:SourceIp": "10.0.0.0/8" };
    const unused = (id: string, findingType: string) =>
      finding({ id, exposure: "unused", findingType, resourceType: "AWS::IAM::Role" });
    const all = [
      unused("u-perm", "UnusedPermission"),
      unused("u-role", "UnusedIAMRole"),
      unused("u-key", "UnusedIAMUserAccessKey"),
      finding({ id: "x-cond", condition: cond }),
      finding({ id: "x" }),
      finding({ id: "p-cond", exposure: "public", condition: cond }),
      finding({ id: "p", exposure: "public" }),
      unused("u-pass", "UnusedIAMUserPassword"),
    ];
    assert.deepStrictEqual(
      [...all].sort(compareTriage).map((f) => [f.id, triageTier(f)]),
      [
        ["p", "public"],
        ["p-cond", "public-conditional"],
        ["x", "cross-account"],
        ["x-cond", "cross-account-conditional"],
        ["u-key", "unused-credential"],
        ["u-pass", "unused-credential"],
        ["u-role", "unused-role"],
        ["u-perm", "unused-permission"],
      ],
    );
  });

  it("in a tier: new first, then the most recently changed; unused access: never used, then the longest unused", () => {
    const ext = [
      finding({ id: "old", updatedAt: "2025-01-01T00:00:00.000Z" }),
      finding({ id: "recent", updatedAt: "2025-06-01T00:00:00.000Z" }),
      finding({ id: "new-old", change: "new", updatedAt: "2024-01-01T00:00:00.000Z" }),
    ];
    assert.deepStrictEqual(
      ext.sort(compareTriage).map((f) => f.id),
      ["new-old", "recent", "old"],
    );
    const role = (id: string, lastAccessed?: string) =>
      finding({
        id,
        exposure: "unused",
        findingType: "UnusedIAMRole",
        unused: lastAccessed ? { lastAccessed } : {},
      });
    assert.deepStrictEqual(
      [role("may", "2025-05-01T00:00:00Z"), role("never"), role("jan", "2025-01-01T00:00:00Z")]
        .sort(compareTriage)
        .map((f) => f.id),
      ["never", "jan", "may"],
    );
  });

  it("ranks the findings across the fleet from 1, suppressed ones too, and counts suppressed ones apart", () => {
    const r = report([
      account(A, [finding({ id: "a1" })]),
      account(B, [
        finding({ id: "b1", accountId: B, exposure: "public" }),
        finding({
          id: "b2",
          accountId: B,
          suppressed: { rule: 1, reason: "ok", expires: "2026-01-01T00:00:00.000Z" },
        }),
      ]),
    ]);
    const rank = Object.fromEntries(
      r.accounts.flatMap((a) => a.findings).map((f) => [f.id, f.rank]),
    );
    assert.strictEqual(rank.b1, 1);
    assert.deepStrictEqual([rank.a1, rank.b2].sort(), [2, 3]);
    assert.strictEqual(r.totals.findings, 2);
    assert.strictEqual(r.totals.public, 1);
  });
});

describe("findings triage: acting on a finding", () => {
  it("gives the AWS CLI command that archives it, unarchives an archived one, and none for a resolved one", () => {
    const f = finding({ id: "f1", region: "eu-west-1" });
    assert.strictEqual(
      archiveCommand(f),
      `aws accessanalyzer update-findings --region eu-west-1 --analyzer-arn arn:aws:access-analyzer:eu-west-1:${A}:analyzer/ext --ids f1 --status ARCHIVED`,
    );
    assert.match(archiveCommand({ ...f, status: "ARCHIVED" }) ?? "", /--status ACTIVE$/);
    assert.strictEqual(archiveCommand({ ...f, status: "RESOLVED" }), undefined);
    // An id an attacker could not choose, but quoted all the same when it is not shell-safe.
    assert.match(archiveCommand({ ...f, id: "x'; rm -rf /" }) ?? "", /--ids 'x'\\''; rm -rf \/'/);
  });

  it("links the console page of its partition: external access by id, unused access by resource", () => {
    assert.strictEqual(
      consoleUrl(finding({ id: "f1", region: "eu-west-1" })),
      "https://eu-west-1.console.aws.amazon.com/access-analyzer/home?region=eu-west-1#/findings/details/f1",
    );
    const unused = finding({
      id: "u1",
      exposure: "unused",
      resource: `arn:aws:iam::${A}:role/R`,
    });
    assert.strictEqual(
      consoleUrl(unused),
      `https://us-east-1.console.aws.amazon.com/access-analyzer/home?region=us-east-1#/unused-access-findings?resource=${encodeURIComponent(`arn:aws:iam::${A}:role/R`)}`,
    );
    const gov = finding({
      id: "g",
      region: "us-gov-west-1",
      analyzer: {
        name: "e",
        arn: "arn:aws-us-gov:access-analyzer:us-gov-west-1:1:analyzer/e",
        type: "ACCOUNT",
      },
    });
    assert.match(consoleUrl(gov) ?? "", /^https:\/\/console\.amazonaws-us-gov\.com\//);
    const iso = {
      ...gov,
      analyzer: { ...gov.analyzer, arn: "arn:aws-iso:access-analyzer:x:1:analyzer/e" },
    };
    assert.strictEqual(consoleUrl(iso), undefined);
  });

  it("says times in words against the report's time, and unused access's last use", () => {
    assert.strictEqual(ageInWords("2025-06-14T12:00:00Z", NOW), "1 day ago");
    assert.strictEqual(ageInWords("2025-03-01T00:00:00Z", NOW), "3 months ago");
    assert.strictEqual(ageInWords("2025-06-15T11:59:30Z", NOW), "just now");
    assert.strictEqual(ageInWords("2025-06-15T14:00:00Z", NOW), "in 2 hours");
    assert.strictEqual(lastUsedDescription({ unused: {} }, NOW), "never used");
    assert.strictEqual(lastUsedDescription({}, NOW), "");
    assert.strictEqual(
      lastUsedDescription(
        {
          unused: {
            lastAccessed: "2025-05-15T12:00:00Z",
            services: [
              { serviceNamespace: "s3" },
              { serviceNamespace: "ec2", lastAccessed: "2025-05-15T12:00:00Z" },
            ],
          },
        },
        NOW,
      ),
      "last used 1 month ago; 2 unused service(s): s3 (never), ec2 (1 month ago)",
    );
  });

  it("matches an OU and everything below it, with or without Root/, in any case", () => {
    assert.ok(inOus("Root/Workloads/Prod", ["workloads"]));
    assert.ok(inOus("Root/Workloads/Prod", ["Root/Workloads/Prod/"]));
    assert.ok(!inOus("Root/Workloads-Old", ["Workloads"]));
    assert.ok(!inOus(undefined, ["Workloads"]));
  });
});

describe("findings --since: what changed", () => {
  const keep = finding({ id: "keep" });
  const gone = finding({ id: "gone" });
  const baseline = report(
    [account(A, [keep, gone, finding({ id: "eu", region: "eu-west-1" })]), account(B, [])],
    "2025-06-01T00:00:00.000Z",
  );

  it("marks new and unchanged findings and lists the resolved ones, in the totals too", () => {
    const current = report([
      account(A, [keep, finding({ id: "fresh" }), finding({ id: "eu", region: "eu-west-1" })]),
      account(B, []),
    ]);
    const r = compareWithBaseline(current, baseline, "old.json");
    const change = Object.fromEntries(r.accounts[0].findings.map((f) => [f.id, f.change]));
    assert.deepStrictEqual(change, { keep: "unchanged", fresh: "new", eu: "unchanged" });
    assert.deepStrictEqual(
      r.changes?.resolved.map((f) => [f.id, f.change]),
      [["gone", "resolved"]],
    );
    assert.deepStrictEqual(
      [r.totals.new, r.totals.unchanged, r.totals.resolved, r.changes?.notCompared],
      [1, 2, 1, 0],
    );
    assert.deepStrictEqual(r.changes?.baseline, {
      file: "old.json",
      generatedAt: "2025-06-01T00:00:00.000Z",
    });
  });

  it("compares nothing where one run did not read: an unreadable region, an account of another shard", () => {
    const before = report([
      account(A, [keep, finding({ id: "eu", region: "eu-west-1" })]),
      account(B, [finding({ id: "b", accountId: B })]),
    ]);
    // Now eu-west-1 of A is unreadable and B is in another shard: "eu" and "b" are not resolved.
    const current = report([account(A, [keep], "eu-west-1")]);
    const r = compareWithBaseline(current, before, "old.json");
    assert.deepStrictEqual(r.changes?.resolved, []);
    assert.strictEqual(r.changes?.notCompared, 2);
    // And a finding of an account the baseline did not read is not "new".
    const wider = report([
      account(A, [keep]),
      account("777788889999", [finding({ id: "c", accountId: "777788889999" })]),
    ]);
    const w = compareWithBaseline(wider, report([account(A, [keep])]), "old.json");
    assert.strictEqual(w.accounts[1].findings[0].change, undefined);
    assert.strictEqual(w.totals.new, 0);
    assert.strictEqual(w.changes?.notCompared, 1);
  });

  it("refuses a baseline of another --status, and a file that is not a findings report", () => {
    const archived = { ...baseline, filter: { ...baseline.filter, status: "ARCHIVED" as const } };
    assert.throws(
      () => compareWithBaseline(report([account(A, [])]), archived, "old.json"),
      /--since old\.json: it lists ARCHIVED findings and this run reads ACTIVE ones/,
    );
    assert.throws(
      () => parseFindingsReport({ version: "2.1.0", runs: [] }, "--since a.sarif"),
      /--since a\.sarif: is a SARIF log, not a findings report; pass a report written by findings --format json/,
    );
    assert.throws(
      () => parseFindingsReport({ ...baseline, accounts: [{ accountId: A }] }, "--since x.json"),
      /--since x\.json: a findings report without its accounts, filter or findings/,
    );
  });
});

describe("findings --suppressions", () => {
  const file = "suppressions.yaml";

  it("lists every problem of the file, naming the entry, the key and the fix", () => {
    assert.throws(
      () =>
        parseSuppressions(
          {
            suppressions: [
              { reason: "r", expires: "2025-12-31" },
              { id: "x", expires: "2025-02-30", colour: "red" },
              { resource: "arn:*", reason: "r" },
              { id: "y", account: "12", reason: "r", expires: "2026-01-01" },
            ],
          },
          file,
        ),
      (e: Error) => {
        for (const line of [
          "suppressions.yaml: suppressions[0]: names no finding; give id (AWS's finding id) or resource",
          "suppressions.yaml: suppressions[1].colour: unknown key",
          "suppressions.yaml: suppressions[1].reason: missing",
          'suppressions.yaml: suppressions[1].expires: "2025-02-30" is not a date',
          "suppressions.yaml: suppressions[2].expires: missing; every suppression ends",
          'suppressions.yaml: suppressions[3].account: "12" is not a 12-digit account id',
        ]) {
          assert.ok(e.message.includes(line), `${line}\nin\n${e.message}`);
        }
        return true;
      },
    );
    assert.throws(
      () => parseSuppressions({ rules: [] }, file),
      /expected a list under "suppressions:"/,
    );
  });

  it("mutes the findings a live entry names, reports an expired one and shows its findings again", () => {
    const rules = parseSuppressions(
      {
        suppressions: [
          { id: "by-id", reason: "ticket SEC-1", expires: "2025-12-31" },
          {
            resource: "arn:aws:s3:::public-*",
            account: A,
            reason: "website",
            expires: "2025-06-15",
          },
          { resource: "arn:aws:s3:::old-?", reason: "was fine", expires: "2025-06-01T00:00:00Z" },
        ],
      },
      file,
    );
    // "Through that day": 2025-06-15 ends at midnight after it.
    assert.strictEqual(rules[1].expires, "2025-06-16T00:00:00.000Z");
    const r = applySuppressions(
      report([
        account(A, [
          finding({ id: "by-id" }),
          finding({ id: "public-site" }),
          finding({ id: "old-1" }),
          finding({ id: "other" }),
        ]),
        account(B, [finding({ id: "public-b", accountId: B })]),
      ]),
      rules,
      file,
      new Date(NOW),
    );
    const muted = r.accounts
      .flatMap((a) => a.findings)
      .filter((f) => f.suppressed)
      .map((f) => [f.id, f.suppressed?.rule]);
    assert.deepStrictEqual(muted.sort(), [
      ["by-id", 1],
      ["public-site", 2],
    ]);
    assert.strictEqual(r.totals.suppressed, 2);
    assert.strictEqual(r.totals.findings, 3);
    assert.deepStrictEqual(
      r.suppressions?.rules.map((u) => [u.rule, u.expired, u.matched]),
      [
        [1, false, 1],
        [2, false, 1],
        [3, true, 1],
      ],
    );
  });
});

describe("report merge: findings reports of the shards", () => {
  it("joins disjoint shards into one report ranked across the fleet, with the latest time", () => {
    const one = report([account(A, [finding({ id: "a1" })])], "2025-06-15T12:00:00.000Z");
    const two = report(
      [account(B, [finding({ id: "b1", accountId: B, exposure: "public" })])],
      "2025-06-15T12:05:00.000Z",
    );
    const merged = mergeFindingsReports([
      { file: "shard-2.json", report: two },
      { file: "shard-1.json", report: one },
    ]);
    assert.deepStrictEqual(
      merged.accounts.map((a) => a.accountId),
      [A, B],
    );
    assert.strictEqual(merged.generatedAt, "2025-06-15T12:05:00.000Z");
    assert.strictEqual(merged.totals.findings, 2);
    assert.strictEqual(merged.totals.accounts, 2);
    assert.strictEqual(merged.accounts[1].findings[0].rank, 1);
    assert.deepStrictEqual(
      merged.sources?.map((s) => s.file),
      ["shard-2.json", "shard-1.json"],
    );
  });

  it("refuses an account in two reports, and reports of other filters", () => {
    const one = report([account(A, [])]);
    assert.throws(
      () =>
        mergeFindingsReports([
          { file: "a.json", report: one },
          { file: "b.json", report: one },
        ]),
      /account 111122223333 is in both a\.json and b\.json; merge the reports of disjoint shards/,
    );
    const pub = {
      ...report([account(B, [])]),
      filter: { status: "ACTIVE" as const, publicOnly: true },
    };
    assert.throws(
      () =>
        mergeFindingsReports([
          { file: "a.json", report: one },
          { file: "b.json", report: pub },
        ]),
      /b\.json was made with other filters \(status ACTIVE; public only\) than a\.json/,
    );
  });
});

describe("SARIF's fleet-file URI", () => {
  const exists = (p: string) => p === "/repo/.git";
  it("is relative to GITHUB_WORKSPACE, else the repository, else the working folder; never absolute", () => {
    assert.strictEqual(
      fleetFileUri("fleets/prod.yaml", "/w/ws", { GITHUB_WORKSPACE: "/w/ws" }, exists),
      "fleets/prod.yaml",
    );
    assert.strictEqual(
      fleetFileUri("/repo/config/fleet.yaml", "/tmp", {}, exists),
      "config/fleet.yaml",
    );
    assert.strictEqual(
      fleetFileUri("fleet.yaml", "/home/u", {}, () => false),
      "fleet.yaml",
    );
    assert.strictEqual(
      fleetFileUri("/etc/fleet.yaml", "/home/u", {}, () => false),
      "fleet.yaml",
    );
  });
});
