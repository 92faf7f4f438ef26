// Copyright 2026 The pulumi-access-analyzer-all-regions authors.
// SPDX-License-Identifier: Apache-2.0

/**
 * The per-account program's stack configuration: from raw `pulumi config` values to the
 * component's arguments. Pure: it takes the config map and returns arguments or a clear error.
 */

import { AllRegionsAccessAnalyzerArgs, checkArgs, componentArgs, suggestKey } from "../components";
import { genericMessage, problemsOf } from "../components/problems";
import { componentArgsObject } from "../components/schema";

/** The schema of each key: the component's own, so a rule lives in one place. */
const KEYS = componentArgsObject.shape;

type Key = keyof typeof KEYS;

/** Keys whose values are plain strings; every other key holds JSON (or a YAML structure). */
const STRING_KEYS: readonly Key[] = ["lookupRegion", "analyzerName", "type", "providerMode"];

/** An example per key, for error messages that show the fix. */
const EXAMPLES: Record<Key, string> = {
  regions: `'["us-east-1","eu-west-1"]'`,
  excludeRegions: `'["ap-northeast-3"]'`,
  lookupRegion: "us-east-1",
  analyzerName: "external-access",
  type: "ACCOUNT",
  unusedAccess: `'{"region":"us-east-1","unusedAccessAge":90}'`,
  archiveRules: `'[{"name":"private","filters":[{"criteria":"isPublic","eqs":["false"]}]}]'`,
  tags: `'{"owner":"security"}'`,
  providerArgs: `'{"assumeRoles":[{"roleArn":"arn:aws:iam::111122223333:role/Deployer"}]}'`,
  protect: "true",
  retainOnDelete: "true",
  providerMode: "single",
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

/**
 * Turns the stack's configuration into the component's arguments.
 *
 * @param config every configuration value, keyed `namespace:key`, as `pulumi.runtime.allConfig()`
 *   returns it (structured values arrive as JSON text).
 * @param namespace the project name.
 * @throws ConfigError naming every bad key; nothing is created then.
 */
export function parseProgramConfig(
  config: Record<string, string>,
  namespace: string,
): AllRegionsAccessAnalyzerArgs {
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
    for (const problem of checkArgs(args)) {
      problems.push(`${prefix}${problem.path}: ${problem.message}`);
    }
  }
  if (problems.length > 0) {
    throw new ConfigError(problems);
  }
  return args;
}
