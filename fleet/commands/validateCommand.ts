/** `validate`: checks the fleet file only and lists the accounts a run would cover. */
import { Command } from "commander";
import { accountLabel, EXIT } from "../report";
import type { CliDeps } from "./deps";
import { addSelectionOptions, loadFleet, selectedTargets, type RunFlags } from "./options";

export function addValidateOptions(cmd: Command): Command {
  return addSelectionOptions(cmd, "list shard K of N").option(
    "--json",
    "print the resolved targets as JSON",
  );
}

export function runValidateCommand(flags: RunFlags, deps: CliDeps): number {
  const fleet = loadFleet(flags.fleet, deps.cwd);
  const targets = selectedTargets(fleet, flags);
  if (flags.json) {
    deps.stdout(`${JSON.stringify({ fleetFile: flags.fleet, valid: true, targets }, null, 2)}\n`);
  } else {
    deps.stdout(
      `${flags.fleet}: valid; ${fleet.targets.length} account(s), ${targets.length} selected\n`,
    );
    for (const t of targets) {
      const regions = t.settings.regions ? t.settings.regions.join(",") : "enabled regions";
      const via =
        t.access.roleArn ?? (t.access.profile ? `profile ${t.access.profile}` : "base credentials");
      deps.stdout(`  ${accountLabel(t).padEnd(32)} ${t.stack.padEnd(24)} ${regions}  via ${via}\n`);
    }
  }
  return EXIT.ok;
}
