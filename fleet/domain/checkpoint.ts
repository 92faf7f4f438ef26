/**
 * A stack's checkpoint in a `file://` backend that a killed run left torn. Pure: the runner reads
 * the files (fleet/run/checkpoint.ts) and carries out the verdict.
 *
 * The file backend keeps a stack as `<stack>.json` (or `.json.gz`), with gocloud's attribute file
 * `<stack>.json.attrs` beside it and the previous checkpoint as `<stack>.json.bak`. A run killed
 * while writing leaves an empty or cut-off file, and every later command fails with "failed to load
 * checkpoint: EOF" or a JSON error that names neither the file nor the fix.
 *
 * - An empty `.attrs` holds nothing (an attribute file is JSON, `{}` at least): it is removed, and
 *   the run goes on. Nothing is lost: the checkpoint itself is read as before.
 * - A non-empty `.attrs` that is not JSON, or a checkpoint that is empty or not JSON, is not
 *   repaired by guessing: the stack stops before the engine, naming the file and the exact fix
 *   (the `.bak` when it is whole), and nothing is changed.
 */

/** One file as read: absent, or its bytes as text (a `.gz` checkpoint: its size only). */
export type FileReading = { readonly path: string } & (
  | { readonly exists: false }
  | { readonly exists: true; readonly size: number; readonly text?: string }
);

export interface CheckpointFiles {
  readonly checkpoint: FileReading;
  readonly attrs: FileReading;
  readonly backup: FileReading;
}

export interface CheckpointVerdict {
  /** Empty attribute files to remove before the run (they hold nothing). */
  readonly remove: string[];
  /** Why the stack must not run, naming the file and the fix; undefined when it may. */
  readonly problem?: string;
}

/** Why `reading` is not a whole JSON file, or undefined when it is (or is absent, or not text). */
function tornBecause(reading: FileReading): string | undefined {
  if (!reading.exists) return undefined;
  if (reading.size === 0) return "is empty";
  if (reading.text === undefined) return undefined;
  try {
    JSON.parse(reading.text);
    return undefined;
  } catch {
    return `is not whole JSON (${reading.size} bytes)`;
  }
}

/** The verdict on a stack's checkpoint files (see the file comment). */
export function checkpointVerdict(files: CheckpointFiles): CheckpointVerdict {
  const { checkpoint, attrs, backup } = files;
  const remove: string[] = [];
  const attrsTorn = tornBecause(attrs);
  if (attrs.exists && attrs.size === 0) remove.push(attrs.path);
  const torn = tornBecause(checkpoint);
  if (torn !== undefined) {
    const backupWhole = backup.exists && tornBecause(backup) === undefined;
    const restore = backupWhole
      ? `Restore the previous checkpoint: cp '${backup.path}' '${checkpoint.path}'` +
        (attrs.exists ? ` and rm '${attrs.path}'` : "")
      : `Restore the newest whole copy from the backend's .pulumi/backups folder over it` +
        (attrs.exists ? ` and rm '${attrs.path}'` : "");
    return {
      remove: [],
      problem:
        `the stack's checkpoint ${checkpoint.path} ${torn}: a run was killed while writing it; ` +
        `nothing was changed. ${restore}, then run up --refresh to bring it in line with AWS`,
    };
  }
  if (attrsTorn !== undefined && remove.length === 0) {
    return {
      remove: [],
      problem:
        `the checkpoint's attribute file ${attrs.path} ${attrsTorn}: a run was killed while ` +
        `writing it; nothing was changed. Remove it (rm '${attrs.path}'; the checkpoint itself ` +
        `is intact), then run again`,
    };
  }
  return { remove };
}
