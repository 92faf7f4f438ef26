// `findings` end to end: an account deployed by the real engine, a public bucket finding planted in
// the fake, then the real CLI in a child process writes the table, JSON, SARIF (validated against
// the official schema) and HTML; the HTML is opened in a real headless Chromium (the OS package,
// driven by playwright-core), screenshotted, and checked as rendered, with every request that would
// leave the file intercepted.

import * as assert from "node:assert/strict";
import * as fs from "node:fs";
import * as path from "node:path";

import Ajv from "ajv-draft-04";
import addFormats from "ajv-formats";
import { chromium } from "playwright-core";

import type { FindingsReport } from "../../fleet/findings/model";
import { World } from "./harness";

const ACCOUNT = "230000000001";
const EXCLUDED = "ap-south-1";
const CHROMIUM = process.env.CHROMIUM_PATH ?? "/usr/bin/chromium";

describe("findings across a deployed account, in every format, the HTML in a real browser", function () {
  let world: World;
  let fleetFile: string;

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
    const up = await world.runFleet(["up", "--fleet", fleetFile]);
    assert.equal(up.code, 0, up.stderr.slice(-3000));
    await world.admin.addFinding(ACCOUNT, "us-east-1", "external-access", {
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

      // The finding's row, grouped under the account, visible on the page.
      const finding = page.locator("section tr", { hasText: "arn:aws:s3:::shop-open-data" });
      assert.equal(await finding.count(), 1);
      assert.ok(await finding.isVisible());
      const cells = await finding.locator("td").allInnerTexts();
      assert.ok(cells.includes("us-east-1"), cells.join(" | "));
      assert.ok(cells.includes("public"), cells.join(" | "));
      assert.ok(cells.includes("AWS: *"), cells.join(" | "));
      assert.ok(cells.includes("planted-public-bucket"), cells.join(" | "));
      assert.deepEqual(scripts, [], "no script ran and nothing was logged");
    } finally {
      await browser.close();
    }
  });
});
