/**
 * A target as the component's arguments: the providers' `providerArgs` and the settings in the
 * component's own form. Pure. The fleet file is validated through the component's checks with these,
 * and the program's stack config is written from them (fleet/domain/stackConfig.ts).
 */
import { type AnalyzerSettings, type Target } from "./types";

/** The `access-analyzer:providerArgs` value: how every regional provider reaches the account. */
export function providerArgsFor(target: Target): Record<string, unknown> {
  const args: Record<string, unknown> = {};
  const { roleArn, sessionName, profile } = target.access;
  if (roleArn !== undefined) {
    const role: Record<string, string> = { roleArn };
    if (sessionName !== undefined) role.sessionName = sessionName;
    args.assumeRoles = [role];
  }
  if (profile !== undefined) args.profile = profile;
  // The provider refuses to touch any other account, whatever the credentials resolve to.
  args.allowedAccountIds = [target.accountId];
  return args;
}

/**
 * The target's settings as the component takes them: archive-rule `exists` as "true"/"false"
 * (the fleet file also accepts YAML booleans there).
 */
export function componentSettings(settings: AnalyzerSettings): AnalyzerSettings {
  if (!settings.archiveRules) return settings;
  return {
    ...settings,
    archiveRules: settings.archiveRules.map((rule) => ({
      ...rule,
      filters: rule.filters.map((f) =>
        f.exists === undefined ? f : { ...f, exists: String(f.exists) as "true" | "false" },
      ),
    })),
  };
}
