// `npm run demo`: the whole flow on this machine, no AWS account needed. One of three accounts is
// brownfield (a console-made analyzer in one region, holding a public-bucket finding, none in the
// others): `audit` finds the gaps, `up --adopt` puts IAM Access Analyzer in every enabled region of
// the three and keeps the console analyzer, `audit` is clean, `findings` lists the finding as a
// table, JSON, SARIF and HTML. Then drift and its repair, and an organization-backed fleet file
// that picks up an account created in AWS Organizations with no edit to the file. AWS itself is a local fake; everything on our side of the wire is the real thing.
//
// Not shipped with the package. It reuses the end-to-end test harness (tests/e2e/harness.ts):
// the same temp copy of the program, the same fake accounts and roles, the same environment.

import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";

import { e2eAccountConfig, pulumiBinDir, World, type FleetRun } from "../tests/e2e/harness";

const PROD_EU = "111122223333";
const SANDBOX = "777788889999";
const NEW_TEAM = "555566667777";
/** One organization: prod-eu is its management account. */
const ACCOUNTS = [
  {
    id: PROD_EU,
    name: "prod-eu",
    optedInRegions: ["eu-south-1"],
    orgRole: "management" as const,
    // The organization fleet file reads the organization through this account's role.
    policies: ["deployer.json", "audit.json", "organizations-read.json"],
  },
  { id: "444455556666", name: "prod-us", orgRole: "member" as const, ou: "Workloads/Prod" },
  { id: SANDBOX, name: "sandbox", orgRole: "member" as const, ou: "Sandbox" },
];

const FLEET_FILE = `# The demo's fleet file: three accounts, each reached by assuming its AccessAnalyzerDeployer role
# from the bot's own (tooling account) credentials.
backend: file://./state
secretsProvider: passphrase
defaults:
  roleName: AccessAnalyzerDeployer
  tags: { Owner: security, ManagedBy: access-analyzer-fleet }
accounts:
${ACCOUNTS.map((a) => `  - { id: "${a.id}", name: ${a.name} }`).join("\n")}
`;

const ORG_FLEET_FILE = `# The same fleet, from AWS Organizations: no accounts list; the bot reads the organization's
# ACTIVE accounts at every run through a role in the management account.
backend: file://./state
secretsProvider: passphrase
defaults:
  roleName: AccessAnalyzerDeployer
  tags: { Owner: security, ManagedBy: access-analyzer-fleet }
organization:
  roleArn: ${World.roleArn(PROD_EU)}
`;

const say = (line = "") => process.stdout.write(`${line}\n`);
const step = (line: string) => say(`\n==> ${line}`);

/** Shows the bot's per-stack start/done lines, not every engine line (those go to the logs). */
function progress(line: string): void {
  if (/\] (start|done|FAILED) /.test(line) || /^[a-z]+: \d+ stack\(s\)/.test(line)) {
    say(`    ${line}`);
  }
}

function finished(run: FleetRun, what: string): void {
  say();
  say(run.stdout.trimEnd());
  say();
  say(`    ${what}: exit code ${run.code}`);
}

async function main(): Promise<void> {
  say("access-analyzer demo: IAM Access Analyzer in every enabled region of every account");
  say();
  say("Real here: the Pulumi CLI and engine (v3.274.1, built from Pulumi's Go modules), the");
  say("per-account program (index.ts), the AllRegionsAccessAnalyzer component, the Automation API");
  say(
    "fleet bot (fleet/cli.ts), and the AWS SDK v3 wire protocols (SigV4, STS, EC2, Access Analyzer).",
  );
  say("Standing in: AWS itself is fake-aws, a local server holding the accounts in memory; the");
  say(
    "pulumi-resource-aws plugin is a small stand-in that makes the same AWS calls through SDK v3.",
  );

  step("Making sure the Pulumi CLI is built (scripts/ensure-pulumi.sh)");
  say(
    "    The first run on a machine builds it from Go modules: about 8 minutes. Later runs: instant.",
  );
  const bin = await pulumiBinDir();
  say(`    pulumi and the Node.js language host: ${bin}`);

  step("Starting fake-aws with a tooling account and three member accounts");
  const world = await World.start({ label: "demo", accounts: ACCOUNTS });
  let closing = false;
  const stop = (signal: NodeJS.Signals) => {
    if (closing) return;
    closing = true;
    say(`\n${signal}: stopping the fake and any running bot`);
    void world.close().finally(() => process.exit(130));
  };
  process.once("SIGINT", stop);
  process.once("SIGTERM", stop);

  try {
    say(`    fake-aws: ${world.fake.url} (STS, EC2 DescribeRegions, Access Analyzer)`);
    for (const a of ACCOUNTS) {
      const regions = await world.enabledRegions(a.id);
      const optIn = a.optedInRegions?.length ? `, opted in to ${a.optedInRegions.join(", ")}` : "";
      say(`    ${a.name.padEnd(8)} ${a.id}: ${regions.length} enabled regions${optIn}`);
    }
    say(
      "    The bot's credentials are the tooling account's keys (never printed); every account is",
    );
    say("    reached by assuming arn:aws:iam::<id>:role/AccessAnalyzerDeployer, as in production.");
    say(`    Program copy, stack state and logs: ${world.tmp}`);

    const fleetFile = world.writeFleetFile("fleet.yaml", FLEET_FILE);
    step(`The fleet file (${fleetFile})`);
    say(FLEET_FILE.replace(/^/gm, "    ").trimEnd());

    const keep = fs.mkdtempSync(path.join(os.tmpdir(), "access-analyzer-demo-"));
    const fleet = (args: string[], report: string) =>
      world.runFleet([...args, "--fleet", fleetFile], {
        reportFile: path.join(keep, report),
        onStderrLine: progress,
      });

    step(
      "Brownfield: sandbox already has an analyzer someone made in the console, in ap-south-1 only",
    );
    const consoleMade = await world.admin.createAnalyzer({
      accountId: SANDBOX,
      region: "ap-south-1",
      analyzerName: "ConsoleAnalyzer",
    });
    await world.admin.addFinding(SANDBOX, "ap-south-1", "ConsoleAnalyzer", {
      resourceType: "AWS::S3::Bucket",
      resource: "arn:aws:s3:::sandbox-exports",
      isPublic: true,
      principal: { AWS: "*" },
      action: ["s3:GetObject"],
    });
    say(
      "    fake-aws: ConsoleAnalyzer reports the public bucket sandbox-exports as an ACTIVE finding.",
    );
    say(
      "    A second ACCOUNT analyzer there would fail on AWS's quota (one per account and region).",
    );

    step("npm run fleet -- audit   (reads every account straight from AWS, trusting no state)");
    const before = await fleet(["audit"], "report-audit-before.json");
    finished(before, "audit");
    if (before.code !== 2) {
      throw new Error(`audit should find the gaps:\n${before.stderr.slice(-4000)}`);
    }
    say("    Exit code 2: regions without an ACCOUNT analyzer (IAM.28 flags each one).");

    step(
      "npm run fleet -- up --adopt --concurrency 3   (one Pulumi stack per account; adopt the console's)",
    );
    const up = await fleet(["up", "--adopt", "--concurrency", "3"], "report-up.json");
    finished(up, "up --adopt");
    if (up.code !== 0) throw new Error(`the first up failed:\n${up.stderr.slice(-4000)}`);
    const kept = (await world.admin.listAnalyzers(SANDBOX, "ap-south-1")).map((a) => a.arn);
    if (kept.length !== 1 || kept[0] !== consoleMade.arn) {
      throw new Error(`the console analyzer was not kept: ${kept.join(", ")}`);
    }
    say(
      "    sandbox's ap-south-1: ConsoleAnalyzer imported into the stack (same ARN, findings kept),",
    );
    say("    no quota error. Without --adopt, up stops on it and says how to adopt it.");
    say(
      `    JSON report (outcomes, regions, analyzer ARNs, change counts, notes): ${keep}/report-up.json`,
    );

    step("What fake-aws now holds (read back through its admin API)");
    for (const a of ACCOUNTS) {
      const analyzers = await world.admin.listAnalyzers(a.id);
      const optIn = (a.optedInRegions ?? []).filter((r) => analyzers.some((x) => x.region === r));
      say(
        `    ${a.name.padEnd(8)} ${analyzers.length} analyzers named external-access` +
          (optIn.length ? ` (incl. opt-in ${optIn.join(", ")})` : ""),
      );
    }

    step("npm run fleet -- audit   (again: is every enabled region covered now?)");
    const clean = await fleet(["audit"], "report-audit-clean.json");
    finished(clean, "audit");
    if (clean.code !== 0) throw new Error(`audit is not clean:\n${clean.stderr.slice(-4000)}`);
    say("    Exit code 0: every enabled region of every account has an ACTIVE ACCOUNT analyzer.");

    step("npm run fleet -- findings   (the findings themselves: table, JSON, SARIF, HTML)");
    const table = await world.runFleet(["findings", "--fleet", fleetFile]);
    say();
    say(table.stdout.trimEnd());
    if (table.code !== 0 || !table.stdout.includes("arn:aws:s3:::sandbox-exports")) {
      throw new Error(`findings did not list the bucket:\n${table.stderr.slice(-4000)}`);
    }
    for (const [format, file] of [
      ["json", "findings.json"],
      ["sarif", "findings.sarif"],
      ["html", "findings.html"],
    ]) {
      const run = await world.runFleet([
        "findings",
        "--fleet",
        fleetFile,
        "--format",
        format,
        "--output",
        path.join(keep, file),
      ]);
      if (run.code !== 0)
        throw new Error(`findings --format ${format}:\n${run.stderr.slice(-4000)}`);
    }
    say(`    Also written: ${keep}/findings.json, findings.sarif (SARIF 2.1.0, for code scanning)`);
    say(
      "    and findings.html (one self-contained page: every finding, most urgent first, filters,",
    );
    say("    then the accounts and the coverage matrix). docs/FINDINGS.md: --since, suppressions.");

    step("npm run fleet -- drift   (refresh from AWS and diff: has anything drifted?)");
    const drift = await fleet(["drift", "--concurrency", "3"], "report-drift.json");
    finished(drift, "drift");
    if (drift.code !== 0) throw new Error(`drift found changes:\n${drift.stderr.slice(-4000)}`);
    say("    Exit code 0: no account drifted.");

    step("Meanwhile, outside Pulumi: sandbox's eu-north-1 analyzer is deleted by hand");
    await world.admin.deleteAnalyzer(SANDBOX, "eu-north-1", "external-access");

    step("npm run fleet -- audit   (reads every account straight from AWS, trusting no state)");
    const audit = await fleet(["audit"], "report-audit.json");
    finished(audit, "audit");
    if (audit.code !== 2)
      throw new Error(`audit should find the gap:\n${audit.stderr.slice(-4000)}`);
    say("    Exit code 2: sandbox's eu-north-1 is not covered any more.");

    step("npm run fleet -- up --refresh   (read AWS first, then recreate what is gone)");
    const repair = await fleet(["up", "--refresh", "--concurrency", "3"], "report-repair.json");
    finished(repair, "up --refresh");
    if (repair.code !== 0 || repair.report?.totals.create !== 1) {
      throw new Error(`up --refresh should recreate one analyzer:\n${repair.stderr.slice(-4000)}`);
    }
    say("    One analyzer recreated, in sandbox's eu-north-1; nothing else touched.");

    const orgFleetFile = world.writeFleetFile("fleet-org.yaml", ORG_FLEET_FILE);
    step(`Switching to an organization-backed fleet file (${orgFleetFile})`);
    say(ORG_FLEET_FILE.replace(/^/gm, "    ").trimEnd());
    say(
      "    The stacks keep their names (acct-<id>): the three accounts are found, not re-listed.",
    );

    step("Meanwhile, in AWS Organizations: a new account new-team joins Workloads/Dev");
    await world.admin.createAccount(
      e2eAccountConfig({ id: NEW_TEAM, name: "new-team", orgRole: "member", ou: "Workloads/Dev" }),
    );
    say(`    new-team ${NEW_TEAM}: nobody edits a fleet file.`);

    step("npm run fleet -- up --fleet fleet-org.yaml   (the organization is read at every run)");
    const orgUp = await world.runFleet(["up", "--concurrency", "4", "--fleet", orgFleetFile], {
      reportFile: path.join(keep, "report-org-up.json"),
      onStderrLine: progress,
    });
    finished(orgUp, "up");
    const added = orgUp.report?.results.find((r) => r.accountId === NEW_TEAM);
    if (orgUp.code !== 0 || added?.outcome !== "succeeded") {
      throw new Error(`the new account was not covered:\n${orgUp.stderr.slice(-4000)}`);
    }
    const others = (orgUp.report?.results ?? []).filter((r) => r.accountId !== NEW_TEAM);
    if (others.some((r) => r.changes.create + r.changes.delete + r.changes.replace > 0)) {
      throw new Error(`the known accounts changed:\n${orgUp.stderr.slice(-4000)}`);
    }
    say(
      `    new-team covered: ${added.regions.length} regions, ${(await world.admin.listAnalyzers(NEW_TEAM)).length} analyzers in fake-aws;` +
        " the other accounts unchanged.",
    );

    step("Done");
    say(`    Reports kept in ${keep}. Everything else (fake, state, program copy) is removed now.`);
    say(
      "    Next: docs/FLEET.md (run it on real accounts), docs/TESTING.md (the end-to-end tests).",
    );
  } finally {
    if (!closing) await world.close();
  }
}

main().catch((error: unknown) => {
  process.stderr.write(`demo failed: ${error instanceof Error ? error.message : String(error)}\n`);
  process.exitCode = 1;
});
