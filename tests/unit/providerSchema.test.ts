// The `access-analyzer` component provider (provider/): its checked-in schema is the one inferred
// from the components' TypeScript types, lists exactly their arguments and outputs, and `construct`
// builds the real component (same children, same argument errors) and returns what the schema
// promises. The engine-level runs are in tests/e2e/packageYaml.test.ts and packagePython.test.ts.

import * as assert from "node:assert/strict";
import * as fs from "node:fs";

import * as pulumi from "@pulumi/pulumi";

import type * as componentModule from "../../components";
import { componentArgsObject } from "../../components/schema";
import type * as providerModule from "../../provider/provider";
import { RecordingMocks, installMocks, promiseOf, settled } from "./helpers/mocks";

const AA = "access-analyzer:index:AllRegionsAccessAnalyzer";
const DA = "access-analyzer:index:AccessAnalyzerDelegatedAdministrator";

interface Schema {
  name: string;
  version: string;
  resources: Record<string, { inputProperties: Record<string, unknown>; properties: object }>;
}

describe("the access-analyzer component provider", () => {
  let mocks: RecordingMocks;
  let lib: typeof componentModule;
  let provider: typeof providerModule;
  let schema: Schema;

  before(async () => {
    mocks = await installMocks();
    lib = await import("../../components");
    provider = await import("../../provider/provider");
    schema = JSON.parse(fs.readFileSync(provider.SCHEMA_FILE, "utf8")) as Schema;
  });

  beforeEach(() => mocks.reset());

  it("has a checked-in schema.json equal to the one inferred from the components' types", async function () {
    // The inference compiles the components against @pulumi/aws' declarations: about 20 s.
    this.timeout(180_000);
    const inferred = provider.formatSchema(await provider.inferSchema());
    const checkedIn = fs.readFileSync(provider.SCHEMA_FILE, "utf8");
    if (inferred !== checkedIn) {
      const a = inferred.split("\n");
      const b = checkedIn.split("\n");
      const line = a.findIndex((l, i) => l !== b[i]);
      assert.fail(
        `provider/schema.json is out of date with the components' types (first difference at line ` +
          `${line + 1}: inferred ${JSON.stringify(a[line])}, checked in ${JSON.stringify(b[line])}). ` +
          `Run npm run provider-schema and review the diff.`,
      );
    }
  });

  it("serves both components under their TypeScript type tokens, at the npm package's version", () => {
    assert.equal(schema.name, "access-analyzer");
    assert.deepEqual(Object.keys(schema.resources).sort(), [
      lib.DELEGATED_ADMINISTRATOR_TYPE,
      lib.COMPONENT_TYPE,
    ]);
    assert.equal(schema.version, provider.packageVersion());
    assert.equal(new provider.AccessAnalyzerProvider().version, provider.packageVersion());
  });

  it("documents each argument from its TSDoc, defaults and links included", () => {
    const regions = schema.resources[AA].inputProperties.regions as { description: string };
    assert.equal(
      regions.description,
      "The regions to cover. Each must be enabled in the account.\n\n" +
        "Default: every region the account has enabled, discovered with `aws.getRegions`",
    );
    const mode = schema.resources[AA].inputProperties.providerMode as { description: string };
    assert.match(mode.description, /see `ProviderMode`\nfor the memory trade-off/);
    assert.ok(!fs.readFileSync(provider.SCHEMA_FILE, "utf8").includes("[object Object]"));
  });

  it("takes every argument TypeScript takes but the removed type, and no other", () => {
    const fields = Object.keys(componentArgsObject.shape).filter((f) => f !== "type");
    assert.deepEqual(Object.keys(schema.resources[AA].inputProperties).sort(), fields.sort());
  });

  it("builds the real component: its children, and every output the schema lists", async () => {
    mocks.reset(["eu-west-1", "us-east-1"]);
    const result = await new provider.AccessAnalyzerProvider().construct(
      "remote",
      AA,
      { analyzerName: "from-yaml", tags: { owner: "security" } },
      {},
    );
    const state = await resolved(result.state);
    await settled();
    assert.deepEqual(
      Object.keys(state).sort(),
      Object.keys(schema.resources[AA].properties).sort(),
    );
    assert.deepEqual(state.regions, ["eu-west-1", "us-east-1"]);
    assert.deepEqual(Object.keys(state.analyzerArns as object), ["eu-west-1", "us-east-1"]);
    assert.deepEqual(
      mocks
        .ofType("aws:accessanalyzer/analyzer:Analyzer")
        .map((a) => `${a.name} ${a.inputs.analyzerName} ${a.inputs.tags?.owner}`)
        .sort(),
      ["remote-eu-west-1 from-yaml security", "remote-us-east-1 from-yaml security"],
    );
    assert.match(await promiseOf(pulumi.output(result.urn)), new RegExp(`::${AA}::remote$`));
  });

  it("fails on bad arguments with the component's own message, before registering anything", async () => {
    await assert.rejects(
      new provider.AccessAnalyzerProvider().construct(
        "remote",
        AA,
        { analyzerName: "1bad", regions: "us-east-1" },
        {},
      ),
      (e: Error) => {
        assert.match(e.message, /AllRegionsAccessAnalyzer "remote" has invalid arguments/);
        assert.match(e.message, /regions: must be a list of region codes/);
        assert.match(e.message, /analyzerName: "1bad" is not allowed: start with a letter/);
        return true;
      },
    );
    await settled();
    assert.deepEqual(mocks.registrations, []);
  });

  it("refuses a type it does not serve, naming the ones it does", async () => {
    await assert.rejects(
      new provider.AccessAnalyzerProvider().construct("x", "access-analyzer:index:Nope", {}, {}),
      new RegExp(
        `access-analyzer has no component access-analyzer:index:Nope; it serves ${AA}, ${DA}`,
      ),
    );
  });
});

/** The state a construct returns, every Output awaited. */
async function resolved(state: pulumi.Inputs): Promise<Record<string, unknown>> {
  const out: Record<string, unknown> = {};
  for (const [key, value] of Object.entries(state)) {
    out[key] = await promiseOf(pulumi.output(value));
  }
  return out;
}
