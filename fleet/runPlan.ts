/**
 * The runner's decisions, as pure functions (fleet/automation.ts carries them out):
 * which stack call and options each operation makes, whether it may create the stack, which
 * config keys to remove, and which outcome an operation's result or error maps to.
 */
import {
  ConcurrentUpdateError,
  StackAlreadyExistsError,
  StackNotFoundError,
} from "@pulumi/pulumi/automation";
import { stackConfigFor, staleConfigKeys, type StackConfig } from "./config";
import { summariseError } from "./output";
import { hasChanges } from "./report";
import type { ChangeCounts, Operation, Outcome, Target } from "./types";

/** What the runner does for one operation. */
export interface OperationPlan {
  /** `preview` and `up` may create the stack; every other operation only selects it. */
  readonly open: "create-or-select" | "select";
  /** Write the desired `access-analyzer:*` config before the call (not for `outputs`). */
  readonly writeConfig: boolean;
  /** The Automation API call; none for `outputs`. */
  readonly call?: "preview" | "up" | "refresh" | "destroy";
  /** The call's `refresh` option (absent: the call takes none). */
  readonly refresh?: boolean;
  /**
   * Where the stack outputs come from: `up`'s own result, a separate `stack.outputs()` read (the
   * last deployment's outputs), or nowhere (`destroy` leaves none).
   */
  readonly outputs: "result" | "read" | "none";
}

/**
 * The plan for an operation. `refresh` is `--refresh`, passed through to preview, up and destroy;
 * drift always refreshes (it diffs the program against the accounts as they are now).
 */
export function planOperation(operation: Operation, refresh: boolean): OperationPlan {
  switch (operation) {
    case "preview":
      return {
        open: "create-or-select",
        writeConfig: true,
        call: "preview",
        refresh,
        outputs: "read",
      };
    case "up":
      return {
        open: "create-or-select",
        writeConfig: true,
        call: "up",
        refresh,
        outputs: "result",
      };
    case "refresh":
      return { open: "select", writeConfig: true, call: "refresh", outputs: "read" };
    case "destroy":
      return { open: "select", writeConfig: true, call: "destroy", refresh, outputs: "none" };
    case "drift":
      // Refresh state from AWS in memory, then diff the program against it: any change an `up`
      // would make is drift (edited or deleted analyzers, new regions, changed fleet settings).
      // A preview never writes state.
      return { open: "select", writeConfig: true, call: "preview", refresh: true, outputs: "read" };
    case "outputs":
      return { open: "select", writeConfig: false, outputs: "read" };
  }
}

/** The config change that makes a stack's config the target's: keys to remove, then values to set. */
export interface ConfigUpdate {
  /** Keys of the program's namespace the fleet file no longer sets (back to the default). */
  readonly remove: string[];
  /**
   * Only the values that differ from the stack's: an unchanged stack (the nightly run) needs no
   * `pulumi config set-all` call, which costs a CLI start and a passphrase key derivation.
   */
  readonly set: StackConfig;
}

export function configUpdate(target: Target, existing: Record<string, unknown>): ConfigUpdate {
  const desired = stackConfigFor(target);
  const same = (key: string): boolean => {
    const old = existing[key] as { value?: unknown; secret?: unknown } | undefined;
    return old?.value === desired[key].value && !!old?.secret === !!desired[key].secret;
  };
  const set = Object.fromEntries(Object.entries(desired).filter(([key]) => !same(key)));
  return { remove: staleConfigKeys(existing, desired), set };
}

/** The outcome of an operation that returned: drift with any change is `drifted`. */
export function successOutcome(operation: Operation, changes: ChangeCounts): Outcome {
  return operation === "drift" && hasChanges(changes) ? "drifted" : "succeeded";
}

const ALREADY_EXISTS = /stack.*already exists/i;
const LOCKED = /the stack is currently locked by|Another update is currently in progress/i;

const messageOf = (error: unknown): string =>
  error instanceof Error ? error.message : String(error);

/**
 * Whether creating the stack lost a race with another bot that created it first (between our
 * select and our create): then select it once more instead of failing.
 */
export function retrySelectAfterCreate(error: unknown): boolean {
  return error instanceof StackAlreadyExistsError || ALREADY_EXISTS.test(messageOf(error));
}

/**
 * The outcome and error text of an operation that threw. A lock is `locked`, never cancelled;
 * a stack that does not exist is `missing`; an aborted run is `aborted`; anything else `failed`
 * with the engine error summarised. The caller redacts the text.
 */
export function errorOutcome(
  error: unknown,
  stack: string,
  aborted: boolean,
): { outcome: Outcome; error: string } {
  const message = messageOf(error);
  if (error instanceof ConcurrentUpdateError || LOCKED.test(message)) {
    return {
      outcome: "locked",
      error: `stack ${stack} is locked by another update; not cancelled. ${summariseError(message)}`,
    };
  }
  if (error instanceof StackNotFoundError) {
    return {
      outcome: "missing",
      error: `stack ${stack} does not exist (never deployed with "up")`,
    };
  }
  if (aborted) return { outcome: "aborted", error: "aborted" };
  return { outcome: "failed", error: summariseError(message) };
}
