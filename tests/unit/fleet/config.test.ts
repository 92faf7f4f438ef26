import * as assert from "assert";
import * as path from "path";
import { stackConfigFor, stackEnvFor, staleConfigKeys } from "../../../fleet/domain/stackConfig";
import {
  preflightProblems,
  projectProblem,
  relativeBackendDir,
  workspaceEnv,
} from "../../../fleet/domain/workspace";
import type { Target } from "../../../fleet/settings/schema";
import { providerArgsFor } from "../../../fleet/settings/schema";

const resolve = (...parts: string[]) => path.resolve(...parts);

const full: Target = {
  accountId: "111122223333",
  name: "prod-eu",
  stack: "acct-111122223333",
  access: {
    roleArn: "arn:aws:iam::111122223333:role/AccessAnalyzerDeployer",
    sessionName: "access-analyzer-fleet",
    externalId: "org-fleet",
    profile: "hub",
  },
  settings: {
    regions: ["us-east-1", "eu-west-1"],
    excludeRegions: ["eu-west-1"],
    tags: { Owner: "security" },
    unusedAccess: { region: "us-east-1", unusedAccessAge: 60 },
    internalAccess: { regions: ["us-east-1"], analyzeAllResources: true },
    organization: {
      externalAccess: true,
      internalAccess: { region: "us-east-1", analyzeAllResources: true },
    },
    archiveRules: [{ name: "r", filters: [{ criteria: "isPublic", exists: false }] }],
    analyzerName: "external-access",
    lookupRegion: "us-east-1",
    protect: true,
    retainOnDelete: false,
  },
};

describe("fleet stack config", () => {
  it("maps every setting to the program's access-analyzer:* keys, structured values as JSON", () => {
    assert.deepStrictEqual(stackConfigFor(full), {
      "access-analyzer:regions": { value: '["us-east-1","eu-west-1"]' },
      "access-analyzer:excludeRegions": { value: '["eu-west-1"]' },
      "access-analyzer:analyzerName": { value: "external-access" },
      "access-analyzer:lookupRegion": { value: "us-east-1" },
      "access-analyzer:unusedAccess": { value: '{"region":"us-east-1","unusedAccessAge":60}' },
      "access-analyzer:internalAccess": {
        value: '{"regions":["us-east-1"],"analyzeAllResources":true}',
      },
      "access-analyzer:organization": {
        value:
          '{"externalAccess":true,"internalAccess":{"region":"us-east-1","analyzeAllResources":true}}',
      },
      "access-analyzer:archiveRules": {
        value: '[{"name":"r","filters":[{"criteria":"isPublic","exists":"false"}]}]',
      },
      "access-analyzer:tags": { value: '{"Owner":"security"}' },
      "access-analyzer:providerArgs": {
        value: JSON.stringify({
          assumeRoles: [
            {
              roleArn: "arn:aws:iam::111122223333:role/AccessAnalyzerDeployer",
              sessionName: "access-analyzer-fleet",
            },
          ],
          profile: "hub",
          allowedAccountIds: ["111122223333"],
        }),
      },
      "access-analyzer:protect": { value: "true" },
      "access-analyzer:retainOnDelete": { value: "false" },
    });
  });

  it("sets only providerArgs when the fleet file sets nothing else, and always pins the account", () => {
    const bare: Target = { accountId: "444455556666", stack: "s", access: {}, settings: {} };
    assert.deepStrictEqual(stackConfigFor(bare), {
      "access-analyzer:providerArgs": { value: '{"allowedAccountIds":["444455556666"]}' },
    });
    assert.deepStrictEqual(providerArgsFor(bare), { allowedAccountIds: ["444455556666"] });
  });

  it("never writes credentials, only how to reach the account", () => {
    const text = JSON.stringify(stackConfigFor(full));
    assert.doesNotMatch(text, /accessKey|secretKey|token/i);
    assert.ok(Object.values(stackConfigFor(full)).every((v) => v.secret === undefined));
  });

  it("keeps the external id out of stack config and hands it to that account's stack environment only", () => {
    assert.doesNotMatch(JSON.stringify(stackConfigFor(full)), /org-fleet/);
    assert.deepStrictEqual(stackEnvFor(full), { ACCESS_ANALYZER_EXTERNAL_ID: "org-fleet" });
    const other: Target = {
      ...full,
      accountId: "444455556666",
      access: { roleArn: "arn:aws:iam::444455556666:role/AccessAnalyzerDeployer" },
    };
    assert.deepStrictEqual(stackEnvFor(other), {});
  });

  it("finds program keys the fleet file no longer sets, and leaves other namespaces alone", () => {
    const existing = {
      "access-analyzer:regions": { value: "[]" },
      "access-analyzer:tags": { value: "{}" },
      "access-analyzer:providerArgs": { value: "{}" },
      "aws:region": { value: "us-east-1" },
    };
    assert.deepStrictEqual(
      staleConfigKeys(existing, { "access-analyzer:providerArgs": { value: "{}" } }),
      ["access-analyzer:regions", "access-analyzer:tags"],
    );
  });

  it("passes the backend through PULUMI_BACKEND_URL, resolving relative file:// paths against the fleet file", () => {
    assert.deepStrictEqual(workspaceEnv({}, "/etc/fleet", resolve), {
      PULUMI_SKIP_UPDATE_CHECK: "true",
    });
    assert.strictEqual(
      workspaceEnv({ backend: "s3://b/p" }, "/etc/fleet", resolve).PULUMI_BACKEND_URL,
      "s3://b/p",
    );
    assert.strictEqual(
      workspaceEnv({ backend: "file://./state" }, "/etc/fleet", resolve).PULUMI_BACKEND_URL,
      "file:///etc/fleet/state",
    );
    assert.strictEqual(
      workspaceEnv({ backend: "file:///abs/state" }, "/etc/fleet", resolve).PULUMI_BACKEND_URL,
      "file:///abs/state",
    );
  });

  it("asks for a passphrase up front when the passphrase provider is in use, naming no value", () => {
    assert.strictEqual(preflightProblems({ secretsProvider: "passphrase" }, {}).length, 1);
    assert.strictEqual(preflightProblems({ backend: "file://./s" }, {}).length, 1);
    assert.deepStrictEqual(
      preflightProblems({ backend: "file://./s" }, { PULUMI_CONFIG_PASSPHRASE: "" }),
      [],
    );
    assert.deepStrictEqual(
      preflightProblems({ secretsProvider: "passphrase" }, { PULUMI_CONFIG_PASSPHRASE_FILE: "/p" }),
      [],
    );
    assert.deepStrictEqual(
      preflightProblems({ backend: "s3://b", secretsProvider: "awskms://alias/x" }, {}),
      [],
    );
  });

  it("refuses a work dir whose Pulumi.yaml is another project", () => {
    assert.strictEqual(
      projectProblem("Pulumi.yaml", { name: "access-analyzer", runtime: "nodejs" }),
      undefined,
    );
    assert.match(projectProblem("Pulumi.yaml", { name: "other" }) ?? "", /project name is "other"/);
  });

  it("assumes a role without a session name when none is set, and hands no external id without a role", () => {
    const t: Target = {
      ...full,
      access: { roleArn: "arn:aws:iam::111122223333:role/R", externalId: "org-fleet" },
    };
    assert.deepStrictEqual(providerArgsFor(t).assumeRoles, [
      { roleArn: "arn:aws:iam::111122223333:role/R" },
    ]);
    assert.deepStrictEqual(stackEnvFor({ ...full, access: { externalId: "org-fleet" } }), {});
  });

  it("writes the provider mode", () => {
    const config = stackConfigFor({ ...full, settings: { providerMode: "single" } });
    assert.deepStrictEqual(config["access-analyzer:providerMode"], { value: "single" });
  });

  it("writes the adopted analyzers the stack may delete", () => {
    const config = stackConfigFor(
      { ...full, settings: { allowDelete: ["console@eu-west-1"] } },
      { "eu-west-1": "console" },
    );
    assert.deepStrictEqual(config["access-analyzer:allowDelete"], {
      value: '["console@eu-west-1"]',
    });
    assert.equal(stackConfigFor(full)["access-analyzer:allowDelete"], undefined);
  });

  it("lists stale keys sorted", () => {
    assert.deepStrictEqual(
      staleConfigKeys({ "access-analyzer:tags": "", "access-analyzer:regions": "" }, {}),
      ["access-analyzer:regions", "access-analyzer:tags"],
    );
  });

  it("resolves only a whole relative file:// backend: ., .., ./dir", () => {
    const dir = (backend: string) => relativeBackendDir({ backend }, "/etc/fleet", resolve);
    assert.strictEqual(dir("file://."), "/etc/fleet");
    assert.strictEqual(dir("file://.."), "/etc");
    assert.strictEqual(dir("file://./state"), "/etc/fleet/state");
    assert.strictEqual(dir("file://.state"), undefined);
    assert.strictEqual(dir("s3://bucket/file://./state"), undefined);
    assert.strictEqual(relativeBackendDir({}, "/etc/fleet", resolve), undefined);
  });

  it("names both passphrase variables and the KMS alternative", () => {
    assert.deepStrictEqual(preflightProblems({ secretsProvider: "passphrase" }, {}), [
      "the passphrase secrets provider needs PULUMI_CONFIG_PASSPHRASE or PULUMI_CONFIG_PASSPHRASE_FILE in the environment " +
        '(or set secretsProvider: "awskms://…" in the fleet file)',
    ]);
  });

  it("needs no passphrase for a service backend whose URL merely mentions a file backend", () => {
    assert.deepStrictEqual(
      preflightProblems({ backend: "https://pulumi.example.com/state?mirror=s3://b" }, {}),
      [],
    );
  });

  it("refuses an empty Pulumi.yaml as another project", () => {
    assert.match(projectProblem("Pulumi.yaml", null) ?? "", /project name is undefined/);
  });
});
