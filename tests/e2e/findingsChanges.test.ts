// What changed since the last run, end to end (issue 18, "Done when"): a fake AWS organization with
// planted findings; a first `findings` run writes report.json; then findings are added and one is
// archived (by an archive rule applied in the account, as a security engineer would in the
// console); a second run with `--since report.json` marks exactly those new and resolved, in JSON,
// SARIF (baselineState) and HTML; a suppression file hides one finding and reports an expired one.
// The real CLI runs in a child process against the fake's wire protocols; no Pulumi stack runs.

import * as assert from "node:assert/strict";
import * as fs from "node:fs";
import * as path from "node:path";

import type { Finding, FindingsReport } from "../../fleet/domain/findings";
import { World } from "./harness";

const MGMT = "240000000001";
const PROD = "240000000002";
const DEV = "240000000003";
const REGIONS = ["eu-west-1", "us-east-1"];
const ANALYZER = "console-analyzer";

const bucket = (name: string, isPublic: boolean) => ({
  id: name,
  resourceType: "AWS::S3::Bucket",
  resource: `arn:aws:s3:::${name}`,
  isPublic,
  principal: isPublic ? { AWS: "*" } : { AWS: "arn:aws:iam::999988887777:root" },
  action: ["s3:GetObject"],
});

describe("findings --since and --suppressions over a fake organization", function () {
  let world: World;
  let fleetFile: string;
  const file = (name: string) => path.join(world.tmp, name);
  const json = (name: string) => JSON.parse(fs.readFileSync(file(name), "utf8")) as FindingsReport;
  const findings = (...args: string[]) =>
    world.runFleet(["findings", "--fleet", fleetFile, ...args]);
  const byId = (report: FindingsReport): Record<string, Finding> =>
    Object.fromEntries(report.accounts.flatMap((a) => a.findings).map((f) => [f.id, f]));

  before(async () => {
    world = await World.start({
      label: "findings-changes",
      accounts: [
        {
          id: MGMT,
          name: "management",
          orgRole: "management",
          policies: ["deployer.json", "audit.json", "organizations-read.json"],
        },
        { id: PROD, name: "prod", orgRole: "member", ou: "Workloads/Prod" },
        { id: DEV, name: "dev", orgRole: "member", ou: "Workloads/Dev" },
      ],
      organization: { trustedAccess: [] },
    });
    fleetFile = world.writeFleetFile(
      "fleet.yaml",
      `backend: file://./state
secretsProvider: passphrase
defaults:
  roleName: AccessAnalyzerDeployer
  regions: [${REGIONS.join(", ")}]
organization:
  roleArn: ${World.roleArn(MGMT)}
`,
    );
    for (const account of [MGMT, PROD, DEV]) {
      for (const region of REGIONS) {
        await world.admin.createAnalyzer({ accountId: account, region, analyzerName: ANALYZER });
      }
    }
    await world.admin.addFinding(PROD, "us-east-1", ANALYZER, bucket("prod-open", true));
    await world.admin.addFinding(PROD, "eu-west-1", ANALYZER, bucket("prod-partner", false));
    await world.admin.addFinding(DEV, "us-east-1", ANALYZER, bucket("dev-partner", false));
  });

  after(async () => {
    await world?.close();
  });

  it("first run: every finding listed, with the accounts' names and OUs from Organizations", async () => {
    const run = await findings("--format", "json", "--output", "run1.json");
    assert.equal(run.code, 0, run.stderr.slice(-3000));
    const report = json("run1.json");
    const f = byId(report);
    assert.deepEqual(Object.keys(f).sort(), ["dev-partner", "prod-open", "prod-partner"]);
    assert.equal(f["prod-open"].accountName, "prod");
    assert.match(f["prod-open"].ouPath ?? "", /Workloads\/Prod$/);
    assert.equal(f["prod-open"].rank, 1, "the public finding is the most urgent");
    assert.equal(report.changes, undefined);
  });

  it("second run with --since marks exactly the added findings new and the archived one resolved, in JSON and SARIF", async () => {
    await world.admin.addFinding(PROD, "us-east-1", ANALYZER, bucket("prod-new-open", true));
    await world.admin.addFinding(DEV, "eu-west-1", ANALYZER, bucket("dev-new-partner", false));
    // Archived in the account by an archive rule, the way AWS archives a finding for good.
    const [analyzer] = (await world.admin.listAnalyzers(PROD, "eu-west-1")).filter(
      (a) => a.name === ANALYZER,
    );
    world.fake.state.createArchiveRule(PROD, "eu-west-1", ANALYZER, "partner-bucket", {
      resource: { eq: ["arn:aws:s3:::prod-partner"] },
    });
    assert.equal(
      world.fake.state.applyArchiveRule(PROD, "eu-west-1", analyzer.arn, "partner-bucket"),
      1,
    );

    const run = await findings(
      "--since",
      "run1.json",
      "--format",
      "sarif",
      "--output",
      "run2.sarif",
      "--report",
      "run2.json",
    );
    assert.equal(run.code, 0, run.stderr.slice(-3000));
    assert.match(run.stderr, /2 new, 1 resolved since run1\.json/);

    const report = json("run2.json");
    const change = Object.fromEntries(
      Object.values(byId(report)).map((f) => [f.id, f.change ?? "not compared"]),
    );
    assert.deepEqual(change, {
      "prod-open": "unchanged",
      "prod-new-open": "new",
      "dev-partner": "unchanged",
      "dev-new-partner": "new",
    });
    assert.deepEqual(
      report.changes?.resolved.map((f) => [f.id, f.change]),
      [["prod-partner", "resolved"]],
    );
    assert.deepEqual(
      [report.totals.new, report.totals.unchanged, report.totals.resolved],
      [2, 2, 1],
    );
    assert.equal(report.changes?.notCompared, 0);

    const sarif = JSON.parse(fs.readFileSync(file("run2.sarif"), "utf8")) as {
      runs: {
        results: {
          baselineState: string;
          level: string;
          properties: { rank?: number };
          locations: {
            physicalLocation: { artifactLocation: { uri: string; uriBaseId: string } };
          }[];
          partialFingerprints: Record<string, string>;
        }[];
      }[];
    };
    const states = Object.fromEntries(
      sarif.runs[0].results.map((r) => [
        Object.values(r.partialFingerprints)[0].split("/").pop(),
        r.baselineState,
      ]),
    );
    assert.deepEqual(states, {
      "prod-new-open": "new",
      "prod-open": "unchanged",
      "dev-new-partner": "new",
      "dev-partner": "unchanged",
      "prod-partner": "absent",
    });
    // Most urgent first: the new public bucket, then the known one.
    assert.deepEqual(
      sarif.runs[0].results.slice(0, 2).map((r) => r.level),
      ["error", "error"],
    );
    assert.deepEqual(sarif.runs[0].results[0].locations[0].physicalLocation.artifactLocation, {
      uri: "fleet.yaml",
      uriBaseId: "%SRCROOT%",
    });
  });

  it("and in HTML: new and resolved badges on exactly those rows", async () => {
    const run = await findings("--since", "run1.json", "--format", "html", "--output", "run2.html");
    assert.equal(run.code, 0, run.stderr.slice(-3000));
    const html = fs.readFileSync(file("run2.html"), "utf8");
    const data = JSON.parse(
      /<script type="application\/json" id="aa-data">(.*?)<\/script>/s.exec(html)?.[1] ?? "{}",
    ) as { rows: { h: string; c: string }[] };
    const marked = Object.fromEntries(
      data.rows.map((r) => [/<code>arn:aws:s3:::([a-z-]+)<\/code>/.exec(r.h)?.[1], r.c]),
    );
    assert.deepEqual(marked, {
      "prod-new-open": "new",
      "prod-open": "unchanged",
      "dev-new-partner": "new",
      "dev-partner": "unchanged",
      "prod-partner": "resolved",
    });
    const shown = /<table id="findings">.*?<tbody>(.*?)<\/tbody>/s.exec(html)?.[1] ?? "";
    assert.equal((shown.match(/<span class="c new">new<\/span>/g) ?? []).length, 2);
    assert.match(html, /<span class="new">2 new<\/span><span>1 resolved since run1\.json/);
  });

  it("a suppression hides one finding without archiving it, and an expired one is reported", async () => {
    fs.writeFileSync(
      file("suppressions.yaml"),
      `suppressions:
  - resource: "arn:aws:s3:::dev-*"
    account: "${DEV}"
    region: us-east-1
    reason: Partner read access, ticket SEC-123
    expires: 2999-12-31
  - id: prod-open
    reason: Public website, accepted until the migration
    expires: 2020-01-31
`,
    );
    const run = await findings(
      "--suppressions",
      "suppressions.yaml",
      "--format",
      "json",
      "--output",
      "run3.json",
    );
    assert.equal(run.code, 0, run.stderr.slice(-3000));
    assert.match(
      run.stderr,
      /warning: suppression 2 of suppressions\.yaml \(id prod-open: Public website, accepted until the migration\) expired 2020-02-01T00:00:00\.000Z; its 1 finding\(s\) are shown again/,
    );
    const report = json("run3.json");
    const f = byId(report);
    assert.deepEqual(f["dev-partner"].suppressed, {
      rule: 1,
      reason: "Partner read access, ticket SEC-123",
      expires: "3000-01-01T00:00:00.000Z",
    });
    assert.equal(f["prod-open"].suppressed, undefined, "an expired entry mutes nothing");
    assert.equal(report.totals.suppressed, 1);
    assert.equal(report.totals.findings, 3);
    assert.deepEqual(
      report.suppressions?.rules.map((r) => [r.rule, r.expired, r.matched]),
      [
        [1, false, 1],
        [2, true, 1],
      ],
    );
    // Muted in the report only: AWS still holds it ACTIVE.
    const [devEast] = (await world.admin.listAnalyzers(DEV, "us-east-1")).filter(
      (a) => a.name === ANALYZER,
    );
    assert.equal(devEast.findings.find((x) => x.id === "dev-partner")?.status, "ACTIVE");

    const table = await findings("--suppressions", "suppressions.yaml");
    assert.doesNotMatch(table.stdout, /dev-partner/);
    assert.match(table.stdout, /Expired suppressions in suppressions\.yaml/);
    assert.match(table.stdout, /; 1 suppressed, 1 suppression\(s\) expired;/);
  });
});
