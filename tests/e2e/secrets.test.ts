// Secrets after a real-engine run: a recognisable external id, required by the account's role,
// reaches AWS (the update succeeds) but appears in no state file, no stack config file, no
// engine log, no report and no `pulumi` command line.

import * as assert from "node:assert/strict";
import * as fs from "node:fs";
import * as path from "node:path";

import { World } from "./harness";

const ACCOUNT = "230000000001";
const EXTERNAL_ID = "PLANTED-EXTERNAL-ID-7f3a";

/** Every file under `dir` (recursively) whose text holds `needle`. */
function filesHolding(dir: string, needle: string): string[] {
  if (!fs.existsSync(dir)) return [];
  return fs
    .readdirSync(dir, { recursive: true, withFileTypes: true })
    .filter((e) => e.isFile())
    .map((e) => path.join(e.parentPath, e.name))
    .filter((file) => fs.readFileSync(file).includes(needle));
}

describe("secrets after a real-engine run", function () {
  let world: World;
  let argvLog: string;
  let pulumiRoot: string;

  before(async () => {
    world = await World.start({
      label: "secrets",
      accounts: [{ id: ACCOUNT, name: "planted", externalId: EXTERNAL_ID }],
    });
    // A `pulumi` that records its arguments, then runs the real CLI.
    argvLog = path.join(world.tmp, "argv.log");
    pulumiRoot = path.join(world.tmp, "recording-pulumi");
    fs.mkdirSync(path.join(pulumiRoot, "bin"), { recursive: true });
    const real = path.join(path.dirname(world.command.command), "pulumi");
    fs.writeFileSync(
      path.join(pulumiRoot, "bin", "pulumi"),
      `#!/bin/sh\nprintf '%s\\n' "$*" >> '${argvLog}'\nexec '${real}' "$@"\n`,
      { mode: 0o755 },
    );
  });

  after(async () => {
    await world?.close();
  });

  it("keeps the external id out of state, stack config, logs, the report and every command line", async () => {
    const fleetFile = world.writeFleetFile(
      "fleet.yaml",
      `backend: file://./state
secretsProvider: passphrase
defaults:
  roleName: AccessAnalyzerDeployer
  externalId: ${EXTERNAL_ID}
  regions: [us-east-1, eu-west-1]
accounts:
  - { id: "${ACCOUNT}", name: planted }
`,
    );
    const report = path.join(world.tmp, "report.json");
    // --verbose: the engine's lines on stderr must not hold it either.
    const run = await world.runFleet(
      ["up", "--verbose", "--fleet", fleetFile, "--pulumi-root", pulumiRoot],
      {
        reportFile: report,
      },
    );

    // The role requires the id: the update only succeeds if it reached the provider.
    assert.equal(run.code, 0, run.stderr.slice(-3000));
    assert.deepEqual(Object.keys(await world.analyzersInFake(ACCOUNT)), ["eu-west-1", "us-east-1"]);

    const argv = fs.readFileSync(argvLog, "utf8");
    assert.match(argv, /config set-all/, "the recording wrapper saw the config writes");
    assert.ok(!argv.includes(EXTERNAL_ID), "no pulumi command line holds the external id");

    const state = path.join(world.tmp, "state");
    assert.ok(
      filesHolding(state, ACCOUNT).length > 0,
      "the file backend holds the account's state",
    );
    const stackFiles = fs.readdirSync(world.workDir).filter((f) => /^Pulumi\..+\.yaml$/.test(f));
    assert.ok(stackFiles.length > 0, "the stack has a config file");

    const holding = [
      ...filesHolding(state, EXTERNAL_ID),
      ...stackFiles
        .map((f) => path.join(world.workDir, f))
        .filter((f) => fs.readFileSync(f, "utf8").includes(EXTERNAL_ID)),
      ...filesHolding(path.join(world.tmp, "logs"), EXTERNAL_ID),
      ...(fs.readFileSync(report, "utf8").includes(EXTERNAL_ID) ? [report] : []),
    ];
    assert.deepEqual(holding, [], "files holding the planted external id");
    assert.ok(!run.stdout.includes(EXTERNAL_ID) && !run.stderr.includes(EXTERNAL_ID));
  });
});
