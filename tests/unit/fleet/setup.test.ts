import * as assert from "assert";
import type { PulumiCommand } from "@pulumi/pulumi/automation";
import { MIN_PULUMI_CLI, backendProblem, cliProblem } from "../../../fleet/domain/setup";
import { preflightProblems } from "../../../fleet/domain/workspace";
import { checkPulumiSetup } from "../../../fleet/run/setup";

/** A PulumiCommand as far as the check reads it: its parsed version. */
function cli(version: string): PulumiCommand {
  const [major, minor, patch] = version.split(".").map(Number);
  const compare = (other: string) => {
    const o = other.split(".").map(Number);
    return Math.sign(major - o[0] || minor - o[1] || patch - o[2]);
  };
  return { command: "pulumi", version: { version, compare } } as unknown as PulumiCommand;
}

const source = { fleetFile: "fleet.yaml" };
const noWorkspace = () => Promise.reject(new Error("the backend must not be read"));

describe("the Pulumi set-up checked before any stack starts", () => {
  it("says a CLI that is not found, where it was looked for and how to install it", async () => {
    // How the Automation API reports a command that cannot start: CommandError, code -2.
    const enoent = Object.assign(new Error("code: -2\n stderr: spawn pulumi ENOENT"), {
      commandResult: { code: -2 },
    });
    const check = await checkPulumiSetup({
      command: () => Promise.reject(enoent),
      workspace: noWorkspace,
      source,
    });
    assert.deepStrictEqual(check.problems, [
      `the Pulumi CLI was not found (pulumi on PATH): install it (https://www.pulumi.com/docs/install/), version ${MIN_PULUMI_CLI} or later, and put it on PATH or pass --pulumi-root DIR (the folder holding bin/pulumi)`,
    ]);
    const inRoot = cliProblem({ kind: "missing" }, "/opt/pulumi");
    assert.match(
      inRoot,
      /^the Pulumi CLI was not found \(\/opt\/pulumi\/bin\/pulumi \(--pulumi-root\)\)/,
    );
  });

  it("refuses a CLI older than the minimum, naming both versions, before reading the backend", async () => {
    const check = await checkPulumiSetup({
      command: () => Promise.resolve(cli("3.100.0")),
      workspace: noWorkspace,
      source,
      env: {},
    });
    assert.deepStrictEqual(check.problems, [
      `the Pulumi CLI (pulumi on PATH) is 3.100.0; the fleet needs ${MIN_PULUMI_CLI} or later: upgrade it (https://www.pulumi.com/docs/install/) or pass --pulumi-root DIR with a newer one`,
    ]);
  });

  it("takes the minimum itself, and lets the Automation API's skip switch turn the check off", async () => {
    const exact = await checkPulumiSetup({
      command: () => Promise.resolve(cli(MIN_PULUMI_CLI)),
      workspace: noWorkspace,
      source,
      env: {},
    });
    // Past the version check: the (failing) backend read is what it reports.
    assert.match(exact.problems[0], /the backend cannot be read: the backend must not be read/);
    const skipped = await checkPulumiSetup({
      command: () => Promise.resolve(cli("3.100.0")),
      workspace: noWorkspace,
      source,
      env: { PULUMI_AUTOMATION_API_SKIP_VERSION_CHECK: "true" },
    });
    assert.match(skipped.problems[0], /the backend cannot be read/);
  });

  it("says a CLI that fails otherwise with its own error line", () => {
    assert.strictEqual(
      cliProblem({ kind: "broken", message: "code: 1\n stderr: error: bad things\n" }, undefined),
      `the Pulumi CLI (pulumi on PATH) cannot be used: error: bad things; install it (https://www.pulumi.com/docs/install/), version ${MIN_PULUMI_CLI} or later`,
    );
  });

  it("names where an unreadable backend's URL came from, the CLI's error, and a fix for its kind", () => {
    const error =
      'code: 255\n stdout: \n stderr: error: unable to open state directory "file:///s": stat /s: no such file or directory\n';
    assert.strictEqual(
      backendProblem({ fleetFile: "fleet.yaml", backend: "file:///s" }, error),
      'fleet.yaml: backend file:///s: the backend cannot be read: error: unable to open state directory "file:///s": stat /s: no such file or directory; create the folder, or point it at the state folder (an absolute file:// folder is never created: a missing one may be an unmounted volume)',
    );
    assert.match(
      backendProblem({ fleetFile: "f.yaml", envUrl: "s3://bucket/x" }, "error: AccessDenied"),
      /^PULUMI_BACKEND_URL s3:\/\/bucket\/x: the backend cannot be read: error: AccessDenied; check the bucket's name and region/,
    );
    assert.match(
      backendProblem({ fleetFile: "f.yaml" }, "error: getting user info: 401"),
      /^the Pulumi CLI's login \(no backend in the fleet file, no PULUMI_BACKEND_URL\): .*; set backend: in the fleet file or PULUMI_BACKEND_URL/,
    );
    assert.match(
      backendProblem({ fleetFile: "f.yaml", backend: "https://api.pulumi.com" }, "error: 401"),
      /PULUMI_ACCESS_TOKEN/,
    );
  });

  it("asks for the passphrase when only the CLI's login names a diy backend", () => {
    assert.deepStrictEqual(preflightProblems({}, {}), []);
    assert.match(preflightProblems({}, {}, "file:///state")[0], /PULUMI_CONFIG_PASSPHRASE/);
    assert.deepStrictEqual(preflightProblems({}, {}, "https://api.pulumi.com"), []);
    assert.deepStrictEqual(
      preflightProblems({}, { PULUMI_BACKEND_URL: "https://api.pulumi.com" }, "file:///state"),
      [],
    );
  });
});
