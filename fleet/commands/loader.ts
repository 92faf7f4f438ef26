/**
 * What every command loads before its first account: the fleet file, the organization's accounts
 * (fleet files with `organization:`), the selection (`--accounts`, `--shard`), and the AWS SDK
 * readers, loaded only when a command uses them (fleet/aws/ is required lazily).
 */
import * as fs from "fs";
import * as path from "path";
import { EmptySelectionError, EnvironmentError, UsageError } from "../domain/errors";
import { EXIT } from "../domain/outcomes";
import {
  OrganizationReadError,
  OrganizationScopeError,
  OrganizationThrottledError,
} from "../domain/organization";
import { organizationTargets } from "../domain/organizationFleet";
import { fleetPartition } from "../domain/partition";
import { selectTargets } from "../domain/targets";
import { parseFleetFile } from "../settings/fleetFile";
import { type Fleet, type LeftOutTarget, type Target } from "../settings/schema";
import type { AwsPorts } from "../domain/ports";
import { type RunFlags } from "./options";

/** Reads and validates the fleet file; every problem is a UsageError (exit 3). */
export function loadFleet(file: string, cwd: string): Fleet {
  const full = path.resolve(cwd, file);
  let text: string;
  try {
    text = fs.readFileSync(full, "utf8");
  } catch {
    throw new UsageError(
      `${file}: cannot read the fleet file; pass --fleet FILE or start from fleet.example.yaml`,
    );
  }
  const parsed = parseFleetFile(text, file);
  if (!parsed.ok) {
    throw new UsageError(
      `${parsed.messages.join("\n")}\n${file}: ${parsed.problems.length} problem(s); nothing was run`,
    );
  }
  return parsed.fleet;
}

/** The whole fleet of a run: every target (before --accounts/--shard) and what was left out. */
export interface RunFleet {
  readonly fleet: Fleet;
  /** Every target, in run order (organization fleets: registration first, then by account id). */
  readonly targets: Target[];
  /** Organization accounts the run leaves out, with why. */
  readonly leftOut: LeftOutTarget[];
  readonly warnings: string[];
  /** Organization fleets: the organization read. */
  readonly organizationId?: string;
  readonly managementAccountId?: string;
}

/**
 * The fleet's targets: the `accounts:` entries, and with `organization:` the accounts read from
 * AWS Organizations at this run. A read or scope problem is a UsageError (exit 3): nothing ran.
 */
export async function loadRunFleet(
  fleet: Fleet,
  deps: Pick<AwsPorts, "discoverAccounts">,
  signal?: AbortSignal,
): Promise<RunFleet> {
  if (fleet.organization === undefined) {
    return { fleet, targets: fleet.targets, leftOut: [], warnings: [] };
  }
  const discover = awsAccess(deps).discoverAccounts;
  let found;
  try {
    found = await discover(fleet.organization, {
      partition: fleetPartition(fleet),
      ...(signal ? { signal } : {}),
    });
  } catch (error) {
    if (
      error instanceof OrganizationThrottledError ||
      (error instanceof OrganizationReadError && error.environment)
    ) {
      throw new EnvironmentError(
        `${fleet.file}: ${error.message}\n${fleet.file}: AWS Organizations could not be read ` +
          `(throttled or unavailable after the SDK's retries); nothing was run: run again later`,
      );
    }
    if (error instanceof OrganizationScopeError || error instanceof OrganizationReadError) {
      throw new UsageError(
        `${fleet.file}: ${error.message}\n${fleet.file}: could not read the organization's accounts; nothing was run`,
      );
    }
    throw error;
  }
  const resolved = organizationTargets(fleet, found);
  if (resolved.problems.length > 0) {
    throw new UsageError(
      `${resolved.problems.map((p) => `${fleet.file}: ${p}`).join("\n")}\n${fleet.file}: ${resolved.problems.length} problem(s); nothing was run`,
    );
  }
  return {
    fleet,
    targets: resolved.targets,
    leftOut: resolved.leftOut,
    warnings: resolved.warnings,
    organizationId: found.organizationId,
    managementAccountId: found.managementAccountId,
  };
}

/** The fleet's targets chosen by `--accounts` and `--shard`. */
export function selectedTargets(
  fleet: Pick<Fleet, "targets">,
  flags: Pick<RunFlags, "all" | "accounts" | "shard">,
): Target[] {
  if (flags.all && flags.accounts) {
    throw new UsageError("--all and --accounts cannot be used together; pick one");
  }
  return selectTargets(fleet.targets, {
    ...(flags.accounts ? { accounts: flags.accounts } : {}),
    ...(flags.shard ? { shard: flags.shard } : {}),
  });
}

/**
 * The accounts a read-only command (`audit`, `findings`) reads: the selection, less the registration
 * stack, which holds no analyzers.
 */
export function analyzerTargets(
  run: Pick<RunFleet, "targets">,
  flags: Pick<RunFlags, "accounts" | "shard">,
): Target[] {
  return selectedTargets(run, flags).filter((t) => t.phase !== "registration");
}

/**
 * Stops the run (exit 4) when it would cover no account, unless `--allow-empty`: a nightly gate
 * must not pass while nothing is covered. The message says where the accounts went: what the fleet
 * file and the organization hold, what the organization leaves out, and what the options chose.
 */
export function requireSelection(
  command: string,
  selected: readonly unknown[],
  run: Pick<RunFleet, "targets" | "leftOut" | "organizationId">,
  flags: Pick<RunFlags, "accounts" | "shard" | "allowEmpty">,
): void {
  if (selected.length > 0 || flags.allowEmpty) return;
  const accounts = run.targets.filter((t) => t.phase !== "registration").length;
  const facts = [
    run.organizationId !== undefined
      ? `organization ${run.organizationId}: ${accounts} account(s) in scope, ${run.leftOut.length} left out` +
        (run.leftOut.length > 0 ? ` (${leftOutSummary(run.leftOut)})` : "")
      : `the fleet file lists ${accounts} account(s)`,
    ...(flags.accounts ? [`--accounts ${flags.accounts.join(",")}`] : []),
    ...(flags.shard ? [`--shard ${flags.shard.index}/${flags.shard.count}`] : []),
  ];
  throw new EmptySelectionError(
    `${command}: no account selected (${facts.join("; ")}); nothing ran. ` +
      `Fix the scope (validate lists each account left out and why), or pass --allow-empty ` +
      `if an empty selection is expected (exit code ${EXIT.empty} without it)`,
  );
}

/** `3 excluded OU, 2 suspended`: the reasons accounts were left out, counted. */
function leftOutSummary(leftOut: readonly LeftOutTarget[]): string {
  const counts = new Map<string, number>();
  for (const a of leftOut) counts.set(a.reason, (counts.get(a.reason) ?? 0) + 1);
  return [...counts].map(([reason, n]) => `${n} ${reason}`).join(", ");
}

/** How a command reaches AWS: the ports the process wired (fleet/cli.ts `processDeps`; fakes in tests). */
export interface AwsAccess {
  readonly discoverAccounts: NonNullable<AwsPorts["discoverAccounts"]>;
  readonly accountReader: NonNullable<AwsPorts["createAccountReader"]>;
  readonly findingsReader: NonNullable<AwsPorts["createFindingsReader"]>;
  readonly archiveRuleClient: NonNullable<AwsPorts["createArchiveRuleClient"]>;
}

/**
 * Every command's way to AWS. A port the deps lack fails when it is first used, naming it: the
 * process always wires all four (fleet/cli.ts), a test only those its command uses.
 */
export function awsAccess(deps: AwsPorts): AwsAccess {
  const unwired = (port: string): never => {
    throw new Error(`internal error: no ${port} was wired into the command line's deps`);
  };
  return {
    discoverAccounts: deps.discoverAccounts ?? (() => unwired("discoverAccounts")),
    accountReader: deps.createAccountReader ?? (() => unwired("createAccountReader")),
    findingsReader: deps.createFindingsReader ?? (() => unwired("createFindingsReader")),
    archiveRuleClient: deps.createArchiveRuleClient ?? (() => unwired("createArchiveRuleClient")),
  };
}
