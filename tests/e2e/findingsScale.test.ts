// The findings HTML at fleet size, in a real browser (issue 18, "Done when"): a report of 500
// accounts × 17 regions holding 10,000 findings (public, cross-account and unused, spread over the
// accounts, the public ones planted in accounts far down the list) is rendered by the real
// formatter and opened in headless Chromium (the OS package, driven by playwright-core) under the
// page's own Content-Security-Policy. It measures the load time, checks that the first screen
// shows the public findings first, filters by account and by access kind, and screenshots the first
// screen into tests/e2e/output/findings-scale/ (or $E2E_OUTPUT_DIR).
//
// The report is built in-process rather than read from the fake: reading 8,500 regions through the
// fake would measure the fake, and this test is about what the page does with that much.

import * as assert from "node:assert/strict";
import * as fs from "node:fs";
import * as path from "node:path";

import { chromium } from "playwright-core";

import {
  type AccountFindings,
  type Finding,
  findingsTotals,
  finishReport,
} from "../../fleet/domain/findings";
import { accountAudit } from "../../fleet/domain/verdicts";
import { PAGE_ROWS, renderFindingsHtml } from "../../fleet/report/findings/html";

const CHROMIUM = process.env.CHROMIUM_PATH ?? "/usr/bin/chromium";
const OUTPUT = process.env.E2E_OUTPUT_DIR ?? path.join(__dirname, "output", "findings-scale");
const REGIONS = [
  "ap-northeast-1",
  "ap-northeast-2",
  "ap-northeast-3",
  "ap-south-1",
  "ap-southeast-1",
  "ap-southeast-2",
  "ca-central-1",
  "eu-central-1",
  "eu-north-1",
  "eu-west-1",
  "eu-west-2",
  "eu-west-3",
  "sa-east-1",
  "us-east-1",
  "us-east-2",
  "us-west-1",
  "us-west-2",
];
const ACCOUNTS = 500;
const FINDINGS = 10_000;
const PUBLIC = 25;
/** Generous for 2 shared cores; the measured time is printed. */
const LOAD_BUDGET_MS = 15_000;

const idOf = (i: number) => String(300000000000 + i);

function fleetReport() {
  const perAccount: Finding[][] = Array.from({ length: ACCOUNTS }, () => []);
  for (let n = 0; n < FINDINGS; n++) {
    const a = (n * 7919) % ACCOUNTS;
    const accountId = idOf(a);
    const region = REGIONS[n % REGIONS.length];
    // The public findings sit in accounts late in the list: only the ranking brings them up.
    const exposure = n < PUBLIC ? "public" : n % 4 === 0 ? "cross-account" : "unused";
    const unused = exposure === "unused";
    perAccount[a].push({
      accountId,
      accountName: `acct-${a}`,
      ouPath: `Root/Workloads/${a % 2 === 0 ? "Prod" : "Dev"}`,
      region,
      analyzer: {
        name: unused ? "unused" : "external",
        arn: `arn:aws:access-analyzer:${region}:${accountId}:analyzer/${unused ? "unused" : "external"}`,
        type: unused ? "ACCOUNT_UNUSED_ACCESS" : "ACCOUNT",
      },
      id: `f-${String(n).padStart(5, "0")}`,
      findingType: unused ? "UnusedIAMRole" : "ExternalAccess",
      resourceType: unused ? "AWS::IAM::Role" : "AWS::S3::Bucket",
      resource: unused ? `arn:aws:iam::${accountId}:role/role-${n}` : `arn:aws:s3:::bucket-${n}`,
      resourceOwnerAccount: accountId,
      exposure,
      ...(unused
        ? { unused: n % 3 === 0 ? {} : { lastAccessed: "2025-01-01T00:00:00.000Z" } }
        : {
            principal: { AWS: exposure === "public" ? "*" : "arn:aws:iam::999988887777:root" },
            action: ["s3:GetObject", "s3:ListBucket"],
          }),
      status: "ACTIVE",
      updatedAt: new Date(Date.UTC(2025, 5, 1) + n * 60_000).toISOString(),
    });
  }
  const audit = (accountId: string) =>
    accountAudit(
      REGIONS,
      {},
      Object.fromEntries(
        REGIONS.map((r) => [
          r,
          {
            analyzers: [
              {
                name: "external",
                arn: `arn:aws:access-analyzer:${r}:${accountId}:analyzer/external`,
                type: "ACCOUNT",
                status: "ACTIVE",
              },
            ],
            findings: {},
          },
        ]),
      ),
    );
  const accounts: AccountFindings[] = perAccount.map((findings, a) => ({
    accountId: idOf(a),
    name: `acct-${a}`,
    ouPath: `Root/Workloads/${a % 2 === 0 ? "Prod" : "Dev"}`,
    outcome: "succeeded",
    coverage: audit(idOf(a)),
    regionErrors: [],
    findings,
    durationMs: 1,
  }));
  return finishReport({
    schemaVersion: 1,
    kind: "access-analyzer-fleet/findings",
    fleetFile: "fleet.yaml",
    generatedAt: "2025-06-15T12:00:00.000Z",
    filter: { status: "ACTIVE", publicOnly: false },
    totals: findingsTotals(accounts),
    accounts,
  });
}

describe("the findings HTML of 10,000 findings over 500 accounts × 17 regions, in Chromium", function () {
  it("loads, shows the public findings first, filters by account and by access kind, and fetches nothing", async () => {
    assert.ok(fs.existsSync(CHROMIUM), `${CHROMIUM} is missing: apt-get install -y chromium`);
    fs.mkdirSync(OUTPUT, { recursive: true });
    const started = Date.now();
    const report = fleetReport();
    assert.equal(report.totals.findings, FINDINGS);
    assert.equal(report.totals.public, PUBLIC);
    const html = renderFindingsHtml(report);
    const renderMs = Date.now() - started;
    const file = path.join(OUTPUT, "findings.html");
    fs.writeFileSync(file, html);

    const browser = await chromium.launch({
      executablePath: CHROMIUM,
      args: ["--no-sandbox", "--disable-gpu"],
    });
    try {
      const page = await browser.newPage({ viewport: { width: 1440, height: 900 } });
      const requests: string[] = [];
      await page.route("**/*", async (route) => {
        const url = route.request().url();
        requests.push(url);
        if (url === `file://${file}`) await route.continue();
        else await route.abort();
      });
      const problems: string[] = [];
      page.on("console", (m) => {
        if (m.type() === "error" || m.type() === "warning") problems.push(m.text());
      });
      page.on("pageerror", (e) => problems.push(e.message));

      const t0 = Date.now();
      await page.goto(`file://${file}`, { waitUntil: "load" });
      // The script has run when it says what it shows (the page alone says "The N most urgent").
      // A locator wait, not waitForFunction: a string predicate is eval'd in the page, which its
      // Content-Security-Policy (no 'unsafe-eval') refuses whenever the first check is false.
      await page.locator("#shown", { hasText: /^Showing / }).waitFor();
      const loadMs = Date.now() - t0;
      await page.screenshot({ path: path.join(OUTPUT, "first-screen.png") });
      const sizeMb = (Buffer.byteLength(html) / 1024 / 1024).toFixed(1);
      console.log(
        `      findings.html: ${sizeMb} MB, rendered in ${renderMs} ms, loaded in Chromium in ${loadMs} ms; screenshot ${path.join(OUTPUT, "first-screen.png")}`,
      );
      assert.ok(loadMs < LOAD_BUDGET_MS, `loaded in ${loadMs} ms`);
      assert.deepEqual(problems, [], "no CSP violation, no script error");
      assert.deepEqual(requests, [`file://${file}`], "the page fetched nothing but itself");

      const rows = page.locator("#findings tbody tr");
      const kinds = () => rows.locator("span.k").allInnerTexts();
      assert.equal(await rows.count(), PAGE_ROWS);
      assert.equal(
        await page.locator("#shown").innerText(),
        `Showing ${PAGE_ROWS} of ${FINDINGS} matching finding(s), of ${FINDINGS} in this report.`,
      );
      // The first screen: every public finding, above everything else.
      const first = await kinds();
      assert.deepEqual(first.slice(0, PUBLIC), Array<string>(PUBLIC).fill("public"));
      assert.equal(first[PUBLIC], "cross-account");
      assert.ok(await rows.nth(0).isVisible(), "the most urgent finding is on the first screen");
      const top = (await rows.nth(0).boundingBox())?.y ?? Infinity;
      assert.ok(top < 900, `the first row starts at y=${top}, inside the first screen`);

      // Filter by account: only its findings, all of them.
      const account = idOf(123);
      const inAccount = report.accounts.find((a) => a.accountId === account)!.findings.length;
      await page.selectOption("#f-account", account);
      assert.equal(await rows.count(), Math.min(inAccount, PAGE_ROWS));
      const accounts = await rows.locator("td:nth-child(3)").allInnerTexts();
      assert.ok(
        accounts.every((t) => t.includes(account)),
        accounts.join(" | "),
      );
      assert.match(
        await page.locator("#shown").innerText(),
        new RegExp(`of ${inAccount} matching`),
      );

      // Filter by access kind: unused only (across the fleet again).
      await page.selectOption("#f-account", "");
      await page.uncheck('input[name=kind][value="public"]');
      await page.uncheck('input[name=kind][value="cross-account"]');
      assert.deepEqual([...new Set(await kinds())], ["unused"]);
      assert.match(
        await page.locator("#shown").innerText(),
        new RegExp(`of ${report.totals.unused} matching`),
      );
      // Sorting by a column, then back by rank; "show more" adds a page.
      await page.click('th[data-sort="region"] button');
      assert.equal((await rows.locator("td:nth-child(4)").allInnerTexts())[0], REGIONS[0]);
      await page.click("#more");
      assert.equal(await rows.count(), 2 * PAGE_ROWS);
      await page.click('button[type="reset"]');
      await rows.nth(PAGE_ROWS).waitFor({ state: "detached" });
      assert.equal(await rows.count(), PAGE_ROWS);
    } finally {
      await browser.close();
    }
  });
});
