// The analyzer zones and the delegated administrator under the real Pulumi engine: the management
// account's registration stack, the delegated administrator's ORGANIZATION analyzers beside its
// ACCOUNT ones, a plain member refused by AWS, and the lossless migration from `type:
// ORGANIZATION` by `pulumi state rename` (docs/CONFIGURATION.md, "Migrating from type: ORGANIZATION"). Every
// assertion on what exists reads the fake's state through its admin API.

import * as assert from "node:assert/strict";
import { execFile } from "node:child_process";
import * as fs from "node:fs";
import * as path from "node:path";

import type { Stack } from "@pulumi/pulumi/automation";

import { localStackOpener, openStack } from "../../fleet/run/automation";
import { ENABLE_TRUSTED_ACCESS_COMMAND } from "../../components/delegatedAdministrator";
import { ACCESS_ANALYZER_PRINCIPAL } from "../../components/schema";
import type { AnalyzerView } from "../harness/fake-aws/state";
import { changes, pulumiBinDir, ROOT, World } from "./harness";

const MANAGEMENT = "310000000001";
const ADMIN = "310000000002";
const MEMBER = "310000000003";
/** Two regions keep the engine runs lean (one provider plugin each, plus the lookup). */
const REGIONS = ["eu-west-1", "us-east-1"];
const quiet = { onOutput: () => undefined, color: "never" as const };
const REGISTRATION_KEY = "access-analyzer:delegatedAdministrator";

/** `region type name` of each analyzer, sorted: what the assertions compare. */
function kinds(analyzers: readonly AnalyzerView[]): string[] {
  return analyzers.map((a) => `${a.region} ${a.type} ${a.name}`).sort();
}

/** Runs the built `pulumi` CLI (as a person would) in `cwd` with the World's environment. */
async function cli(world: World, cwd: string, args: readonly string[]): Promise<string> {
  const pulumi = path.join(await pulumiBinDir(), "pulumi");
  return new Promise((resolve, reject) => {
    execFile(
      pulumi,
      [...args, "--non-interactive", "--color", "never"],
      { cwd, env: world.env },
      (err, stdout, stderr) =>
        err ? reject(new Error(`pulumi ${args.join(" ")}: ${stderr}`)) : resolve(stdout),
    );
  });
}

/** Selects an existing stack of the program in `workDir` without touching its config. */
function selectStack(world: World, workDir: string, name: string): Promise<Stack> {
  const opener = localStackOpener(workDir, () =>
    Promise.resolve({ envVars: world.env, pulumiCommand: world.command }),
  );
  return openStack(opener, name, "select");
}

describe("analyzer zones and the delegated administrator under the real engine", function () {
  let world: World;

  before(async () => {
    world = await World.start({
      label: "zones",
      accounts: [
        // Only the shipped registration policy: the stack's every call must be allowed by it.
        { id: MANAGEMENT, policies: ["delegated-admin-registration.json"] },
        // The delegated administrator's organization analyzers need nothing beyond the defaults.
        { id: ADMIN },
        { id: MEMBER },
      ],
    });
    // An organization whose Access Analyzer trusted access is still off, nobody delegated.
    await world.admin.createOrganization({ managementAccountId: MANAGEMENT, trustedAccess: [] });
    await world.admin.setOrgRole(ADMIN, "member");
    await world.admin.setOrgRole(MEMBER, "member");
  });

  after(async () => {
    await world?.close();
  });

  describe("the management account's registration stack", () => {
    let stack: Stack;

    before(async () => {
      stack = await world.stack(MANAGEMENT);
    });

    it("with trusted access off, fails with the exact enable command and registers nothing", async () => {
      await stack.setConfig(REGISTRATION_KEY, { value: JSON.stringify({ accountId: ADMIN }) });

      const failure = await stack.up(quiet).then(
        () => assert.fail("up succeeded with trusted access off"),
        (e: unknown) => String(e),
      );

      assert.ok(failure.includes(ENABLE_TRUSTED_ACCESS_COMMAND), failure);
      assert.match(failure, /or set enableTrustedAccess: true/);
      const org = await world.admin.organization();
      assert.deepEqual(org?.trustedAccess, []);
      assert.deepEqual(org?.delegatedAdministrators, []);
      const writes = await world.admin.calls({ service: "organizations" });
      assert.deepEqual(
        writes.filter((c) => /^(Register|Enable)/.test(c.operation)),
        [],
        "no write reached Organizations",
      );
      assert.deepEqual(world.lockedStacks(), [], "the failed update released its lock");
    });

    it("with enableTrustedAccess, turns trusted access on and registers the administrator", async () => {
      await stack.setConfig(REGISTRATION_KEY, {
        value: JSON.stringify({ accountId: ADMIN, enableTrustedAccess: true }),
      });

      const result = await stack.up(quiet);

      const org = await world.admin.organization();
      assert.deepEqual(org?.trustedAccess, [ACCESS_ANALYZER_PRINCIPAL]);
      assert.deepEqual(org?.delegatedAdministrators, [
        { accountId: ADMIN, servicePrincipal: ACCESS_ANALYZER_PRINCIPAL },
      ]);
      // Made by the management account's assumed role, through the API.
      const registers = await world.admin.calls({ operation: "RegisterDelegatedAdministrator" });
      assert.equal(registers.length, 1);
      assert.equal(registers[0].accountId, MANAGEMENT);
      assert.match(registers[0].principalArn ?? "", /:assumed-role\/AccessAnalyzerDeployer\//);
      assert.equal(result.outputs.delegatedAdministratorAccountId?.value, ADMIN);
      assert.equal(result.outputs.analyzerArns, undefined, "a registration stack has no analyzers");
      for (const account of [MANAGEMENT, ADMIN, MEMBER]) {
        assert.deepEqual(await world.admin.listAnalyzers(account), [], `${account}: no analyzer`);
      }
    });

    it("changes nothing when run again", async () => {
      await world.admin.clearCalls();

      const result = await stack.up({ ...quiet, expectNoChanges: true });

      assert.deepEqual(Object.keys(changes(result.summary.resourceChanges)), ["same"]);
      const writes = (await world.admin.calls({ service: "organizations" })).filter((c) =>
        /^(Register|Deregister|Enable|Disable)/.test(c.operation),
      );
      assert.deepEqual(writes, [], "no write reached Organizations");
    });

    it("destroy keeps the registration and trusted access in AWS (retainOnDelete)", async () => {
      const result = await stack.destroy(quiet);

      assert.ok((changes(result.summary.resourceChanges).delete ?? 0) > 0, "left the stack");
      const org = await world.admin.organization();
      assert.deepEqual(org?.trustedAccess, [ACCESS_ANALYZER_PRINCIPAL]);
      assert.deepEqual(org?.delegatedAdministrators, [
        { accountId: ADMIN, servicePrincipal: ACCESS_ANALYZER_PRINCIPAL },
      ]);
      const writes = (await world.admin.calls({ service: "organizations" })).filter((c) =>
        /^(Deregister|Disable)/.test(c.operation),
      );
      assert.deepEqual(writes, [], "nothing deregistered or disabled");
    });
  });

  // After the registration above (mocha runs a describe's own tests before its nested ones).
  describe("the registered administrator and a plain member", () => {
    it("gives the delegated administrator ORGANIZATION analyzers beside its ACCOUNT ones", async () => {
      const stack = await world.stack(ADMIN, {
        regions: REGIONS,
        organization: { externalAccess: true, unusedAccess: { region: "us-east-1" } },
      });

      const result = await stack.up(quiet);

      const analyzers = await world.admin.listAnalyzers(ADMIN);
      assert.deepEqual(kinds(analyzers), [
        "eu-west-1 ACCOUNT external-access",
        "eu-west-1 ORGANIZATION organization-external-access",
        "us-east-1 ACCOUNT external-access",
        "us-east-1 ORGANIZATION organization-external-access",
        "us-east-1 ORGANIZATION_UNUSED_ACCESS organization-unused-access",
      ]);
      const arnOf = (region: string, type: string) =>
        analyzers.find((a) => a.region === region && a.type === type)?.arn;
      assert.deepEqual(result.outputs.organizationAnalyzerArns?.value, {
        "eu-west-1": arnOf("eu-west-1", "ORGANIZATION"),
        "us-east-1": arnOf("us-east-1", "ORGANIZATION"),
      });
      assert.deepEqual(result.outputs.analyzerArns?.value, {
        "eu-west-1": arnOf("eu-west-1", "ACCOUNT"),
        "us-east-1": arnOf("us-east-1", "ACCOUNT"),
      });
      assert.equal(
        result.outputs.organizationUnusedAccessAnalyzerArn?.value,
        arnOf("us-east-1", "ORGANIZATION_UNUSED_ACCESS"),
      );
      assert.ok(analyzers.every((a) => a.status === "ACTIVE"));
    });

    it("refuses a plain member's organization analyzers with AWS's error, leaving nothing untracked", async () => {
      const stack = await world.stack(MEMBER, {
        regions: REGIONS,
        organization: { externalAccess: true },
      });

      const failure = await stack.up(quiet).then(
        () => assert.fail("a plain member created organization analyzers"),
        (e: unknown) => String(e),
      );

      assert.match(failure, /AccessDeniedException/);
      assert.match(failure, new RegExp(`Account ${MEMBER} is not a delegated administrator`));
      const inFake = await world.admin.listAnalyzers(MEMBER);
      assert.deepEqual(
        inFake.filter((a) => a.type !== "ACCOUNT"),
        [],
        "no organization analyzer",
      );
      // Whatever ACCOUNT analyzer the engine got to create is in the state: a rerun adopts nothing
      // by hand and creates no duplicate.
      const state = await stack.exportStack();
      const tracked = (state.deployment.resources as { type: string; outputs?: { arn?: string } }[])
        .filter((r) => r.type === "aws:accessanalyzer/analyzer:Analyzer")
        .map((r) => r.outputs?.arn)
        .sort();
      assert.deepEqual(tracked, inFake.map((a) => a.arn).sort());

      // Without the organization request the member's stack comes out whole.
      await world.configure(stack, MEMBER, { regions: REGIONS });
      await stack.up(quiet);
      assert.deepEqual(kinds(await world.admin.listAnalyzers(MEMBER)), [
        "eu-west-1 ACCOUNT external-access",
        "us-east-1 ACCOUNT external-access",
      ]);
    });
  });
});

describe("migrating a type: ORGANIZATION stack by state rename under the real engine", function () {
  const MGMT = "320000000001";
  const DELEGATED = "320000000002";
  const STACK = `acct-${DELEGATED}`;
  let world: World;
  let legacy: AnalyzerView[];

  before(async () => {
    world = await World.start({
      label: "zones-migration",
      accounts: [{ id: MGMT }, { id: DELEGATED }],
    });
    await world.admin.setOrgRole(MGMT, "management");
    await world.admin.setOrgRole(DELEGATED, "delegated-admin");

    // The old state, deployed by the legacy fixture with the stack config the fleet wrote then.
    const fixture = path.join(world.tmp, "legacy");
    fs.cpSync(path.join(ROOT, "tests", "e2e", "fixtures", "legacy-organization"), fixture, {
      recursive: true,
    });
    fs.symlinkSync(path.join(ROOT, "node_modules"), path.join(fixture, "node_modules"));
    const opener = localStackOpener(fixture, () =>
      Promise.resolve({ envVars: world.env, pulumiCommand: world.command }),
    );
    const old = await openStack(opener, STACK, "create-or-select");
    await world.configure(old, DELEGATED, { regions: REGIONS });
    await old.setConfig("access-analyzer:type", { value: "ORGANIZATION" });
    await old.up(quiet);
    legacy = await world.admin.listAnalyzers(DELEGATED);
    assert.deepEqual(kinds(legacy), [
      "eu-west-1 ORGANIZATION external-access",
      "us-east-1 ORGANIZATION external-access",
    ]);
    // A finding on an organization analyzer: what a delete-first replacement would lose.
    await world.admin.addFinding(DELEGATED, "eu-west-1", "external-access", {
      resourceType: "AWS::S3::Bucket",
      resource: "arn:aws:s3:::shared-bucket",
      isPublic: true,
    });
    // The stack's config file moves with the stack to the current program.
    fs.copyFileSync(
      path.join(fixture, `Pulumi.${STACK}.yaml`),
      path.join(world.workDir, `Pulumi.${STACK}.yaml`),
    );
  });

  after(async () => {
    await world?.close();
  });

  it("without the rename, a preview replaces each ORGANIZATION analyzer with an ACCOUNT one", async () => {
    await cli(world, world.workDir, ["config", "rm", "access-analyzer:type", "--stack", STACK]);
    const stack = await selectStack(world, world.workDir, STACK);

    const preview = await stack.preview(quiet);

    assert.equal(changes(preview.changeSummary).replace, REGIONS.length, preview.stdout);
    assert.equal(changes(preview.changeSummary).delete, undefined);
  });

  it("the documented rename path keeps every ORGANIZATION analyzer and adds the ACCOUNT ones", async () => {
    const stack = await selectStack(world, world.workDir, STACK);
    const state = await stack.exportStack();
    const urns = (state.deployment.resources as { urn: string; type: string }[])
      .filter((r) => r.type === "aws:accessanalyzer/analyzer:Analyzer")
      .map((r) => r.urn);
    assert.equal(urns.length, REGIONS.length);
    for (const region of REGIONS) {
      const urn = urns.find((u) => u.endsWith(`::access-analyzer-${region}`));
      assert.ok(urn, `the state has access-analyzer-${region}`);
      await cli(world, world.workDir, [
        "state",
        "rename",
        urn,
        `access-analyzer-org-${region}`,
        "--stack",
        STACK,
        "--yes",
      ]);
    }
    const set = (key: string, value: string) =>
      cli(world, world.workDir, [
        "config",
        "set",
        `access-analyzer:${key}`,
        value,
        "--stack",
        STACK,
      ]);
    await set("organization", '{"externalAccess":{"analyzerName":"external-access"}}');
    await set("analyzerName", "account-external-access");

    const preview = await stack.preview(quiet);
    const result = await stack.up(quiet);

    for (const summary of [preview.changeSummary, result.summary.resourceChanges]) {
      const counts = changes(summary);
      assert.equal(counts.create, REGIONS.length, "only the ACCOUNT analyzers are created");
      for (const op of ["delete", "replace", "create-replacement", "delete-replaced"]) {
        assert.equal(counts[op], undefined, `no ${op}: ${JSON.stringify(counts)}`);
      }
    }
    const after = await world.admin.listAnalyzers(DELEGATED);
    assert.deepEqual(kinds(after), [
      "eu-west-1 ACCOUNT account-external-access",
      "eu-west-1 ORGANIZATION external-access",
      "us-east-1 ACCOUNT account-external-access",
      "us-east-1 ORGANIZATION external-access",
    ]);
    const org = after.filter((a) => a.type === "ORGANIZATION");
    assert.deepEqual(
      org.map((a) => `${a.arn} ${a.createdAt}`).sort(),
      legacy.map((a) => `${a.arn} ${a.createdAt}`).sort(),
      "the same ORGANIZATION analyzers, never re-created",
    );
    assert.equal(org.find((a) => a.region === "eu-west-1")?.findings.length, 1, "finding kept");
    assert.deepEqual(
      result.outputs.organizationAnalyzerArns?.value,
      Object.fromEntries(org.map((a) => [a.region, a.arn])),
    );
    const deletes = await world.admin.calls({ operation: "DeleteAnalyzer" });
    assert.deepEqual(deletes, [], "no analyzer was ever deleted");
  });
});
