/**
 * `validate`: checks the fleet file (and, with `organization:`, reads the organization) and lists
 * the accounts a run would cover, with where each came from, and the ones left out and why.
 */
import { Command } from "commander";
import { accountLabel, EXIT } from "../report";
import type { LeftOutTarget, Target } from "../types";
import type { CliDeps } from "./deps";
import {
  addSelectionOptions,
  loadFleet,
  loadRunFleet,
  selectedTargets,
  type RunFleet,
  type RunFlags,
} from "./options";

export function addValidateOptions(cmd: Command): Command {
  return addSelectionOptions(cmd, "list shard K of N").option(
    "--json",
    "print the resolved targets as JSON",
  );
}

/** Where a target came from, in words: its OU path, `fleet file`, or both. */
export function originLabel(target: Target): string {
  const o = target.origin;
  if (o === undefined) return "fleet file";
  if (target.phase === "registration") return "management account (registration)";
  if (o.ouPath === undefined) return "fleet file";
  return o.fleetFile ? `${o.ouPath} + fleet file` : o.ouPath;
}

/** The lines listing the accounts left out of an organization fleet (none: no lines). */
export function leftOutLines(leftOut: readonly LeftOutTarget[]): string[] {
  if (leftOut.length === 0) return [];
  return [
    `left out: ${leftOut.length} account(s)`,
    ...leftOut.map(
      (a) =>
        `  ${a.accountId}  ${a.reason.padEnd(13)} ${a.ouPath}  (${a.detail}${a.accountName ? `; ${a.accountName}` : ""})`,
    ),
  ];
}

/** The header line of an organization fleet. */
export function organizationLine(run: RunFleet): string | undefined {
  if (run.organizationId === undefined) return undefined;
  return `organization ${run.organizationId} (management account ${run.managementAccountId}): ${run.targets.length} stack(s), ${run.leftOut.length} account(s) left out`;
}

export async function runValidateCommand(flags: RunFlags, deps: CliDeps): Promise<number> {
  const fleet = loadFleet(flags.fleet, deps.cwd);
  const run = await loadRunFleet(fleet, deps);
  const targets = selectedTargets(run, flags);
  if (flags.json) {
    const json = {
      fleetFile: flags.fleet,
      valid: true,
      ...(run.organizationId !== undefined
        ? {
            organization: {
              organizationId: run.organizationId,
              managementAccountId: run.managementAccountId,
            },
            leftOut: run.leftOut,
            warnings: run.warnings,
          }
        : {}),
      targets: targets.map((t) => ({ ...t, from: originLabel(t) })),
    };
    deps.stdout(`${JSON.stringify(json, null, 2)}\n`);
  } else {
    const org = organizationLine(run);
    if (org !== undefined) deps.stdout(`${org}\n`);
    deps.stdout(
      `${flags.fleet}: valid; ${run.targets.length} account(s), ${targets.length} selected\n`,
    );
    for (const t of targets) {
      const regions = t.settings.regions ? t.settings.regions.join(",") : "enabled regions";
      const via =
        t.access.roleArn ?? (t.access.profile ? `profile ${t.access.profile}` : "base credentials");
      const from = run.organizationId !== undefined ? `  from ${originLabel(t)}` : "";
      deps.stdout(
        `  ${accountLabel(t).padEnd(32)} ${t.stack.padEnd(24)} ${regions}  via ${via}${from}\n`,
      );
    }
    for (const line of leftOutLines(run.leftOut)) deps.stdout(`${line}\n`);
    for (const w of run.warnings) deps.stdout(`warning: ${w}\n`);
  }
  return EXIT.ok;
}
