// Copyright 2026 The pulumi-access-analyzer-all-regions authors.
// SPDX-License-Identifier: Apache-2.0

/**
 * The per-account program's stack configuration: from raw `pulumi config` values to the
 * component's arguments. Pure: it takes the config map and returns arguments or a clear error.
 */

import type { AccessAnalyzerDelegatedAdministratorArgs } from "../components/delegatedAdministrator";
import { genericMessage, problemsOf } from "../components/problems";
import {
  TYPE_REPLACED,
  componentArgs,
  componentArgsObject,
  delegatedAdministrator,
  suggestKey,
} from "../components/schema";
import type { AllRegionsAccessAnalyzerArgs } from "../components/types";
import { checkArgs } from "../components/validation";
import { withExternalIdFromEnv } from "./externalId";

/** The schema of each key: the component's own, so a rule lives in one place. */
const KEYS = {
  ...componentArgsObject.shape,
  delegatedAdministrator: delegatedAdministrator.optional(),
};

/**
 * Keys a registration stack (one with `delegatedAdministrator`) may also set: how to reach the
 * management account, and where its provider calls go. Every other key is about analyzers.
 */
const REGISTRATION_KEYS: readonly Key[] = [
  "delegatedAdministrator",
  "providerArgs",
  "lookupRegion",
  "protect",
];

type Key = keyof typeof KEYS;

/** Keys whose values are plain strings; every other key holds JSON (or a YAML structure). */
const STRING_KEYS: readonly Key[] = ["lookupRegion", "analyzerName", "type", "providerMode"];

/** An example per key, for error messages that show the fix. */
const EXAMPLES: Record<Key, string> = {
  regions: `'["us-east-1","eu-west-1"]'`,
  excludeRegions: `'["ap-northeast-3"]'`,
  lookupRegion: "us-east-1",
  analyzerName: "external-access",
  type: "(remove it)",
  unusedAccess: `'{"region":"us-east-1","unusedAccessAge":90}'`,
  internalAccess: `'{"regions":["us-east-1"],"analysisRule":{"inclusions":[{"resourceTypes":["AWS::S3::Bucket"]}]}}'`,
  organization: `'{"externalAccess":true,"unusedAccess":{"region":"us-east-1"}}'`,
  archiveRules: `'[{"name":"private","filters":[{"criteria":"isPublic","eqs":["false"]}]}]'`,
  tags: `'{"owner":"security"}'`,
  providerArgs: `'{"assumeRoles":[{"roleArn":"arn:aws:iam::111122223333:role/Deployer"}]}'`,
  delegatedAdministrator: `'{"accountId":"111122223333","enableTrustedAccess":false}'`,
  protect: "true",
  retainOnDelete: "true",
  providerMode: "single",
  adopt: `'{"eu-west-1":"console-analyzer"}'`,
  allowDelete: `'["console-analyzer@eu-west-1"]'`,
};

/** Bad stack configuration. The message names each key and how to set it right. */
export class ConfigError extends Error {
  constructor(public readonly problems: string[]) {
    super(["Invalid stack configuration:", ...problems.map((p) => `  - ${p}`)].join("\n"));
    this.name = "ConfigError";
  }
}

function parseValue(key: Key, raw: string): unknown {
  if (STRING_KEYS.includes(key)) {
    return raw;
  }
  try {
    return JSON.parse(raw);
  } catch {
    // A bare word for a list is a common slip: `regions us-east-1`.
    return raw;
  }
}

/** What a stack is for: analyzers, or registering the delegated administrator. */
export type ProgramConfig =
  | { readonly kind: "analyzers"; readonly args: AllRegionsAccessAnalyzerArgs }
  | {
      readonly kind: "delegatedAdministrator";
      readonly args: AccessAnalyzerDelegatedAdministratorArgs;
      readonly protect?: boolean;
    };

/**
 * Turns the stack's configuration into what the program builds: the analyzers' component, or
 * (with `delegatedAdministrator`) the registration of the delegated administrator and nothing else.
 *
 * @param config every configuration value, keyed `namespace:key`, as `pulumi.runtime.allConfig()`
 *   returns it (structured values arrive as JSON text).
 * @param namespace the project name.
 * @param env the environment: `ACCESS_ANALYZER_EXTERNAL_ID` is the external id of the last role in
 *   `providerArgs.assumeRoles` (program/externalId.ts).
 * @throws ConfigError naming every bad key; nothing is created then.
 */
export function readProgramConfig(
  config: Record<string, string>,
  namespace: string,
  env: Record<string, string | undefined> = {},
): ProgramConfig {
  const problems: string[] = [];
  const args: Record<string, unknown> = {};
  const prefix = `${namespace}:`;

  for (const [fullKey, raw] of Object.entries(config)) {
    if (!fullKey.startsWith(prefix)) {
      continue;
    }
    const key = fullKey.slice(prefix.length);
    if (!(key in KEYS)) {
      const guess = suggestKey(key, Object.keys(KEYS));
      problems.push(
        `${fullKey}: is not a setting of this program` +
          (guess ? `; did you mean ${prefix}${guess}?` : "") +
          ` Known keys: ${Object.keys(KEYS).join(", ")}.`,
      );
      continue;
    }
    if (key === "type") {
      problems.push(`${fullKey}: ${TYPE_REPLACED}. Remove it: pulumi config rm ${fullKey}`);
      continue;
    }
    const parsed = KEYS[key as Key].safeParse(parseValue(key as Key, raw), {
      error: genericMessage,
    });
    if (!parsed.success) {
      for (const problem of problemsOf(parsed.error.issues, { schema: componentArgs }, [key])) {
        problems.push(
          `${prefix}${problem.path}: ${problem.message}. ` +
            `Example: pulumi config set ${fullKey} ${EXAMPLES[key as Key]}`,
        );
      }
      continue;
    }
    args[key] = parsed.data;
  }

  if (problems.length === 0) {
    const external = withExternalIdFromEnv(
      args.providerArgs as Record<string, unknown> | undefined,
      env,
      `${prefix}providerArgs`,
    );
    if ("problem" in external) problems.push(external.problem);
    else if (external.providerArgs !== undefined) args.providerArgs = external.providerArgs;
  }

  const registration = args.delegatedAdministrator as
    { accountId: string; enableTrustedAccess?: boolean } | undefined;
  if (problems.length === 0 && registration !== undefined) {
    const conflicts = Object.keys(args).filter((k) => !REGISTRATION_KEYS.includes(k as Key));
    for (const key of conflicts) {
      problems.push(
        `${prefix}${key}: conflicts with ${prefix}delegatedAdministrator: a stack that registers ` +
          `the delegated administrator creates no analyzers; remove ${prefix}${key} here and set ` +
          `it on the administrator's or the member accounts' stacks`,
      );
    }
    if (problems.length === 0) {
      return {
        kind: "delegatedAdministrator",
        args: {
          ...registration,
          region: args.lookupRegion as string | undefined,
          providerArgs: args.providerArgs as AllRegionsAccessAnalyzerArgs["providerArgs"],
        },
        protect: args.protect as boolean | undefined,
      };
    }
  }

  if (problems.length === 0) {
    for (const problem of checkArgs(args)) {
      problems.push(`${prefix}${problem.path}: ${problem.message}`);
    }
  }
  if (problems.length > 0) {
    throw new ConfigError(problems);
  }
  return { kind: "analyzers", args };
}
