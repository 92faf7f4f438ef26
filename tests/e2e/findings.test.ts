// `findings` end to end, after issue 8's brownfield walk: an account with a console-made analyzer in
// us-east-1 (holding a planted public-bucket finding) and none elsewhere is audited (non-compliant),
// adopted by `up --adopt` under the real engine, audited again (clean); then the real CLI in a child process writes the table, JSON, SARIF (validated against
// the official schema) and HTML; the HTML is opened in a real headless Chromium (the OS package,
// driven by playwright-core), screenshotted, and checked as rendered (its one script allowed by
// hash), with every request that would leave the file intercepted.

import * as assert from "node:assert/strict";
import * as fs from "node:fs";
import * as path from "node:path";

import Ajv from "ajv-draft-04";
import addFormats from "ajv-formats";
import { chromium } from "playwright-core";

import type { FindingsReport } from "../../fleet/domain/findings";
import { World } from "./harness";

const ACCOUNT = "230000000001";
const EXCLUDED = "ap-south-1";
/** The analyzer someone made in the console before the fleet arrived. */
const CONSOLE = "console-analyzer";
const CHROMIUM = process.env.CHROMIUM_PATH ?? "/usr/bin/chromium";

describe("findings across a deployed account, in every format, the HTML in a real browser", function () {
  let world: World;
  let fleetFile: string;
  let consoleArn: string;

  before(async () => {
    world = await World.start({ label: "findings", accounts: [{ id: ACCOUNT, name: "shop" }] });
    fleetFile = world.writeFleetFile(
      "fleet.yaml",
      `backend: file://./state
secretsProvider: passphrase
defaults:
  roleName: AccessAnalyzerDeployer
  excludeRegions: [${EXCLUDED}]
accounts:
  - { id: "${ACCOUNT}", name: shop }
`,
    );
    consoleArn = (
      await world.admin.createAnalyzer({
        accountId: ACCOUNT,
        region: "us-east-1",
        analyzerName: CONSOLE,
      })
    ).arn;
    await world.admin.addFinding(ACCOUNT, "us-east-1", CONSOLE, {
      id: "planted-public-bucket",
      resourceType: "AWS::S3::Bucket",
      resource: "arn:aws:s3:::shop-open-data",
      isPublic: true,
      principal: { AWS: "*" },
      action: ["s3:GetObject"],
    });
  });

  after(async () => {
    await world?.close();
  });

  const findings = (...args: string[]) =>
    world.runFleet(["findings", "--fleet", fleetFile, ...args]);

  it("brownfield: audit non-compliant, up --adopt keeps the console analyzer and its finding, audit clean", async () => {
    const before = await world.runFleet(["audit", "--fleet", fleetFile]);
    assert.equal(before.code, 2, before.stderr.slice(-3000));
    // --verbose: the engine's lines too must show no create was tried.
    const up = await world.runFleet(["up", "--adopt", "--verbose", "--fleet", fleetFile]);
    assert.equal(up.code, 0, up.stderr.slice(-3000));
    assert.doesNotMatch(up.stderr, /ServiceQuotaExceeded/);
    const [east] = await world.admin.listAnalyzers(ACCOUNT, "us-east-1");
    assert.equal(east.arn, consoleArn, "the console analyzer is kept, not replaced");
    assert.deepEqual(
      east.findings.map((f) => [f.id, f.status]),
      [["planted-public-bucket", "ACTIVE"]],
    );
    const after = await world.runFleet(["audit", "--fleet", fleetFile]);
    assert.equal(after.code, 0, after.stderr.slice(-3000));
  });

  it("prints the planted public bucket in the table, with its principal", async () => {
    const run = await findings();
    assert.equal(run.code, 0, run.stderr.slice(-3000));
    const row = run.stdout.split("\n").find((l) => l.includes("arn:aws:s3:::shop-open-data"));
    assert.ok(row, run.stdout);
    assert.match(row, /us-east-1/);
    assert.match(row, /public/);
    assert.match(row, /AWS: \*/);
  });

  it("writes it in the JSON report with the account's coverage", async () => {
    const out = path.join(world.tmp, "findings.json");
    const run = await findings("--format", "json", "--output", out, "--public");
    assert.equal(run.code, 0, run.stderr.slice(-3000));
    const report = JSON.parse(fs.readFileSync(out, "utf8")) as FindingsReport;
    const [account] = report.accounts;
    assert.deepEqual(
      account.findings.map((f) => [f.id, f.region, f.exposure, f.principal]),
      [["planted-public-bucket", "us-east-1", "public", { AWS: "*" }]],
    );
    assert.equal(account.coverage?.counts.covered, 16);
    assert.equal(account.coverage?.counts.excluded, 1);
  });

  it("writes SARIF that the official 2.1.0 schema accepts, with the finding as an error", async () => {
    const out = path.join(world.tmp, "findings.sarif");
    const run = await findings("--format", "sarif", "--output", out);
    assert.equal(run.code, 0, run.stderr.slice(-3000));
    const sarif = JSON.parse(fs.readFileSync(out, "utf8")) as {
      runs: { results: { level: string; partialFingerprints: Record<string, string> }[] }[];
    };
    const schema = JSON.parse(
      fs.readFileSync(path.join(__dirname, "../fixtures/sarif-schema-2.1.0.json"), "utf8"),
    ) as object;
    const ajv = new Ajv({ allErrors: true, strict: false });
    addFormats(ajv);
    const validate = ajv.compile(schema);
    assert.ok(validate(sarif), JSON.stringify(validate.errors, null, 2));
    assert.equal(sarif.runs[0].results.length, 1);
    assert.equal(sarif.runs[0].results[0].level, "error");
    assert.match(JSON.stringify(sarif.runs[0].results[0]), /planted-public-bucket/);
  });

  it("writes an HTML page that renders in Chromium without a single request leaving the file", async function () {
    assert.ok(fs.existsSync(CHROMIUM), `${CHROMIUM} is missing: apt-get install -y chromium`);
    const out = path.join(world.tmp, "findings.html");
    const run = await findings("--format", "html", "--output", out);
    assert.equal(run.code, 0, run.stderr.slice(-3000));

    const browser = await chromium.launch({
      executablePath: CHROMIUM,
      args: ["--no-sandbox", "--disable-gpu"],
    });
    try {
      const page = await browser.newPage({ viewport: { width: 1400, height: 900 } });
      const requests: string[] = [];
      await page.route("**/*", async (route) => {
        const url = route.request().url();
        requests.push(url);
        if (url === `file://${out}`) await route.continue();
        else await route.abort();
      });
      const scripts: string[] = [];
      page.on("console", (m) => scripts.push(m.text()));
      await page.goto(`file://${out}`, { waitUntil: "load" });
      const shot = path.join(world.tmp, "findings.png");
      await page.screenshot({ path: shot, fullPage: true });
      if (process.env.E2E_SCREENSHOT_DIR) {
        fs.copyFileSync(shot, path.join(process.env.E2E_SCREENSHOT_DIR, "findings.png"));
      }
      assert.ok(fs.statSync(shot).size > 10_000, "a screenshot with something on it");

      assert.deepEqual(requests, [`file://${out}`], "the page fetched nothing but itself");
      assert.match(await page.locator("h1").innerText(), /IAM Access Analyzer findings/);

      // The coverage matrix: one row for the account; 16 covered cells and the excluded region.
      const row = page.locator("table.matrix tbody tr");
      assert.equal(await row.count(), 1);
      assert.match(await row.locator("th, td").first().innerText(), /shop/);
      assert.equal(await row.locator("td.v.covered").count(), 16);
      assert.equal(await row.locator("td.v.excluded").count(), 1);
      const header = await page.locator("table.matrix thead th").allInnerTexts();
      const excludedCell = row.locator("th, td").nth(header.indexOf(EXCLUDED));
      assert.match((await excludedCell.getAttribute("class")) ?? "", /excluded/);

      // The finding's row in the fleet-wide table, first, visible, with what to do about it.
      const finding = page.locator("#findings tbody tr", {
        hasText: "arn:aws:s3:::shop-open-data",
      });
      assert.equal(await finding.count(), 1);
      assert.ok(await finding.isVisible());
      const cells = await finding.locator("td").allInnerTexts();
      assert.equal(cells[0], "1", cells.join(" | "));
      assert.match(cells[1], /^public/, cells.join(" | "));
      assert.equal(cells[3], "us-east-1", cells.join(" | "));
      assert.match(cells[5], /to AWS: \*\nactions s3:GetObject/, cells.join(" | "));
      assert.match(
        cells[7],
        /console[\s\S]*archive[\s\S]*id planted-public-bucket/,
        cells.join(" | "),
      );
      assert.match(
        (await finding.locator("a").getAttribute("href")) ?? "",
        /^https:\/\/us-east-1\.console\.aws\.amazon\.com\/access-analyzer\/home\?region=us-east-1#\/findings\/details\/planted-public-bucket$/,
      );
      // The page's one script ran under its CSP (it says what it shows), and nothing complained.
      assert.match(await page.locator("#shown").innerText(), /^Showing 1 of 1 matching finding/);
      assert.deepEqual(scripts, [], "no CSP violation, no script error, nothing logged");
    } finally {
      await browser.close();
    }
  });

  // Archive rules reach old findings: AWS applies a new rule only to findings that arrive after it;
  // `up` applies the rules it created or changed (ApplyArchiveRule) and reports how many it archived.
  describe("archive rules that reach the findings already there", () => {
    const queue = (id: string) => ({
      id,
      resourceType: "AWS::SQS::Queue",
      resource: `arn:aws:sqs:us-east-1:${ACCOUNT}:${id}`,
      isPublic: false,
      principal: { AWS: "arn:aws:iam::999988887777:root" },
      action: ["sqs:SendMessage"],
    });
    const statuses = async (): Promise<Record<string, string>> => {
      const [analyzer] = await world.admin.listAnalyzers(ACCOUNT, "us-east-1");
      return Object.fromEntries(analyzer.findings.map((f) => [f.id, f.status]));
    };
    const withRules = (rules: string) =>
      world.writeFleetFile(
        "fleet-rules.yaml",
        `backend: file://./state
secretsProvider: passphrase
defaults:
  roleName: AccessAnalyzerDeployer
  excludeRegions: [${EXCLUDED}]
accounts:
  - id: "${ACCOUNT}"
    name: shop
    archiveRules:
${rules}`,
      );
    const QUEUES =
      "      - { name: partner-queues, filters: [{ criteria: resourceType, eqs: [AWS::SQS::Queue] }] }\n";
    const KEYS =
      "      - { name: partner-keys, filters: [{ criteria: resourceType, eqs: [AWS::KMS::Key] }] }\n";

    it("up archives the existing findings a new rule matches, leaves the rest ACTIVE, and reports the count", async () => {
      await world.admin.addFinding(ACCOUNT, "us-east-1", CONSOLE, queue("orders-queue"));
      await world.admin.addFinding(ACCOUNT, "us-east-1", CONSOLE, queue("billing-queue"));
      await world.admin.clearCalls();
      const up = await world.runFleet(["up", "--fleet", withRules(QUEUES)]);
      assert.equal(up.code, 0, up.stderr.slice(-3000));
      assert.deepEqual(await statuses(), {
        "planted-public-bucket": "ACTIVE",
        "orders-queue": "ARCHIVED",
        "billing-queue": "ARCHIVED",
      });
      const [result] = up.report!.results;
      // The rule is on each of the 16 regional analyzers; only us-east-1's held matching findings.
      assert.equal(result.archiveRulesApplied?.length, 16);
      assert.deepEqual(
        result.archiveRulesApplied?.find((a) => a.region === "us-east-1"),
        { region: "us-east-1", analyzer: CONSOLE, rule: "partner-queues", archived: 2 },
      );
      assert.equal(result.archivedFindings, 2);
      assert.equal(up.report!.totals.archivedFindings, 2);
      assert.match(up.stdout, /archive rules archived 2 existing finding\(s\)/);
      // Made by the deployer role the fleet file names, one call per regional analyzer.
      const applies = await world.admin.calls({ operation: "ApplyArchiveRule" });
      assert.equal(applies.length, 16);
      assert.ok(
        applies.every(
          (c) => c.httpStatus === 200 && /AccessAnalyzerDeployer/.test(c.principalArn ?? ""),
        ),
      );
    });

    it("a second up with no rule change applies nothing", async () => {
      await world.admin.clearCalls();
      const up = await world.runFleet(["up", "--fleet", withRules(QUEUES)]);
      assert.equal(up.code, 0, up.stderr.slice(-3000));
      assert.equal(up.report!.results[0].archiveRulesApplied, undefined);
      assert.deepEqual(await world.admin.calls({ operation: "ApplyArchiveRule" }), []);
    });

    it("--no-apply-archive-rules leaves the existing findings ACTIVE and says how to apply the rule by hand", async () => {
      await world.admin.addFinding(ACCOUNT, "us-east-1", CONSOLE, {
        id: "partner-key",
        resourceType: "AWS::KMS::Key",
        resource: `arn:aws:kms:us-east-1:${ACCOUNT}:key/1234`,
        isPublic: false,
        principal: { AWS: "arn:aws:iam::999988887777:root" },
        action: ["kms:Decrypt"],
      });
      await world.admin.clearCalls();
      const up = await world.runFleet([
        "up",
        "--no-apply-archive-rules",
        "--fleet",
        withRules(QUEUES + KEYS),
      ]);
      assert.equal(up.code, 0, up.stderr.slice(-3000));
      assert.deepEqual(await world.admin.calls({ operation: "ApplyArchiveRule" }), []);
      assert.equal((await statuses())["partner-key"], "ACTIVE");
      const notes = up.report!.results[0].notes ?? [];
      const east = notes.find((n) => n.region === "us-east-1");
      assert.equal(east?.status, "archive-rule-not-applied");
      assert.match(
        east?.detail ?? "",
        /--no-apply-archive-rules.*aws accessanalyzer apply-archive-rule --region us-east-1 .*--rule-name partner-keys$/,
      );
    });
  });
});
