// The stand-in pulumi-resource-aws plugin, started as the engine starts it and driven over gRPC,
// against fake-aws (the real AWS SDK on both ends of the wire).
import * as assert from "assert";

import { FakeAws, startFakeAws } from "../harness/fake-aws";
import {
  ANALYZER,
  ARCHIVE_RULE,
  PluginProcess,
  UNKNOWN,
  startPlugin,
} from "../harness/provider/client";
import { DEFAULT_REGIONS } from "../harness/fake-aws/regions";

const MGMT = "111111111111";
const WORKLOAD = "222222222222";
const ROLE = `arn:aws:iam::${WORKLOAD}:role/AccessAnalyzerDeployer`;

const ACCOUNTS = {
  accounts: [
    {
      id: MGMT,
      orgRole: "management" as const,
      accessKeys: [
        {
          accessKeyId: "AKIAFAKEMGMT00000001",
          secretAccessKey: "fake-secret-management-0000000000000000",
          userName: "fleet-bot",
        },
      ],
    },
    {
      id: WORKLOAD,
      orgRole: "member" as const,
      optedInRegions: ["me-south-1"],
      roles: [
        { name: "AccessAnalyzerDeployer", trustedAccountIds: [MGMT] },
        { name: "ExternalIdRole", trustedAccountIds: [MGMT], externalId: "s3cr3t-ext" },
      ],
      analyzers: [{ region: "us-east-1", name: "ConsoleAnalyzer-us-east-1", type: "ACCOUNT" }],
    },
  ],
};

/** A provider config as an explicit aws.Provider sends it (non-strings JSON-encoded). */
function providerConfig(extra: Record<string, unknown> = {}): Record<string, string> {
  const cfg: Record<string, unknown> = {
    region: "eu-west-1",
    assumeRoles: [{ roleArn: ROLE, sessionName: "provider-plugin-test" }],
    skipCredentialsValidation: false,
    skipRegionValidation: true,
    version: "7.48.0",
    ...extra,
  };
  const out: Record<string, string> = {};
  for (const [k, v] of Object.entries(cfg)) {
    if (v !== undefined) {
      out[k] = typeof v === "string" ? v : JSON.stringify(v);
    }
  }
  return out;
}

describe("stand-in pulumi-resource-aws plugin", function () {
  this.timeout(60000);
  let fake: FakeAws;
  const plugins: PluginProcess[] = [];

  const env = (): NodeJS.ProcessEnv => ({
    AWS_ENDPOINT_URL: fake.url,
    AWS_ACCESS_KEY_ID: "AKIAFAKEMGMT00000001",
    AWS_SECRET_ACCESS_KEY: "fake-secret-management-0000000000000000",
    AWS_SESSION_TOKEN: "",
    AWS_PROFILE: "",
    AWS_REGION: "",
    AWS_DEFAULT_REGION: "",
    AWS_EC2_METADATA_DISABLED: "true",
    AWS_CONFIG_FILE: "/dev/null",
    AWS_SHARED_CREDENTIALS_FILE: "/dev/null",
  });

  async function plugin(config?: Record<string, string>): Promise<PluginProcess> {
    const p = await startPlugin(env());
    plugins.push(p);
    if (config) {
      await p.configure(config);
    }
    return p;
  }

  before(async () => {
    fake = await startFakeAws({ config: ACCOUNTS });
  });

  after(async () => {
    await Promise.all(plugins.map((p) => p.stop()));
    await fake?.close();
  });

  it("starts like an engine plugin: only the port on stdout, version 7.48.0, handshake", async () => {
    const p = await plugin();
    assert.ok(p.port > 0);
    assert.strictEqual(await p.getPluginInfo(), "7.48.0");
    const hs = await p.handshake();
    assert.strictEqual(hs.getAcceptSecrets(), false);
    assert.strictEqual(hs.getAcceptResources(), false);
    assert.strictEqual((JSON.parse(await p.getSchema()) as { name: string }).name, "aws");
    // A provider config change never replaces the provider (or, through it, every analyzer).
    const moved = await p.diffConfig(providerConfig(), providerConfig({ region: "eu-west-2" }));
    assert.strictEqual(moved.changes, "some");
    assert.deepStrictEqual(moved.diffs, ["region"]);
    assert.deepStrictEqual(moved.replaces, []);
    const same = await p.diffConfig(providerConfig(), providerConfig());
    assert.strictEqual(same.changes, "none");
    await p.stop();
    assert.strictEqual(p.stdoutExtra(), "", "nothing but the port may go to stdout");
  });

  it("Configure with region + assumeRoles → getRegions returns that account's enabled regions", async () => {
    const p = await plugin(providerConfig());
    const all = await p.invoke("aws:index/getRegions:getRegions", {});
    assert.strictEqual(all.id, "aws");
    assert.deepStrictEqual(all.names, [...DEFAULT_REGIONS, "me-south-1"].sort());

    const optedIn = await p.invoke("aws:index/getRegions:getRegions", {
      allRegions: true,
      filters: [{ name: "opt-in-status", values: ["opted-in"] }],
    });
    assert.deepStrictEqual(optedIn.names, ["me-south-1"]);
    assert.strictEqual(optedIn.allRegions, true);

    const who = await p.invoke("aws:index/getCallerIdentity:getCallerIdentity", {});
    assert.strictEqual(who.accountId, WORKLOAD, "calls run as the assumed role's account");
    // The EC2 calls ran as the assumed role, signed for the provider's region.
    const calls = fake.state.calls.filter((c) => c.operation === "DescribeRegions");
    assert.ok(calls.length >= 2);
    for (const c of calls) {
      assert.strictEqual(c.region, "eu-west-1");
      assert.strictEqual(c.accountId, WORKLOAD);
    }
  });

  it("reads the legacy aws:config:* variables map when Configure has no args", async () => {
    const p = await plugin();
    await p.configure(providerConfig({ region: "us-west-2" }), { legacy: true });
    const who = await p.invoke("aws:index/getCallerIdentity:getCallerIdentity", {});
    assert.strictEqual(who.accountId, WORKLOAD);
    const region = await p.invoke("aws:index/getRegion:getRegion", {});
    assert.strictEqual(region.region, "us-west-2");
  });

  it("analyzer: Check, Create, Read, Diff, Update tags, Delete", async () => {
    const p = await plugin(
      providerConfig({ region: "eu-central-1", defaultTags: { tags: { owner: "security" } } }),
    );
    const name = "external-access";
    const checked = await p.check(ANALYZER, "a", { analyzerName: name, tags: { team: "sec" } });
    assert.deepStrictEqual(checked.failures, []);
    assert.strictEqual(checked.inputs.type, "ACCOUNT", "type defaults to ACCOUNT");

    const created = await p.create(ANALYZER, "a", checked.inputs);
    assert.strictEqual(created.id, name);
    assert.strictEqual(
      created.outs.arn,
      `arn:aws:access-analyzer:eu-central-1:${WORKLOAD}:analyzer/${name}`,
    );
    assert.strictEqual(created.outs.region, "eu-central-1");
    assert.deepStrictEqual(created.outs.tags, { team: "sec" });
    assert.deepStrictEqual(created.outs.tagsAll, { owner: "security", team: "sec" });
    const live = fake.state.getAnalyzer(WORKLOAD, "eu-central-1", name);
    assert.deepStrictEqual(live.tags, { owner: "security", team: "sec" });

    const read = await p.read(ANALYZER, "a", name, created.outs, checked.inputs);
    assert.strictEqual(read.id, name);
    assert.deepStrictEqual(read.outs, created.outs);
    assert.strictEqual(read.inputs.analyzerName, name);

    const same = await p.diff(ANALYZER, "a", name, created.outs, checked.inputs);
    assert.strictEqual(same.changes, "none");

    const renamed = await p.diff(ANALYZER, "a", name, created.outs, {
      ...checked.inputs,
      analyzerName: "other",
    });
    assert.strictEqual(renamed.changes, "some");
    assert.deepStrictEqual(renamed.replaces, ["analyzerName"]);

    const retyped = await p.diff(ANALYZER, "a", name, created.outs, {
      ...checked.inputs,
      type: "ACCOUNT_UNUSED_ACCESS",
    });
    assert.deepStrictEqual(retyped.replaces, ["type"]);

    const moved = await p.diff(ANALYZER, "a", name, created.outs, {
      ...checked.inputs,
      region: "eu-west-1",
    });
    assert.deepStrictEqual(moved.replaces, ["region"]);

    const newTags = { ...checked.inputs, tags: { team: "sec", env: "prod" } };
    const retagged = await p.diff(ANALYZER, "a", name, created.outs, newTags);
    assert.strictEqual(retagged.changes, "some");
    assert.deepStrictEqual(retagged.replaces, []);
    assert.deepStrictEqual(retagged.diffs.sort(), ["tags", "tagsAll"]);

    const unknownName = await p.diff(ANALYZER, "a", name, created.outs, {
      ...checked.inputs,
      analyzerName: UNKNOWN,
    });
    assert.deepStrictEqual(unknownName.replaces, ["analyzerName"], "unknown forces replacement");

    const updated = await p.update(ANALYZER, "a", name, created.outs, newTags);
    assert.deepStrictEqual(updated.tags, { team: "sec", env: "prod" });
    assert.deepStrictEqual(fake.state.getAnalyzer(WORKLOAD, "eu-central-1", name).tags, {
      owner: "security",
      team: "sec",
      env: "prod",
    });
    const untagged = await p.update(ANALYZER, "a", name, updated, { ...checked.inputs, tags: {} });
    assert.deepStrictEqual(untagged.tagsAll, { owner: "security" });
    assert.deepStrictEqual(fake.state.getAnalyzer(WORKLOAD, "eu-central-1", name).tags, {
      owner: "security",
    });

    await p.delete(ANALYZER, "a", name, untagged);
    assert.throws(() => fake.state.getAnalyzer(WORKLOAD, "eu-central-1", name));
    const gone = await p.read(ANALYZER, "a", name, untagged, checked.inputs);
    assert.strictEqual(gone.id, "", "a deleted analyzer reads as gone");
    await p.delete(ANALYZER, "a", name, untagged); // idempotent, like the real provider
  });

  it("analyzer: configuration forces replacement and reaches AWS", async () => {
    const p = await plugin(providerConfig({ region: "us-east-2" }));
    const inputs = {
      analyzerName: "unused-access",
      type: "ACCOUNT_UNUSED_ACCESS",
      configuration: {
        unusedAccess: {
          unusedAccessAge: 180,
          analysisRule: { exclusions: [{ resourceTags: [{ team: "ci" }] }] },
        },
      },
    };
    const created = await p.create(ANALYZER, "u", inputs);
    assert.deepStrictEqual(created.outs.configuration, inputs.configuration);
    const live = fake.state.getAnalyzer(WORKLOAD, "us-east-2", "unused-access");
    assert.strictEqual(live.configuration?.unusedAccess?.unusedAccessAge, 180);
    const d = await p.diff(ANALYZER, "u", created.id, created.outs, {
      ...inputs,
      configuration: { unusedAccess: { unusedAccessAge: 90 } },
    });
    assert.deepStrictEqual(d.replaces, ["configuration"]);
    await p.delete(ANALYZER, "u", created.id, created.outs);
  });

  it("analyzer: Check rejects a bad name and type before anything is created", async () => {
    const p = await plugin(providerConfig());
    const bad = await p.check(ANALYZER, "b", { analyzerName: "1-starts-with-digit", type: "NOPE" });
    assert.deepStrictEqual(bad.failures.map((f) => f.property).sort(), ["analyzerName", "type"]);
    const missing = await p.check(ANALYZER, "b", {});
    assert.deepStrictEqual(
      missing.failures.map((f) => f.property),
      ["analyzerName"],
    );
  });

  it("analyzer: preview Create/Update do not call AWS and keep unknowns unknown", async () => {
    const p = await plugin(providerConfig({ region: "eu-west-2" }));
    fake.state.clearCalls();
    const preview = await p.create(
      ANALYZER,
      "p",
      { analyzerName: "preview-only", type: "ACCOUNT", tags: { x: UNKNOWN } },
      true,
    );
    assert.strictEqual(preview.id, "");
    assert.strictEqual(preview.outs.arn, UNKNOWN);
    assert.strictEqual(preview.outs.tagsAll, UNKNOWN);
    assert.strictEqual(preview.outs.analyzerName, "preview-only");
    const upd = await p.update(
      ANALYZER,
      "p",
      "preview-only",
      { analyzerName: "preview-only", arn: "arn:x", tagsAll: {} },
      { analyzerName: "preview-only", tags: { a: "b" } },
      true,
    );
    assert.strictEqual(upd.arn, "arn:x");
    assert.deepStrictEqual(upd.tagsAll, { a: "b" });
    const created = fake.state.calls.filter((c) =>
      ["CreateAnalyzer", "TagResource"].includes(c.operation),
    );
    assert.deepStrictEqual(created, []);
    assert.throws(() => fake.state.getAnalyzer(WORKLOAD, "eu-west-2", "preview-only"));
  });

  it("analyzer: import reads an existing analyzer with no prior state; its inputs record the region it was read in, as the bridge extracts them", async () => {
    const p = await plugin(providerConfig({ region: "us-east-1" }));
    const imported = await p.read(ANALYZER, "console", "ConsoleAnalyzer-us-east-1");
    assert.strictEqual(imported.id, "ConsoleAnalyzer-us-east-1");
    assert.strictEqual(imported.outs.type, "ACCOUNT");
    assert.strictEqual(imported.outs.region, "us-east-1");
    assert.deepStrictEqual(imported.inputs, {
      analyzerName: "ConsoleAnalyzer-us-east-1",
      type: "ACCOUNT",
      region: "us-east-1",
    });
    const d = await p.diff(ANALYZER, "console", imported.id, imported.outs, {
      analyzerName: "ConsoleAnalyzer-us-east-1",
      type: "ACCOUNT",
    });
    assert.strictEqual(d.changes, "none", "importing with matching inputs shows no diff");
  });

  it("AWS ConflictException surfaces with the real provider's message shape", async () => {
    const p = await plugin(providerConfig({ region: "us-east-1" }));
    await assert.rejects(
      p.create(ANALYZER, "dup", { analyzerName: "ConsoleAnalyzer-us-east-1", type: "ACCOUNT" }),
      (err: Error) => {
        assert.match(
          err.message,
          /creating IAM Access Analyzer Analyzer \(ConsoleAnalyzer-us-east-1\): operation error AccessAnalyzer: CreateAnalyzer, https response error StatusCode: 409, RequestID: [^,]*, ConflictException: /,
        );
        return true;
      },
    );
    // A second ACCOUNT analyzer with another name hits the per-region quota.
    await assert.rejects(
      p.create(ANALYZER, "second", { analyzerName: "second", type: "ACCOUNT" }),
      /StatusCode: 402, .*ServiceQuotaExceededException: /,
    );
  });

  it("archive rule: Check, Create, Read, Diff, Update filters, Delete", async () => {
    const p = await plugin(providerConfig({ region: "ap-south-1" }));
    const an = await p.create(ANALYZER, "a", { analyzerName: "with-rules", type: "ACCOUNT" });
    const inputs = {
      analyzerName: "with-rules",
      ruleName: "ignore-own-org",
      filters: [
        { criteria: "isPublic", eqs: ["false"] },
        { criteria: "principal.AWS", contains: [MGMT] },
      ],
    };
    const checked = await p.check(ARCHIVE_RULE, "r", inputs);
    assert.deepStrictEqual(checked.failures, []);
    const created = await p.create(ARCHIVE_RULE, "r", checked.inputs);
    assert.strictEqual(created.id, "with-rules/ignore-own-org");
    assert.deepStrictEqual(created.outs.filters, inputs.filters);
    assert.strictEqual(created.outs.region, "ap-south-1");

    const read = await p.read(ARCHIVE_RULE, "r", created.id, created.outs, checked.inputs);
    assert.deepStrictEqual(read.outs, created.outs);

    const reordered = await p.diff(ARCHIVE_RULE, "r", created.id, created.outs, {
      ...inputs,
      filters: [...inputs.filters].reverse(),
    });
    assert.strictEqual(reordered.changes, "none", "filters are a set");

    const newFilters = { ...inputs, filters: [{ criteria: "isPublic", eqs: ["true"] }] };
    const changed = await p.diff(ARCHIVE_RULE, "r", created.id, created.outs, newFilters);
    assert.deepStrictEqual(changed.diffs, ["filters"]);
    assert.deepStrictEqual(changed.replaces, []);
    const renamed = await p.diff(ARCHIVE_RULE, "r", created.id, created.outs, {
      ...inputs,
      ruleName: "other",
    });
    assert.deepStrictEqual(renamed.replaces, ["ruleName"]);

    const updated = await p.update(ARCHIVE_RULE, "r", created.id, created.outs, newFilters);
    assert.deepStrictEqual(updated.filters, newFilters.filters);

    await p.delete(ARCHIVE_RULE, "r", created.id, updated);
    const gone = await p.read(ARCHIVE_RULE, "r", created.id, updated, newFilters);
    assert.strictEqual(gone.id, "");
    await p.delete(ANALYZER, "a", an.id, an.outs);
  });

  it("allowedAccountIds mismatch fails Configure with the real provider's message", async () => {
    const p = await plugin();
    await assert.rejects(
      p.configure(providerConfig({ allowedAccountIds: ["999999999999"] })),
      /AWS account ID not allowed: 222222222222/,
    );
    // Once Configure failed, every call fails with the same error.
    await assert.rejects(
      p.invoke("aws:index/getRegions:getRegions", {}),
      /AWS account ID not allowed: 222222222222/,
    );
    const q = await plugin();
    await assert.rejects(
      q.configure(providerConfig({ forbiddenAccountIds: [WORKLOAD] })),
      /AWS account ID not allowed: 222222222222/,
    );
    const ok = await plugin();
    await ok.configure(providerConfig({ allowedAccountIds: [WORKLOAD] }));
  });

  it("assumeRoles with a wrong externalId fails; the right one works", async () => {
    const roleArn = `arn:aws:iam::${WORKLOAD}:role/ExternalIdRole`;
    const p = await plugin();
    await assert.rejects(
      p.configure(providerConfig({ assumeRoles: [{ roleArn, externalId: "wrong" }] })),
      /IAM Role \(arn:aws:iam::222222222222:role\/ExternalIdRole\) cannot be assumed[\s\S]*operation error STS: AssumeRole, https response error StatusCode: 403/,
    );
    const q = await plugin();
    await q.configure(providerConfig({ assumeRoles: [{ roleArn, externalId: "s3cr3t-ext" }] }));
    assert.ok(!q.stderr().includes("s3cr3t-ext"), "secrets never reach the log");
    assert.ok(!q.stderr().includes("fake-secret-management"), "secrets never reach the log");
  });

  it("without a region, CheckConfig and Configure fail clearly", async () => {
    const p = await plugin();
    const checked = await p.checkConfig({ skipCredentialsValidation: "true" });
    assert.deepStrictEqual(
      checked.failures.map((f) => f.property),
      ["region"],
    );
    await assert.rejects(
      p.configure({ version: "7.48.0" }),
      /missing required configuration key "aws:region"/,
    );
  });

  it("keeps running while its engine answers, and exits once the engine is gone, as a real provider does", async () => {
    const p = await startPlugin({ ...env(), PULUMI_AWS_STANDIN_ENGINE_CHECK_MS: "100" });
    plugins.push(p);
    const exited = new Promise<number | null>((resolve) => p.proc.once("exit", resolve));
    // Several checks answered (UNIMPLEMENTED from a live engine counts as alive): still serving.
    await new Promise((r) => setTimeout(r, 600));
    assert.strictEqual(p.proc.exitCode, null, p.stderr());
    assert.strictEqual(await p.getPluginInfo(), "7.48.0");

    const gone = Date.now();
    await p.engine.stop();
    const code = await Promise.race([
      exited,
      new Promise<string>((r) => setTimeout(() => r("still running after 5 s"), 5000)),
    ]);
    assert.strictEqual(code, 0, p.stderr());
    assert.ok(Date.now() - gone < 5000);
    assert.match(
      p.stderr(),
      /the engine at 127\.0\.0\.1:\d+ does not answer \(UNAVAILABLE: .*\): shutting down/,
    );
  });

  it("explicit static keys, endpoints and skip flags are honoured", async () => {
    const p = await startPlugin({
      ...env(),
      // Neither the ambient endpoint nor the ambient keys work: only the provider config does.
      AWS_ENDPOINT_URL: "http://127.0.0.1:9",
      AWS_ACCESS_KEY_ID: "AKIAUNKNOWN000000000",
      AWS_SECRET_ACCESS_KEY: "wrong",
    });
    plugins.push(p);
    // accessKey/secretKey are secrets: Configure's args carry them wrapped, whatever the plugin
    // said about accepting secrets.
    const secret = (value: string) => ({
      "4dabf18193072939515e22adb298388d": "1b47061264138c4ac30d75fd1eb44270",
      value,
    });
    await p.configure({
      region: "sa-east-1",
      accessKey: secret("AKIAFAKEMGMT00000001"),
      secretKey: secret("fake-secret-management-0000000000000000"),
      endpoints: JSON.stringify([{ sts: fake.url, ec2: fake.url, accessanalyzer: fake.url }]),
      skipRequestingAccountId: "true",
      maxRetries: "1",
    });
    const who = await p.invoke("aws:index/getCallerIdentity:getCallerIdentity", {});
    assert.strictEqual(who.accountId, MGMT);
    const regions = await p.invoke("aws:index/getRegions:getRegions", {});
    assert.ok((regions.names as string[]).includes("sa-east-1"));
  });
  it("region: one provider (eu-west-1) manages analyzers and archive rules in us-east-2 and ap-south-1", async () => {
    const p = await plugin(providerConfig({ region: "eu-west-1" }));
    fake.state.clearCalls();
    const y = await p.check(ANALYZER, "y", { analyzerName: "multi", region: "us-east-2" });
    const z = await p.check(ANALYZER, "z", { analyzerName: "multi", region: "ap-south-1" });
    assert.deepStrictEqual([...y.failures, ...z.failures], []);
    const inY = await p.create(ANALYZER, "y", y.inputs);
    const inZ = await p.create(ANALYZER, "z", z.inputs);
    assert.strictEqual(inY.outs.region, "us-east-2", "the region is in the outputs (state)");
    assert.strictEqual(
      inY.outs.arn,
      `arn:aws:access-analyzer:us-east-2:${WORKLOAD}:analyzer/multi`,
    );
    assert.strictEqual(inZ.outs.region, "ap-south-1");
    assert.ok(fake.state.getAnalyzer(WORKLOAD, "us-east-2", "multi"));
    assert.ok(fake.state.getAnalyzer(WORKLOAD, "ap-south-1", "multi"));
    assert.throws(() => fake.state.getAnalyzer(WORKLOAD, "eu-west-1", "multi"));

    const ruleInputs = {
      analyzerName: "multi",
      ruleName: "r",
      region: "ap-south-1",
      filters: [{ criteria: "isPublic", eqs: ["false"] }],
    };
    const rule = await p.create(
      ARCHIVE_RULE,
      "rz",
      (await p.check(ARCHIVE_RULE, "rz", ruleInputs)).inputs,
    );
    assert.strictEqual(rule.outs.region, "ap-south-1");

    // Refresh reads each resource where its state says it lives.
    const readY = await p.read(ANALYZER, "y", inY.id, inY.outs, y.inputs);
    assert.deepStrictEqual(readY.outs, inY.outs);
    assert.strictEqual(readY.inputs.region, "us-east-2");
    const readRule = await p.read(ARCHIVE_RULE, "rz", rule.id, rule.outs, ruleInputs);
    assert.deepStrictEqual(readRule.outs, rule.outs);

    // Tags update in place, in the resource's region.
    const retagged = await p.update(ANALYZER, "y", inY.id, inY.outs, {
      ...y.inputs,
      tags: { a: "b" },
    });
    assert.strictEqual(retagged.region, "us-east-2");
    assert.deepStrictEqual(fake.state.getAnalyzer(WORKLOAD, "us-east-2", "multi").tags, { a: "b" });
    const updatedRule = await p.update(ARCHIVE_RULE, "rz", rule.id, rule.outs, {
      ...ruleInputs,
      filters: [{ criteria: "isPublic", eqs: ["true"] }],
    });
    assert.strictEqual(updatedRule.region, "ap-south-1");

    await p.delete(ARCHIVE_RULE, "rz", rule.id, updatedRule);
    await p.delete(ANALYZER, "y", inY.id, retagged);
    await p.delete(ANALYZER, "z", inZ.id, inZ.outs);
    assert.throws(() => fake.state.getAnalyzer(WORKLOAD, "us-east-2", "multi"));
    assert.throws(() => fake.state.getAnalyzer(WORKLOAD, "ap-south-1", "multi"));

    const regionsOf = (op: string) =>
      [...new Set(fake.state.calls.filter((c) => c.operation === op).map((c) => c.region))].sort();
    assert.deepStrictEqual(regionsOf("CreateAnalyzer"), ["ap-south-1", "us-east-2"]);
    assert.deepStrictEqual(regionsOf("TagResource"), ["us-east-2"]);
    assert.deepStrictEqual(regionsOf("CreateArchiveRule"), ["ap-south-1"]);
    assert.deepStrictEqual(regionsOf("UpdateArchiveRule"), ["ap-south-1"]);
    assert.deepStrictEqual(regionsOf("DeleteArchiveRule"), ["ap-south-1"]);
    assert.deepStrictEqual(regionsOf("DeleteAnalyzer"), ["ap-south-1", "us-east-2"]);
    assert.ok(
      !fake.state.calls.some((c) => c.service === "access-analyzer" && c.region === "eu-west-1"),
    );
  });

  it("region: a change replaces; unset and the provider's region are the same place", async () => {
    const p = await plugin(providerConfig({ region: "eu-west-1" }));
    const olds = { analyzerName: "a", type: "ACCOUNT", region: "us-east-2", arn: "arn:x" };
    const moved = await p.diff(ANALYZER, "a", "a", olds, {
      analyzerName: "a",
      region: "ap-south-1",
    });
    assert.deepStrictEqual(moved.replaces, ["region"]);
    const backToProvider = await p.diff(ANALYZER, "a", "a", olds, { analyzerName: "a" });
    assert.deepStrictEqual(backToProvider.replaces, ["region"], "unset means eu-west-1 here");
    const unknown = await p.diff(ANALYZER, "a", "a", olds, { analyzerName: "a", region: UNKNOWN });
    assert.deepStrictEqual(unknown.replaces, ["region"]);

    // State written before `region` existed, or by a provider in the same region: no change.
    const legacy = { analyzerName: "a", type: "ACCOUNT", arn: "arn:x" };
    const explicit = await p.diff(ANALYZER, "a", "a", legacy, {
      analyzerName: "a",
      region: "eu-west-1",
    });
    assert.strictEqual(explicit.changes, "none");
    const inProvider = { ...legacy, region: "eu-west-1" };
    assert.strictEqual(
      (await p.diff(ANALYZER, "a", "a", inProvider, { analyzerName: "a" })).changes,
      "none",
    );

    const rule = { analyzerName: "a", ruleName: "r", filters: [], region: "us-east-2" };
    const ruleMoved = await p.diff(ARCHIVE_RULE, "r", "a/r", rule, {
      ...rule,
      region: "eu-west-2",
    });
    assert.deepStrictEqual(ruleMoved.replaces, ["region"]);
    const ruleSame = await p.diff(ARCHIVE_RULE, "r", "a/r", rule, { ...rule });
    assert.strictEqual(ruleSame.changes, "none");
  });

  it("region: an import ID ending in @<region> reads there and records the region", async () => {
    const p = await plugin(providerConfig({ region: "eu-west-1" }));
    const imported = await p.read(ANALYZER, "console", "ConsoleAnalyzer-us-east-1@us-east-1");
    assert.strictEqual(imported.id, "ConsoleAnalyzer-us-east-1", "the ID drops the @region");
    assert.strictEqual(imported.outs.region, "us-east-1");
    assert.strictEqual(imported.inputs.region, "us-east-1");
    const d = await p.diff(ANALYZER, "console", imported.id, imported.outs, {
      analyzerName: "ConsoleAnalyzer-us-east-1",
      region: "us-east-1",
    });
    assert.strictEqual(d.changes, "none");
    // Without the suffix the provider's region is searched, where it does not exist.
    const missing = await p.read(ANALYZER, "console", "ConsoleAnalyzer-us-east-1");
    assert.strictEqual(missing.id, "");

    await p.create(ANALYZER, "w", { analyzerName: "west2", type: "ACCOUNT", region: "us-west-2" });
    await p.create(ARCHIVE_RULE, "w", {
      analyzerName: "west2",
      ruleName: "rule",
      region: "us-west-2",
      filters: [{ criteria: "isPublic", eqs: ["false"] }],
    });
    const rule = await p.read(ARCHIVE_RULE, "w", "west2/rule@us-west-2");
    assert.strictEqual(rule.id, "west2/rule");
    assert.strictEqual(rule.outs.region, "us-west-2");
    assert.strictEqual(rule.inputs.region, "us-west-2");
  });

  it("region: Check rejects a region outside the provider's partition; nothing reaches AWS", async () => {
    const p = await plugin(providerConfig({ region: "eu-west-1" }));
    const bad = await p.check(ANALYZER, "cn", { analyzerName: "x", region: "cn-north-1" });
    assert.deepStrictEqual(bad.failures, [
      {
        property: "region",
        reason:
          "partition (aws-cn) for per-resource Region (cn-north-1) is not the provider's configured partition (aws)",
      },
    ]);
    const notString = await p.check(ARCHIVE_RULE, "r", {
      analyzerName: "x",
      ruleName: "r",
      filters: [],
      region: 7,
    });
    assert.deepStrictEqual(
      notString.failures.map((f) => f.property),
      ["region"],
    );
    fake.state.clearCalls();
    await assert.rejects(
      p.create(ANALYZER, "cn", { analyzerName: "x", region: "cn-north-1" }),
      /partition \(aws-cn\) for per-resource Region \(cn-north-1\)/,
    );
    assert.deepStrictEqual(fake.state.calls, []);
  });

  it("retries throttling like the real provider: 25 attempts by default, maxRetries caps them", async () => {
    const p = await plugin(providerConfig({ region: "eu-west-3" }));
    fake.state.clearCalls();
    // Four throttled answers: the SDK's default of 3 attempts would give up; 25 do not.
    fake.state.injectFault({ service: "access-analyzer", operation: "CreateAnalyzer", count: 4 });
    const created = await p.create(ANALYZER, "t", { analyzerName: "throttled", type: "ACCOUNT" });
    assert.strictEqual(created.id, "throttled");
    const attempts = fake.state.calls.filter((c) => c.operation === "CreateAnalyzer");
    assert.deepStrictEqual(
      attempts.map((c) => c.errorCode ?? "ok"),
      [
        "ThrottlingException",
        "ThrottlingException",
        "ThrottlingException",
        "ThrottlingException",
        "ok",
      ],
    );

    const q = await plugin(providerConfig({ region: "eu-west-3", maxRetries: 1 }));
    fake.state.clearCalls();
    fake.state.injectFault({ service: "access-analyzer", operation: "GetAnalyzer", count: 1 });
    await assert.rejects(
      q.read(ANALYZER, "t", "throttled", created.outs),
      /reading IAM Access Analyzer Analyzer \(throttled\): .*StatusCode: 429, .*ThrottlingException/,
    );
    assert.strictEqual(
      fake.state.calls.filter((c) => c.operation === "GetAnalyzer").length,
      1,
      "maxRetries is the number of attempts",
    );
    await p.delete(ANALYZER, "t", created.id, created.outs);
  });

  it("CheckConfig rejects an unknown retryMode and a fractional maxRetries", async () => {
    const p = await plugin();
    const checked = await p.checkConfig({
      region: "eu-west-1",
      retryMode: "legacy",
      maxRetries: "2.5",
    });
    assert.deepStrictEqual(checked.failures.map((f) => f.property).sort(), [
      "maxRetries",
      "retryMode",
    ]);
    const ok = await p.checkConfig({ region: "eu-west-1", retryMode: "adaptive", maxRetries: "0" });
    assert.deepStrictEqual(ok.failures, []);
  });
  describe("Organizations", () => {
    const DELEGATED_ADMIN = "aws:organizations/delegatedAdministrator:DelegatedAdministrator";
    const SERVICE_ACCESS = "aws:organizations/awsServiceAccess:AwsServiceAccess";
    const AA = "access-analyzer.amazonaws.com";
    const RFC3339 = /^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ$/;
    /** The management account's own credentials (no role to assume). */
    const management = () =>
      plugin(providerConfig({ region: "us-west-2", assumeRoles: undefined }));

    it("DelegatedAdministrator: registers, reads, imports, replaces on any change, deregisters", async () => {
      const p = await management();
      const bad = await p.check(DELEGATED_ADMIN, "d", { accountId: "12345", servicePrincipal: AA });
      assert.deepStrictEqual(
        bad.failures.map((f) => f.property),
        ["accountId"],
      );
      const inputs = { accountId: WORKLOAD, servicePrincipal: AA };
      const checked = await p.check(DELEGATED_ADMIN, "d", inputs);
      assert.deepStrictEqual(checked.failures, []);

      const preview = await p.create(DELEGATED_ADMIN, "d", checked.inputs, true);
      assert.strictEqual(preview.outs.status, UNKNOWN);
      const created = await p.create(DELEGATED_ADMIN, "d", checked.inputs);
      assert.strictEqual(created.id, `${WORKLOAD}/${AA}`, "ID = <accountId>/<servicePrincipal>");
      assert.strictEqual(created.outs.accountId, WORKLOAD);
      assert.strictEqual(created.outs.servicePrincipal, AA);
      assert.strictEqual(created.outs.status, "ACTIVE");
      assert.match(
        String(created.outs.arn),
        new RegExp(`^arn:aws:organizations::${MGMT}:account/o-[a-z0-9]+/${WORKLOAD}$`),
      );
      assert.match(String(created.outs.delegationEnabledDate), RFC3339);
      assert.match(String(created.outs.joinedTimestamp), RFC3339);
      for (const k of ["email", "name", "joinedMethod"]) {
        assert.ok(created.outs[k], `${k} is set`);
      }

      const read = await p.read(DELEGATED_ADMIN, "d", created.id, created.outs, checked.inputs);
      assert.deepStrictEqual(read.outs, created.outs);
      const imported = await p.read(DELEGATED_ADMIN, "i", created.id);
      assert.deepStrictEqual(imported.inputs, inputs);
      assert.strictEqual(
        (await p.diff(DELEGATED_ADMIN, "d", created.id, created.outs, inputs)).changes,
        "none",
      );
      const other = await p.diff(DELEGATED_ADMIN, "d", created.id, created.outs, {
        ...inputs,
        servicePrincipal: "config.amazonaws.com",
      });
      assert.deepStrictEqual(other.replaces, ["servicePrincipal"]);
      await assert.rejects(
        p.read(DELEGATED_ADMIN, "x", "not-an-id"),
        /unexpected format for ID \(not-an-id\), expected ACCOUNTID\/SERVICEPRINCIPAL/,
      );

      // Only the management account may register one; the member's error keeps AWS's shape.
      const member = await plugin(providerConfig({ region: "us-west-2" }));
      await assert.rejects(
        member.create(DELEGATED_ADMIN, "m", {
          accountId: WORKLOAD,
          servicePrincipal: "config.amazonaws.com",
        }),
        /creating Organizations Delegated Administrator \(222222222222\/config.amazonaws.com\): operation error Organizations: RegisterDelegatedAdministrator, https response error StatusCode: 400, .*AccessDeniedException/,
      );

      await p.delete(DELEGATED_ADMIN, "d", created.id, created.outs);
      assert.strictEqual((await p.read(DELEGATED_ADMIN, "d", created.id, created.outs)).id, "");
      const calls = fake.state.calls.filter(
        (c) => c.operation === "RegisterDelegatedAdministrator",
      );
      assert.ok(
        calls.every((c) => c.region === "us-east-1"),
        "Organizations is signed for us-east-1",
      );
    });

    it("AwsServiceAccess: enables trusted access (ID = servicePrincipal), reads it, disables it", async () => {
      const p = await management();
      const sp = "tagpolicies.tag.amazonaws.com";
      const created = await p.create(SERVICE_ACCESS, "t", { servicePrincipal: sp });
      assert.strictEqual(created.id, sp);
      assert.match(String(created.outs.dateEnabled), RFC3339);
      const imported = await p.read(SERVICE_ACCESS, "t", sp);
      assert.deepStrictEqual(imported.outs, created.outs);
      assert.deepStrictEqual(imported.inputs, { servicePrincipal: sp });
      const moved = await p.diff(SERVICE_ACCESS, "t", sp, created.outs, { servicePrincipal: AA });
      assert.deepStrictEqual(moved.replaces, ["servicePrincipal"]);
      await p.delete(SERVICE_ACCESS, "t", sp, created.outs);
      assert.strictEqual((await p.read(SERVICE_ACCESS, "t", sp, created.outs)).id, "");
    });

    it("getOrganization: the management account sees accounts, roots and trusted access; a member only the organization", async () => {
      const p = await management();
      const org = await p.invoke("aws:organizations/getOrganization:getOrganization", {});
      assert.match(String(org.id), /^o-[a-z0-9]{10,32}$/);
      assert.strictEqual(org.masterAccountId, MGMT);
      assert.strictEqual(org.featureSet, "ALL");
      const ids = (xs: unknown) => (xs as { id: string }[]).map((a) => a.id).sort();
      assert.deepStrictEqual(ids(org.accounts), [MGMT, WORKLOAD]);
      assert.deepStrictEqual(ids(org.nonMasterAccounts), [WORKLOAD]);
      assert.ok((org.awsServiceAccessPrincipals as string[]).includes(AA));
      assert.strictEqual((org.roots as unknown[]).length, 1);
      const account = (org.accounts as Record<string, unknown>[])[0] ?? {};
      assert.deepStrictEqual(Object.keys(account).sort(), [
        "arn",
        "email",
        "id",
        "joinedMethod",
        "joinedTimestamp",
        "name",
        "state",
        "status",
      ]);

      const only = await p.invoke("aws:organizations/getOrganization:getOrganization", {
        returnOrganizationOnly: true,
      });
      assert.strictEqual(only.id, org.id);
      assert.strictEqual(only.accounts, undefined);

      const member = await plugin(providerConfig({ region: "us-west-2" }));
      const seen = await member.invoke("aws:organizations/getOrganization:getOrganization", {});
      assert.strictEqual(seen.id, org.id);
      assert.strictEqual(seen.masterAccountId, MGMT);
      assert.strictEqual(seen.accounts, undefined, "a plain member cannot list accounts");
    });
  });
});
