// A consumer program that installs the BUILT package (npm pack) runs under the real engine: the
// component creates its providers and analyzers, and the consumer attaches its own ArchiveRule to
// the component's eu-west-1 provider. A second consumer passes its own provider for another
// account than the ambient credentials reach: every analyzer lands there, or nothing is created.

import * as assert from "node:assert/strict";

import { LocalWorkspace, type Stack } from "@pulumi/pulumi/automation";

import { makePackedConsumer, PACKAGE_NAME } from "../helpers/packedConsumer";
import { changes, TOOLING_ACCOUNT, World } from "./harness";

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

const ACCOUNT_B = "240000000002";

const PASSING_CONSUMER = `
const pulumi = require("@pulumi/pulumi");
const aws = require("@pulumi/aws");
const { AllRegionsAccessAnalyzer } = require("${PACKAGE_NAME}");

// The consumer's own provider, for account B; the ambient credentials reach ${TOOLING_ACCOUNT}.
const mine = new aws.Provider("mine", {
  region: "us-east-1",
  assumeRoles: [{ roleArn: "${World.roleArn(ACCOUNT_B)}", sessionName: "consumer" }],
  allowedAccountIds: ["${ACCOUNT_B}"],
});
const providerMode = new pulumi.Config().get("providerMode");
const security = new AllRegionsAccessAnalyzer(
  "security",
  { regions: ["eu-west-1", "us-east-1"], ...(providerMode ? { providerMode } : {}) },
  { providers: [mine] },
);
exports.analyzerArns = security.analyzerArns;
`;

describe("a consumer program passing its own provider to the component", function () {
  let world: World;
  let consumer: string;

  before(async () => {
    world = await World.start({ label: "passed-provider", accounts: [{ id: ACCOUNT_B }] });
    consumer = makePackedConsumer(world.tmp, {
      "Pulumi.yaml": PROJECT,
      "index.js": PASSING_CONSUMER,
    });
  });

  after(async () => {
    await world?.close();
  });

  const open = (stackName: string) =>
    LocalWorkspace.createOrSelectStack(
      { stackName, workDir: consumer },
      { envVars: world.env, pulumiCommand: world.command },
    );

  it("puts every analyzer in the provider's account, none in the ambient one", async () => {
    const stack = await open("passed");
    const result = await stack.up({ onOutput: () => undefined });
    // stack, the consumer's provider, component, 2 analyzers: no provider of the component's own
    assert.deepEqual(changes(result.summary.resourceChanges), { create: 5 });
    const arns = await world.analyzersInFake(ACCOUNT_B);
    assert.deepEqual(Object.keys(arns), ["eu-west-1", "us-east-1"]);
    assert.deepEqual(result.outputs.analyzerArns?.value, arns);
    assert.deepEqual(
      await world.analyzersInFake(TOOLING_ACCOUNT),
      {},
      "nothing in the ambient one",
    );

    await stack.destroy({ onOutput: () => undefined });
    assert.deepEqual(await world.analyzersInFake(ACCOUNT_B), {});
  });

  it("refuses per-region mode with a provider passed in, creating nothing in either account", async () => {
    const stack = await open("per-region");
    await stack.setConfig("consumer:providerMode", { value: "per-region" });
    await assert.rejects(stack.up({ onOutput: () => undefined }), (err: Error) => {
      assert.match(
        err.message,
        /providerMode: "per-region" makes a provider per region from providerArgs, but the aws provider passed in/,
      );
      return true;
    });
    assert.deepEqual(await world.analyzersInFake(ACCOUNT_B), {});
    assert.deepEqual(await world.analyzersInFake(TOOLING_ACCOUNT), {});
  });
});
