import * as assert from "assert";
import * as fs from "fs";
import * as os from "os";
import * as path from "path";
import {
  environValue,
  markedProcesses,
  newRunMarker,
  reap,
  RUN_MARKER_ENV,
  startReaper,
} from "../../../fleet/run/reaper";
import { spawn } from "child_process";

/** A fake `/proc`: pid → environment (undefined: a process whose environ cannot be read). */
function fakeProc(processes: Record<string, Record<string, string> | undefined>): string {
  const root = fs.mkdtempSync(path.join(os.tmpdir(), "reaper-proc-"));
  fs.mkdirSync(path.join(root, "self"));
  fs.writeFileSync(path.join(root, "self", "environ"), `${RUN_MARKER_ENV}=run-a\0`);
  for (const [pid, env] of Object.entries(processes)) {
    fs.mkdirSync(path.join(root, pid));
    if (env === undefined) continue;
    const text = Object.entries(env)
      .map(([k, v]) => `${k}=${v}\0`)
      .join("");
    fs.writeFileSync(path.join(root, pid, "environ"), text);
  }
  return root;
}

describe("the reaper: a killed bot's engines and plugins", () => {
  it("reads one variable of a NUL-separated environ, not a variable that only ends with its name", () => {
    const environ = `X_${RUN_MARKER_ENV}=other\0PATH=/bin\0${RUN_MARKER_ENV}=run-a\0`;
    assert.equal(environValue(environ, RUN_MARKER_ENV), "run-a");
    assert.equal(environValue("PATH=/bin\0", RUN_MARKER_ENV), undefined);
  });

  it("finds exactly the processes carrying the run's marker, skipping itself, non-pids and unreadable ones", () => {
    const proc = fakeProc({
      "10": { [RUN_MARKER_ENV]: "run-a", PATH: "/bin" },
      "11": { [RUN_MARKER_ENV]: "run-b" },
      "12": { PATH: "/bin" },
      "13": undefined,
      "14": { [RUN_MARKER_ENV]: "run-a" },
      "200": { [RUN_MARKER_ENV]: "run-a" },
    });
    assert.deepEqual(
      markedProcesses((m) => m === "run-a", proc, 200),
      [10, 14],
    );
    assert.deepEqual(
      markedProcesses(() => true, path.join(proc, "missing")),
      [],
    );
  });

  it("kills every marked process and scans again until none is left", async () => {
    const proc = fakeProc({
      "20": { [RUN_MARKER_ENV]: "run-a" },
      "21": { [RUN_MARKER_ENV]: "run-b" },
    });
    const killed: number[] = [];
    let round = 0;
    const count = await reap("run-a", {
      procRoot: proc,
      pauseMs: 0,
      kill: (pid) => {
        killed.push(pid);
        fs.rmSync(path.join(proc, String(pid)), { recursive: true });
        // The engine started a plugin while it was being killed.
        if (round++ === 0) {
          fs.mkdirSync(path.join(proc, "22"));
          fs.writeFileSync(path.join(proc, "22", "environ"), `${RUN_MARKER_ENV}=run-a\0`);
        }
      },
    });
    assert.deepEqual(killed, [20, 22]);
    assert.equal(count, 2);
    assert.ok(fs.existsSync(path.join(proc, "21")), "another run's process is left alone");
  });

  it("a process that is already gone does not stop the others being killed", async () => {
    const proc = fakeProc({
      "30": { [RUN_MARKER_ENV]: "run-a" },
      "31": { [RUN_MARKER_ENV]: "run-a" },
    });
    const killed: number[] = [];
    await reap("run-a", {
      procRoot: proc,
      pauseMs: 0,
      rounds: 1,
      kill: (pid) => {
        if (pid === 30) throw new Error("ESRCH");
        killed.push(pid);
      },
    });
    assert.deepEqual(killed, [31]);
  });

  it("marks a run with the bot's pid first, different for every run", () => {
    assert.match(newRunMarker(4242), /^4242-[0-9a-f]{12}$/);
    assert.notEqual(newRunMarker(1), newRunMarker(1));
  });

  it("takes only all-digit entries as pids, skips unmarked processes whatever the matcher, and sorts numerically", () => {
    const proc = fakeProc({
      "9": { [RUN_MARKER_ENV]: "run-a" },
      "10": { [RUN_MARKER_ENV]: "run-a" },
      "12": { PATH: "/bin" },
      a10: { [RUN_MARKER_ENV]: "run-a" },
      "10a": { [RUN_MARKER_ENV]: "run-a" },
    });
    assert.deepEqual(
      markedProcesses(() => true, proc, 1),
      [9, 10],
    );
  });

  it("stops scanning as soon as a scan finds nothing", async () => {
    const proc = fakeProc({ "40": { PATH: "/bin" } });
    const started = Date.now();
    // A scan that found nothing and went on would wait 2 s before the next.
    assert.equal(await reap("run-a", { procRoot: proc, pauseMs: 2000, rounds: 3 }), 0);
    assert.ok(Date.now() - started < 1500, `${Date.now() - started} ms`);
  });

  const linux = process.platform === "linux" ? it : it.skip;

  linux("kills a real marked process with SIGKILL through /proc by default", async () => {
    const marker = newRunMarker();
    const child = spawn(process.execPath, ["-e", "setTimeout(() => undefined, 20000)"], {
      env: { ...process.env, [RUN_MARKER_ENV]: marker },
      stdio: "ignore",
    });
    const exited = new Promise<NodeJS.Signals | null>((resolve) =>
      child.on("exit", (_code, signal) => resolve(signal)),
    );
    try {
      assert.equal(await reap(marker, { pauseMs: 5 }), 1);
      assert.equal(await exited, "SIGKILL");
    } finally {
      child.kill("SIGKILL");
    }
  });

  linux(
    "starts a watchdog in a session of its own, named by the marker, that does not carry the marker",
    async () => {
      const marker = newRunMarker();
      assert.deepEqual(startReaper(marker), { [RUN_MARKER_ENV]: marker });
      let pid: number | undefined;
      for (let i = 0; i < 100 && pid === undefined; i++) {
        for (const entry of fs.readdirSync("/proc")) {
          if (!/^\d+$/.test(entry)) continue;
          try {
            const argv = fs.readFileSync(`/proc/${entry}/cmdline`, "latin1").split("\0");
            if (argv.includes(marker)) pid = Number(entry);
          } catch {
            // gone
          }
        }
        if (pid === undefined) await new Promise((r) => setTimeout(r, 20));
      }
      assert.ok(pid !== undefined, "no watchdog process names the marker");
      try {
        const argv = fs.readFileSync(`/proc/${pid}/cmdline`, "latin1").split("\0");
        assert.equal(argv[0], process.execPath);
        assert.equal(argv[1], "-r");
        assert.ok(
          argv.some((a) => a.endsWith(path.join("fleet", "run", "reaper.ts"))),
          argv.join(" "),
        );
        assert.ok(
          argv.some((a) => /ts-node.*transpile-only/.test(a)),
          argv.join(" "),
        );
        const environ = fs.readFileSync(`/proc/${pid}/environ`, "latin1");
        assert.equal(environValue(environ, RUN_MARKER_ENV), undefined);
        assert.equal(environValue(environ, "PATH"), process.env.PATH);
        // stat: "pid (comm) state ppid pgrp session ..."; detached: its own session.
        const stat = fs.readFileSync(`/proc/${pid}/stat`, "latin1");
        const session = Number(stat.slice(stat.lastIndexOf(")") + 2).split(" ")[3]);
        assert.equal(session, pid);
      } finally {
        process.kill(pid, "SIGKILL");
      }
    },
  );
});
