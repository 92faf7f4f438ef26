// Set-up failures surface before any stack starts: the real bot (fleet/cli.ts in a child process)
// with no Pulumi CLI, a too-old one, an unreadable backend, and a backend the CLI's login names
// without the passphrase its stacks need. Each exits 3 ("nothing ran") with the fix, starts no
// stack and writes no log. No AWS is reached: the checks come first.

import * as assert from "node:assert/strict";
import { spawn } from "node:child_process";
import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";

import { ROOT, pulumiBinDir } from "./harness";

interface Run {
  readonly code: number | null;
  readonly stderr: string;
}

/** Runs the bot with exactly `env` (plus the ts-node project) in `cwd`. */
function runBot(args: readonly string[], cwd: string, env: Record<string, string>): Promise<Run> {
  return new Promise((resolve, reject) => {
    const child = spawn(
      process.execPath,
      [
        "-r",
        require.resolve("ts-node/register/transpile-only"),
        path.join(ROOT, "fleet", "cli.ts"),
        ...args,
      ],
      {
        cwd,
        env: { ...env, TS_NODE_PROJECT: path.join(ROOT, "tsconfig.json") },
        stdio: ["ignore", "pipe", "pipe"],
      },
    );
    let stderr = "";
    child.stderr.setEncoding("utf8").on("data", (t: string) => (stderr += t));
    child.stdout.resume();
    child.on("error", reject);
    child.on("close", (code) => resolve({ code, stderr }));
  });
}

const ACCOUNT = `accounts:\n  - { id: "240000000001", name: preflight }\n`;

describe("set-up failures are found before any stack starts, exit 3", function () {
  let tmp: string;
  let pulumiBin: string;
  let baseEnv: Record<string, string>;

  before(async () => {
    pulumiBin = await pulumiBinDir();
    tmp = fs.mkdtempSync(path.join(os.tmpdir(), "e2e-preflight-"));
    fs.mkdirSync(path.join(tmp, "home"));
    // Only what the bot needs: no AWS credentials (nothing may reach AWS), a Pulumi home of its own.
    baseEnv = {
      HOME: path.join(tmp, "home"),
      PULUMI_HOME: path.join(tmp, "pulumi-home"),
      PULUMI_SKIP_UPDATE_CHECK: "true",
      PULUMI_CONFIG_PASSPHRASE: "e2e",
      PATH: [pulumiBin, path.dirname(process.execPath), "/usr/bin", "/bin"].join(":"),
    };
  });

  after(() => {
    if (tmp) fs.rmSync(tmp, { recursive: true, force: true });
  });

  /** Runs `up` on a fleet file in a folder of its own; asserts nothing started and no log exists. */
  async function up(
    name: string,
    fleetText: string,
    env: Record<string, string>,
    extra: string[] = [],
  ): Promise<Run> {
    const dir = path.join(tmp, name);
    fs.mkdirSync(dir);
    fs.writeFileSync(path.join(dir, "fleet.yaml"), fleetText);
    const run = await runBot(["up", "--log-dir", "logs", ...extra], dir, env);
    assert.equal(run.code, 3, run.stderr);
    assert.doesNotMatch(run.stderr, /\] start up|stack\(s\), concurrency/, "no stack started");
    assert.ok(!fs.existsSync(path.join(dir, "logs")), "no log written");
    return run;
  }

  it("no pulumi on PATH: says so, with how to install it or --pulumi-root", async () => {
    const run = await up(
      "no-cli",
      `backend: file://./state\nsecretsProvider: passphrase\n${ACCOUNT}`,
      {
        ...baseEnv,
        PATH: [path.dirname(process.execPath), "/usr/bin", "/bin"].join(":"),
      },
    );
    assert.match(
      run.stderr,
      /^the Pulumi CLI was not found \(pulumi on PATH\): install it \(https:\/\/www\.pulumi\.com\/docs\/install\/\), version \d+\.\d+\.\d+ or later, and put it on PATH or pass --pulumi-root DIR/m,
    );
  });

  it("a too-old pulumi under --pulumi-root: names its version and the minimum", async () => {
    const root = path.join(tmp, "old-pulumi");
    fs.mkdirSync(path.join(root, "bin"), { recursive: true });
    // A CLI that answers `pulumi version` as v3.100.0 did; anything else would be a bug here.
    fs.writeFileSync(
      path.join(root, "bin", "pulumi"),
      '#!/bin/sh\nif [ "$1" = version ]; then echo v3.100.0; exit 0; fi\necho "unexpected: $*" >&2; exit 1\n',
      { mode: 0o755 },
    );
    const run = await up(
      "old-cli",
      `backend: file://./state\nsecretsProvider: passphrase\n${ACCOUNT}`,
      baseEnv,
      ["--pulumi-root", root],
    );
    assert.match(
      run.stderr,
      /^the Pulumi CLI \(.*old-pulumi\/bin\/pulumi \(--pulumi-root\)\) is 3\.100\.0; the fleet needs \d+\.\d+\.\d+ or later: upgrade it/m,
    );
    assert.doesNotMatch(run.stderr, /unexpected:/);
  });

  it("an absolute file:// backend that does not exist: the CLI's error and the fix", async () => {
    const missing = path.join(tmp, "no-such-state");
    const run = await up(
      "no-backend",
      `backend: file://${missing}\nsecretsProvider: passphrase\n${ACCOUNT}`,
      baseEnv,
    );
    assert.match(
      run.stderr,
      new RegExp(
        `^fleet\\.yaml: backend file://${missing}: the backend cannot be read: error: unable to open state directory .*no such file or directory; create the folder`,
        "m",
      ),
    );
    assert.ok(!fs.existsSync(missing), "the missing folder is not created");
  });

  it("a backend named only by `pulumi login`, without the passphrase its stacks need", async () => {
    const state = path.join(tmp, "login-state");
    fs.mkdirSync(state);
    await new Promise<void>((resolve, reject) => {
      const login = spawn("pulumi", ["login", `file://${state}`], {
        env: baseEnv,
        stdio: "ignore",
      });
      login.on("error", reject);
      login.on("close", (code) => (code === 0 ? resolve() : reject(new Error(`login: ${code}`))));
    });
    const noPassphrase = { ...baseEnv };
    delete noPassphrase.PULUMI_CONFIG_PASSPHRASE;
    const run = await up("login-no-passphrase", ACCOUNT, noPassphrase);
    assert.match(
      run.stderr,
      /^the passphrase secrets provider needs PULUMI_CONFIG_PASSPHRASE or PULUMI_CONFIG_PASSPHRASE_FILE in the environment/m,
    );
  });
});
