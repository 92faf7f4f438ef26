/**
 * One temporary folder per bot run, and none left behind.
 *
 * The bot's own `up` event log (./leanUp.ts), the Automation API's `automation-logs-*` folders and
 * whatever the engine and its plugins put in TMPDIR all go under `aa-fleet-<pid>-XXXXXX` in the
 * system's temporary folder: the bot points TMPDIR there for itself and every process it starts.
 * The folder goes when the bot exits; when it is killed (SIGKILL), the watchdog removes it
 * (./reaper.ts); and if the watchdog was killed too, the next run's start removes every such folder
 * whose bot is no longer running.
 */
import * as fs from "fs";
import * as os from "os";
import * as path from "path";

/** The name of a run's temporary folder: `aa-fleet-<pid>-` and mkdtemp's six characters. */
const RUN_DIR = /^aa-fleet-(\d+)-[A-Za-z0-9]{6}$/;

/** Whether `name` is a bot run's temporary folder (the watchdog removes nothing else). */
export function isRunTempDirName(name: string): boolean {
  return RUN_DIR.test(name);
}

/** Whether process `pid` is running (ours or another user's). */
function running(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (e) {
    return (e as NodeJS.ErrnoException).code === "EPERM";
  }
}

/**
 * Removes the run folders under `root` whose bot no longer runs. Returns the removed paths.
 * Anything else in `root`, and the folders of running bots, are left alone.
 */
export function sweepRunTempDirs(
  root: string,
  isRunning: (pid: number) => boolean = running,
): string[] {
  let names: string[];
  try {
    names = fs.readdirSync(root);
  } catch {
    return [];
  }
  const removed: string[] = [];
  for (const name of names.sort()) {
    const pid = RUN_DIR.exec(name)?.[1];
    if (pid === undefined || Number(pid) === process.pid || isRunning(Number(pid))) continue;
    const dir = path.join(root, name);
    try {
      fs.rmSync(dir, { recursive: true, force: true });
      removed.push(dir);
    } catch {
      // Another bot removed it first, or it is not ours to remove: left for its owner.
    }
  }
  return removed;
}

/**
 * Sweeps what killed runs left, makes this run's folder, points TMPDIR there (this process and
 * every process it starts) and removes it when the process exits. Returns the folder.
 */
export function useRunTempDir(root: string = os.tmpdir()): string {
  sweepRunTempDirs(root);
  const dir = fs.mkdtempSync(path.join(root, `aa-fleet-${process.pid}-`));
  process.env.TMPDIR = dir;
  process.once("exit", () => fs.rmSync(dir, { recursive: true, force: true }));
  return dir;
}
