// Smoke check of the stand-in plugin under the real Pulumi engine: `pulumi up` of a tiny program
// (one explicit aws.Provider with assumeRoles + one Analyzer + one ArchiveRule) against fake-aws,
// then a no-change preview, a tag update (in place), a refresh and a destroy.
//
//   PATH="$(scripts/ensure-pulumi.sh):$PATH" \
//     node -r ts-node/register/transpile-only tests/harness/provider/smoke.ts
//
// Exits non-zero on the first failed step. Everything is written under .cache/provider-smoke/.
import * as assert from "assert";
import { execFile } from "child_process";
import * as fs from "fs";
import * as path from "path";

import { startFakeAws } from "../fake-aws";
import { PLUGIN_BIN_DIR } from "./client";

const ROOT = path.resolve(__dirname, "../../..");
const WORKLOAD = "222222222222";

const PROGRAM = `
const pulumi = require("@pulumi/pulumi");
const aws = require("@pulumi/aws");
const cfg = new pulumi.Config();
const provider = new aws.Provider("eu-west-1", {
  region: "eu-west-1",
  assumeRoles: [{ roleArn: "arn:aws:iam::${WORKLOAD}:role/AccessAnalyzerDeployer", sessionName: "smoke" }],
  allowedAccountIds: ["${WORKLOAD}"],
  defaultTags: { tags: { owner: "security" } },
});
const regions = aws.getRegionsOutput({}, { provider });
const analyzer = new aws.accessanalyzer.Analyzer("external-access", {
  analyzerName: "external-access",
  type: "ACCOUNT",
  tags: { team: cfg.get("team") || "sec" },
}, { provider, deleteBeforeReplace: true });
const rule = new aws.accessanalyzer.ArchiveRule("not-public", {
  analyzerName: analyzer.analyzerName,
  ruleName: "not-public",
  filters: [{ criteria: "isPublic", eqs: ["false"] }],
}, { provider });
exports.arn = analyzer.arn;
exports.tagsAll = analyzer.tagsAll;
exports.regions = regions.names;
exports.ruleId = rule.id;
`;

async function main(): Promise<void> {
  const dir = path.join(ROOT, ".cache", "provider-smoke");
  fs.rmSync(dir, { recursive: true, force: true });
  fs.mkdirSync(path.join(dir, "state"), { recursive: true });
  fs.mkdirSync(path.join(dir, "home"), { recursive: true });
  fs.writeFileSync(
    path.join(dir, "Pulumi.yaml"),
    "name: provider-smoke\nruntime:\n  name: nodejs\nmain: index.js\n",
  );
  fs.writeFileSync(path.join(dir, "index.js"), PROGRAM);

  const fake = await startFakeAws({
    accountsFile: path.join(ROOT, "tests/harness/fake-aws/example-accounts.yaml"),
  });
  const env: NodeJS.ProcessEnv = {
    ...process.env,
    PATH: `${PLUGIN_BIN_DIR}:${process.env.PATH ?? ""}`,
    PULUMI_BACKEND_URL: `file://${path.join(dir, "state")}`,
    PULUMI_HOME: path.join(dir, "home"),
    PULUMI_CONFIG_PASSPHRASE: "x",
    PULUMI_SKIP_UPDATE_CHECK: "true",
    PULUMI_DISABLE_AUTOMATIC_PLUGIN_ACQUISITION: "true",
    PULUMI_AWS_STANDIN_LOG_FILE: path.join(dir, "plugin.log"),
    AWS_ENDPOINT_URL: fake.url,
    AWS_ACCESS_KEY_ID: "AKIAFAKEMGMT00000001",
    AWS_SECRET_ACCESS_KEY: "fake-secret-management-0000000000000000",
    AWS_EC2_METADATA_DISABLED: "true",
  };
  for (const k of ["AWS_REGION", "AWS_DEFAULT_REGION", "AWS_PROFILE", "AWS_SESSION_TOKEN"]) {
    delete env[k];
  }
  delete env.PULUMI_IGNORE_AMBIENT_PLUGINS;

  // Asynchronous on purpose: fake-aws serves from this process's event loop.
  const pulumi = (...args: string[]): Promise<string> => {
    const started = Date.now();
    process.stderr.write(`$ pulumi ${args.join(" ")}\n`);
    return new Promise((resolve, reject) => {
      execFile(
        "pulumi",
        [...args, "--non-interactive"],
        { cwd: dir, env, encoding: "utf8", maxBuffer: 64 * 1024 * 1024, timeout: 300000 },
        (err, stdout, stderr) => {
          if (err) {
            reject(new Error(`pulumi ${args.join(" ")} failed:\n${stdout}\n${stderr}`));
            return;
          }
          process.stderr.write(`  ok in ${Date.now() - started} ms\n`);
          resolve(stdout);
        },
      );
    });
  };

  try {
    await pulumi("stack", "init", "dev");
    await pulumi("config", "set", "--path", "pulumi:disable-default-providers[0]", "aws");
    await pulumi("up", "--yes", "--skip-preview");
    const outs = JSON.parse(await pulumi("stack", "output", "--json")) as Record<string, unknown>;
    assert.strictEqual(
      outs.arn,
      `arn:aws:access-analyzer:eu-west-1:${WORKLOAD}:analyzer/external-access`,
    );
    assert.deepStrictEqual(outs.tagsAll, { owner: "security", team: "sec" });
    assert.ok((outs.regions as string[]).includes("me-south-1"), "opted-in region of 222…");
    assert.strictEqual(outs.ruleId, "external-access/not-public");
    assert.deepStrictEqual(fake.state.getAnalyzer(WORKLOAD, "eu-west-1", "external-access").tags, {
      owner: "security",
      team: "sec",
    });

    await pulumi("preview", "--expect-no-changes");

    await pulumi("config", "set", "team", "platform");
    const preview = await pulumi("preview", "--json");
    const steps = (JSON.parse(preview) as { steps?: { op: string; urn: string }[] }).steps ?? [];
    const analyzerOps = steps.filter((s) => s.urn.endsWith("::external-access")).map((s) => s.op);
    assert.deepStrictEqual(analyzerOps, ["update"], "a tag change updates in place");
    await pulumi("up", "--yes", "--skip-preview");
    assert.strictEqual(
      fake.state.getAnalyzer(WORKLOAD, "eu-west-1", "external-access").tags?.team,
      "platform",
    );

    await pulumi("refresh", "--yes", "--expect-no-changes");
    await pulumi("destroy", "--yes");
    assert.strictEqual(
      fake.state.findAnalyzer(WORKLOAD, "eu-west-1", "external-access"),
      undefined,
    );
    await pulumi("stack", "rm", "dev", "--yes");
    const rpcs = fs
      .readFileSync(path.join(dir, "plugin.log"), "utf8")
      .split("\n")
      .map((l) => /rpc (\w+)/.exec(l)?.[1])
      .filter((x): x is string => !!x);
    process.stderr.write(`RPCs the engine called: ${[...new Set(rpcs)].sort().join(", ")}\n`);
    process.stderr.write("provider smoke: OK\n");
  } finally {
    await fake.close();
  }
}

main().catch((e: unknown) => {
  process.stderr.write(`provider smoke: FAILED\n${e instanceof Error ? e.message : String(e)}\n`);
  process.exit(1);
});
