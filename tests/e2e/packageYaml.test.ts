// The access-analyzer package from a Pulumi YAML program, on the real engine: the YAML language host
// (pulumi-yaml v1.25.0) declares access-analyzer:index:AllRegionsAccessAnalyzer, the engine starts
// our component provider, which builds the TypeScript component against fake-aws through the
// stand-in aws plugin. Every assertion on what exists reads the fake's state.

import * as assert from "node:assert/strict";
import * as path from "node:path";

import { World } from "./harness";
import { PackageProject, filesHolding } from "./packageHarness";

const ACCOUNT = "240000000001";
const BAD_ACCOUNT = "240000000002";
const EXTERNAL_ID = "PLANTED-YAML-EXTERNAL-ID-91c2";
const TYPE = "access-analyzer:index:AllRegionsAccessAnalyzer";

/** A YAML program declaring the component with these properties (YAML flow style). */
function program(account: string, properties: string): Record<string, string> {
  return {
    "Main.yaml": `config:
  regions:
    type: array
    items:
      type: string
  owner:
    type: string
resources:
  analyzer:
    type: ${TYPE}
    properties:
      regions: \${regions}
      tags:
        owner: \${owner}
      providerArgs:
        assumeRoles:
          - roleArn: ${World.roleArn(account)}
            sessionName: package-yaml
            externalId: ${EXTERNAL_ID}
${properties}
outputs:
  regions: \${analyzer.regions}
  analyzerArns: \${analyzer.analyzerArns}
`,
  };
}

describe("the access-analyzer package from a Pulumi YAML program", function () {
  let world: World;
  let project: PackageProject;
  let firstArns: Record<string, string>;

  before(async () => {
    world = await World.start({
      label: "package-yaml",
      accounts: [
        { id: ACCOUNT, externalId: EXTERNAL_ID },
        { id: BAD_ACCOUNT, externalId: EXTERNAL_ID },
      ],
    });
    project = await PackageProject.create(
      world,
      "yaml",
      "  name: yaml",
      program(ACCOUNT, "      analyzerName: from-yaml"),
    );
    await project.config("regions", '["us-east-1","eu-west-1"]');
    await project.config("owner", "security");
  });

  after(async () => {
    await world?.close();
  });

  it("creates the analyzer in each listed region, with the YAML's name and tags", async () => {
    await project.up();

    firstArns = await world.analyzersInFake(ACCOUNT);
    assert.deepEqual(Object.keys(firstArns), ["eu-west-1", "us-east-1"]);
    for (const a of await world.admin.listAnalyzers(ACCOUNT)) {
      assert.equal(a.name, "from-yaml");
      assert.equal(a.type, "ACCOUNT");
      assert.deepEqual(a.tags, { owner: "security" });
    }
    const outputs = await project.outputs();
    assert.deepEqual(outputs.regions, ["eu-west-1", "us-east-1"]);
    assert.deepEqual(outputs.analyzerArns, firstArns, "the outputs are the fake's analyzers");
    // The same children as from TypeScript: a component, a lookup provider, then per region.
    const types = (await project.resources()).map((r) => r.type).sort();
    assert.deepEqual(types, [
      TYPE,
      "aws:accessanalyzer/analyzer:Analyzer",
      "aws:accessanalyzer/analyzer:Analyzer",
      "pulumi:providers:access-analyzer",
      "pulumi:providers:aws",
      "pulumi:providers:aws",
      "pulumi:providers:aws",
      "pulumi:pulumi:Stack",
    ]);
  });

  it("changes nothing when run again", async () => {
    await world.admin.clearCalls();

    await project.up("--expect-no-changes");

    assert.deepEqual(await world.analyzersInFake(ACCOUNT), firstArns);
    const writes = (await world.admin.calls({ service: "access-analyzer" })).filter((c) =>
      /^(Create|Delete|Update|Tag|Untag)/.test(c.operation),
    );
    assert.deepEqual(writes, [], "no write call reached AWS");
  });

  it("on an argument change, adds the new region and retags, leaving the others in place", async () => {
    await project.config("regions", '["us-east-1","eu-west-1","ap-south-1"]');
    await project.config("owner", "platform");

    await project.up();

    const arns = await world.analyzersInFake(ACCOUNT);
    const { "ap-south-1": added, ...others } = arns;
    assert.equal(added, `arn:aws:access-analyzer:ap-south-1:${ACCOUNT}:analyzer/from-yaml`);
    assert.deepEqual(others, firstArns, "the other analyzers are the same ones");
    for (const a of await world.admin.listAnalyzers(ACCOUNT)) {
      assert.deepEqual(a.tags, { owner: "platform" }, a.region);
    }
  });

  it("keeps the external id it was given in the YAML out of the state", () => {
    // The role requires it, so the runs above prove it reached the provider.
    const state = path.join(world.tmp, "state");
    assert.ok(filesHolding(state, ACCOUNT).length > 0, "the file backend holds the stack");
    assert.deepEqual(filesHolding(state, EXTERNAL_ID), [], "state files holding the external id");
  });

  it("destroys every analyzer it made", async () => {
    await project.ok(["destroy", "--yes", "--skip-preview"]);

    assert.deepEqual(await world.analyzersInFake(ACCOUNT), {});
  });

  it("rejects bad arguments with the TypeScript component's own message, creating nothing", async () => {
    const bad = await PackageProject.create(
      world,
      "yaml-bad",
      "  name: yaml",
      program(
        BAD_ACCOUNT,
        "      analyzerName: 1bad\n      unusedAccess:\n        region: mars-1\n        unusedAccessAge: 400",
      ),
    );
    await bad.config("regions", '["us-east-1","us-east-1"]');
    await bad.config("owner", "security");

    const result = await bad.pulumi(["up", "--yes", "--skip-preview"]);

    assert.notEqual(result.code, 0);
    const out = result.stdout + result.stderr;
    assert.match(out, /AllRegionsAccessAnalyzer "analyzer" has invalid arguments/);
    assert.match(out, /regions\[1\]: "us-east-1" is listed twice; list each region once/);
    assert.match(out, /analyzerName: "1bad" is not allowed: start with a letter/);
    assert.match(out, /unusedAccess.region: "mars-1" is not a region code/);
    assert.match(out, /unusedAccess.unusedAccessAge: 400 is out of range; use a whole number/);
    assert.deepEqual(await world.analyzersInFake(BAD_ACCOUNT), {});
    const calls = await world.admin.calls({ accountId: BAD_ACCOUNT });
    assert.deepEqual(calls, [], "nothing reached the account");
  });
});
