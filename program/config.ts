// Copyright 2026 The pulumi-access-analyzer-all-regions authors.
// SPDX-License-Identifier: Apache-2.0

/**
 * The per-account program's stack configuration: from raw `pulumi config` values to the
 * component's arguments. Pure: it takes the config map and returns arguments or a clear error.
 */

import { z } from "zod";

import { AllRegionsAccessAnalyzerArgs, checkArgs } from "../components";

const stringList = z.array(z.string());
const filter = z
  .object({
    criteria: z.string(),
    eqs: stringList.optional(),
    neqs: stringList.optional(),
    contains: stringList.optional(),
    exists: z.enum(["true", "false"]).optional(),
  })
  .strict();

/**
 * The shape of each key. Semantics (region codes, name rules, ranges) are the component's own
 * checks, run below with the config key as the path, so a rule lives in one place.
 */
const KEYS = {
  regions: stringList,
  excludeRegions: stringList,
  lookupRegion: z.string(),
  analyzerName: z.string(),
  type: z.enum(["ACCOUNT", "ORGANIZATION"]),
  unusedAccess: z
    .object({
      region: z.string(),
      unusedAccessAge: z.number().optional(),
      analyzerName: z.string().optional(),
      exclusions: z
        .array(
          z
            .object({
              accountIds: stringList.optional(),
              resourceTags: z.array(z.record(z.string(), z.string())).optional(),
            })
            .strict(),
        )
        .optional(),
    })
    .strict(),
  archiveRules: z.array(z.object({ name: z.string(), filters: z.array(filter) }).strict()),
  tags: z.record(z.string(), z.string()),
  providerArgs: z.record(z.string(), z.unknown()),
  protect: z.boolean(),
  retainOnDelete: z.boolean(),
} as const;

type Key = keyof typeof KEYS;

/** Keys whose values are plain strings; every other key holds JSON (or a YAML structure). */
const STRING_KEYS: readonly Key[] = ["lookupRegion", "analyzerName", "type"];

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

function closest(key: string): Key | undefined {
  const lower = key.toLowerCase();
  return (Object.keys(KEYS) as Key[]).find((k) => {
    const candidate = k.toLowerCase();
    return candidate.startsWith(lower.slice(0, 5)) || lower.startsWith(candidate.slice(0, 5));
  });
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
      const guess = closest(key);
      problems.push(
        `${fullKey}: is not a setting of this program` +
          (guess ? `; did you mean ${prefix}${guess}?` : "") +
          ` Known keys: ${Object.keys(KEYS).join(", ")}.`,
      );
      continue;
    }
    const parsed = KEYS[key as Key].safeParse(parseValue(key as Key, raw));
    if (!parsed.success) {
      for (const issue of parsed.error.issues) {
        const path = [fullKey, ...issue.path.map(String)].join(".").replace(/\.(\d+)/g, "[$1]");
        problems.push(
          `${path}: ${issue.message}. Example: pulumi config set ${fullKey} ${EXAMPLES[key as Key]}`,
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
