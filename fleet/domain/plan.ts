/**
 * The runner's decisions, as pure functions (fleet/run/automation.ts carries them out):
 * which stack call and options each operation makes, whether it may create the stack, which
 * config keys to remove, and which outcome an operation's result or error maps to.
 */
import { type LeftOutTarget, type Phase, type Target } from "../settings/schema";
import { REGISTRATION_STACK } from "./organization";
import { type ChangeCounts, type Operation, type Outcome, hasChanges } from "./outcomes";
import { type StackConfig, stackConfigFor, staleConfigKeys } from "./stackConfig";

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

export function configUpdate(
  target: Target,
  existing: Record<string, unknown>,
  adopt: Record<string, string> = {},
): ConfigUpdate {
  const desired = stackConfigFor(target, adopt);
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

// ---- organization fleets: phases and orphaned stacks -----------------------------------------

/** The phases of a run, in order, each with its targets (empty phases left out). */
export function runPhases(targets: readonly Target[]): { phase: Phase; targets: Target[] }[] {
  const order: Phase[] = ["registration", "delegated-administrator", "members"];
  return order
    .map((phase) => ({ phase, targets: targets.filter((t) => (t.phase ?? "members") === phase) }))
    .filter((p) => p.targets.length > 0);
}

/**
 * Why a phase's targets must not run, given the results so far: the delegated administrator's
 * organization analyzers need its registration. Undefined: run them.
 */
export function phaseBlocked(
  phase: Phase,
  earlier: readonly { phase?: Phase; outcome: Outcome }[],
): string | undefined {
  if (phase !== "delegated-administrator") return undefined;
  const registration = earlier.find((r) => r.phase === "registration");
  if (registration === undefined || registration.outcome === "succeeded") return undefined;
  return `the delegated administrator's registration (stack ${REGISTRATION_STACK}) ended ${registration.outcome}; its organization analyzers need it`;
}

/** A default stack name: `acct-<12 digits>`. */
const DEFAULT_STACK = /^acct-(\d{12})$/;

/** A stack of the backend the fleet once ran and no longer covers. */
export interface Orphan {
  readonly stack: string;
  /** From the stack name; absent for the registration stack. */
  readonly accountId?: string;
  readonly reason: string;
}

/**
 * The fleet's stacks that no target uses any more. The bot recognises its stacks by name: the
 * default `acct-<12 digits>` (the account id is in the name) and the registration stack
 * `org-delegated-admin`. A stack with a name from `accounts[].stack` is the fleet's only while the
 * entry exists (docs/FLEET.md: retire it with `destroy --accounts` or rename it to acct-<id>).
 * `stacks` may be fully qualified (`org/project/name`). Pure; sorted by stack name.
 */
export function findOrphans(
  stacks: readonly string[],
  targets: readonly Target[],
  leftOut: readonly LeftOutTarget[],
): Orphan[] {
  const used = new Set(targets.map((t) => t.stack.split("/").pop()!));
  const outById = new Map(leftOut.map((a) => [a.accountId, a]));
  const orphans: Orphan[] = [];
  for (const full of new Set(stacks.map((s) => s.split("/").pop()!))) {
    if (used.has(full)) continue;
    if (full === REGISTRATION_STACK) {
      orphans.push({
        stack: full,
        reason: "organization.delegatedAdministrator is no longer set (the registration is kept)",
      });
      continue;
    }
    const accountId = DEFAULT_STACK.exec(full)?.[1];
    if (accountId === undefined) continue;
    const out = outById.get(accountId);
    orphans.push({
      stack: full,
      accountId,
      reason:
        out !== undefined
          ? `${out.reason}: ${out.detail} (${out.ouPath})`
          : "not in the fleet any more (left the organization, or removed from the fleet file)",
    });
  }
  // Stack names are unique here (a Set above): no two compare equal.
  return orphans.sort((a, b) => (a.stack < b.stack ? -1 : 1));
}

/** The orphan as a target: `destroy --accounts` runs it with the stack's own config, unchanged. */
export function orphanTarget(orphan: Orphan): Target {
  return {
    accountId: orphan.accountId ?? "",
    stack: orphan.stack,
    access: {},
    settings: {},
    orphaned: orphan.reason,
  };
}

/** Whether `--accounts` names the orphan (by account id or stack name). */
export function namesOrphan(wanted: readonly string[], orphan: Orphan): boolean {
  return wanted.some((w) => w === orphan.accountId || w === orphan.stack);
}
