// The access-analyzer package from a Python program, through the Python SDK that
// `pulumi package gen-sdk` generates (scripts/build-sdks.sh), on the real engine with Pulumi's
// Python language host (v3.68.0) and the pulumi Python SDK of tools/python/requirements.txt.
// The external id travels as a secret config value, an Output nested in providerArgs.

import * as assert from "node:assert/strict";
import { execFileSync } from "node:child_process";
import * as fs from "node:fs";
import * as path from "node:path";

import { World } from "./harness";
import { PackageProject, filesHolding, scriptOutput } from "./packageHarness";

const ACCOUNT = "250000000001";
const BAD_ACCOUNT = "250000000002";
const EXTERNAL_ID = "PLANTED-PYTHON-EXTERNAL-ID-5e0b";

const PROGRAM = `import pulumi
import pulumi_access_analyzer_all_regions as aa

config = pulumi.Config()
analyzer = aa.AllRegionsAccessAnalyzer(
    "analyzer",
    regions=config.require_object("regions"),
    analyzer_name=config.require("analyzerName"),
    tags={"owner": config.require("owner")},
    provider_args=aa.RegionalProviderArgsArgs(
        assume_roles=[
            aa.ProviderAssumeRoleArgs(
                role_arn=config.require("roleArn"),
                session_name="package-python",
                external_id=config.require_secret("externalId"),
            )
        ],
    ),
    archive_rules=[
        aa.ArchiveRuleArgsArgs(
            name="internal-only",
            filters=[aa.ArchiveRuleFilterArgsArgs(criteria="isPublic", eqs=["false"])],
        )
    ],
    unused_access=config.get_object("unusedAccess"),
)
pulumi.export("regions", analyzer.regions)
pulumi.export("analyzerArns", analyzer.analyzer_arns)
`;

describe("the access-analyzer package from a Python program", function () {
  let world: World;
  let project: PackageProject;
  let site: string;
  let firstArns: Record<string, string>;

  /** A Python project of the program, its stack configured for `account`. */
  async function pythonProject(name: string, account: string): Promise<PackageProject> {
    const venv = await scriptOutput("ensure-python.sh");
    const hosts = await scriptOutput("ensure-language-hosts.sh");
    // The v3.68.0 host reads the virtualenv option only from a command-line flag, which this
    // engine no longer passes (docs/ENGINE.md): the venv is activated through PATH instead.
    const p = await PackageProject.create(
      world,
      name,
      `  name: python\n  options:\n    virtualenv: ${venv}`,
      { "__main__.py": PROGRAM },
      {
        PATH: `${path.join(venv, "bin")}:${hosts}:${world.env.PATH}`,
        VIRTUAL_ENV: venv,
        PYTHONPATH: site,
      },
    );
    await p.config("roleArn", World.roleArn(account));
    await p.config("externalId", EXTERNAL_ID, true);
    await p.config("owner", "security");
    await p.config("analyzerName", "from-python");
    return p;
  }

  before(async () => {
    world = await World.start({
      label: "package-python",
      accounts: [
        { id: ACCOUNT, externalId: EXTERNAL_ID },
        { id: BAD_ACCOUNT, externalId: EXTERNAL_ID },
      ],
    });
    // The generated SDK, installed as a user would (a wheel, here into a folder on PYTHONPATH).
    const sdk = await scriptOutput("build-sdks.sh");
    const venv = await scriptOutput("ensure-python.sh");
    site = path.join(world.tmp, "site");
    // pip builds in the source folder (egg-info, build/): a copy keeps the shared cache clean.
    const source = path.join(world.tmp, "sdk-python");
    fs.cpSync(path.join(sdk, "python"), source, { recursive: true });
    execFileSync(
      path.join(venv, "bin", "python"),
      ["-m", "pip", "install", "--quiet", "--no-deps", "--no-build-isolation"].concat([
        "--disable-pip-version-check",
        "--target",
        site,
        source,
      ]),
      { stdio: ["ignore", "ignore", "inherit"] },
    );
    project = await pythonProject("python", ACCOUNT);
    await project.config("regions", '["us-east-1","eu-west-1"]');
  });

  after(async () => {
    await world?.close();
  });

  it("creates the analyzer and its archive rule in each listed region", async () => {
    await project.up();

    firstArns = await world.analyzersInFake(ACCOUNT);
    assert.deepEqual(Object.keys(firstArns), ["eu-west-1", "us-east-1"]);
    for (const a of await world.admin.listAnalyzers(ACCOUNT)) {
      assert.equal(a.name, "from-python");
      assert.deepEqual(a.tags, { owner: "security" });
    }
    const outputs = await project.outputs();
    assert.deepEqual(outputs.analyzerArns, firstArns);
    const rules = await world.admin.calls({ operation: "CreateArchiveRule" });
    assert.deepEqual(rules.map((c) => c.region).sort(), ["eu-west-1", "us-east-1"]);
  });

  it("changes nothing when run again", async () => {
    await world.admin.clearCalls();

    await project.up("--expect-no-changes");

    assert.deepEqual(await world.analyzersInFake(ACCOUNT), firstArns);
    const writes = (await world.admin.calls({ service: "access-analyzer" })).filter((c) =>
      /^(Create|Delete|Update|Tag|Untag)/.test(c.operation),
    );
    assert.deepEqual(writes, []);
  });

  it("on an argument change, adds the unused-access analyzer and drops a region, leaving the rest", async () => {
    await project.config("regions", '["us-east-1"]');
    await project.config("unusedAccess", '{"region":"us-east-1","unusedAccessAge":30}');

    await project.up();

    const analyzers = await world.admin.listAnalyzers(ACCOUNT);
    assert.deepEqual(analyzers.map((a) => `${a.region} ${a.name} ${a.type}`).sort(), [
      "us-east-1 from-python ACCOUNT",
      "us-east-1 unused-access ACCOUNT_UNUSED_ACCESS",
    ]);
    const external = analyzers.find((a) => a.type === "ACCOUNT");
    assert.equal(external?.arn, firstArns["us-east-1"], "the us-east-1 analyzer is the same one");
  });

  it("keeps the secret external id out of the state", () => {
    const state = path.join(world.tmp, "state");
    assert.ok(filesHolding(state, ACCOUNT).length > 0, "the file backend holds the stack");
    assert.deepEqual(filesHolding(state, EXTERNAL_ID), []);
    const stackConfig = fs.readFileSync(path.join(project.dir, "Pulumi.dev.yaml"), "utf8");
    assert.ok(!stackConfig.includes(EXTERNAL_ID), "the stack config holds it encrypted");
  });

  it("destroys every analyzer it made", async () => {
    await project.ok(["destroy", "--yes", "--skip-preview"]);

    assert.deepEqual(await world.analyzersInFake(ACCOUNT), {});
  });

  it("rejects bad arguments with the TypeScript component's own message, creating nothing", async () => {
    const bad = await pythonProject("python-bad", BAD_ACCOUNT);
    await bad.config("regions", '["us-east-1","eu-west-9x"]');
    await bad.config("analyzerName", "has space");
    await bad.config("unusedAccess", '{"region":"us-east-1","unusedAccessAge":0}');

    const result = await bad.pulumi(["up", "--yes", "--skip-preview"]);

    assert.notEqual(result.code, 0);
    const out = result.stdout + result.stderr;
    assert.match(out, /AllRegionsAccessAnalyzer "analyzer" has invalid arguments/);
    assert.match(out, /regions\[1\]: "eu-west-9x" is not a region code; use the form "us-east-1"/);
    assert.match(out, /analyzerName: "has space" is not allowed: start with a letter/);
    assert.match(out, /unusedAccess.unusedAccessAge: 0 is out of range/);
    assert.deepEqual(await world.analyzersInFake(BAD_ACCOUNT), {});
    assert.deepEqual(await world.admin.calls({ accountId: BAD_ACCOUNT }), []);
  });
});
