/**
 * Reads a stack's checkpoint files in a `file://` backend before the engine runs, and carries out
 * the verdict of fleet/domain/checkpoint.ts: removes an empty attribute file a killed run left, or
 * throws naming the torn file and the fix. Other backends keep their own consistency: nothing to do.
 */
import * as fs from "fs";
import * as path from "path";
import { fileURLToPath } from "url";
import { checkpointVerdict, type FileReading } from "../domain/checkpoint";

/** The folder of a `file://` backend URL, or undefined for any other backend. */
export function fileBackendDir(url: string | undefined): string | undefined {
  if (url === undefined || !url.startsWith("file://")) return undefined;
  const rest = url.slice("file://".length);
  if (rest.startsWith("~")) return path.join(process.env.HOME ?? "", rest.slice(1));
  return rest.startsWith("/") ? fileURLToPath(`file://${rest.split("?")[0]}`) : path.resolve(rest);
}

function read(file: string, asText: boolean): FileReading {
  let size: number;
  try {
    size = fs.statSync(file).size;
  } catch {
    return { path: file, exists: false };
  }
  // A checkpoint is read whole by the engine anyway; a large one costs the same here once.
  return asText
    ? { path: file, exists: true, size, text: fs.readFileSync(file, "utf8") }
    : { path: file, exists: true, size };
}

/**
 * Checks the stack's checkpoint in the backend at `backendUrl` (project-scoped layout, then the
 * legacy one). Returns what was removed; throws an Error naming the file and the fix.
 */
export function checkCheckpoint(
  backendUrl: string | undefined,
  project: string,
  stack: string,
): string[] {
  const dir = fileBackendDir(backendUrl);
  if (dir === undefined) return [];
  for (const folder of [
    path.join(dir, ".pulumi", "stacks", project),
    path.join(dir, ".pulumi", "stacks"),
  ]) {
    for (const name of [`${stack}.json`, `${stack}.json.gz`]) {
      const file = path.join(folder, name);
      const checkpoint = read(file, !name.endsWith(".gz"));
      const attrs = read(`${file}.attrs`, true);
      if (!checkpoint.exists && !attrs.exists) continue;
      const verdict = checkpointVerdict({
        checkpoint,
        attrs,
        backup: read(`${file}.bak`, !name.endsWith(".gz")),
      });
      if (verdict.problem !== undefined) throw new Error(verdict.problem);
      for (const f of verdict.remove) fs.rmSync(f, { force: true });
      return verdict.remove;
    }
  }
  return [];
}
