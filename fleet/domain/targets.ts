/**
 * Which targets a run covers (`--shard`, `--accounts`). Pure; problems are thrown as `UsageError`
 * (exit code 3). The options themselves are parsed in fleet/commands/options.ts.
 */
import { type Target } from "../settings/schema";
import { UsageError } from "./errors";

export interface Shard {
  /** 1-based. */
  readonly index: number;
  readonly count: number;
}

/**
 * The targets in shard K of N: sort by account id, then deal them out like cards (the i-th
 * account goes to shard (i mod N) + 1). Every account is in exactly one shard, shard sizes differ
 * by at most one, and the split depends only on the fleet file, never on `--accounts`.
 * Adding an account may move others to another shard; that is harmless because every shard run
 * is independent and stack locks guard any overlap. Keeps the fleet file's order within a shard.
 */
export function shardTargets(targets: readonly Target[], shard: Shard): Target[] {
  // Account ids are 12 digits, so the default (code unit) sort is numeric order.
  const ids = targets.map((t) => t.accountId).sort();
  const inShard = new Set(ids.filter((_, i) => i % shard.count === shard.index - 1));
  return targets.filter((t) => inShard.has(t.accountId));
}

/** Whether an `--accounts` entry names the target: its id, or its name (case-insensitive). */
export function namesTarget(target: Target, entry: string): boolean {
  return target.accountId === entry || target.name?.toLowerCase() === entry.toLowerCase();
}

/**
 * Keeps the targets named by id or name (names case-insensitive), in fleet-file order.
 * An entry that names no account in the fleet file is an error, even when it exists in another shard.
 */
export function filterTargets(targets: readonly Target[], wanted: readonly string[]): Target[] {
  const unknown = wanted.filter((w) => !targets.some((t) => namesTarget(t, w)));
  if (unknown.length > 0) {
    throw new UsageError(
      `--accounts: no account with id or name ${unknown.map((u) => `"${u}"`).join(", ")} in the fleet file`,
    );
  }
  return targets.filter((t) => wanted.some((w) => namesTarget(t, w)));
}

export interface Selection {
  readonly accounts?: readonly string[];
  readonly shard?: Shard;
}

/**
 * Shard first (over the whole fleet), then filter by --accounts. An account of the fleet file that
 * falls in another shard is left out quietly; one the fleet file does not know is an error.
 */
export function selectTargets(targets: readonly Target[], selection: Selection): Target[] {
  const wanted = selection.accounts
    ? new Set(filterTargets(targets, selection.accounts))
    : undefined;
  const sharded = selection.shard ? shardTargets(targets, selection.shard) : [...targets];
  return wanted ? sharded.filter((t) => wanted.has(t)) : sharded;
}
