import * as assert from "node:assert/strict";
import { spawn } from "node:child_process";
import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";

import { removeRunTempDir } from "../../../fleet/run/reaper";
import { sweepRunTempDirs, useRunTempDir } from "../../../fleet/run/tempDir";

const ROOT = path.resolve(__dirname, "../../..");

/** Starts a bot-like process that makes its run folder under `root`, starts the watchdog, and waits. */
function botLike(root: string, exitAtOnce: boolean) {
  const script = `
    const { useRunTempDir } = require("./fleet/run/tempDir");
    const { startReaper } = require("./fleet/run/reaper");
    const dir = useRunTempDir(process.argv[1]);
    startReaper(undefined, dir);
    require("fs").mkdirSync(require("path").join(require("os").tmpdir(), "aa-fleet-up-x"));
    process.stdout.write(dir + "\\n");
    ${exitAtOnce ? "" : "setInterval(() => undefined, 1000);"}
  `;
  const child = spawn(
    process.execPath,
    ["-r", require.resolve("ts-node/register/transpile-only"), "-e", script, root],
    { cwd: ROOT, stdio: ["ignore", "pipe", "inherit"] },
  );
  const dir = new Promise<string>((resolve) => {
    let out = "";
    child.stdout.setEncoding("utf8").on("data", (t: string) => {
      out += t;
      if (out.includes("\n")) resolve(out.trim());
    });
  });
  const exited = new Promise<void>((resolve) => child.on("exit", () => resolve()));
  return { child, dir, exited };
}

/** What is left in `root`, less the compile cache ts-node's loader (the watchdog's) keeps there. */
const left = (root: string) =>
  fs.readdirSync(root).filter((f) => !f.startsWith("v8-compile-cache"));

async function gone(dir: string, ms = 20_000): Promise<boolean> {
  const until = Date.now() + ms;
  while (fs.existsSync(dir) && Date.now() < until) await new Promise((r) => setTimeout(r, 50));
  return !fs.existsSync(dir);
}

describe("the bot's temporary folder (fleet/run/tempDir)", () => {
  let root: string;
  const savedTmpdir = process.env.TMPDIR;

  beforeEach(() => {
    root = fs.mkdtempSync(path.join(os.tmpdir(), "tempdir-test-"));
  });

  afterEach(() => {
    if (savedTmpdir === undefined) delete process.env.TMPDIR;
    else process.env.TMPDIR = savedTmpdir;
    fs.rmSync(root, { recursive: true, force: true });
  });

  it("sweeps the folders of bots no longer running, and nothing else", () => {
    for (const name of [
      "aa-fleet-111-aaaaaa",
      "aa-fleet-222-bbbbbb",
      `aa-fleet-${process.pid}-cccccc`,
      "aa-fleet-up-dddddd",
      "automation-logs-up-eeeeee",
      "aa-fleet-333-ffffff-more",
    ]) {
      fs.mkdirSync(path.join(root, name));
      fs.writeFileSync(path.join(root, name, "events.jsonl"), "{}");
    }
    const removed = sweepRunTempDirs(root, (pid) => pid === 222);
    assert.deepEqual(removed, [path.join(root, "aa-fleet-111-aaaaaa")]);
    assert.deepEqual(
      fs.readdirSync(root).sort(),
      [
        "aa-fleet-222-bbbbbb",
        "aa-fleet-333-ffffff-more",
        `aa-fleet-${process.pid}-cccccc`,
        "aa-fleet-up-dddddd",
        "automation-logs-up-eeeeee",
      ].sort(),
    );
  });

  it("finds nothing to sweep in a folder that does not exist", () => {
    assert.deepEqual(sweepRunTempDirs(path.join(root, "missing")), []);
  });

  it("makes this run's folder, named by its pid, and points TMPDIR there", () => {
    fs.mkdirSync(path.join(root, "aa-fleet-999999999-zzzzzz"));
    const dir = useRunTempDir(root);
    assert.equal(path.dirname(dir), root);
    assert.match(path.basename(dir), new RegExp(`^aa-fleet-${process.pid}-\\w{6}$`));
    assert.equal(process.env.TMPDIR, dir);
    assert.equal(os.tmpdir(), dir);
    assert.ok(fs.statSync(dir).isDirectory());
    assert.ok(!fs.existsSync(path.join(root, "aa-fleet-999999999-zzzzzz")), "a dead bot's folder");
  });

  it("the watchdog removes only a run folder", () => {
    const other = path.join(root, "keep-me");
    fs.mkdirSync(other);
    removeRunTempDir(other);
    removeRunTempDir(undefined);
    assert.ok(fs.existsSync(other));
    const run = path.join(root, "aa-fleet-4242-abcdef");
    fs.mkdirSync(path.join(run, "aa-fleet-up-x"), { recursive: true });
    removeRunTempDir(run);
    assert.ok(!fs.existsSync(run));
  });

  it("leaves no folder when the bot exits", async () => {
    const bot = botLike(root, true);
    const dir = await bot.dir;
    await bot.exited;
    assert.ok(await gone(dir, 1000), `${dir} left behind`);
    assert.deepEqual(left(root), []);
  });

  it("leaves no folder when the bot is killed with SIGKILL: the watchdog removes it", async () => {
    const bot = botLike(root, false);
    const dir = await bot.dir;
    assert.ok(
      fs.existsSync(path.join(dir, "aa-fleet-up-x")),
      "the bot's temporary files are in it",
    );
    bot.child.kill("SIGKILL");
    await bot.exited;
    assert.ok(await gone(dir), `${dir} left behind after SIGKILL`);
    assert.deepEqual(left(root), []);
  });
});
