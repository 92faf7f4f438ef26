// A separate consumer program imports the package as npm would install it (packed with `npm pack`,
// so `files`, `main`, `types` and `exports` are what is tested), attaches its own resource to a
// regional provider, and runs under the mock runtime in a process of its own.

import * as assert from "node:assert/strict";
import { execFileSync } from "node:child_process";
import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";

import { makePackedConsumer, PACKAGE_NAME } from "../helpers/packedConsumer";

const ROOT = path.join(__dirname, "..", "..");

/** The consumer program, plain CommonJS: `require` of the package root must work. */
const CONSUMER_JS = `
const aws = require("@pulumi/aws");
const { AllRegionsAccessAnalyzer } = require("${PACKAGE_NAME}");
const security = new AllRegionsAccessAnalyzer("security", { regions: ["eu-west-1", "us-east-1"] });
exports.logGroup = security.providerFor("eu-west-1").then(
  (provider) => new aws.cloudwatch.LogGroup("findings", { retentionInDays: 30 }, { provider }).name,
);
exports.arns = security.analyzerArns;
`;

/** A TypeScript consumer: the declarations must resolve through the package's exports map. */
const CONSUMER_TS = `
import * as aws from "@pulumi/aws";
import { AllRegionsAccessAnalyzer, AllRegionsAccessAnalyzerArgs } from "${PACKAGE_NAME}";

const args: AllRegionsAccessAnalyzerArgs = { excludeRegions: ["ap-northeast-3"], organization: { externalAccess: false } };
const security = new AllRegionsAccessAnalyzer("security", args);
export const regions = security.regions;
export const bucket = security
  .providerFor("us-east-1")
  .then((provider: aws.Provider) => new aws.s3.Bucket("b", {}, { provider }).id);
`;

/** Runs the consumer under mocks and prints what it registered. */
const RUNNER_JS = `
const pulumi = require("@pulumi/pulumi");
const registered = [];
pulumi.runtime
  .setMocks(
    {
      newResource(args) {
        const id = args.name + "_id";
        registered.push({ type: args.type, name: args.name, id, inputs: args.inputs, provider: args.provider });
        return { id, state: { ...args.inputs, arn: "arn:aws:test:" + args.name } };
      },
      call(args) {
        if (args.token === "aws:index/getRegions:getRegions") return { id: "aws", names: ["eu-west-1", "us-east-1"] };
        throw new Error("Mock not implemented: " + args.token);
      },
    },
    "consumer",
    "dev",
  )
  .then(async () => {
    const program = require("./index.js");
    await program.logGroup;
    await require("@pulumi/pulumi/runtime/settings").waitForRPCs();
    process.stdout.write(JSON.stringify(registered));
  })
  .catch((err) => {
    console.error(err);
    process.exitCode = 1;
  });
`;

describe("embedding the built package in another program", function () {
  // Packing builds the package with tsc first (the prepack script).
  this.timeout(180_000);
  let consumer: string;

  before(() => {
    const scratch = fs.mkdtempSync(path.join(os.tmpdir(), "aa-embed-"));
    consumer = makePackedConsumer(scratch, {
      "index.js": CONSUMER_JS,
      "typed.ts": CONSUMER_TS,
      "run.js": RUNNER_JS,
    });
  });

  it("ships only the built library, with declarations", () => {
    const installed = path.join(consumer, "node_modules", PACKAGE_NAME);
    assert.ok(fs.existsSync(path.join(installed, "dist", "components", "index.js")));
    assert.ok(fs.existsSync(path.join(installed, "dist", "components", "index.d.ts")));
    assert.equal(fs.existsSync(path.join(installed, "tests")), false, "tests are not shipped");
    assert.equal(
      fs.existsSync(path.join(installed, "components")),
      false,
      "sources are not shipped",
    );
  });

  it("type-checks a TypeScript consumer against the shipped declarations", () => {
    const tsc = path.join(ROOT, "node_modules", "typescript", "bin", "tsc");
    for (const moduleResolution of ["node10", "node16"]) {
      execFileSync(
        process.execPath,
        [
          tsc,
          "--noEmit",
          "--strict",
          "--skipLibCheck",
          "--module",
          moduleResolution === "node16" ? "node16" : "commonjs",
          "--moduleResolution",
          moduleResolution,
          "typed.ts",
        ],
        { cwd: consumer, encoding: "utf8" },
      );
    }
  });

  it("lets the consumer attach its own resource to a regional provider", () => {
    const out = execFileSync(process.execPath, ["run.js"], { cwd: consumer, encoding: "utf8" });
    const registered = JSON.parse(out) as {
      type: string;
      name: string;
      id: string;
      provider?: string;
    }[];
    const logGroup = registered.find((r) => r.type === "aws:cloudwatch/logGroup:LogGroup");
    const euProvider = registered.find(
      (r) => r.type === "pulumi:providers:aws" && r.name === "security-eu-west-1",
    );
    assert.ok(logGroup && euProvider, JSON.stringify(registered.map((r) => r.name)));
    assert.ok(
      logGroup.provider?.endsWith(`::${euProvider.id}`),
      "the log group uses eu-west-1's provider",
    );
    assert.equal(
      registered.filter((r) => r.type === "aws:accessanalyzer/analyzer:Analyzer").length,
      2,
    );
  });
});
