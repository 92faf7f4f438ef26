/**
 * Turns a target into the program's stack config (docs/CONTRACTS.md). Pure.
 * Structured values are JSON strings; nothing here is a credential: the role is assumed from the
 * bot's own environment credentials by the AWS provider at run time. The one sensitive value, the
 * role's external id, never enters stack config (plaintext in `Pulumi.<stack>.yaml`, and on the
 * `pulumi config set-all` command line): it reaches the program through its stack's own workspace
 * environment (`stackEnvFor`), and the component makes it a secret before the engine sees it.
 */
import { EXTERNAL_ID_ENV } from "../program/externalId";
import type { AnalyzerSettings, Target } from "./types";

/** The program's project name, and so its config namespace. */
export const PROJECT_NAME = "access-analyzer";

/** Same shape as `ConfigMap` from `@pulumi/pulumi/automation`, kept local so this file stays pure. */
export type StackConfig = Record<string, { value: string; secret?: boolean }>;

const key = (name: string) => `${PROJECT_NAME}:${name}`;

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
 * Variables added to the environment of this target's stack only (its own workspace): the role's
 * external id, so it is neither stack config nor a command-line argument, and one account's id
 * never reaches another account's stack.
 */
export function stackEnvFor(target: Target): Record<string, string> {
  const { roleArn, externalId } = target.access;
  return roleArn !== undefined && externalId !== undefined ? { [EXTERNAL_ID_ENV]: externalId } : {};
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

/**
 * The complete `access-analyzer:*` config of a target's stack. `adopt` (region → existing
 * analyzer name) is the bot's own decision before the run (fleet/adoption.ts), not a fleet setting.
 */
export function stackConfigFor(target: Target, adopt: Record<string, string> = {}): StackConfig {
  const s = componentSettings(target.settings);
  const config: StackConfig = {};
  const json = (name: string, value: unknown) => {
    if (value !== undefined) config[key(name)] = { value: JSON.stringify(value) };
  };
  const text = (name: string, value: string | boolean | undefined) => {
    if (value !== undefined) config[key(name)] = { value: String(value) };
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
  for (const [name, value] of Object.entries(target.programConfig ?? {})) json(name, value);
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

/**
 * Variables the bot adds to every Pulumi command (on top of its own environment, which passes
 * through unchanged: AWS_*, PULUMI_CONFIG_PASSPHRASE, AWS_ENDPOINT_URL, PATH, …).
 * The fleet file's `backend` wins over PULUMI_BACKEND_URL; a relative `file://./dir` is resolved
 * against the fleet file's folder so the state lands in the same place wherever the bot runs from.
 */
export function workspaceEnv(
  fleet: { backend?: string },
  fleetDir: string,
  resolve: (...parts: string[]) => string,
): Record<string, string> {
  const env: Record<string, string> = { PULUMI_SKIP_UPDATE_CHECK: "true" };
  if (fleet.backend !== undefined) {
    const local = relativeBackendDir(fleet, fleetDir, resolve);
    env.PULUMI_BACKEND_URL = local !== undefined ? `file://${local}` : fleet.backend;
  }
  return env;
}

/**
 * The folder of a relative `file://./dir` backend, resolved against the fleet file's folder; the
 * bot creates it when it is missing. Undefined for any other backend (an absolute `file://` path
 * that is missing may be an unmounted volume, so it is never created).
 */
export function relativeBackendDir(
  fleet: { backend?: string },
  fleetDir: string,
  resolve: (...parts: string[]) => string,
): string | undefined {
  const relative = /^file:\/\/(\.\.?(\/.*)?)$/.exec(fleet.backend ?? "");
  return relative ? resolve(fleetDir, relative[1]) : undefined;
}

/**
 * Problems to report before anything runs: settings the engine would only trip over once per
 * stack. Names variables, never their values.
 */
export function preflightProblems(
  fleet: { backend?: string; secretsProvider?: string },
  env: Record<string, string | undefined>,
): string[] {
  const problems: string[] = [];
  const backend = fleet.backend ?? env.PULUMI_BACKEND_URL ?? "";
  const usesPassphrase =
    fleet.secretsProvider === "passphrase" ||
    (fleet.secretsProvider === undefined && /^(file|s3|azblob|gs):\/\//.test(backend));
  if (
    usesPassphrase &&
    env.PULUMI_CONFIG_PASSPHRASE === undefined &&
    env.PULUMI_CONFIG_PASSPHRASE_FILE === undefined
  ) {
    problems.push(
      "the passphrase secrets provider needs PULUMI_CONFIG_PASSPHRASE or PULUMI_CONFIG_PASSPHRASE_FILE in the environment " +
        '(or set secretsProvider: "awskms://…" in the fleet file)',
    );
  }
  return problems;
}

/** Checks that `Pulumi.yaml` (its parsed content) is the per-account program the config is for. */
export function projectProblem(projectFile: string, project: unknown): string | undefined {
  const name = (project as { name?: unknown } | null)?.name;
  if (name !== PROJECT_NAME) {
    return `${projectFile}: project name is ${JSON.stringify(name)}, but the fleet sets "${PROJECT_NAME}:*" config; point --work-dir at the access-analyzer program`;
  }
  return undefined;
}
