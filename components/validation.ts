// Copyright 2026 The pulumi-access-analyzer-all-regions authors.
// SPDX-License-Identifier: Apache-2.0

/**
 * Validation of the component's arguments, and their defaults. Pure functions: no Pulumi, no I/O,
 * so the fleet bot can check a whole fleet file before it starts a single stack.
 */

import { ArgumentProblem, checkRegionList, isValidRegionName } from "./regions";
import {
  AllRegionsAccessAnalyzerArgs,
  AnalyzerZone,
  ArchiveRuleArgs,
  RegionalProviderArgs,
  UnusedAccessArgs,
} from "./types";

/**
 * Defaults, resolved in this one place. Changing one changes every stack that relies on it (a new
 * analyzer name replaces every analyzer): treat a change as a breaking release.
 */
export const DEFAULTS = {
  analyzerName: "external-access",
  type: "ACCOUNT" as AnalyzerZone,
  lookupRegion: "us-east-1",
  unusedAccessAnalyzerName: "unused-access",
  unusedAccessAge: 90,
} as const;

/** AWS's CreateAnalyzer rule for analyzer names (API_CreateAnalyzer); archive rule names share it. */
const NAME_PATTERN = /^[A-Za-z][A-Za-z0-9_.-]*$/;
const NAME_MAX = 255;
/** AWS quota: archive rules per analyzer. */
export const MAX_ARCHIVE_RULES = 100;
const ANALYZER_ZONES: readonly AnalyzerZone[] = ["ACCOUNT", "ORGANIZATION"];
const EXISTS_VALUES = ["true", "false"];

/**
 * Checks an analyzer or archive-rule name against AWS's rule. Returns the problem, or undefined.
 * Terraform only finds a bad name when AWS rejects it mid-apply (terraform-provider-aws#16264);
 * checking first means nothing is created.
 */
export function checkName(path: string, name: unknown): ArgumentProblem | undefined {
  if (typeof name !== "string" || name.length === 0) {
    return { path, message: `must be a non-empty string, e.g. "${DEFAULTS.analyzerName}"` };
  }
  if (name.length > NAME_MAX) {
    return { path, message: `is ${name.length} characters long; AWS allows at most ${NAME_MAX}` };
  }
  if (!NAME_PATTERN.test(name)) {
    return {
      path,
      message:
        `"${name}" is not allowed: start with a letter and use only letters, digits, ` +
        `"_", "." and "-" (e.g. "${DEFAULTS.analyzerName}")`,
    };
  }
  return undefined;
}

/**
 * Every field of `aws.ProviderArgs` but `region`. The type makes the compiler fail when
 * `@pulumi/aws` adds or drops a field, so a typo in `providerArgs` is caught at once instead of
 * being silently ignored by the provider.
 */
const PROVIDER_ARG_FIELDS: Record<keyof RegionalProviderArgs, true> = {
  accessKey: true,
  allowedAccountIds: true,
  assumeRoleWithWebIdentity: true,
  assumeRoles: true,
  customCaBundle: true,
  defaultTags: true,
  ec2MetadataServiceEndpoint: true,
  ec2MetadataServiceEndpointMode: true,
  endpoints: true,
  forbiddenAccountIds: true,
  httpProxy: true,
  httpsProxy: true,
  ignoreTags: true,
  insecure: true,
  maxRetries: true,
  noProxy: true,
  profile: true,
  retryMode: true,
  s3UsEast1RegionalEndpoint: true,
  s3UsePathStyle: true,
  secretKey: true,
  sharedConfigFiles: true,
  sharedCredentialsFiles: true,
  skipCredentialsValidation: true,
  skipMetadataApiCheck: true,
  skipRegionValidation: true,
  skipRequestingAccountId: true,
  stsRegion: true,
  tagPolicyCompliance: true,
  token: true,
  tokenBucketRateLimiterCapacity: true,
  useDualstackEndpoint: true,
  useFipsEndpoint: true,
  userAgents: true,
};

function checkProviderArgs(providerArgs: object): ArgumentProblem[] {
  return Object.keys(providerArgs).flatMap((key): ArgumentProblem[] => {
    if (key === "region") {
      return [
        {
          path: "providerArgs.region",
          message:
            "is set by the component for each region; remove it " +
            "(use regions or lookupRegion instead)",
        },
      ];
    }
    if (!(key in PROVIDER_ARG_FIELDS)) {
      return [
        {
          path: `providerArgs.${key}`,
          message: `is not an aws.ProviderArgs field; check the spelling (e.g. assumeRoles, profile)`,
        },
      ];
    }
    return [];
  });
}

function isStringList(value: unknown): value is string[] {
  return Array.isArray(value) && value.every((v) => typeof v === "string" && v.length > 0);
}

function checkUnusedAccess(
  unused: UnusedAccessArgs,
  args: AllRegionsAccessAnalyzerArgs,
): ArgumentProblem[] {
  const problems: ArgumentProblem[] = [];
  if (!isValidRegionName(unused.region)) {
    problems.push({
      path: "unusedAccess.region",
      message:
        `${JSON.stringify(unused.region)} is not a region code; name the one home region ` +
        `of the unused-access analyzer, e.g. "us-east-1"`,
    });
  } else if (args.excludeRegions?.includes(unused.region)) {
    problems.push({
      path: "unusedAccess.region",
      message: `"${unused.region}" is in excludeRegions; pick a covered home region`,
    });
  } else if (args.regions && !args.regions.includes(unused.region)) {
    problems.push({
      path: "unusedAccess.region",
      message: `"${unused.region}" is not in regions; pick one of ${args.regions.join(", ")}`,
    });
  }
  const age = unused.unusedAccessAge;
  if (age !== undefined && !(Number.isInteger(age) && age >= 1 && age <= 365)) {
    problems.push({
      path: "unusedAccess.unusedAccessAge",
      message: `${JSON.stringify(age)} is out of range; use a whole number of days from 1 to 365`,
    });
  }
  if (unused.analyzerName !== undefined) {
    const problem = checkName("unusedAccess.analyzerName", unused.analyzerName);
    if (problem) {
      problems.push(problem);
    }
  }
  const unusedName = unused.analyzerName ?? DEFAULTS.unusedAccessAnalyzerName;
  if (unusedName === (args.analyzerName ?? DEFAULTS.analyzerName)) {
    problems.push({
      path: "unusedAccess.analyzerName",
      message:
        `"${unusedName}" is also the external-access analyzer's name; names are unique per ` +
        `region, so give the unused-access analyzer another one`,
    });
  }
  (unused.exclusions ?? []).forEach((exclusion, i) => {
    const path = `unusedAccess.exclusions[${i}]`;
    if (exclusion.accountIds !== undefined) {
      if (!isStringList(exclusion.accountIds)) {
        problems.push({ path: `${path}.accountIds`, message: "must be a list of account ids" });
      } else {
        exclusion.accountIds.forEach((id, j) => {
          if (!/^\d{12}$/.test(id)) {
            problems.push({
              path: `${path}.accountIds[${j}]`,
              message: `"${id}" is not an account id; use 12 digits, e.g. "111122223333"`,
            });
          }
        });
      }
    }
    if (!exclusion.accountIds?.length && !exclusion.resourceTags?.length) {
      problems.push({ path, message: "excludes nothing; give accountIds or resourceTags" });
    }
  });
  return problems;
}

function checkArchiveRules(rules: unknown): ArgumentProblem[] {
  if (!Array.isArray(rules)) {
    return [{ path: "archiveRules", message: "must be a list of { name, filters } rules" }];
  }
  const problems: ArgumentProblem[] = [];
  if (rules.length > MAX_ARCHIVE_RULES) {
    problems.push({
      path: "archiveRules",
      message: `has ${rules.length} rules; AWS allows at most ${MAX_ARCHIVE_RULES} per analyzer`,
    });
  }
  const names = new Set<string>();
  (rules as (Partial<ArchiveRuleArgs> | undefined)[]).forEach((rule, i) => {
    const path = `archiveRules[${i}]`;
    const name = rule?.name;
    const nameProblem = checkName(`${path}.name`, name);
    if (nameProblem) {
      problems.push(nameProblem);
    } else if (names.has(name as string)) {
      problems.push({
        path: `${path}.name`,
        message: `"${name}" is used by another rule; rule names are unique per analyzer`,
      });
    }
    names.add(name as string);
    if (!Array.isArray(rule?.filters) || rule.filters.length === 0) {
      problems.push({
        path: `${path}.filters`,
        message: `needs at least one filter, e.g. [{ criteria: "isPublic", eqs: ["false"] }]`,
      });
      return;
    }
    (rule.filters as unknown as (Record<string, unknown> | undefined)[]).forEach((filter, j) => {
      const fpath = `${path}.filters[${j}]`;
      if (typeof filter?.criteria !== "string" || filter.criteria.length === 0) {
        problems.push({
          path: `${fpath}.criteria`,
          message: `must name a finding property, e.g. "resourceType"`,
        });
      }
      for (const key of ["eqs", "neqs", "contains"] as const) {
        if (filter?.[key] !== undefined && !isStringList(filter[key])) {
          problems.push({ path: `${fpath}.${key}`, message: "must be a list of strings" });
        }
      }
      if (filter?.exists !== undefined && !EXISTS_VALUES.includes(filter.exists as string)) {
        problems.push({ path: `${fpath}.exists`, message: `must be "true" or "false"` });
      }
      if (["eqs", "neqs", "contains", "exists"].every((key) => filter?.[key] === undefined)) {
        problems.push({
          path: fpath,
          message: "matches nothing; give one of eqs, neqs, contains or exists",
        });
      }
    });
  });
  return problems;
}

/**
 * Checks every argument that can be checked without asking AWS. Returns all problems at once, so
 * a person fixes them in one go. An empty list means the arguments are well formed.
 */
export function checkArgs(args: AllRegionsAccessAnalyzerArgs): ArgumentProblem[] {
  const problems: ArgumentProblem[] = [
    ...checkRegionList("regions", args.regions),
    ...checkRegionList("excludeRegions", args.excludeRegions),
  ];
  if (args.regions !== undefined && Array.isArray(args.regions) && args.regions.length === 0) {
    problems.push({
      path: "regions",
      message: "is empty; list regions to cover, or leave it out to cover every enabled region",
    });
  }
  if (args.lookupRegion !== undefined && !isValidRegionName(args.lookupRegion)) {
    problems.push({
      path: "lookupRegion",
      message: `${JSON.stringify(args.lookupRegion)} is not a region code, e.g. "us-east-1"`,
    });
  }
  if (args.analyzerName !== undefined) {
    const problem = checkName("analyzerName", args.analyzerName);
    if (problem) {
      problems.push(problem);
    }
  }
  if (args.type !== undefined && !ANALYZER_ZONES.includes(args.type)) {
    problems.push({
      path: "type",
      message:
        `${JSON.stringify(args.type)} is not supported; use "ACCOUNT" (every account) or ` +
        `"ORGANIZATION" (management or delegated administrator account only)`,
    });
  }
  if (args.unusedAccess !== undefined) {
    problems.push(...checkUnusedAccess(args.unusedAccess, args));
  }
  if (args.archiveRules !== undefined) {
    problems.push(...checkArchiveRules(args.archiveRules));
  }
  if (args.providerArgs !== undefined) {
    problems.push(...checkProviderArgs(args.providerArgs));
  }
  for (const flag of ["protect", "retainOnDelete"] as const) {
    if (args[flag] !== undefined && typeof args[flag] !== "boolean") {
      problems.push({ path: flag, message: "must be true or false" });
    }
  }
  return problems;
}

/** Formats problems as one message, one line per problem, each naming its argument. */
export function formatProblems(prefix: string, problems: readonly ArgumentProblem[]): string {
  return [prefix, ...problems.map((p) => `  - ${p.path}: ${p.message}`)].join("\n");
}
