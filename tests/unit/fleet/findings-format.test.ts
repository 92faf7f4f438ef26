import * as assert from "assert";
import { createHash } from "crypto";
import * as fs from "fs";
import * as path from "path";
import Ajv from "ajv-draft-04";
import addFormats from "ajv-formats";
import { accountAudit } from "../../../fleet/domain/verdicts";
import { parseFindingsFormat, renderFindings } from "../../../fleet/report/findings/index";
import {
  CSP,
  PAGE_ROWS,
  SCRIPT,
  escapeHtml,
  findingRow,
  renderFindingsHtml,
} from "../../../fleet/report/findings/html";
import {
  findingsTotals,
  type AccountFindings,
  type Finding,
  type FindingsReport,
} from "../../../fleet/domain/findings";
import { artifactUri, toSarif } from "../../../fleet/report/findings/sarif";
import type { AccountAudit, RegionAudit } from "../../../fleet/domain/verdicts";
import { formatFindingsTable, printable } from "../../../fleet/report/findings/table";

const PROD = "111122223333";
const DEV = "444455556666";
const XSS = "<script>alert(1)</script>";

function finding(extra: Partial<Finding> & Pick<Finding, "id">): Finding {
  return {
    accountId: PROD,
    accountName: "prod",
    region: "us-east-1",
    analyzer: {
      name: "external-access",
      arn: `arn:aws:access-analyzer:us-east-1:${PROD}:analyzer/external-access`,
      type: "ACCOUNT",
    },
    findingType: "ExternalAccess",
    resourceType: "AWS::S3::Bucket",
    resource: "arn:aws:s3:::open-data",
    resourceOwnerAccount: PROD,
    exposure: "public",
    principal: { AWS: "*" },
    status: "ACTIVE",
    updatedAt: "2025-06-10T08:00:00.000Z",
    ...extra,
  };
}

const analyzer = (region: string) => ({
  name: "external-access",
  arn: `arn:aws:access-analyzer:${region}:${PROD}:analyzer/external-access`,
  type: "ACCOUNT",
  status: "ACTIVE",
});

function sampleReport(): FindingsReport {
  const prod: AccountFindings = {
    accountId: PROD,
    name: "prod",
    outcome: "failed",
    error: "1 region(s) could not be read: eu-west-1: AccessDeniedException: no",
    coverage: accountAudit(
      ["us-east-1", "eu-west-1", "ap-south-1", "sa-east-1"],
      { excludeRegions: ["sa-east-1"] },
      {
        "us-east-1": { analyzers: [analyzer("us-east-1")], findings: {} },
        "eu-west-1": { analyzers: [analyzer("eu-west-1")], findings: {} },
        "ap-south-1": { analyzers: [], findings: {} },
      },
    ),
    regionErrors: [{ region: "eu-west-1", error: "AccessDeniedException: no" }],
    findings: [
      finding({ id: "f-public" }),
      finding({
        id: "f-cross",
        resourceType: "AWS::IAM::Role",
        resource: `arn:aws:iam::${PROD}:role/${XSS}`,
        exposure: "cross-account",
        principal: { AWS: `arn:aws:iam::${DEV}:root` },
        condition: { "aws:SourceIp": "10.0.0.0/8" },
      }),
      finding({
        id: "f-unused",
        analyzer: {
          name: "unused-access",
          arn: `arn:aws:access-analyzer:us-east-1:${PROD}:analyzer/unused-access`,
          type: "ACCOUNT_UNUSED_ACCESS",
        },
        findingType: "UnusedIAMRole",
        resourceType: "AWS::IAM::Role",
        resource: `arn:aws:iam::${PROD}:role/Forgotten`,
        exposure: "unused",
        principal: undefined,
      }),
    ],
    durationMs: 1200,
  };
  const dev: AccountFindings = {
    accountId: DEV,
    outcome: "failed",
    error: "AssumeRole arn:aws:iam::444455556666:role/Auditor: AccessDenied",
    regionErrors: [],
    findings: [],
    durationMs: 300,
  };
  return {
    schemaVersion: 1,
    kind: "access-analyzer-fleet/findings",
    fleetFile: "./fleet.yaml",
    generatedAt: "2025-06-15T12:00:00.000Z",
    filter: { status: "ACTIVE", publicOnly: false },
    totals: findingsTotals([prod, dev]),
    accounts: [prod, dev],
  };
}

describe("findings table", () => {
  it("shows one aligned row per finding, most urgent first, with access, account, region, resource, grant and age", () => {
    const lines = formatFindingsTable(sampleReport()).split("\n");
    assert.match(
      lines[0],
      /^ACCESS\s+ACCOUNT\s+REGION\s+FINDING\s+RESOURCE TYPE\s+RESOURCE\s+GRANTED TO\s+ACTIONS\s+LAST USED\s+UPDATED$/,
    );
    assert.deepStrictEqual(
      lines.slice(1, 4).map((l) => l.split(/\s+/)[0]),
      ["public", "cross-account", "unused"],
    );
    const row = lines[1];
    assert.match(
      row,
      /^public\s+prod 111122223333\s+us-east-1\s+ExternalAccess\s+AWS::S3::Bucket\s+arn:aws:s3:::open-data\s+AWS: \*\s+-\s+-\s+5 days ago$/,
    );
    const cross = lines.find((l) => l.includes("cross-account")) ?? "";
    assert.match(cross, /AWS: arn:aws:iam::444455556666:root \(if aws:SourceIp: 10\.0\.0\.0\/8\)/);
    assert.strictEqual(lines[0].indexOf("REGION"), row.indexOf("us-east-1"));
    // An unused finding without details read shows - for its last use.
    assert.match(
      lines[3],
      /UnusedIAMRole\s+AWS::IAM::Role\s+arn:aws:iam::111122223333:role\/Forgotten\s+-\s+-\s+-\s+5 days ago$/,
    );
  });

  it("lists the unreadable region and the unreachable account, then the totals", () => {
    const text = formatFindingsTable(sampleReport());
    assert.match(
      text,
      /Not read:\n {2}prod 111122223333\s+eu-west-1\s+unreadable\s+AccessDeniedException: no/,
    );
    assert.match(text, /444455556666\s+-\s+failed\s+AssumeRole .*AccessDenied/);
    assert.match(
      text,
      /3 finding\(s\) \(status ACTIVE\): 1 public, 1 cross-account, 1 unused access; 2 account\(s\) read, 2 with errors, 1 region\(s\) unreadable$/,
    );
  });

  it("replaces control characters in attacker-named resources so they cannot drive the terminal", () => {
    const report = sampleReport();
    const evil = finding({ id: "f-ansi", resource: "arn:aws:s3:::x\u001b[2J\rfake" });
    const text = formatFindingsTable({
      ...report,
      accounts: [{ ...report.accounts[0], findings: [evil] }],
    });
    assert.ok(!/[\u001b\r]/.test(text));
    assert.match(text, /arn:aws:s3:::x\?\[2J\?fake/);
    assert.strictEqual(printable("a\tb\u009bc"), "a?b?c");
  });

  it("says so when there are no findings", () => {
    const report = sampleReport();
    const empty = report.accounts.map((a) => ({ ...a, findings: [] }));
    assert.match(
      formatFindingsTable({ ...report, accounts: empty, totals: findingsTotals(empty) }),
      /^No findings\./,
    );
  });
});

describe("findings table, line by line", () => {
  const only = (accounts: AccountFindings[]): FindingsReport => ({
    ...sampleReport(),
    accounts,
    totals: findingsTotals(accounts),
  });
  const ok = (findings: Finding[], extra: Partial<AccountFindings> = {}): AccountFindings => ({
    accountId: PROD,
    name: "prod",
    outcome: "succeeded",
    regionErrors: [],
    findings,
    durationMs: 1,
    ...extra,
  });

  it("shows - for a finding with no resource and no grant", () => {
    const lines = formatFindingsTable(
      only([ok([finding({ id: "u", resource: undefined, principal: undefined })])]),
    ).split("\n");
    assert.match(lines[1], /\s+AWS::S3::Bucket\s+-\s+-\s+-\s+5 days ago$/);
  });

  it("leaves out the Not read section when every account was read, even one carrying a message", () => {
    const lines = formatFindingsTable(
      only([ok([finding({ id: "f" })], { error: "a leftover message" })]),
    ).split("\n");
    assert.strictEqual(lines.length, 4);
    assert.strictEqual(lines[2], "");
    assert.match(lines[3], /^1 finding\(s\) \(status ACTIVE\): 1 public, 0 cross-account/);
    assert.ok(!lines.some((l) => l.includes("Not read")));
  });

  it("separates the findings, the Not read section and the totals with blank lines", () => {
    const lines = formatFindingsTable(
      only([ok([], { outcome: "aborted", error: "aborted" })]),
    ).split("\n");
    assert.deepStrictEqual(lines.slice(0, 4), [
      "No findings.",
      "",
      "Not read:",
      "  prod 111122223333  -  aborted  aborted",
    ]);
    assert.strictEqual(lines[4], "");
    assert.match(lines[5], /^0 finding\(s\)/);
    assert.strictEqual(lines.length, 6);
  });
});

describe("findings --format", () => {
  it("accepts a format with blanks around it", () => {
    assert.strictEqual(parseFindingsFormat(" json "), "json");
  });
});

describe("findings JSON", () => {
  it("is the report itself with schemaVersion 1, and parses back to it", () => {
    const report = sampleReport();
    const parsed = JSON.parse(
      renderFindings(report, "json", { toolVersion: "0.1.0" }),
    ) as FindingsReport;
    assert.strictEqual(parsed.schemaVersion, 1);
    assert.strictEqual(parsed.kind, "access-analyzer-fleet/findings");
    assert.deepStrictEqual(parsed, JSON.parse(JSON.stringify(report)));
  });

  it("--format accepts the four formats and names the choices otherwise", () => {
    assert.strictEqual(parseFindingsFormat("SARIF"), "sarif");
    assert.throws(
      () => parseFindingsFormat("xml"),
      /^Error: --format: "xml" is not a format; use one of table, json, sarif, html$/,
    );
  });
});

describe("findings SARIF", () => {
  const schema = JSON.parse(
    fs.readFileSync(path.join(__dirname, "../../fixtures/sarif-schema-2.1.0.json"), "utf8"),
  ) as Record<string, unknown>;
  const ajv = new Ajv({ allErrors: true, strict: false });
  addFormats(ajv);
  const validate = ajv.compile(schema);

  type Sarif = {
    runs: {
      tool: { driver: { rules: { id: string; defaultConfiguration: { level: string } }[] } };
      results: {
        ruleId: string;
        ruleIndex: number;
        level: string;
        message: { text: string };
        locations: {
          physicalLocation: { artifactLocation: { uri: string }; region: { startLine: number } };
          logicalLocations: { fullyQualifiedName: string; kind: string }[];
        }[];
        partialFingerprints: Record<string, string>;
      }[];
    }[];
  };
  const sarifOf = (report: FindingsReport) =>
    JSON.parse(renderFindings(report, "sarif", { toolVersion: "0.1.0" })) as Sarif;

  it("validates against the official SARIF 2.1.0 schema", () => {
    const log = sarifOf(sampleReport());
    const ok = validate(log);
    assert.ok(ok, JSON.stringify(validate.errors, null, 2));
  });

  it("the validator does reject a log that breaks the schema", () => {
    const log = sarifOf(sampleReport()) as unknown as { runs: { results: { level: string }[] }[] };
    log.runs[0].results[0].level = "critical";
    assert.strictEqual(validate(log), false);
  });

  it("has one run, one rule per finding type and one result per finding, leveled by exposure", () => {
    const log = sarifOf(sampleReport());
    assert.strictEqual(log.runs.length, 1);
    const run = log.runs[0];
    assert.deepStrictEqual(
      run.tool.driver.rules.map((r) => [r.id, r.defaultConfiguration.level]),
      [
        ["ExternalAccess", "warning"],
        ["UnusedIAMRole", "note"],
      ],
    );
    assert.deepStrictEqual(
      run.results.map((r) => [r.ruleId, r.level, run.tool.driver.rules[r.ruleIndex].id]),
      [
        ["ExternalAccess", "error", "ExternalAccess"],
        ["ExternalAccess", "warning", "ExternalAccess"],
        ["UnusedIAMRole", "note", "UnusedIAMRole"],
      ],
    );
    assert.match(
      run.results[0].message.text,
      /^Public access to AWS::S3::Bucket arn:aws:s3:::open-data in account prod 111122223333, region us-east-1, granted to AWS: \*/,
    );
  });

  it("locates each result at the fleet file under %SRCROOT% and, logically, at account/region/resource", () => {
    const loc = sarifOf(sampleReport()).runs[0].results[0].locations[0];
    assert.deepStrictEqual(loc.physicalLocation, {
      artifactLocation: { uri: "fleet.yaml", uriBaseId: "%SRCROOT%" },
      region: { startLine: 1 },
    });
    assert.deepStrictEqual(loc.logicalLocations, [
      {
        name: "arn:aws:s3:::open-data",
        fullyQualifiedName: `${PROD}/us-east-1/arn:aws:s3:::open-data`,
        kind: "resource",
      },
    ]);
    assert.strictEqual(artifactUri(".\\config\\fleet.yaml"), "config/fleet.yaml");
  });

  it("fingerprints a finding by its analyzer and id, whatever else changes between runs", () => {
    const first = sarifOf(sampleReport()).runs[0].results[0];
    const report = sampleReport();
    const moved = {
      ...report,
      accounts: [
        {
          ...report.accounts[0],
          findings: [
            finding({ id: "f-new" }),
            finding({ id: "f-public", updatedAt: "2025-06-14T00:00:00.000Z", principal: {} }),
          ],
        },
      ],
    };
    const again = sarifOf(moved).runs[0].results.find((r) =>
      Object.values(r.partialFingerprints)[0].endsWith("/f-public"),
    );
    assert.deepStrictEqual(again?.partialFingerprints, first.partialFingerprints);
    assert.deepStrictEqual(first.partialFingerprints, {
      "accessAnalyzerFinding/v1": `arn:aws:access-analyzer:us-east-1:${PROD}:analyzer/external-access/f-public`,
    });
  });
});

describe("findings SARIF, field by field", () => {
  type Log = {
    runs: {
      tool: { driver: { version: string; rules: Record<string, unknown>[] } };
      automationDetails: { id: string };
      results: {
        ruleId: string;
        ruleIndex: number;
        level: string;
        message: { text: string };
        properties: Record<string, unknown>;
      }[];
    }[];
  };
  const withFindings = (findings: Finding[]): FindingsReport => {
    const base = sampleReport();
    const accounts = [{ ...base.accounts[0], findings }];
    return { ...base, accounts, totals: findingsTotals(accounts) };
  };
  const unusedRole = (id: string) =>
    finding({
      id,
      findingType: "UnusedIAMRole",
      exposure: "unused",
      resourceType: "AWS::IAM::Role",
      resource: undefined,
      principal: undefined,
    });

  it("sorts the rules by id whatever the findings' order, and points each result at its rule", () => {
    const log = toSarif(withFindings([unusedRole("u1"), finding({ id: "p1" }), unusedRole("u2")]), {
      toolVersion: "0.1.0",
    }) as unknown as Log;
    const run = log.runs[0];
    assert.deepStrictEqual(
      run.tool.driver.rules.map((r) => r.id),
      ["ExternalAccess", "UnusedIAMRole"],
    );
    assert.deepStrictEqual(
      run.results.map((r) => [r.ruleId, r.ruleIndex]),
      [
        ["ExternalAccess", 0],
        ["UnusedIAMRole", 1],
        ["UnusedIAMRole", 1],
      ],
    );
  });

  it("describes a rule of a type it does not know generically, leveled by the exposure of its findings", () => {
    const log = toSarif(
      withFindings([
        finding({ id: "p1" }),
        finding({ id: "n1", findingType: "UnusedFutureThing", exposure: "unused" }),
        finding({ id: "x1", findingType: "ExternalFuture", exposure: "cross-account" }),
      ]),
      { toolVersion: "0.1.0" },
    ) as unknown as Log;
    assert.deepStrictEqual(log.runs[0].tool.driver.rules[2], {
      id: "UnusedFutureThing",
      name: "UnusedFutureThing",
      shortDescription: { text: "IAM Access Analyzer finding of type UnusedFutureThing" },
      fullDescription: { text: "Review the finding in IAM Access Analyzer." },
      helpUri: "https://docs.aws.amazon.com/IAM/latest/UserGuide/what-is-access-analyzer.html",
      help: { text: "Review the finding in IAM Access Analyzer." },
      defaultConfiguration: { level: "note" },
      properties: { tags: ["security", "aws", "iam-access-analyzer"], "security-severity": "3.0" },
    });
    assert.deepStrictEqual(
      log.runs[0].tool.driver.rules.map((r) => [
        r.id,
        (r.defaultConfiguration as { level: string }).level,
      ]),
      [
        ["ExternalAccess", "warning"],
        ["ExternalFuture", "warning"],
        ["UnusedFutureThing", "note"],
      ],
    );
  });

  it("words a result without a resource or a grant plainly", () => {
    const log = toSarif(withFindings([unusedRole("u1")]), {
      toolVersion: "0.1.0",
    }) as unknown as Log;
    assert.strictEqual(
      log.runs[0].results[0].message.text,
      "Unused access: AWS::IAM::Role (no resource) in account prod 111122223333, region us-east-1 " +
        "(UnusedIAMRole; analyzer external-access; finding u1).",
    );
  });

  it("carries the finding's facts as result properties, with GitHub's security-severity", () => {
    const log = toSarif(withFindings([finding({ id: "p1" })]), {
      toolVersion: "0.1.0",
    }) as unknown as Log;
    assert.deepStrictEqual(log.runs[0].results[0].properties, {
      accountId: PROD,
      accountName: "prod",
      region: "us-east-1",
      analyzer: "external-access",
      analyzerType: "ACCOUNT",
      resourceType: "AWS::S3::Bucket",
      resourceOwnerAccount: PROD,
      exposure: "public",
      tier: "public",
      status: "ACTIVE",
      updatedAt: "2025-06-10T08:00:00.000Z",
      consoleUrl:
        "https://us-east-1.console.aws.amazon.com/access-analyzer/home?region=us-east-1#/findings/details/p1",
      archiveCommand:
        "aws accessanalyzer update-findings --region us-east-1 --analyzer-arn arn:aws:access-analyzer:us-east-1:111122223333:analyzer/external-access --ids p1 --status ARCHIVED",
      "security-severity": "9.0",
    });
  });

  it("names the tool's version and a stable automation id", () => {
    const plain = toSarif(withFindings([]), { toolVersion: "0.1.0" }) as unknown as Log;
    assert.strictEqual(plain.runs[0].tool.driver.version, "0.1.0");
    assert.deepStrictEqual(plain.runs[0].automationDetails, {
      id: "access-analyzer-fleet/findings/",
    });
    const versioned = JSON.parse(
      renderFindings(withFindings([]), "sarif", { toolVersion: "1.2.3" }),
    ) as Log;
    assert.strictEqual(versioned.runs[0].tool.driver.version, "1.2.3");
  });

  it("makes the fleet file's path repository-relative: forward slashes, leading ./ removed, inner ./ kept", () => {
    assert.strictEqual(artifactUri("././fleet.yaml"), "fleet.yaml");
    assert.strictEqual(artifactUri("config/./fleet.yaml"), "config/./fleet.yaml");
    assert.strictEqual(artifactUri("../fleet.yaml"), "../fleet.yaml");
    // An absolute path would name the runner's disk: only the file name is kept.
    assert.strictEqual(artifactUri("/home/runner/work/repo/fleet.yaml"), "fleet.yaml");
    assert.strictEqual(artifactUri("C:\\a\\fleet.yaml"), "fleet.yaml");
  });
});

describe("findings HTML", () => {
  // Rendered in each test (not at load time) so that mutation testing attributes the coverage.
  let html = "";
  beforeEach(() => {
    html = renderFindingsHtml(sampleReport());
  });

  it("renders a resource named <script>alert(1)</script> as inert text, in the rows and the data block", () => {
    assert.ok(!html.includes(XSS), "never unescaped");
    // Two script elements: the JSON data block and the page's own script.
    assert.deepStrictEqual(
      [...html.matchAll(/<script[^>]*>/g)].map((m) => m[0]),
      ['<script type="application/json" id="aa-data">', "<script>"],
    );
    assert.ok(html.includes(`role/${escapeHtml(XSS)}`));
    assert.ok(html.includes("&lt;script&gt;alert(1)&lt;/script&gt;"));
    assert.strictEqual(escapeHtml(`"'<>&`), "&quot;&#39;&lt;&gt;&amp;");
  });

  it("is self-contained: a CSP that allows inline style and only its own script, by hash, and nothing to fetch", () => {
    const csp = /<meta http-equiv="Content-Security-Policy" content="([^"]*)">/.exec(html)?.[1];
    const script = /<script>([\s\S]*?)<\/script>/.exec(html)?.[1] ?? "";
    const hash = createHash("sha256").update(script).digest("base64");
    assert.strictEqual(
      csp,
      `default-src 'none'; style-src 'unsafe-inline'; script-src 'sha256-${hash}'`,
    );
    assert.strictEqual(script, SCRIPT);
    assert.ok(!/\bsrc\s*=/i.test(html), "no src attribute");
    const links = [...html.matchAll(/\bhref="([^"]*)"/g)].map((m) => m[1]);
    assert.ok(links.length > 0);
    for (const link of links) {
      assert.match(link, /^https:\/\/[a-z0-9-]+\.console\.aws\.amazon\.com\/access-analyzer\//);
    }
    assert.ok(!/@import|url\(/i.test(html), "no CSS fetch");
  });

  it("shows the accounts × regions matrix with audit's verdicts", () => {
    const matrix = html.slice(html.indexOf('<table class="matrix">'));
    const row = /<tr><th>prod 111122223333<\/th>(.*?)<\/tr>/.exec(matrix)?.[1] ?? "";
    const cells = [...row.matchAll(/<td class="v ([a-z-]+)"/g)].map((m) => m[1]);
    // Columns: ap-south-1, eu-west-1, sa-east-1, us-east-1 (the union, sorted).
    assert.deepStrictEqual(cells, ["missing", "covered", "excluded", "covered"]);
    const dev = /<tr><th>444455556666<\/th>(.*?)<\/tr>/.exec(matrix)?.[1] ?? "";
    assert.strictEqual([...dev.matchAll(/title="account not read"/g)].length, 4);
  });

  it("lists every finding in one table, most urgent first, and the accounts with their counts and errors", () => {
    const body = /<table id="findings">.*?<tbody>(.*?)<\/tbody>/s.exec(html)?.[1] ?? "";
    assert.deepStrictEqual(
      [...body.matchAll(/<span class="k ([a-z-]+)">/g)].map((m) => m[1]),
      ["public", "cross-account", "unused"],
    );
    const accounts = /<section id="accounts">.*?<\/section>/s.exec(html)?.[0] ?? "";
    assert.match(
      accounts,
      /<tr><th>444455556666<\/th><td><\/td><td class="n">0<\/td><td class="n">0<\/td><td class="n">0<\/td><td>–<\/td><td class="err">failed: AssumeRole arn:aws:iam::444455556666:role\/Auditor: AccessDenied<\/td><\/tr>/,
    );
    assert.match(
      accounts,
      /<tr><th>prod 111122223333<\/th><td><\/td><td class="n">1<\/td><td class="n">1<\/td><td class="n">1<\/td><td>2 of 3<\/td><td class="err">eu-west-1 could not be read: AccessDeniedException: no<\/td><\/tr>/,
    );
    assert.match(html, /<div class="warn"><p>2 account\(s\) not fully read/);
  });
});

describe("findings HTML page, piece by piece", () => {
  const audited = (regions: RegionAudit[]): AccountAudit =>
    ({
      enabledRegions: regions.map((r) => r.region),
      regions,
    }) as unknown as AccountAudit;
  const region = (
    name: string,
    verdict: RegionAudit["verdict"],
    extra: Partial<RegionAudit> = {},
  ) => ({ region: name, verdict, analyzers: [], ...extra }) as RegionAudit;
  const account = (extra: Partial<AccountFindings> = {}): AccountFindings => ({
    accountId: PROD,
    name: "prod",
    outcome: "succeeded",
    regionErrors: [],
    findings: [],
    durationMs: 1,
    ...extra,
  });
  const report = (accounts: AccountFindings[]): FindingsReport => ({
    schemaVersion: 1,
    kind: "access-analyzer-fleet/findings",
    fleetFile: "./fleet.yaml",
    generatedAt: "2025-06-15T12:00:00.000Z",
    filter: { status: "ACTIVE", publicOnly: false },
    totals: findingsTotals(accounts),
    accounts,
  });

  it("starts with the doctype, a UTF-8 head with the CSP and a title, and ends the document with a newline", () => {
    const lines = renderFindingsHtml(report([account()])).split("\n");
    assert.deepStrictEqual(lines.slice(0, 5), [
      "<!DOCTYPE html>",
      '<html lang="en"><head><meta charset="utf-8">',
      `<meta http-equiv="Content-Security-Policy" content="${CSP}">`,
      '<meta name="viewport" content="width=device-width, initial-scale=1">',
      "<title>IAM Access Analyzer findings</title>",
    ]);
    assert.strictEqual(lines[5], "<style>");
    assert.deepStrictEqual(lines.slice(-2), ["</body></html>", ""]);
    assert.match(
      lines.join("\n"),
      /\n<style>\nbody\{.*\}\n<\/style><\/head><body>\n<h1>IAM Access Analyzer findings<\/h1>\n<p class="meta">Generated /s,
    );
  });

  it("says when, from which fleet file and with which filters the report was made, escaped", () => {
    const r = {
      ...report([account()]),
      fleetFile: "fleets/<prod>.yaml",
      filter: { status: "ARCHIVED" as const, publicOnly: true, resourceTypes: ["AWS::S3::Bucket"] },
    };
    assert.ok(
      renderFindingsHtml(r).includes(
        '\n<p class="meta">Generated 2025-06-15 12:00 UTC from fleets/&lt;prod&gt;.yaml; ' +
          "status ARCHIVED; resource type AWS::S3::Bucket; public only.</p>\n",
      ),
    );
  });

  it("counts accounts and findings by access at the top, and the accounts with errors only when there are some", () => {
    const findings = [
      finding({ id: "a" }),
      finding({ id: "b" }),
      finding({ id: "c", exposure: "cross-account" }),
      finding({ id: "d", exposure: "unused" }),
      finding({ id: "e", exposure: "unused" }),
      finding({ id: "f", exposure: "unused" }),
    ];
    const ok = renderFindingsHtml(report([account({ findings })]));
    assert.ok(
      ok.includes(
        '\n<p class="counts"><span>1 account(s)</span><span>6 finding(s)</span>' +
          '<span class="public">2 public</span><span class="cross-account">1 cross-account</span>' +
          '<span class="unused">3 unused access</span></p>\n',
      ),
    );
    assert.ok(!ok.includes("with errors"));
    const failed = renderFindingsHtml(
      report([account({ findings }), account({ accountId: DEV, outcome: "failed", error: "x" })]),
    );
    assert.match(
      failed,
      /<span class="unused">3 unused access<\/span><span class="err">1 account\(s\) with errors<\/span><\/p>\n/,
    );
  });

  it("explains the coverage matrix under its IAM.28 heading", () => {
    const html = renderFindingsHtml(report([account()]));
    assert.ok(
      html.includes(
        '<section id="coverage"><h2>Coverage: an ACTIVE ACCOUNT analyzer in every enabled region (the coverage rule behind CIS 1.19 / Security Hub IAM.28)</h2>\n',
      ),
    );
    assert.match(
      html,
      /\n<p class="meta">covered: an ACTIVE ACCOUNT analyzer; missing: none \(an ORGANIZATION analyzer passes IAM\.28 in its own account, not this rule\); pending: CREATING \(not counted by IAM\.28 yet\); not active: DISABLED or FAILED; excluded: left out by the fleet file; –: region not enabled\.<\/p>\n/,
    );
  });

  it("says so instead of an empty matrix when no account's regions could be read", () => {
    const html = renderFindingsHtml(
      report([account({ outcome: "failed", error: "AssumeRole: AccessDenied" })]),
    );
    assert.ok(html.includes('\n<p class="meta">No account\'s regions could be read.</p>\n'));
    assert.ok(!html.includes('<table class="matrix">'));
  });

  it("lays out the matrix with one column per region any account enabled, sorted, and a row per account", () => {
    const prod = account({
      coverage: audited([
        region("us-east-1", "covered", {
          analyzer: { name: "ext<1>", arn: "arn", type: "ACCOUNT", status: "ACTIVE" },
        }),
      ]),
    });
    const dev = account({
      accountId: DEV,
      name: undefined,
      coverage: audited([region("eu-west-1", "missing")]),
    });
    const html = renderFindingsHtml(report([prod, dev]));
    const matrix = /<table class="matrix">.*?<\/table>/.exec(html)?.[0];
    assert.strictEqual(
      matrix,
      '<table class="matrix"><thead><tr><th>account</th><th>eu-west-1</th><th>us-east-1</th></tr></thead><tbody>' +
        '<tr><th>prod 111122223333</th><td class="v none" title="not enabled">–</td>' +
        '<td class="v covered" title="ext&lt;1&gt;">covered</td></tr>' +
        '<tr><th>444455556666</th><td class="v missing" title="">missing</td>' +
        '<td class="v none" title="not enabled">–</td></tr></tbody></table>',
    );
    assert.ok(html.includes(`\n${matrix}\n`), "the matrix on its own line");
  });

  it("titles each matrix cell with the read error, else the detail, else the analyzer's name", () => {
    const analyzer = { name: "the-analyzer", arn: "arn", type: "ACCOUNT", status: "DISABLED" };
    const html = renderFindingsHtml(
      report([
        account({
          coverage: audited([
            region("ap-south-1", "error", { error: "ListAnalyzers: <denied>", detail: "d" }),
            region("eu-west-1", "not-active", { detail: "analyzer DISABLED", analyzer }),
            region("sa-east-1", "pending", { analyzer }),
            region("us-east-1", "stale-state"),
          ]),
        }),
      ]),
    );
    const cells = [...html.matchAll(/<td class="v ([a-z-]+)" title="([^"]*)">([^<]*)<\/td>/g)].map(
      (m) => [m[1], m[2], m[3]],
    );
    assert.deepStrictEqual(cells, [
      ["error", "ListAnalyzers: &lt;denied&gt;", "unreadable"],
      ["not-active", "analyzer DISABLED", "not active"],
      ["pending", "the-analyzer", "pending (CREATING)"],
      ["stale-state", "", "disabled, still in state"],
    ]);
  });

  it("writes one row per finding: rank, access, account, region, resource, grant, age and what to do, every field escaped", () => {
    const row = findingRow(
      finding({
        id: "f<1>",
        rank: 1,
        ouPath: "Root/<Prod>",
        action: ["s3:GetObject", "s3:ListBucket"],
        condition: { "aws:SourceIp": "10.0.0.0/8" },
      }),
      "2025-06-15T12:00:00.000Z",
    );
    assert.strictEqual(
      row,
      '<tr><td class="n">1</td><td><span class="k public">public</span></td>' +
        "<td>prod<br><small>111122223333 · Root/&lt;Prod&gt;</small></td><td>us-east-1</td>" +
        "<td><small>AWS::S3::Bucket</small><br><code>arn:aws:s3:::open-data</code></td>" +
        "<td>to <b>AWS: *</b><br>actions <code>s3:GetObject, s3:ListBucket</code><br>if <code>aws:SourceIp: 10.0.0.0/8</code></td>" +
        '<td><time datetime="2025-06-10T08:00:00.000Z" title="2025-06-10 08:00 UTC">5 days ago</time></td>' +
        '<td><a href="https://us-east-1.console.aws.amazon.com/access-analyzer/home?region=us-east-1#/findings/details/f%3C1%3E" target="_blank" rel="noopener noreferrer">console</a>' +
        '<details class="cmd"><summary>archive</summary><code>aws accessanalyzer update-findings --region us-east-1 ' +
        "--analyzer-arn arn:aws:access-analyzer:us-east-1:111122223333:analyzer/external-access --ids &#39;f&lt;1&gt;&#39; --status ARCHIVED</code></details>" +
        "<small>id <code>f&lt;1&gt;</code></small></td></tr>",
    );
  });

  it("shows when unused access was last used, and marks new, resolved and suppressed findings", () => {
    const unused = findingRow(
      finding({
        id: "u1",
        exposure: "unused",
        findingType: "UnusedIAMUserAccessKey",
        resourceType: "AWS::IAM::User",
        principal: undefined,
        change: "new",
        unused: { lastAccessed: "2025-03-01T00:00:00.000Z", accessKeyId: "AKIAEXAMPLE" },
      }),
      "2025-06-15T12:00:00.000Z",
    );
    assert.match(
      unused,
      /<span class="k unused">unused<\/span><span class="c new">new<\/span>.*<td>UnusedIAMUserAccessKey<br>last used 3 months ago<br>key <code>AKIAEXAMPLE<\/code><\/td>/,
    );
    const resolved = findingRow(
      finding({ id: "r1", change: "resolved" }),
      "2025-06-15T12:00:00.000Z",
    );
    assert.match(resolved, /^<tr class="resolved">.*<span class="c resolved">resolved<\/span>/);
    assert.ok(!resolved.includes("console") && !resolved.includes("update-findings"));
    const muted = findingRow(
      finding({
        id: "s1",
        suppressed: { rule: 2, reason: "partner <ok>", expires: "2025-12-31T00:00:00.000Z" },
      }),
      "2025-06-15T12:00:00.000Z",
    );
    assert.match(
      muted,
      /^<tr class="sup">.*<span class="c sup" title="partner &lt;ok&gt; \(until 2025-12-31 00:00 UTC\)">suppressed<\/span>/,
    );
  });

  it("renders the first page of the most urgent findings, and every row in the data block for the script", () => {
    const many = Array.from({ length: PAGE_ROWS + 20 }, (_, i) =>
      finding({ id: `c${String(i).padStart(3, "0")}`, exposure: "cross-account" }),
    );
    const html = renderFindingsHtml(
      report([account({ findings: [...many, finding({ id: "the-public-one" })] })]),
    );
    const body = /<table id="findings">.*?<tbody>(.*?)<\/tbody>/s.exec(html)?.[1] ?? "";
    const rows = body.split("</tr>").filter((r) => r !== "");
    assert.strictEqual(rows.length, PAGE_ROWS);
    assert.match(rows[0], /the-public-one/);
    const data = JSON.parse(
      /<script type="application\/json" id="aa-data">(.*?)<\/script>/s.exec(html)?.[1] ?? "{}",
    ) as { page: number; total: number; rows: { a: string; k: string }[] };
    assert.strictEqual(data.page, PAGE_ROWS);
    assert.strictEqual(data.total, PAGE_ROWS + 21);
    assert.strictEqual(data.rows[0].k, "public");
  });

  it("offers a filter for each account, region, resource type and access kind in the report", () => {
    const html = renderFindingsHtml(
      report([
        account({ findings: [finding({ id: "a" })], ouPath: "Root/Prod" }),
        account({
          accountId: DEV,
          name: "dev",
          findings: [finding({ id: "b", accountId: DEV, region: "eu-west-1", exposure: "unused" })],
        }),
      ]),
    );
    const form = /<form id="filters".*?<\/form>/s.exec(html)?.[0] ?? "";
    const select = (id: string) =>
      [
        ...(new RegExp(`<select id="${id}">(.*?)</select>`).exec(form)?.[1] ?? "").matchAll(
          /<option value="([^"]*)">/g,
        ),
      ].map((m) => m[1]);
    assert.deepStrictEqual(select("f-account"), ["", DEV, PROD]);
    assert.deepStrictEqual(select("f-ou"), ["", "Root/Prod"]);
    assert.deepStrictEqual(select("f-region"), ["", "eu-west-1", "us-east-1"]);
    assert.deepStrictEqual(select("f-type"), ["", "AWS::S3::Bucket"]);
    assert.deepStrictEqual(
      [...form.matchAll(/name="kind" value="([a-z-]+)" checked> [a-z-]+ \((\d+)\)/g)].map((m) => [
        m[1],
        m[2],
      ]),
      [
        ["public", "1"],
        ["cross-account", "0"],
        ["unused", "1"],
      ],
    );
  });
});
