// A consumer program that installs the BUILT package (npm pack) runs under the real engine: the
// component creates its providers and analyzers, and the consumer attaches its own ArchiveRule to
// the component's eu-west-1 provider.

import * as assert from "node:assert/strict";
import { execFile } from "node:child_process";
import * as fs from "node:fs";
import * as path from "node:path";

import { LocalWorkspace, type Stack } from "@pulumi/pulumi/automation";

import { changes, ROOT, World } from "./harness";

const ACCOUNT = "240000000001";
const PACKAGE = (
  JSON.parse(fs.readFileSync(path.join(ROOT, "package.json"), "utf8")) as { name: string }
).name;

const CONSUMER = `
const aws = require("@pulumi/aws");
const { AllRegionsAccessAnalyzer } = require("${PACKAGE}");

const security = new AllRegionsAccessAnalyzer("security", {
  regions: ["eu-west-1", "us-east-1"],
  providerArgs: {
    assumeRoles: [{ roleArn: "${World.roleArn(ACCOUNT)}", sessionName: "consumer" }],
    allowedAccountIds: ["${ACCOUNT}"],
  },
  tags: { owner: "consumer" },
});

// The consumer's own resource, on the component's eu-west-1 provider.
const rule = Promise.all([security.providerFor("eu-west-1"), security.analyzers]).then(
  ([provider, analyzers]) =>
    new aws.accessanalyzer.ArchiveRule(
      "consumer-private",
      {
        analyzerName: analyzers["eu-west-1"].analyzerName,
        ruleName: "consumer-private",
        filters: [{ criteria: "isPublic", eqs: ["false"] }],
      },
      { provider },
    ),
);

exports.analyzerArns = security.analyzerArns;
exports.ruleId = rule.then((r) => r.id);
`;

const PROJECT = `name: consumer
runtime: nodejs
main: index.js
config:
  pulumi:disable-default-providers:
    value: [aws]
`;

function run(cmd: string, args: string[], cwd: string): Promise<string> {
  return new Promise((resolve, reject) => {
    execFile(cmd, args, { cwd, encoding: "utf8", maxBuffer: 64 * 1024 * 1024 }, (err, out, e) =>
      err ? reject(new Error(`${cmd} ${args.join(" ")}: ${err.message}\n${e}`)) : resolve(out),
    );
  });
}

describe("a consumer program embedding the built package under the real engine", function () {
  let world: World;
  let stack: Stack;

  before(async () => {
    world = await World.start({ label: "embedding", accounts: [{ id: ACCOUNT }] });
    // Packing builds the package with tsc first (the prepack script).
    const tarball = (await run("npm", ["pack", "--silent", "--pack-destination", world.tmp], ROOT))
      .trim()
      .split("\n")
      .pop()!;
    const consumer = path.join(world.tmp, "consumer");
    const installed = path.join(consumer, "node_modules", PACKAGE);
    fs.mkdirSync(installed, { recursive: true });
    await run(
      "tar",
      ["-xzf", path.join(world.tmp, tarball), "-C", installed, "--strip-components=1"],
      ROOT,
    );
    // The peer dependencies, as the consumer's own install would provide them.
    fs.symlinkSync(
      path.join(ROOT, "node_modules", "@pulumi"),
      path.join(consumer, "node_modules", "@pulumi"),
    );
    fs.writeFileSync(path.join(consumer, "package.json"), `{"name":"consumer","private":true}`);
    fs.writeFileSync(path.join(consumer, "Pulumi.yaml"), PROJECT);
    fs.writeFileSync(path.join(consumer, "index.js"), CONSUMER);
    stack = await LocalWorkspace.createOrSelectStack(
      { stackName: "dev", workDir: consumer },
      { envVars: world.env, pulumiCommand: world.command },
    );
  });

  after(async () => {
    await world?.close();
  });

  it("creates the component's analyzers and the consumer's archive rule on the eu-west-1 provider", async () => {
    const result = await stack.up({ onOutput: () => undefined });

    // stack, component, lookup provider, 2 providers, 2 analyzers, the consumer's rule
    assert.deepEqual(changes(result.summary.resourceChanges), { create: 8 });
    const arns = await world.analyzersInFake(ACCOUNT);
    assert.deepEqual(Object.keys(arns), ["eu-west-1", "us-east-1"]);
    assert.deepEqual(result.outputs.analyzerArns?.value, arns);
    assert.equal(result.outputs.ruleId?.value, "external-access/consumer-private");

    const [eu] = await world.admin.listAnalyzers(ACCOUNT, "eu-west-1");
    const [us] = await world.admin.listAnalyzers(ACCOUNT, "us-east-1");
    assert.deepEqual(
      eu.archiveRules.map((r) => r.ruleName),
      ["consumer-private"],
      "the rule is in eu-west-1",
    );
    assert.deepEqual(us.archiveRules, [], "and only there");

    const state = (await stack.exportStack()).deployment as {
      resources: { type: string; urn: string; id?: string; provider?: string }[];
    };
    const rule = state.resources.find(
      (r) => r.type === "aws:accessanalyzer/archiveRule:ArchiveRule",
    );
    assert.match(rule?.provider ?? "", /::security-eu-west-1::/, "on the component's provider");

    await stack.destroy({ onOutput: () => undefined });
    assert.deepEqual(await world.analyzersInFake(ACCOUNT), {});
  });
});
