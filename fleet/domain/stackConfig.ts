/**
 * Turns a target into the program's stack config (docs/CONTRACTS.md). Pure.
 * Structured values are JSON strings; nothing here is a credential: the role is assumed from the
 * bot's own environment credentials by the AWS provider at run time. The one sensitive value, the
 * role's external id, never enters stack config (plaintext in `Pulumi.<stack>.yaml`, and on the
 * `pulumi config set-all` command line): it reaches the program through its stack's own workspace
 * environment (`stackEnvFor`), and the component makes it a secret before the engine sees it.
 */
import { configKey, EXTERNAL_ID_ENV, PROJECT_NAME, type ConfigKey } from "../../program/contract";
import { componentSettings, providerArgsFor, type Target } from "../settings/schema";

/** Same shape as `ConfigMap` from `@pulumi/pulumi/automation`, kept local so this file stays pure. */
export type StackConfig = Record<string, { value: string; secret?: boolean }>;

/**
 * Variables added to the environment of this target's stack only (its own workspace): the role's
 * external id, so it is neither stack config nor a command-line argument, and one account's id
 * never reaches another account's stack.
 */
export function stackEnvFor(target: Target): Record<string, string> {
  const { roleArn, externalId } = target.access;
  return roleArn !== undefined && externalId !== undefined ? { [EXTERNAL_ID_ENV]: externalId } : {};
}

/**
 * The complete `access-analyzer:*` config of a target's stack. `adopt` (region → existing
 * analyzer name) is the bot's own decision before the run (fleet/domain/adoption.ts), not a fleet setting.
 */
export function stackConfigFor(target: Target, adopt: Record<string, string> = {}): StackConfig {
  const s = componentSettings(target.settings);
  const config: StackConfig = {};
  const json = (name: ConfigKey, value: unknown) => {
    if (value !== undefined) config[configKey(name)] = { value: JSON.stringify(value) };
  };
  const text = (name: ConfigKey, value: string | boolean | undefined) => {
    if (value !== undefined) config[configKey(name)] = { value: String(value) };
  };
  json("regions", s.regions);
  json("excludeRegions", s.excludeRegions);
  text("analyzerName", s.analyzerName);
  text("lookupRegion", s.lookupRegion);
  json("unusedAccess", s.unusedAccess);
  json("internalAccess", s.internalAccess);
  json("organization", s.organization);
  json("archiveRules", s.archiveRules);
  json("tags", s.tags);
  json("providerArgs", providerArgsFor(target));
  text("protect", s.protect);
  text("retainOnDelete", s.retainOnDelete);
  text("providerMode", s.providerMode);
  json("allowDelete", s.allowDelete);
  if (Object.keys(adopt).length > 0) json("adopt", adopt);
  // The organization's own keys (registration stack, delegated administrator); they win.
  for (const [name, value] of Object.entries(target.programConfig ?? {})) {
    json(name as ConfigKey, value);
  }
  return config;
}

/**
 * Keys of the program's namespace that the stack has but the fleet file no longer sets. They are
 * removed so that deleting a setting from the fleet file really returns the account to the default.
 */
export function staleConfigKeys(existing: Record<string, unknown>, desired: StackConfig): string[] {
  return Object.keys(existing)
    .filter((k) => k.startsWith(`${PROJECT_NAME}:`) && !(k in desired))
    .sort();
}
