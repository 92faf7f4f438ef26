// A run killed while the file backend writes (issue 21, cases 5 and 7), on the real engine through
// the fleet bot: the empty `<stack>.json.attrs` a killed run left ("failed to load checkpoint: EOF"
// on every later run) is removed and the run goes on; a torn `<stack>.json` stops the stack before
// the engine, naming the file and the fix, with nothing changed; after the named fix one
// `up --refresh` converges. The torn files are the ones a killed write leaves (empty, cut off):
// killing the CLI inside its few-microsecond write cannot be timed. Every run, the failed ones
// included, leaves nothing in TMPDIR.

import * as assert from "node:assert/strict";
import * as fs from "node:fs";
import * as path from "node:path";

import { World } from "./harness";

const ACCOUNT = "230000000001";
const STACK = `acct-${ACCOUNT}`;

describe("a torn checkpoint and temporary files under the real engine", function () {
  let world: World;
  let fleetFile: string;
  let tmpdir: string;
  let stacks: string;

  before(async () => {
    world = await World.start({ label: "torn", accounts: [{ id: ACCOUNT, name: "torn" }] });
    fleetFile = world.writeFleetFile(
      "fleet.yaml",
      `backend: file://./state
secretsProvider: passphrase
defaults:
  roleName: AccessAnalyzerDeployer
  regions: [eu-west-1]
accounts:
  - { id: "${ACCOUNT}" }
`,
    );
    // The bot's TMPDIR: its own, so what it leaves there is seen.
    tmpdir = path.join(world.tmp, "tmpdir");
    fs.mkdirSync(tmpdir);
    world.env.TMPDIR = tmpdir;
    stacks = path.join(world.tmp, "state", ".pulumi", "stacks", "access-analyzer");
  });

  after(async () => {
    await world?.close();
  });

  const fleet = (...args: string[]) => world.runFleet([...args, "--fleet", fleetFile]);
  const checkpoint = () => path.join(stacks, `${STACK}.json`);
  /** Every file of the stack's checkpoint, name → bytes. */
  const files = () =>
    Object.fromEntries(
      fs
        .readdirSync(stacks)
        .filter((f) => f.startsWith(`${STACK}.json`))
        .sort()
        .map((f) => [f, fs.readFileSync(path.join(stacks, f), "latin1")]),
    );
  /** What runs left in TMPDIR, less the compile cache ts-node's loader keeps across runs. */
  const leftInTmpdir = () =>
    fs.readdirSync(tmpdir).filter((f) => !f.startsWith("v8-compile-cache"));

  it("removes the empty .attrs a killed run left and goes on; no temporary folder is left", async () => {
    const first = await fleet("up");
    assert.equal(first.code, 0, first.stderr.slice(-3000));
    const arn = (await world.analyzersInFake(ACCOUNT))["eu-west-1"];
    assert.ok(arn);
    assert.deepEqual(leftInTmpdir(), [], "the first up left temporary files");

    fs.writeFileSync(`${checkpoint()}.attrs`, "");
    const next = await fleet("up");
    assert.equal(next.code, 0, next.stderr.slice(-3000));
    assert.doesNotMatch(next.stderr, /failed to load checkpoint/);
    const result = next.report?.results.find((r) => r.stack === STACK);
    // Repaired first, then the nightly fast path reads the (now loadable) state: nothing changed.
    assert.deepEqual(
      result?.notes?.map((n) => n.status),
      ["checkpoint-repaired", "unchanged-verified"],
    );
    assert.match(result?.notes?.[0].detail ?? "", /removed the empty .*\.json\.attrs/);
    assert.deepEqual((await world.analyzersInFake(ACCOUNT))["eu-west-1"], arn, "same analyzer");
    assert.deepEqual(leftInTmpdir(), []);
  });

  it("stops on a torn checkpoint naming the file and the fix, changes nothing, and converges after the fix", async () => {
    const whole = fs.readFileSync(checkpoint());
    // The .bak the backend keeps is the checkpoint before the last write: a whole one.
    fs.writeFileSync(`${checkpoint()}.bak`, whole);
    fs.writeFileSync(checkpoint(), whole.subarray(0, Math.floor(whole.length / 2)));
    const before = files();
    const analyzers = await world.analyzersInFake(ACCOUNT);

    const torn = await fleet("up");
    assert.equal(torn.code, 1, torn.stderr.slice(-3000));
    const error = torn.report?.results.find((r) => r.stack === STACK)?.error ?? "";
    assert.ok(
      error.includes(`${checkpoint()} is not whole JSON`) &&
        error.includes(`cp '${checkpoint()}.bak' '${checkpoint()}'`) &&
        error.includes("up --refresh"),
      error,
    );
    assert.deepEqual(files(), before, "the checkpoint files are as they were");
    assert.deepEqual(await world.analyzersInFake(ACCOUNT), analyzers, "nothing changed in AWS");
    assert.deepEqual(leftInTmpdir(), [], "a failed run leaves no temporary files");

    fs.copyFileSync(`${checkpoint()}.bak`, checkpoint());
    const fixed = await fleet("up", "--refresh");
    assert.equal(fixed.code, 0, fixed.stderr.slice(-3000));
    const c = fixed.report?.results.find((r) => r.stack === STACK)?.changes;
    assert.equal((c?.create ?? 0) + (c?.delete ?? 0) + (c?.replace ?? 0), 0);
    assert.deepEqual(await world.analyzersInFake(ACCOUNT), analyzers);
    assert.deepEqual(leftInTmpdir(), []);
  });
});
