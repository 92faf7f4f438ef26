// A consumer program that installs the BUILT package (npm pack) runs under the real engine: the
// component creates its providers and analyzers, and the consumer attaches its own ArchiveRule to
// the component's eu-west-1 provider.

import * as assert from "node:assert/strict";

import { LocalWorkspace, type Stack } from "@pulumi/pulumi/automation";

import { makePackedConsumer, PACKAGE_NAME } from "../helpers/packedConsumer";
import { changes, World } from "./harness";

const ACCOUNT = "240000000001";

const CONSUMER = `
const aws = require("@pulumi/aws");
const { AllRegionsAccessAnalyzer } = require("${PACKAGE_NAME}");

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

describe("a consumer program embedding the built package under the real engine", function () {
  let world: World;
  let stack: Stack;

  before(async () => {
    world = await World.start({ label: "embedding", accounts: [{ id: ACCOUNT }] });
    const consumer = makePackedConsumer(world.tmp, {
      "Pulumi.yaml": PROJECT,
      "index.js": CONSUMER,
    });
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
