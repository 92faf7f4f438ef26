// An organization fleet in AWS GovCloud (US) on the real engine (issue 17, "Partitions"): every
// account, role and credential lives in `aws-us-gov`, whose credentials mean nothing in us-east-1.
// The bot reads Organizations in us-gov-west-1, the registration stack and every account's stack
// look up and assume roles there, and the roles carry the shipped policies as shipped (their
// `arn:*:` resources), so tests/e2e/zz-policy-coverage.test.ts counts what they were used for.

import * as assert from "node:assert/strict";

import { World } from "./harness";

const MGMT = "270000000001";
const ADMIN = "270000000002";
const MEMBER = "270000000003";
const CLOSED = "270000000004";
const REGIONS = ["us-gov-east-1", "us-gov-west-1"];

const FLEET_FILE = `# e2e: an organization in the GovCloud partition
backend: file://./state
secretsProvider: passphrase
defaults:
  roleName: AccessAnalyzerDeployer
  partition: aws-us-gov
  lookupRegion: us-gov-west-1
organization:
  roleArn: ${World.roleArn(MGMT, "aws-us-gov")}
  delegatedAdministrator:
    accountId: "${ADMIN}"
    enableTrustedAccess: true
`;

describe("an organization fleet in the GovCloud partition under the real engine", function () {
  let world: World;
  let fleetFile: string;

  before(async () => {
    world = await World.start({
      label: "govcloud",
      partition: "aws-us-gov",
      accounts: [
        {
          id: MGMT,
          name: "management",
          orgRole: "management",
          policies: [
            "deployer.json",
            "audit.json",
            "organizations-read.json",
            "delegated-admin-registration.json",
          ],
        },
        { id: ADMIN, name: "security", orgRole: "member", ou: "Security" },
        { id: MEMBER, name: "workload", orgRole: "member", ou: "Workloads" },
        { id: CLOSED, name: "closed", orgRole: "member", ou: "Workloads", status: "CLOSED" },
      ],
      organization: { trustedAccess: [] },
    });
    fleetFile = world.writeFleetFile("fleet.yaml", FLEET_FILE);
  });

  after(async () => {
    await world?.close();
  });

  const fleet = (...args: string[]) =>
    world.runFleet([...args, "--fleet", fleetFile, "--concurrency", "4"]);

  it("deploys every ACTIVE account in both GovCloud regions, ARNs of aws-us-gov, the administrator registered", async () => {
    const run = await fleet("up");
    assert.equal(run.code, 0, run.stderr.slice(-3000));
    assert.deepEqual(
      run.report!.results.map((r) => [r.stack, r.outcome]),
      [
        ["org-delegated-admin", "succeeded"],
        [`acct-${ADMIN}`, "succeeded"],
        [`acct-${MGMT}`, "succeeded"],
        [`acct-${MEMBER}`, "succeeded"],
      ],
    );
    for (const id of [MGMT, MEMBER]) {
      const analyzers = await world.admin.listAnalyzers(id);
      assert.deepEqual(analyzers.map((a) => `${a.type} ${a.region}`).sort(), [
        "ACCOUNT us-gov-east-1",
        "ACCOUNT us-gov-west-1",
      ]);
      for (const a of analyzers) assert.match(a.arn, /^arn:aws-us-gov:access-analyzer:us-gov-/);
    }
    assert.deepEqual(
      (await world.admin.listAnalyzers(ADMIN)).map((a) => `${a.type} ${a.region}`).sort(),
      [...REGIONS.map((r) => `ACCOUNT ${r}`), ...REGIONS.map((r) => `ORGANIZATION ${r}`)].sort(),
    );
    assert.deepEqual(await world.admin.listAnalyzers(CLOSED), [], "a CLOSED account is left out");
    const org = await world.admin.organization();
    assert.deepEqual(org?.delegatedAdministrators, [
      { accountId: ADMIN, servicePrincipal: "access-analyzer.amazonaws.com" },
    ]);
    // Organizations was only ever called in the partition's Organizations region.
    const calls = await world.admin.calls({ service: "organizations" });
    assert.ok(calls.length > 0);
    assert.deepEqual([...new Set(calls.map((c) => c.region))], ["us-gov-west-1"]);
  });

  it("audits clean, and says Security Hub does not offer IAM.28 in GovCloud", async () => {
    const run = await fleet("audit");
    assert.equal(run.code, 0, `${run.stdout}\n${run.stderr.slice(-3000)}`);
    const report = run.report!;
    for (const r of report.results) {
      assert.equal(r.outcome, "succeeded", r.accountId);
      assert.deepEqual(
        r.audit!.regions.map((g) => [g.region, g.verdict, g.iam28?.verdict, g.iam28?.offered]),
        REGIONS.map((region) => [region, "covered", "passed", false]),
      );
    }
    assert.match(
      run.stderr,
      /Security Hub does not offer IAM\.28 .* in us-gov-east-1, us-gov-west-1: there this audit is the only check/,
    );
  });
});
