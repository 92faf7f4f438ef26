/**
 * `audit`'s read of each account's stack state, for the regions the account no longer has enabled
 * that the state still holds (`stale-state`, fleet/domain/verdicts.ts). The state is parsed as the runner
 * parses it before the engine runs (fleet/domain/state.ts `heldRegions`).
 *
 * Read-only, and never an error for `audit`: the backend's stacks are listed once for the whole
 * run; a stack the backend does not have is `no-stack` (nothing held), a backend or a stack that
 * cannot be read is `unreadable` (said once at the end of the run, `stateNotes`).
 */
import { describeError, summariseError } from "../domain/errors";
import { type StackRunner } from "../domain/runner";
import { heldRegions } from "../domain/state";
import { type StateReading } from "../domain/verdicts";
import { type Target } from "../settings/schema";

/** What the state read needs from the runner (fleet/run/automation.ts `AutomationStackRunner`). */
export type StateBackend = Required<Pick<StackRunner, "listStacks" | "exportState">>;

/** `org/project/name` → `name` (the backend may list stacks fully qualified). */
const stackName = (stack: string) => stack.slice(stack.lastIndexOf("/") + 1);

/**
 * Reads each target's stack state through `backend`; the backend's stacks are listed once, on the
 * first read. Never rejects. `redact` masks anything credential-like in the reasons.
 */
export function stackStateSource(
  backend: StateBackend,
  redact: (text: string) => string = (t) => t,
): (target: Target) => Promise<StateReading> {
  const reason = (error: unknown) => redact(summariseError(describeError(error)));
  let listing: Promise<Set<string> | string> | undefined;
  const listed = () =>
    (listing ??= backend.listStacks().then(
      (names) => new Set(names.map(stackName)),
      (error: unknown) => `the backend's stacks could not be listed: ${reason(error)}`,
    ));
  return async (target) => {
    const stacks = await listed();
    if (typeof stacks === "string") return { status: "unreadable", detail: stacks };
    if (!stacks.has(stackName(target.stack))) {
      return { status: "no-stack", detail: `the backend has no stack ${target.stack}` };
    }
    try {
      const exported = (await backend.exportState(target)) as { deployment?: unknown } | null;
      return { status: "read", held: heldRegions(exported?.deployment) };
    } catch (error) {
      return {
        status: "unreadable",
        detail: `stack ${target.stack} could not be exported: ${reason(error)}`,
      };
    }
  };
}
