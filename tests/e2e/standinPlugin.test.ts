// The stand-in aws plugin under the real engine: when its engine dies without a chance to stop
// its plugins (SIGKILL: no SIGINT to the plugins, no Cancel), every plugin of that engine exits by
// itself within seconds, as a real provider does (it health-checks the engine it was started
// with). No watchdog is involved: the engine runs outside the fleet bot, so nothing else would
// ever end them (a killed probe once left 16 of them holding a lock until killed by hand).

import * as assert from "node:assert/strict";
import { spawn } from "node:child_process";
import { randomBytes } from "node:crypto";
import * as fs from "node:fs";
import * as path from "node:path";

import { pulumiBinDir, waitFor, World } from "./harness";

const ACCOUNT = "230000000041";
const REGIONS = ["ap-south-1", "eu-west-1", "us-east-1"];
const MARK = "AA_E2E_ENGINE_KILLED";

/** Pids whose environment carries `MARK=<run>` and whose command line matches `command`. */
function marked(run: string, command: RegExp): number[] {
  const pids: number[] = [];
  for (const entry of fs.readdirSync("/proc")) {
    if (!/^\d+$/.test(entry) || Number(entry) === process.pid) continue;
    try {
      const environ = fs.readFileSync(`/proc/${entry}/environ`, "latin1").split("\0");
      if (!environ.includes(`${MARK}=${run}`)) continue;
      const cmdline = fs.readFileSync(`/proc/${entry}/cmdline`, "latin1").split("\0").join(" ");
      if (command.test(cmdline)) pids.push(Number(entry));
    } catch {
      // ended meanwhile, or not ours to read
    }
  }
  return pids;
}

/** The stand-in's node processes (not its bash launcher, which execs into node). */
const PLUGIN = /node .*\/\.cache\/provider\/[0-9a-f]+\/main\.js/;

describe("the stand-in aws plugin when its engine is killed", function () {
  let world: World;
  const run = randomBytes(6).toString("hex");

  before(async () => {
    world = await World.start({ label: "standin", accounts: [{ id: ACCOUNT }] });
  });

  after(async () => {
    // Whatever of this engine run is left (its language host and program): ours to end.
    for (const pid of marked(run, /./)) {
      try {
        process.kill(pid, "SIGKILL");
      } catch {
        // already gone
      }
    }
    await world?.close();
  });

  it("every plugin of a SIGKILLed engine exits by itself within seconds", async () => {
    const stack = await world.stack(ACCOUNT, { regions: REGIONS });
    // Hold every create in the fake, so the engine is mid-update with all its plugins running.
    await world.admin.setLatency({
      service: "access-analyzer",
      operation: "CreateAnalyzer",
      accountId: ACCOUNT,
      ms: 120_000,
    });
    const engine = spawn(
      path.join(await pulumiBinDir(), "pulumi"),
      ["up", "--yes", "--skip-preview", "--non-interactive", "--stack", stack.name],
      {
        cwd: world.workDir,
        env: { ...process.env, ...world.env, [MARK]: run },
        stdio: "ignore",
        detached: true,
      },
    );
    const engineExit = new Promise<void>((resolve) => engine.once("exit", () => resolve()));
    // The lookup provider and one per region.
    await waitFor("the engine's plugins", () => marked(run, PLUGIN).length >= REGIONS.length + 1);
    const plugins = marked(run, PLUGIN);

    engine.kill("SIGKILL");
    await engineExit;
    const killedAt = Date.now();
    await waitFor(
      `the ${plugins.length} plugins of the killed engine to exit`,
      () => marked(run, PLUGIN).length === 0,
      15_000,
    );
    const ms = Date.now() - killedAt;
    console.log(`      ${plugins.length} plugins exited ${ms} ms after the engine's SIGKILL`);
    assert.ok(ms < 15_000);
  });
});
