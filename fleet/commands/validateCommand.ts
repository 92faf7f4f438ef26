/**
 * `validate`: checks the fleet file (and, with `organization:`, reads the organization) and lists
 * the accounts a run would cover, with where each came from, and the ones left out and why.
 */
import { type Command } from "commander";
import { EXIT } from "../domain/outcomes";
import { REDACTED, makeRedactor } from "../domain/redact";
import { accountLabel } from "../domain/text";
import { type Target } from "../settings/schema";
import { leftOutLines, organizationLine, originLabel } from "../report/fleetLines";
import { type CliDeps } from "./deps";
import { loadFleet, loadRunFleet, requireSelection, selectedTargets } from "./loader";
import { type RunFlags, addSelectionOptions } from "./options";

const VALIDATE_HELP = `
Exit codes:
  ${EXIT.ok}    the fleet file is valid and selects at least one account
  ${EXIT.usage}    bad input: invalid fleet file, unknown account, bad option; the organization's
       scope does not fit it, or its role cannot be assumed
  ${EXIT.empty}    valid, but no account selected (--allow-empty: exit 0 instead)
  ${EXIT.environment}    AWS Organizations throttled or unreachable after the SDK's retries
External ids are never printed (--json shows "${REDACTED}").`;

export function addValidateOptions(cmd: Command): Command {
  return addSelectionOptions(cmd, "list shard K of N")
    .option("--json", "print the resolved targets as JSON")
    .addHelpText("after", VALIDATE_HELP);
}

export async function runValidateCommand(flags: RunFlags, deps: CliDeps): Promise<number> {
  const fleet = loadFleet(flags.fleet, deps.cwd);
  const run = await loadRunFleet(fleet, deps);
  const targets = selectedTargets(run, flags);
  const redact = makeRedactor(
    deps.env,
    run.targets.map((t) => t.access.externalId),
  );
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
      targets: targets.map((t) => ({ ...t, access: maskedAccess(t.access), from: originLabel(t) })),
    };
    // The external ids are masked where they are, and anywhere else they might appear.
    deps.stdout(`${redact(JSON.stringify(json, null, 2))}\n`);
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
  requireSelection("validate", targets, run, flags);
  return EXIT.ok;
}

/** A target's access with its external id shown as set, never as its value. */
function maskedAccess(access: Target["access"]): Target["access"] {
  return access.externalId !== undefined ? { ...access, externalId: REDACTED } : access;
}
