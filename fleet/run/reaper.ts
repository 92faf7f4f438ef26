/**
 * A killed bot leaves nothing running (Linux).
 *
 * Every Pulumi command the bot runs carries `ACCESS_ANALYZER_FLEET_RUN=<marker>` in its
 * environment, and the engine hands its environment down to the language host, the program and
 * every plugin. At start the bot spawns a watchdog: this file, in a session of its own (so a
 * signal to the bot's process group does not reach it), reading a pipe from the bot. When the bot
 * ends, however it ends (normal exit, crash, SIGKILL), the kernel closes that pipe; the watchdog
 * then finds every process whose environment carries the marker in `/proc` and kills it with
 * SIGKILL, scanning again until none is left (an engine may start a plugin while it is killed).
 *
 * Limits: Linux only (`/proc/<pid>/environ`; elsewhere the watchdog finds nothing); a process
 * that clears its environment escapes; a watchdog killed itself (SIGKILL of every process of the
 * user, the OOM killer) reaps nothing. A killed engine leaves its stack lock: the next run reports
 * it (fleet/domain/failures.ts lockAdvice).
 *
 * Imports node built-ins (and ./tempDir.ts, which imports only them): it starts in a process of
 * its own.
 */
import { spawn } from "child_process";
import { randomBytes } from "crypto";
import * as fs from "fs";
import * as path from "path";
import { isRunTempDirName } from "./tempDir";

/** The environment variable that marks every process of one bot run. */
export const RUN_MARKER_ENV = "ACCESS_ANALYZER_FLEET_RUN";

/** A marker for this bot run: `<pid>-<random>` (tests find a run's processes by the bot's pid). */
export function newRunMarker(pid: number = process.pid): string {
  return `${pid}-${randomBytes(6).toString("hex")}`;
}

/** The value of `name` in a `/proc/<pid>/environ` text (NUL-separated `NAME=value`). */
export function environValue(environ: string, name: string): string | undefined {
  const prefix = `${name}=`;
  return environ
    .split("\0")
    .find((entry) => entry.startsWith(prefix))
    ?.slice(prefix.length);
}

/**
 * Pids under `procRoot` whose environment holds a run marker that `matches` (never `self`).
 * Processes that end while being read, or that belong to another user, are skipped.
 */
export function markedProcesses(
  matches: (marker: string) => boolean,
  procRoot = "/proc",
  self: number = process.pid,
): number[] {
  let entries: string[];
  try {
    entries = fs.readdirSync(procRoot);
  } catch {
    return [];
  }
  const pids: number[] = [];
  for (const entry of entries) {
    if (!/^\d+$/.test(entry) || Number(entry) === self) continue;
    let environ: string;
    try {
      environ = fs.readFileSync(path.join(procRoot, entry, "environ"), "latin1");
    } catch {
      continue;
    }
    const marker = environValue(environ, RUN_MARKER_ENV);
    if (marker !== undefined && matches(marker)) pids.push(Number(entry));
  }
  return pids.sort((a, b) => a - b);
}

/**
 * Kills every process of the run, scanning again until a scan finds none (at most `rounds`
 * scans, `pauseMs` apart). Returns how many processes it killed.
 */
export async function reap(
  marker: string,
  options: {
    procRoot?: string;
    kill?: (pid: number) => void;
    rounds?: number;
    pauseMs?: number;
  } = {},
): Promise<number> {
  const kill = options.kill ?? ((pid: number) => process.kill(pid, "SIGKILL"));
  const killed = new Set<number>();
  for (let round = 0; round < (options.rounds ?? 20); round++) {
    const pids = markedProcesses((m) => m === marker, options.procRoot);
    if (pids.length === 0) break;
    for (const pid of pids) {
      try {
        kill(pid);
        killed.add(pid);
      } catch {
        // already gone
      }
    }
    await new Promise((r) => setTimeout(r, options.pauseMs ?? 100));
  }
  return killed.size;
}

/**
 * Removes the run's temporary folder (./tempDir.ts) once the bot is gone; a folder of any other
 * name is left alone.
 */
export function removeRunTempDir(dir: string | undefined): void {
  if (dir === undefined || !isRunTempDirName(path.basename(dir))) return;
  fs.rmSync(dir, { recursive: true, force: true });
}

/**
 * Starts the watchdog for `marker` and returns the environment to add to every Pulumi command.
 * The watchdog never keeps the bot alive; it outlives it just long enough to reap, and then
 * removes the run's temporary folder `tempDir` (./tempDir.ts).
 */
export function startReaper(
  marker: string = newRunMarker(),
  tempDir?: string,
): Record<string, string> {
  // In this repository the bot runs under ts-node; installed, it is compiled JavaScript.
  const loader = __filename.endsWith(".ts")
    ? ["-r", require.resolve("ts-node/register/transpile-only")]
    : [];
  const env = { ...process.env };
  delete env[RUN_MARKER_ENV];
  // The watchdog's own temporary files (ts-node's compile cache) must not land in the folder it
  // removes once the bot is gone.
  if (tempDir !== undefined) env.TMPDIR = path.dirname(tempDir);
  const child = spawn(
    process.execPath,
    [...loader, __filename, marker, ...(tempDir ? [tempDir] : [])],
    {
      stdio: ["pipe", "ignore", "ignore"],
      detached: true,
      env,
    },
  );
  child.on("error", () => undefined);
  child.unref();
  (child.stdin as unknown as { unref?: () => void } | null)?.unref?.();
  return { [RUN_MARKER_ENV]: marker };
}

/* istanbul ignore next: the watchdog process itself (tests/e2e/faults.test.ts kills a bot) */
// Stryker disable all: runs only in the watchdog process, which the unit tests' per-test coverage
// cannot see (the e2e fault test kills a bot and checks that its plugins are gone).
if (require.main === module) {
  const marker = process.argv[2];
  if (marker) {
    process.stdin.resume();
    process.stdin.on("error", () => undefined);
    process.stdin.on("close", () => {
      void reap(marker)
        .then(() => removeRunTempDir(process.argv[3]))
        .finally(() => process.exit(0));
    });
  }
}
