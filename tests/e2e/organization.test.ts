// The fleet bot over an AWS organization on the real engine (issue 7, "Done when"): the accounts
// come from AWS Organizations at every run (no `accounts:` list), the delegated administrator is
// registered first and gets ORGANIZATION analyzers, a new account is picked up by the next `up`, an
// account that left is `orphaned` (kept, not destroyed), and `audit` is clean in both views.

import * as assert from "node:assert/strict";
import * as fs from "node:fs";

import type { StackResult } from "../../fleet/domain/results";
import { e2eAccountConfig, World, type FleetRun } from "./harness";

const MGMT = "230000000001";
const ADMIN = "230000000002";
const PROD = "230000000003";
const PROD_LEAVING = "230000000004";
const DEV = "230000000005";
const SUSPENDED = "230000000006";
const SANDBOX = "230000000007";
const NEW = "230000000008";
/** Two regions per account keep the run short; the fake enables all 17 default regions. */
const REGIONS = ["eu-west-1", "us-east-1"];

const FLEET_FILE = `# e2e: the whole organization, no accounts list
backend: file://./state
secretsProvider: passphrase
defaults:
  roleName: AccessAnalyzerDeployer
  regions: [${REGIONS.join(", ")}]
organization:
  roleArn: ${World.roleArn(MGMT)}
  exclude:
    ous: ["Root/Sandbox"]
  delegatedAdministrator:
    accountId: "${ADMIN}"
    enableTrustedAccess: true
`;

function resultOf(run: FleetRun, stack: string): StackResult {
  const result = run.report?.results.find((r) => r.stack === stack);
  assert.ok(result, `the report has stack ${stack}:\n${run.stderr.slice(-3000)}`);
  return result;
}

describe("the fleet over an AWS organization under the real engine", function () {
  let world: World;
  let fleetFile: string;
  let fleetText: string;

  before(async () => {
    world = await World.start({
      label: "organization",
      accounts: [
        {
          id: MGMT,
          name: "management",
          orgRole: "management",
          // Its role deploys its own analyzers, reads the organization for the bot, and registers
          // the delegated administrator: exactly the three shipped policies for those jobs.
          policies: [
            "deployer.json",
            "audit.json",
            "organizations-read.json",
            "delegated-admin-registration.json",
          ],
        },
        { id: ADMIN, name: "security", orgRole: "member", ou: "Security" },
        { id: PROD, name: "prod", orgRole: "member", ou: "Workloads/Prod" },
        { id: PROD_LEAVING, name: "prod-leaving", orgRole: "member", ou: "Workloads/Prod" },
        { id: DEV, name: "dev", orgRole: "member", ou: "Workloads/Dev" },
        {
          id: SUSPENDED,
          name: "suspended",
          orgRole: "member",
          ou: "Workloads/Dev",
          status: "SUSPENDED",
        },
        { id: SANDBOX, name: "sandbox", orgRole: "member", ou: "Sandbox" },
      ],
      // Trusted access starts off: the registration stack enables it (enableTrustedAccess: true).
      organization: { trustedAccess: [] },
    });
    fleetFile = world.writeFleetFile("fleet.yaml", FLEET_FILE);
    fleetText = fs.readFileSync(fleetFile, "utf8");
  });

  after(async () => {
    await world?.close();
  });

  const fleet = (...args: string[]) =>
    world.runFleet([...args, "--fleet", fleetFile, "--concurrency", "4"]);

  /** The account's analyzers in the fake, as `type region` sorted. */
  const analyzersOf = async (accountId: string) =>
    (await world.admin.listAnalyzers(accountId)).map((a) => `${a.type} ${a.region}`).sort();

  const accountOnly = REGIONS.map((r) => `ACCOUNT ${r}`);

  it("covers exactly the ACTIVE in-scope accounts, registering the delegated administrator first", async () => {
    const run = await fleet("up");
    assert.equal(run.code, 0, run.stderr.slice(-3000));
    const report = run.report!;

    assert.deepEqual(
      report.results.map((r) => [r.stack, r.phase ?? "members", r.outcome]),
      [
        ["org-delegated-admin", "registration", "succeeded"],
        [`acct-${ADMIN}`, "delegated-administrator", "succeeded"],
        [`acct-${MGMT}`, "members", "succeeded"],
        [`acct-${PROD}`, "members", "succeeded"],
        [`acct-${PROD_LEAVING}`, "members", "succeeded"],
        [`acct-${DEV}`, "members", "succeeded"],
      ],
    );
    // The fleet file names no account: each carries its name in Organizations, in the report and
    // on the progress lines.
    assert.deepEqual(
      report.results.map((r) => r.name),
      ["org-registration", "security", "management", "prod", "prod-leaving", "dev"],
    );
    assert.match(
      run.stderr,
      new RegExp(`^\\[prod ${PROD}\\] start up \\(stack acct-${PROD}\\)$`, "m"),
    );
    // The run ordered the phases: the registration ended before the administrator started, and
    // the administrator before any member.
    const end = (r: StackResult) => Date.parse(r.startedAt!) + r.durationMs;
    const start = (r: StackResult) => Date.parse(r.startedAt!);
    const registration = resultOf(run, "org-delegated-admin");
    const admin = resultOf(run, `acct-${ADMIN}`);
    assert.ok(end(registration) <= start(admin), "registration before the administrator");
    for (const id of [MGMT, PROD, PROD_LEAVING, DEV]) {
      assert.ok(end(admin) <= start(resultOf(run, `acct-${id}`)), `administrator before ${id}`);
      assert.deepEqual(await analyzersOf(id), accountOnly, `${id}: ACCOUNT analyzers only`);
      assert.deepEqual(resultOf(run, `acct-${id}`).regions, REGIONS);
    }
    for (const id of [SUSPENDED, SANDBOX]) {
      assert.deepEqual(await analyzersOf(id), [], `${id} is left out`);
    }

    const org = await world.admin.organization();
    assert.ok(org);
    assert.deepEqual(org.delegatedAdministrators, [
      { accountId: ADMIN, servicePrincipal: "access-analyzer.amazonaws.com" },
    ]);
    assert.ok(org.trustedAccess.includes("access-analyzer.amazonaws.com"), "trusted access on");

    // The delegated administrator: ORGANIZATION analyzers beside its ACCOUNT ones, every region.
    assert.deepEqual(
      await analyzersOf(ADMIN),
      [...accountOnly, ...REGIONS.map((r) => `ORGANIZATION ${r}`)].sort(),
    );
    for (const a of await world.admin.listAnalyzers(ADMIN)) {
      assert.equal(a.status, "ACTIVE", `${a.name} in ${a.region}`);
    }
  });

  it("covers an account created in the organization and reports one that left as orphaned, keeping its analyzers", async () => {
    await world.admin.createAccount({
      ...e2eAccountConfig({ id: NEW, name: "new-dev", orgRole: "member", ou: "Workloads/Dev" }),
    });
    await world.admin.removeAccount(PROD_LEAVING);
    const before = await world.admin.listAnalyzers(PROD_LEAVING);
    assert.equal(before.length, REGIONS.length);

    const run = await fleet("up");
    assert.equal(
      run.code,
      0,
      `an orphaned stack does not fail the run:\n${run.stderr.slice(-3000)}`,
    );
    assert.equal(fs.readFileSync(fleetFile, "utf8"), fleetText, "the fleet file is untouched");

    const added = resultOf(run, `acct-${NEW}`);
    assert.equal(added.outcome, "succeeded");
    assert.equal(added.changes.create > 0, true);
    assert.deepEqual(await analyzersOf(NEW), accountOnly);

    const orphan = resultOf(run, `acct-${PROD_LEAVING}`);
    assert.equal(orphan.outcome, "orphaned");
    assert.match(orphan.orphanedReason ?? "", /\S/);
    assert.deepEqual(orphan.changes, { create: 0, update: 0, replace: 0, delete: 0, same: 0 });
    assert.deepEqual(
      await world.admin.listAnalyzers(PROD_LEAVING),
      before,
      "the orphan's analyzers are not destroyed",
    );
    for (const id of [MGMT, PROD, DEV]) {
      assert.equal(resultOf(run, `acct-${id}`).outcome, "succeeded");
    }
  });

  it("audits clean in both views: IAM.28 and the delegated administrator's organization view", async () => {
    const run = await world.runFleet(["audit", "--fleet", fleetFile]);
    assert.equal(run.code, 0, `${run.stdout}\n${run.stderr.slice(-3000)}`);
    const report = run.report!;
    const audited = report.results.map((r) => r.accountId).sort();
    assert.deepEqual(audited, [MGMT, ADMIN, PROD, DEV, NEW].sort());
    for (const r of report.results) {
      assert.equal(r.outcome, "succeeded", r.accountId);
      const inScope = r.audit!.regions.filter((g) => g.verdict !== "excluded");
      assert.deepEqual(
        inScope.map((g) => [g.region, g.verdict, g.organizationView?.verdict]),
        REGIONS.map((region) => [region, "covered", "covered"]),
        r.accountId,
      );
      assert.equal(inScope[0].organizationView?.administratorAccountId, ADMIN);
    }
    assert.deepEqual(report.audit?.organizationView, {
      covered: 5 * REGIONS.length,
      pending: 0,
      missing: 0,
      notActive: 0,
      outsideOrganization: 0,
      error: 0,
    });
    assert.match(run.stdout, /ORG-VIEW/);
    assert.match(run.stdout, /organization view: 10 covered, 0 pending, 0 missing/);
  });
});
