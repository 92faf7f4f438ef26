/**
 * `audit`'s read of each account's stack state, for the regions the account no longer has enabled
 * that the state still holds (`stale-state`, fleet/audit.ts). The state is parsed as the runner
 * parses it before the engine runs (fleet/adoption.ts `heldRegions`).
 *
 * Read-only, and never an error for `audit`: the backend's stacks are listed once for the whole
 * run; a stack the backend does not have is `no-stack` (nothing held), a backend or a stack that
 * cannot be read is `unreadable` (said once at the end of the run, `stateNotes`).
 */
import { heldRegions } from "./adoption";
import { describeError, type StateReading } from "./audit";
import { summariseError } from "./output";
import { accountLabel } from "./report";
import type { StackResult, StackRunner, Target } from "./types";

/** What the state read needs from the runner (fleet/automation.ts `AutomationStackRunner`). */
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

/**
 * The run's notes on the state read, one line per kind (never one per account): the accounts whose
 * state could not be read (with the first reason), and those without a stack. Pure.
 */
export function stateNotes(results: readonly StackResult[]): string[] {
  const of = (status: string) => results.filter((r) => r.audit?.state?.status === status);
  const labels = (rs: readonly StackResult[]) =>
    rs.length <= 5
      ? rs.map(accountLabel).join(", ")
      : `${rs.slice(0, 5).map(accountLabel).join(", ")} and ${rs.length - 5} more`;
  const lines: string[] = [];
  const unreadable = of("unreadable");
  if (unreadable.length > 0) {
    lines.push(
      `note: the stack state of ${unreadable.length} account(s) could not be read (${labels(unreadable)}): ` +
        // Stryker disable next-line OptionalChaining: `of` picked results whose audit.state is set
        `${unreadable[0].audit?.state?.detail ?? ""}. Disabled regions their stacks still hold are ` +
        `not reported; pass --no-state when the audit role has no access to the backend.`,
    );
  }
  const none = of("no-stack");
  if (none.length > 0) {
    lines.push(
      `note: ${none.length} account(s) have no stack in the backend yet (${labels(none)}): no state to check.`,
    );
  }
  return lines;
}
