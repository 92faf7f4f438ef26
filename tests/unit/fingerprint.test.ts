// The settings fingerprint (program/contract.ts) the program records and the fleet bot compares:
// it must change with anything a run depends on, and with nothing else.

import * as assert from "node:assert/strict";
import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";

import {
  type IdentityIo,
  type ProgramIdentity,
  findPackageVersion,
  programCodeHash,
  programIdentity,
  settingsFingerprint,
} from "../../program/contract";
import { NODE_IO } from "../../program/identity";
import { workDirIdentity } from "../../fleet/run/unchanged";

const IDENTITY: ProgramIdentity = {
  packageVersion: "1.0.0",
  awsVersion: "7.48.0",
  pulumiVersion: "3.248.0",
  codeHash: "abc",
};
const CONFIG = {
  "access-analyzer:regions": '["eu-west-1"]',
  "access-analyzer:tags": '{"Owner":"security"}',
};

/** An in-memory folder for the identity. */
function memoryIo(files: Record<string, string>): IdentityIo {
  return {
    readFile: (f) => files[f],
    listFiles: (dir) =>
      Object.keys(files)
        .filter((f) => f.startsWith(`${dir}/`))
        .map((f) => f.slice(dir.length + 1)),
    packageDir: (module) => `/node_modules/${module}`,
  };
}

describe("the settings fingerprint", () => {
  it("is the same for the same config in any key order, whatever other namespaces hold", () => {
    const reordered = {
      "aws:region": "us-west-2",
      "access-analyzer:tags": CONFIG["access-analyzer:tags"],
      "access-analyzer:regions": CONFIG["access-analyzer:regions"],
    };
    assert.equal(
      settingsFingerprint(CONFIG, IDENTITY, false),
      settingsFingerprint(reordered, IDENTITY, false),
    );
    assert.match(settingsFingerprint(CONFIG, IDENTITY, false), /^[0-9a-f]{64}$/);
  });

  it("changes with a config value, a key added or removed, the identity, and an external id", () => {
    const base = settingsFingerprint(CONFIG, IDENTITY, false);
    const variants = [
      settingsFingerprint({ ...CONFIG, "access-analyzer:tags": "{}" }, IDENTITY, false),
      settingsFingerprint({ ...CONFIG, "access-analyzer:protect": "true" }, IDENTITY, false),
      settingsFingerprint({ "access-analyzer:regions": '["eu-west-1"]' }, IDENTITY, false),
      settingsFingerprint(CONFIG, { ...IDENTITY, packageVersion: "1.0.1" }, false),
      settingsFingerprint(CONFIG, { ...IDENTITY, awsVersion: "7.49.0" }, false),
      settingsFingerprint(CONFIG, { ...IDENTITY, pulumiVersion: "3.249.0" }, false),
      settingsFingerprint(CONFIG, { ...IDENTITY, codeHash: "abd" }, false),
      settingsFingerprint(CONFIG, IDENTITY, true),
    ];
    assert.equal(new Set([base, ...variants]).size, variants.length + 1);
  });
});

describe("the program's identity", () => {
  const root = "/pkg/dist";
  const files: Record<string, string> = {
    "/pkg/package.json": JSON.stringify({
      name: "pulumi-access-analyzer-all-regions",
      version: "2.0.0",
    }),
    "/pkg/dist/Pulumi.yaml": "name: access-analyzer\n",
    "/pkg/dist/index.js": "program",
    "/pkg/dist/components/a.js": "a",
    "/pkg/dist/components/a.d.ts": "declarations",
    "/pkg/dist/program/config.js": "config",
    "/pkg/dist/fleet/cli.js": "the bot",
    "/node_modules/@pulumi/aws/package.json": JSON.stringify({ version: "7.48.0" }),
    "/node_modules/@pulumi/pulumi/package.json": JSON.stringify({ version: "3.248.0" }),
  };

  it("reads the package version, the installed SDK versions and a hash of the program's files", () => {
    const identity = programIdentity(root, memoryIo(files));
    assert.equal(identity.packageVersion, "2.0.0");
    assert.equal(identity.awsVersion, "7.48.0");
    assert.equal(identity.pulumiVersion, "3.248.0");
    assert.match(identity.codeHash, /^[0-9a-f]{64}$/);
  });

  it("hashes the program's code and project file, not the bot, declarations or maps", () => {
    const hash = (changes: Record<string, string>) =>
      programCodeHash(root, memoryIo({ ...files, ...changes }));
    const base = hash({});
    assert.notEqual(hash({ "/pkg/dist/components/a.js": "a2" }), base);
    assert.notEqual(hash({ "/pkg/dist/program/new.js": "n" }), base);
    assert.notEqual(hash({ "/pkg/dist/index.js": "program2" }), base);
    assert.notEqual(hash({ "/pkg/dist/Pulumi.yaml": "name: other\n" }), base);
    assert.equal(hash({ "/pkg/dist/fleet/cli.js": "another bot" }), base);
    assert.equal(hash({ "/pkg/dist/components/a.d.ts": "other declarations" }), base);
  });

  it("finds only this package's package.json", () => {
    const read = (f: string) =>
      ({
        "/a/b/package.json": JSON.stringify({ name: "other", version: "9.9.9" }),
        "/a/package.json": JSON.stringify({
          name: "pulumi-access-analyzer-all-regions",
          version: "1.1.1",
        }),
      })[f];
    assert.equal(findPackageVersion("/a/b/c", read), "1.1.1");
    assert.equal(findPackageVersion("/elsewhere", read), undefined);
  });

  it("is the same read by the program from its folder and by the bot from --work-dir", () => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), "aa-identity-"));
    try {
      fs.writeFileSync(
        path.join(dir, "package.json"),
        JSON.stringify({ name: "pulumi-access-analyzer-all-regions", version: "3.0.0" }),
      );
      fs.writeFileSync(path.join(dir, "Pulumi.yaml"), "name: access-analyzer\n");
      fs.writeFileSync(path.join(dir, "index.ts"), "export {};\n");
      fs.mkdirSync(path.join(dir, "components", "nested"), { recursive: true });
      fs.writeFileSync(path.join(dir, "components", "nested", "x.ts"), "x");
      fs.symlinkSync(path.resolve(__dirname, "../../node_modules"), path.join(dir, "node_modules"));
      const program = programIdentity(dir, NODE_IO);
      assert.deepEqual(workDirIdentity(dir), program);
      assert.equal(program.packageVersion, "3.0.0");
      assert.notEqual(program.awsVersion, "none");
      fs.writeFileSync(path.join(dir, "components", "nested", "x.ts"), "y");
      assert.notEqual(workDirIdentity(dir).codeHash, program.codeHash);
    } finally {
      fs.rmSync(dir, { recursive: true, force: true });
    }
  });
});
