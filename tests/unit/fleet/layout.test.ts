/**
 * The layout's promises that a module graph alone cannot show: `--help` and `validate` of a fleet file
 * without `organization:` load neither an AWS SDK client nor the Automation API (they are required
 * only when a command first reaches AWS or runs a stack), and the enums written out of AWS's service
 * model (so that parsing options loads no SDK) are the SDK's own.
 */
import * as assert from "assert";
import { execFileSync } from "child_process";
import * as fs from "fs";
import * as os from "os";
import * as path from "path";
import {
  FindingStatus as SdkFindingStatus,
  ResourceType as SdkResourceType,
} from "@aws-sdk/client-accessanalyzer";
import { FINDING_STATUSES, RESOURCE_TYPES } from "../../../fleet/domain/findings";

const ROOT = path.join(__dirname, "..", "..", "..");

/** What a fresh process loads while the CLI runs `argv`: the packages it required, by name. */
function packagesLoadedBy(argv: string[], cwd: string): { code: number; packages: string[] } {
  const out = path.join(cwd, "loaded.json");
  const script = `
    const { main, processDeps } = require(${JSON.stringify(path.join(ROOT, "fleet", "cli.ts"))});
    const deps = { ...processDeps(() => { throw new Error("no stack runs here"); }), stdout: () => {}, stderr: () => {} };
    main(${JSON.stringify(argv)}, deps).then((code) => {
      const packages = new Set();
      for (const file of Object.keys(require.cache)) {
        const m = /node_modules\\/((?:@[^/]+\\/)?[^/]+)(\\/automation\\/)?/.exec(file);
        if (m) packages.add(m[1] + (m[2] ? "/automation" : ""));
      }
      require("fs").writeFileSync(${JSON.stringify(out)}, JSON.stringify({ code, packages: [...packages].sort() }));
    });`;
  execFileSync(
    process.execPath,
    ["-r", require.resolve("ts-node/register/transpile-only"), "-e", script],
    {
      cwd,
      env: { ...process.env, TS_NODE_PROJECT: path.join(ROOT, "tsconfig.json") },
    },
  );
  return JSON.parse(fs.readFileSync(out, "utf8")) as { code: number; packages: string[] };
}

describe("fleet layout: what the command line loads", function () {
  this.timeout(60_000);
  let dir: string;
  before(() => {
    dir = fs.mkdtempSync(path.join(os.tmpdir(), "fleet-layout-"));
    fs.writeFileSync(
      path.join(dir, "fleet.yaml"),
      'defaults: { roleName: AccessAnalyzerDeployer }\naccounts:\n  - id: "111122223333"\n',
    );
  });
  after(() => fs.rmSync(dir, { recursive: true, force: true }));

  const heavy = (packages: string[]) =>
    packages.filter(
      (p) =>
        p.startsWith("@aws-sdk/") ||
        p.startsWith("@smithy/") ||
        p === "@pulumi/pulumi/automation" ||
        p.startsWith("@grpc/"),
    );

  it("--help loads no AWS SDK client and no Automation API", () => {
    const { code, packages } = packagesLoadedBy(["--help"], dir);
    assert.strictEqual(code, 0);
    assert.deepStrictEqual(heavy(packages), []);
    assert.ok(packages.includes("commander"), "the probe sees what the CLI loads");
  });

  it("validate of a fleet file without organization: loads no AWS SDK client and no Automation API", () => {
    const { code, packages } = packagesLoadedBy(["validate"], dir);
    assert.strictEqual(code, 0);
    assert.deepStrictEqual(heavy(packages), []);
    assert.ok(packages.includes("zod") && packages.includes("yaml"), packages.join(", "));
  });

  it("the finding statuses and resource types written out are the SDK's enums", () => {
    assert.deepStrictEqual([...FINDING_STATUSES].sort(), Object.values(SdkFindingStatus).sort());
    assert.deepStrictEqual([...RESOURCE_TYPES].sort(), Object.values(SdkResourceType).sort());
  });
});
