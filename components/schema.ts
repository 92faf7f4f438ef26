// Copyright 2026 The pulumi-access-analyzer-all-regions authors.
// SPDX-License-Identifier: Apache-2.0

/**
 * The one description of the component's settings: a zod schema per concept, the constants they
 * rest on, and the cross-field rules. The component (`checkArgs`), the per-account program's stack
 * configuration and the fleet file all validate through these schemas, and the fleet file's JSON
 * Schema is generated from them. Pure: no Pulumi, no I/O.
 */

import type * as aws from "@pulumi/aws";
import { z } from "zod";

// ---------------------------------------------------------------------------------------------
// Constants: each is defined here and only here.

/**
 * The shape of an AWS region code in every partition: `us-east-1`, `eu-central-2`, `us-gov-west-1`,
 * `cn-northwest-1`, `ap-southeast-7`, `us-isob-east-1`. It does not say the region exists.
 */
export const REGION_PATTERN = /^[a-z]{2}(-[a-z]+){1,3}-\d{1,2}$/;

/** AWS's CreateAnalyzer rule for analyzer names (API_CreateAnalyzer); archive rule names share it. */
export const NAME_PATTERN = /^[A-Za-z][A-Za-z0-9_.-]*$/;
/**
 * An `adopt` value as an import ID: `name@region` reads the analyzer in `region` whatever the
 * provider's region (the one provider of `single` mode). The state records the ID it imported.
 * The same form names an adopted analyzer in `allowDelete`.
 */
export const ADOPT_WITH_REGION = /^[A-Za-z][A-Za-z0-9_.-]*@[a-z]{2}(-[a-z]+){1,3}-\d{1,2}$/;
/** The longest analyzer or archive rule name AWS accepts. */
export const NAME_MAX = 255;
/** AWS quota: archive rules per analyzer. */
export const MAX_ARCHIVE_RULES = 100;
/** AWS tagging rules: tags per resource, key and value lengths, the reserved prefix. */
export const TAG_LIMITS = { maxTags: 50, keyMax: 128, valueMax: 256, reservedPrefix: "aws:" };
/**
 * AWS's tag character set: Unicode letters, separators (spaces), numbers and `_ . : / = + - @`.
 * It is the `TagKey` pattern of the AWS Organizations and STS service models
 * (`^([\p{L}\p{Z}\p{N}_.:/=+\-@]*)$`, botocore 1.44.8, in shared/schemas/aws) and the "allowed
 * characters" of AWS's tagging guide; the Access Analyzer model gives its tags no pattern of their
 * own. A newline, a tab or a NUL is none of these.
 */
export const TAG_CHARACTERS = /^[\p{L}\p{Z}\p{N}_.:/=+\-@]*$/u;
/** The first character of `text` outside AWS's tag character set, if any. */
function firstBadTagCharacter(text: string): { char: string; position: number } | undefined {
  const chars = [...text];
  const i = chars.findIndex((c) => !TAG_CHARACTERS.test(c));
  return i < 0 ? undefined : { char: chars[i], position: i + 1 };
}
/** Control characters (newline, tab, NUL, …): outside AWS's tag character set, never meant. */
const CONTROL_CHARACTER = /\p{Cc}/u;
/** An AWS account id. */
export const ACCOUNT_ID_PATTERN = /^\d{12}$/;
/** An IAM role ARN in one of the partitions; group 2 is the role's account id. */
export const ROLE_ARN_PATTERN =
  /^arn:(aws|aws-cn|aws-us-gov|aws-iso|aws-iso-b|aws-iso-e|aws-iso-f):iam::(\d{12}):role\/(?:[\w+=,.@-]+\/)*[\w+=,.@-]{1,64}$/;
/** STS AssumeRole's ExternalId. */
export const EXTERNAL_ID_PATTERN = /^[\w+=,.@:/-]{2,1224}$/;
/** STS AssumeRole's RoleSessionName. */
export const SESSION_NAME_PATTERN = /^[\w+=,.@-]{2,64}$/;
/** The zones of trust an external-access analyzer can have (see `AnalyzerZone`). */
export const ANALYZER_ZONES = ["ACCOUNT", "ORGANIZATION"] as const;
/** The service principal of IAM Access Analyzer in AWS Organizations (trusted access, delegation). */
export const ACCESS_ANALYZER_PRINCIPAL = "access-analyzer.amazonaws.com";

/**
 * The `opt-in-status` values of regions an account can use. `DescribeRegions` without `AllRegions`
 * already returns only these; the filter says so explicitly, so a lookup never covers a region the
 * account has not enabled (`not-opted-in`).
 */
export const ENABLED_OPT_IN_STATUSES: readonly string[] = ["opt-in-not-required", "opted-in"];

/**
 * How the regional resources reach AWS: an explicit provider (one plugin process) per region, or
 * one provider for every region through the per-resource `region` input of `@pulumi/aws` v7.
 */
export const PROVIDER_MODES = ["per-region", "single"] as const;

/**
 * Defaults, resolved in this one place. Changing one changes every stack that relies on it (a new
 * analyzer name replaces every analyzer): treat a change as a breaking release.
 */
export const DEFAULTS = {
  analyzerName: "external-access",
  lookupRegion: "us-east-1",
  unusedAccessAnalyzerName: "unused-access",
  unusedAccessAge: 90,
  providerMode: "per-region" as (typeof PROVIDER_MODES)[number],
  internalAccessAnalyzerName: "internal-access",
  organizationAnalyzerName: "organization-external-access",
  organizationUnusedAccessAnalyzerName: "organization-unused-access",
  organizationInternalAccessAnalyzerName: "organization-internal-access",
} as const;

/** The AWS partitions a stack can work in, and how their region codes start. */
export const PARTITIONS = ["aws", "aws-cn", "aws-us-gov"] as const;
const PARTITION_OF_PREFIX: readonly [string, string][] = [
  ["cn-", "aws-cn"],
  ["us-gov-", "aws-us-gov"],
  ["us-isob-", "aws-iso-b"],
  ["us-isof-", "aws-iso-f"],
  ["eu-isoe-", "aws-iso-e"],
  ["us-iso-", "aws-iso"],
];
/** An example region per partition, for messages. */
const PARTITION_EXAMPLE: Record<string, string> = {
  aws: "us-east-1",
  "aws-cn": "cn-north-1",
  "aws-us-gov": "us-gov-west-1",
};

/** The partition a region code belongs to (`aws` for the commercial regions). */
export function partitionOfRegion(region: string): string {
  return PARTITION_OF_PREFIX.find(([prefix]) => region.startsWith(prefix))?.[1] ?? "aws";
}

/** The partition of an ARN (`arn:aws-us-gov:iam::…`), or undefined when it is not an ARN. */
export function partitionOfArn(arn: string): string | undefined {
  return /^arn:([a-z-]+):/.exec(arn)?.[1];
}

// ---------------------------------------------------------------------------------------------
// "Did you mean …?": the closest known word to a typo (here, not in problems.ts, so that the
// schemas that suggest need no import: the import chains stay short).

function editDistance(a: string, b: string): number {
  const row = Array.from({ length: b.length + 1 }, (_, i) => i);
  for (let i = 1; i <= a.length; i++) {
    let diagonal = row[0];
    row[0] = i;
    for (let j = 1; j <= b.length; j++) {
      const above = row[j];
      row[j] = Math.min(row[j] + 1, row[j - 1] + 1, diagonal + (a[i - 1] === b[j - 1] ? 0 : 1));
      diagonal = above;
    }
  }
  return row[b.length];
}

/** The closest allowed key, when it is close enough to be a typo ("did you mean …?"). */
export function suggestKey(key: string, allowed: readonly string[]): string | undefined {
  let best: string | undefined;
  let bestDistance = Infinity;
  for (const candidate of allowed) {
    const d = editDistance(key.toLowerCase(), candidate.toLowerCase());
    if (d < bestDistance) {
      best = candidate;
      bestDistance = d;
    }
  }
  return bestDistance <= Math.max(2, Math.floor(key.length / 3)) ? best : undefined;
}

// ---------------------------------------------------------------------------------------------
// One schema per concept.

const quoted = (v: unknown): string => JSON.stringify(v);

/**
 * AWS's regions in every partition when this release was made (AWS's endpoint metadata, as the AWS
 * SDK ships it; a unit test compares the two). Only the words they are made of are used: a region
 * AWS launches later with known words (a new number, a known area in a known prefix) is accepted.
 */
export const KNOWN_REGIONS: readonly string[] = [
  ...["af-south-1", "ap-east-1", "ap-east-2", "ap-northeast-1", "ap-northeast-2"],
  ...["ap-northeast-3", "ap-south-1", "ap-south-2", "ap-southeast-1", "ap-southeast-2"],
  ...["ap-southeast-3", "ap-southeast-4", "ap-southeast-5", "ap-southeast-6", "ap-southeast-7"],
  ...["ca-central-1", "ca-west-1", "eu-central-1", "eu-central-2", "eu-north-1", "eu-south-1"],
  ...["eu-south-2", "eu-west-1", "eu-west-2", "eu-west-3", "il-central-1", "me-central-1"],
  ...["me-south-1", "me-west-1", "mx-central-1", "sa-east-1", "sa-west-1", "us-east-1"],
  ...["us-east-2", "us-west-1", "us-west-2", "cn-north-1", "cn-northwest-1", "eusc-de-east-1"],
  ...["us-iso-east-1", "us-iso-west-1", "us-isob-east-1", "us-isob-west-1", "eu-isoe-west-1"],
  ...["us-isof-east-1", "us-isof-south-1", "us-gov-east-1", "us-gov-west-1"],
];

/** A region code without its number: `eu-west`, `us-gov-east`. */
const regionStem = (region: string): string => region.replace(/-\d{1,2}$/, "");
const KNOWN_PREFIXES = new Set(KNOWN_REGIONS.map((r) => regionStem(r).replace(/-[a-z]+$/, "")));
const KNOWN_AREAS = new Set(KNOWN_REGIONS.map((r) => /-([a-z]+)-\d{1,2}$/.exec(r)![1]));

/**
 * What is wrong with a well-formed region code whose words no AWS region uses (a typo such as
 * `eu-wset-1`), with the nearest known region; undefined when its words are known.
 */
export function regionWordProblem(region: string): string | undefined {
  const stem = regionStem(region);
  const area = /-([a-z]+)$/.exec(stem)?.[1] ?? "";
  const prefix = stem.slice(0, stem.length - area.length - 1);
  if (KNOWN_PREFIXES.has(prefix) && KNOWN_AREAS.has(area)) return undefined;
  const guess = suggestKey(region, KNOWN_REGIONS);
  const word = KNOWN_PREFIXES.has(prefix) ? `"${area}"` : `"${prefix}"`;
  return (
    `${quoted(region)} is not an AWS region code (no region uses ${word})` +
    (guess !== undefined ? `; did you mean "${guess}"?` : `; use the form "us-east-1"`)
  );
}

/** An AWS region code. */
export const regionCode = z
  .string({ error: 'must be a region code string, e.g. "us-east-1"' })
  .regex(REGION_PATTERN, {
    error: (iss) => `${quoted(iss.input)} is not a region code; use the form "us-east-1"`,
  })
  .superRefine((region, ctx) => {
    // A code of the wrong form already has its problem (the regex above).
    if (!REGION_PATTERN.test(region)) return;
    const problem = regionWordProblem(region);
    if (problem !== undefined) ctx.addIssue({ code: "custom", message: problem });
  })
  .describe('An AWS region code, e.g. "eu-west-1".');

/** True when `region` looks like an AWS region code (`us-east-1`). It does not say the region exists. */
export function isValidRegionName(region: unknown): region is string {
  return regionCode.safeParse(region).success;
}

/** A list of region codes, each listed once. */
export const regionList = z
  .array(regionCode, { error: 'must be a list of region codes, e.g. ["us-east-1", "eu-west-1"]' })
  .superRefine((regions, ctx) => {
    regions.forEach((region, i) => {
      if (regions.indexOf(region) < i) {
        ctx.addIssue({
          code: "custom",
          path: [i],
          message: `"${region}" is listed twice; list each region once`,
        });
      }
    });
  });

/** An analyzer (or archive rule) name, by AWS's rule. */
export const analyzerName = z
  .string({ error: `must be a non-empty string, e.g. "${DEFAULTS.analyzerName}"` })
  .min(1, { error: `must be a non-empty string, e.g. "${DEFAULTS.analyzerName}"`, abort: true })
  .max(NAME_MAX, {
    error: (iss) =>
      `is ${(iss.input as string).length} characters long; AWS allows at most ${NAME_MAX}`,
    abort: true,
  })
  .regex(NAME_PATTERN, {
    error: (iss) =>
      `${quoted(iss.input)} is not allowed: start with a letter and use only letters, digits, ` +
      `"_", "." and "-" (e.g. "${DEFAULTS.analyzerName}")`,
  });

/** A tag key by AWS's rules. */
export const tagKey = z
  .string()
  .min(1, { error: `tag keys must be 1 to ${TAG_LIMITS.keyMax} characters long (got 0)` })
  .max(TAG_LIMITS.keyMax, {
    error: (iss) =>
      `tag key must be 1 to ${TAG_LIMITS.keyMax} characters long (got ${(iss.input as string).length})`,
  })
  .refine((key) => !key.toLowerCase().startsWith(TAG_LIMITS.reservedPrefix), {
    error: (iss) =>
      `tag key ${quoted(iss.input)} uses the reserved prefix "aws:" (AWS sets those tags ` +
      `itself, and the provider drops them); choose another key`,
  })
  .refine((key) => firstBadTagCharacter(key) === undefined, {
    error: (iss) => {
      const bad = firstBadTagCharacter(iss.input as string)!;
      return (
        `tag key ${quoted(iss.input)} has ${quoted(bad.char)} at position ${bad.position}, ` +
        `outside AWS's tag character set; use letters, digits, spaces and _ . : / = + - @`
      );
    },
  })
  // AWS's set allows a key of spaces alone; such a key is invisible in the console and in
  // reports, and is a YAML slip far more often than a choice: this rule is ours.
  .refine((key) => !/^\p{Z}+$/u.test(key), {
    error: (iss) =>
      `tag key ${quoted(iss.input)} is only spaces; give it a letter, digit or one of _ . : / = + - @`,
  });

/** A tag value by AWS's rules. */
export const tagValue = z
  .string({ error: 'tag values must be strings; quote numbers and booleans, e.g. "true"' })
  .max(TAG_LIMITS.valueMax, {
    error: (iss) =>
      `tag value must be at most ${TAG_LIMITS.valueMax} characters long (got ${(iss.input as string).length})`,
  })
  // Values keep any printable character (the Access Analyzer model sets no pattern, and values
  // such as "a, b" are common); a control character is outside AWS's set and never meant.
  .refine((value) => !CONTROL_CHARACTER.test(value), {
    error: (iss) =>
      `tag value ${quoted(iss.input)} has a control character (${quoted(
        (iss.input as string).match(CONTROL_CHARACTER)![0],
      )}), outside AWS's tag character set; remove it`,
  });

const tooManyTags = (count: number) =>
  `has ${count} tags; AWS allows at most ${TAG_LIMITS.maxTags} per analyzer`;

/** Tags on every analyzer. */
export const tags = z
  .record(tagKey, tagValue)
  .refine((t) => Object.keys(t).length <= TAG_LIMITS.maxTags, {
    error: (iss) => tooManyTags(Object.keys(iss.input as object).length),
  })
  .meta({ maxProperties: TAG_LIMITS.maxTags })
  .describe("Tags on every analyzer.");

/** The message for an account id that is not a string (a YAML number loses its leading zeros). */
const ACCOUNT_ID_TYPE = 'must be a quoted string of 12 digits, e.g. "111122223333"';

/**
 * An AWS account id, 12 digits in a string. `typeError` replaces the message for a value that is
 * not a string at all (the fleet file says more there).
 */
export function accountIdSetting(typeError: z.core.$ZodErrorMap | string = ACCOUNT_ID_TYPE) {
  return z.string({ error: typeError }).regex(ACCOUNT_ID_PATTERN, {
    error: (iss) => `${quoted(iss.input)} is not an account id; use 12 digits, e.g. "111122223333"`,
  });
}

/** An AWS account id, 12 digits in a string. */
export const accountId = accountIdSetting();

/**
 * An IAM role ARN (AWS's rule, in any partition: `ROLE_ARN_PATTERN`); `example` is shown in the
 * message, so each setting can show a role of its own.
 */
export function roleArnSetting(example = "arn:aws:iam::111122223333:role/Deployer") {
  return z.string({ error: "must be a string" }).regex(ROLE_ARN_PATTERN, {
    error: (iss) => `${quoted(iss.input)} is not an IAM role ARN, e.g. "${example}"`,
  });
}

/** `externalId`, for a role the bot assumes (fleet file). */
export const externalIdSetting = z
  .string({ error: "must be a string" })
  .regex(EXTERNAL_ID_PATTERN, {
    error: "must be 2 to 1224 characters of letters, digits and +=,.@:/-",
  });

/** `sessionName`, for a role the bot assumes (fleet file). */
export const sessionNameSetting = z
  .string({ error: "must be a string" })
  .regex(SESSION_NAME_PATTERN, {
    error: "must be 2 to 64 characters of letters, digits and +=,.@-",
  });

/** One exclusion of the unused-access analysis. */
export const unusedAccessExclusion = z
  .strictObject({
    accountIds: z.array(accountId, { error: "must be a list of account ids" }).optional(),
    resourceTags: z.array(z.record(z.string(), z.string())).optional(),
  })
  .refine((e) => (e.accountIds?.length ?? 0) > 0 || (e.resourceTags?.length ?? 0) > 0, {
    error: "excludes nothing; give accountIds or resourceTags",
  });

const AGE_RANGE = "use a whole number of days from 1 to 365";
/** The one unused-access analyzer. */
export const unusedAccess = z
  .strictObject({
    region: regionCode.describe("The home region of the one unused-access analyzer."),
    unusedAccessAge: z
      .number({ error: `must be a number; ${AGE_RANGE}` })
      .int({ error: (iss) => `${quoted(iss.input)} is out of range; ${AGE_RANGE}`, abort: true })
      .min(1, { error: (iss) => `${quoted(iss.input)} is out of range; ${AGE_RANGE}` })
      .max(365, { error: (iss) => `${quoted(iss.input)} is out of range; ${AGE_RANGE}` })
      .optional(),
    analyzerName: analyzerName.optional(),
    exclusions: z.array(unusedAccessExclusion).optional(),
  })
  .describe("One unused-access analyzer in a home region (IAM is global: one region is enough).");

/** A comparator list of an archive filter. */
const comparator = z.array(z.string(), { error: "must be a list of strings" });
const COMPARATORS = ["eqs", "neqs", "contains", "exists"] as const;

/** The fields of an archive rule filter; `exists` is `"true"` or `"false"`. */
export const archiveRuleFilterShape = {
  criteria: z
    .string({ error: 'must name a finding property, e.g. "resourceType"' })
    .min(1, { error: 'must name a finding property, e.g. "resourceType"' }),
  eqs: comparator.optional(),
  neqs: comparator.optional(),
  contains: comparator.optional(),
  exists: z.enum(["true", "false"], { error: 'must be "true" or "false"' }).optional(),
};

/** At least one comparator, so the filter matches something. */
export function hasComparator(filter: Partial<Record<(typeof COMPARATORS)[number], unknown>>) {
  return COMPARATORS.some((key) => filter[key] !== undefined);
}
export const NO_COMPARATOR =
  "matches nothing; give at least one comparator: eqs, neqs, contains or exists";

/** One filter of an archive rule. */
export const archiveRuleFilter = z
  .strictObject(archiveRuleFilterShape)
  .refine(hasComparator, { error: NO_COMPARATOR });

/** Archive rules on every regional analyzer, from the filter schema a caller accepts. */
export function archiveRulesOf<F extends z.ZodType>(filter: F) {
  return z
    .array(
      z.strictObject({
        name: analyzerName.describe("Archive rule name (same rules as analyzer names)."),
        filters: z.array(filter, { error: "is required: a list of filters" }).min(1, {
          error: 'needs at least one filter, e.g. [{ criteria: "isPublic", eqs: ["false"] }]',
        }),
      }),
      { error: "must be a list of { name, filters } rules" },
    )
    .max(MAX_ARCHIVE_RULES, {
      error: (iss) =>
        `has ${(iss.input as unknown[]).length} rules; AWS allows at most ${MAX_ARCHIVE_RULES} per analyzer`,
    })
    .superRefine((rules, ctx) => {
      rules.forEach((rule, i) => {
        if (rules.findIndex((r) => r.name === rule.name) < i) {
          ctx.addIssue({
            code: "custom",
            path: [i, "name"],
            message: `"${rule.name}" is used by another rule; rule names are unique per analyzer`,
          });
        }
      });
    })
    .describe("Archive rules on every regional external-access analyzer.");
}

/** Archive rules as the component takes them. */
export const archiveRules = archiveRulesOf(archiveRuleFilter);

/** Why `type` is refused: what replaced it. */
export const TYPE_REPLACED =
  "`type` was replaced: the ACCOUNT analyzers are always kept (IAM.28); add `organization: " +
  "{ externalAccess: true }` for ORGANIZATION analyzers (management or delegated administrator " +
  'account only); see docs/CONFIGURATION.md, "Migrating from type: ORGANIZATION"';

/** The removed `type` setting: any value is an error that names its replacement. */
export const removedType = z
  .never({ error: TYPE_REPLACED })
  .optional()
  .describe(`Removed. ${TYPE_REPLACED}.`);

/** One provider per region, or one for all regions (see `PROVIDER_MODES`). */
export const providerMode = z
  .enum(PROVIDER_MODES, {
    error: (iss) =>
      `${quoted(iss.input)} is not a provider mode; use "per-region" (a provider per region) or ` +
      `"single" (one provider for every region)`,
  })
  .describe(
    'How regional resources reach AWS: "per-region" (default; one provider process per region) ' +
      'or "single" (one provider for every region, the per-resource region input).',
  );

const flag = z.boolean({ error: "must be true or false" });

/** A resource type of the internal-access analysis, e.g. `AWS::S3::Bucket`. */
const internalResourceType = z
  .string({ error: 'must be a resource type, e.g. "AWS::S3::Bucket"' })
  .regex(/^AWS::[A-Za-z0-9]+::[A-Za-z0-9]+$/, {
    error: (iss) => `${quoted(iss.input)} is not a resource type; use the form "AWS::S3::Bucket"`,
  });
const resourceArn = z.string({ error: "must be an ARN string" }).regex(/^arn:[a-z-]+:/, {
  error: (iss) => `${quoted(iss.input)} is not an ARN, e.g. "arn:aws:s3:::my-bucket"`,
});

const resourceTypes = z
  .array(internalResourceType, { error: 'must be a list, e.g. ["AWS::S3::Bucket"]' })
  .optional();
const resourceArns = z.array(resourceArn, { error: "must be a list of ARNs" }).optional();
const includesSomething = (i: Partial<Record<string, unknown[]>>) =>
  Object.values(i).some((list) => (list?.length ?? 0) > 0);

/** The inclusion criteria of an internal-access analysis rule; `accountIds` only for organizations. */
function internalInclusion(organization: boolean) {
  return organization
    ? z
        .strictObject({
          accountIds: z.array(accountId, { error: "must be a list of account ids" }).optional(),
          resourceTypes,
          resourceArns,
        })
        .refine(includesSomething, {
          error: "includes nothing; give accountIds, resourceTypes or resourceArns",
        })
    : z.strictObject({ resourceTypes, resourceArns }).refine(includesSomething, {
        error: "includes nothing; give resourceTypes or resourceArns",
      });
}

/** The analysis rule of an internal-access analyzer: only resources matching an inclusion are analyzed. */
function internalAnalysisRule(organization: boolean) {
  return z
    .strictObject({
      inclusions: z
        .array(internalInclusion(organization), { error: "must be a list of inclusions" })
        .min(1, {
          error: 'needs at least one inclusion, e.g. { resourceTypes: ["AWS::S3::Bucket"] }',
        }),
    })
    .describe("Only resources matching one of the inclusions are analyzed (and billed).");
}

/** `ACCOUNT_INTERNAL_ACCESS` analyzers, regional, billed per resource monitored. */
export const internalAccess = z
  .strictObject({
    analyzerName: analyzerName.optional(),
    regions: regionList
      .optional()
      .describe(
        "Where to analyze internal access; default every covered region. Each must be covered.",
      ),
    analysisRule: internalAnalysisRule(false).optional(),
  })
  .describe(
    "ACCOUNT_INTERNAL_ACCESS analyzers (who inside the account can reach critical resources); " +
      "regional, billed per resource monitored.",
  );

/** The organization analyzers: only for the management account or the delegated administrator. */
export const organization = z
  .strictObject({
    externalAccess: z
      .union([z.boolean(), z.strictObject({ analyzerName: analyzerName.optional() })], {
        error: 'must be true, false or { analyzerName: "organization-external-access" }',
      })
      .optional()
      .describe(
        "ORGANIZATION external-access analyzers in every covered region, beside the ACCOUNT ones.",
      ),
    unusedAccess: unusedAccess
      .optional()
      .describe("One ORGANIZATION_UNUSED_ACCESS analyzer in a home region."),
    internalAccess: z
      .strictObject({
        region: regionCode.describe(
          "The home region of the one organization internal-access analyzer.",
        ),
        analyzerName: analyzerName.optional(),
        analysisRule: internalAnalysisRule(true).optional(),
      })
      .optional()
      .describe(
        "The one ORGANIZATION_INTERNAL_ACCESS analyzer of the organization, in a home region.",
      ),
  })
  .describe(
    "Organization analyzers, beside (never instead of) the account ones: only for the management " +
      "account or the registered delegated administrator.",
  );

/** What the delegated-administrator registration takes (component and program). */
export const delegatedAdministratorShape = {
  accountId: accountId.describe(
    "The member account to register as Access Analyzer's delegated administrator.",
  ),
  enableTrustedAccess: flag
    .optional()
    .describe(
      "Enable trusted access for Access Analyzer when it is off (default false: fail instead).",
    ),
};
export const delegatedAdministrator = z
  .strictObject(delegatedAdministratorShape, {
    error: 'must be an object, e.g. { accountId: "111122223333" }',
  })
  .describe("Register this account (a member) as Access Analyzer's delegated administrator.");

// ---------------------------------------------------------------------------------------------
// providerArgs: `aws.ProviderArgs` but `region`. The component passes it on to every provider, so
// a value of the wrong shape would only fail in the provider, region after region.

/**
 * A value the embedding program computes (a `pulumi.Output` or a promise): it cannot be checked
 * before it resolves, so it is let through. Only plain values are validated.
 */
export const deferred = z.custom<PromiseLike<unknown> | { readonly __pulumiOutput: true }>(
  (v) =>
    typeof v === "object" &&
    v !== null &&
    ((v as { __pulumiOutput?: unknown }).__pulumiOutput === true ||
      typeof (v as { then?: unknown }).then === "function"),
);

/** A plain value checked by `plain`, or a deferred one let through. */
export function inputOf<T extends z.ZodType>(plain: T) {
  return z.union([plain, deferred]);
}

const text = inputOf(z.string({ error: "must be a string" }));
const texts = inputOf(z.array(text, { error: "must be a list of strings" }));
const bool = inputOf(flag);
const roleArn = inputOf(roleArnSetting());
const accountIds = inputOf(
  z.array(inputOf(accountId), {
    error: 'must be a list of account ids, e.g. ["111122223333"]',
  }),
);
const plainTags = inputOf(z.record(z.string(), text, { error: "must be a map of tags" }));
const providerObject = <S extends z.core.$ZodLooseShape>(shape: S, example: string) =>
  inputOf(z.strictObject(shape, { error: `must be an object, e.g. ${example}` }));
const ASSUME_ROLE_EXAMPLE = '{ roleArn: "arn:aws:iam::111122223333:role/Deployer" }';

/** The shape of `aws.ProviderArgs.assumeRoles[i]` (`inputs.ProviderAssumeRole`). */
const assumeRole = providerObject(
  {
    duration: text.optional(),
    externalId: text.optional(),
    policy: text.optional(),
    policyArns: texts.optional(),
    roleArn: roleArn.optional(),
    sessionName: text.optional(),
    sourceIdentity: text.optional(),
    tags: plainTags.optional(),
    transitiveTagKeys: texts.optional(),
  },
  ASSUME_ROLE_EXAMPLE,
);

/**
 * Every field of `aws.ProviderArgs` but `region`. The `Record` type makes the compiler fail when
 * `@pulumi/aws` adds or drops a field, so the list stays complete and a typo in `providerArgs` is
 * caught at once instead of being silently ignored by the provider.
 */
const PROVIDER_ARG_SHAPES = {
  accessKey: text,
  allowedAccountIds: accountIds,
  assumeRoleWithWebIdentity: providerObject(
    {
      duration: text.optional(),
      policy: text.optional(),
      policyArns: texts.optional(),
      roleArn: roleArn.optional(),
      sessionName: text.optional(),
      webIdentityToken: text.optional(),
      webIdentityTokenFile: text.optional(),
    },
    '{ roleArn: "…", webIdentityTokenFile: "/var/run/token" }',
  ),
  assumeRoles: inputOf(
    z.array(assumeRole, { error: `must be a list of roles, e.g. [${ASSUME_ROLE_EXAMPLE}]` }),
  ),
  customCaBundle: text,
  defaultTags: providerObject({ tags: plainTags.optional() }, '{ tags: { owner: "security" } }'),
  ec2MetadataServiceEndpoint: text,
  ec2MetadataServiceEndpointMode: text,
  endpoints: inputOf(
    z.array(inputOf(z.record(z.string(), text)), {
      error: 'must be a list of { <service>: "<url>" } maps',
    }),
  ),
  forbiddenAccountIds: accountIds,
  httpProxy: text,
  httpsProxy: text,
  ignoreTags: providerObject(
    { keyPrefixes: texts.optional(), keys: texts.optional() },
    '{ keyPrefixes: ["kubernetes.io/"] }',
  ),
  insecure: bool,
  maxRetries: inputOf(
    z
      .number({ error: "must be a whole number" })
      .int({ error: "must be a whole number" })
      .min(0, { error: "must be 0 or more" }),
  ),
  noProxy: text,
  profile: text,
  retryMode: text,
  s3UsEast1RegionalEndpoint: text,
  s3UsePathStyle: bool,
  secretKey: text,
  sharedConfigFiles: texts,
  sharedCredentialsFiles: texts,
  skipCredentialsValidation: bool,
  skipMetadataApiCheck: bool,
  skipRegionValidation: bool,
  skipRequestingAccountId: bool,
  stsRegion: inputOf(regionCode),
  tagPolicyCompliance: text,
  token: text,
  tokenBucketRateLimiterCapacity: inputOf(
    z.number({ error: "must be a whole number" }).int({ error: "must be a whole number" }),
  ),
  useDualstackEndpoint: bool,
  useFipsEndpoint: bool,
  userAgents: texts,
} satisfies Record<ProviderArgField, z.ZodType>;

/** The fields of `aws.ProviderArgs` the component passes on (all but `region`). */
export type ProviderArgField = Exclude<keyof aws.ProviderArgs, "region">;

/** `providerArgs`: the settings every regional provider and the lookup get. */
export const providerArgs = z.strictObject(
  Object.fromEntries(
    Object.entries(PROVIDER_ARG_SHAPES).map(([key, schema]) => [key, schema.optional()]),
  ) as { [K in ProviderArgField]: z.ZodOptional<(typeof PROVIDER_ARG_SHAPES)[K]> },
  { error: 'must be an object of aws.ProviderArgs fields, e.g. { profile: "audit" }' },
);

/** Why `providerArgs.region` is refused. */
export const PROVIDER_REGION_HINT =
  "is set by the component for each region; remove it (use regions or lookupRegion instead)";

// ---------------------------------------------------------------------------------------------
// The component's arguments.

const notAdoptable = (iss: { input?: unknown }) =>
  `${quoted(iss.input)} is not an analyzer name (or name@region, as a state records it)`;
const notAnAdoptedKey = (iss: { input?: unknown }) =>
  `${quoted(iss.input)} is not an adopted analyzer as name@region, e.g. "console@eu-west-1"`;

/**
 * The fields of the component's arguments, each with its own rules. Fleet files pick the
 * fleet-settable ones (`.pick`), so this object carries no cross-field rule.
 */
export const componentArgsObject = z.object({
  regions: regionList.optional(),
  excludeRegions: regionList.optional(),
  lookupRegion: regionCode.optional(),
  providerArgs: providerArgs.optional(),
  analyzerName: analyzerName.optional(),
  type: removedType,
  unusedAccess: unusedAccess.optional(),
  internalAccess: internalAccess.optional(),
  organization: organization.optional(),
  archiveRules: archiveRules.optional(),
  tags: inputOf(z.record(tagKey, inputOf(tagValue)))
    .refine((t) => !isRecord(t) || Object.keys(t).length <= TAG_LIMITS.maxTags, {
      error: (iss) => tooManyTags(Object.keys(iss.input as object).length),
    })
    .optional(),
  protect: flag.optional(),
  retainOnDelete: flag.optional(),
  providerMode: providerMode.optional(),
  adopt: z
    .record(
      regionCode,
      // The second option words its own failure: zod reports it alone when the first aborts ("").
      z.union([analyzerName, z.string().regex(ADOPT_WITH_REGION, { error: notAdoptable })], {
        error: notAdoptable,
      }),
      {
        error: 'must be a map of region to analyzer name, e.g. { "eu-west-1": "console-analyzer" }',
      },
    )
    .optional(),
  allowDelete: z
    .array(
      z.string({ error: notAnAdoptedKey }).regex(ADOPT_WITH_REGION, { error: notAnAdoptedKey }),
      { error: 'must be a list of adopted analyzers as name@region, e.g. ["console@eu-west-1"]' },
    )
    .optional()
    .describe(
      "Adopted analyzers the stack may delete or replace, as name@region. Every other adopted " +
        "analyzer is protected and kept in AWS when it leaves the stack.",
    ),
});

function isRecord(v: unknown): v is Record<string, unknown> {
  return typeof v === "object" && v !== null && !deferred.safeParse(v).success;
}

/** A field of a plain object; undefined for anything else (a deferred value, a list). */
function field(v: unknown, key: string): unknown {
  return isRecord(v) && !Array.isArray(v) ? v[key] : undefined;
}

/** What the cross-field rules read: the component's settings, loosely typed (they may be partial). */
type SettingsView = Partial<z.infer<typeof componentArgsObject>>;

/** One value's partition, and where it came from. */
interface PartitionSource {
  readonly path: (string | number)[];
  readonly value: string;
  readonly partition: string;
}

function partitionSources(args: SettingsView): PartitionSource[] {
  const sources: PartitionSource[] = [];
  const region = (path: (string | number)[], value: unknown) => {
    if (typeof value === "string" && REGION_PATTERN.test(value)) {
      sources.push({ path, value, partition: partitionOfRegion(value) });
    }
  };
  const arn = (path: (string | number)[], value: unknown) => {
    const partition = typeof value === "string" ? partitionOfArn(value) : undefined;
    if (partition !== undefined) sources.push({ path, value: value as string, partition });
  };
  region(["lookupRegion"], args.lookupRegion);
  (args.regions ?? []).forEach((r, i) => region(["regions", i], r));
  for (const home of homeRegions(args)) region(home.path, home.region);
  const p = args.providerArgs;
  if (isRecord(p)) {
    region(["providerArgs", "stsRegion"], p.stsRegion);
    if (Array.isArray(p.assumeRoles)) {
      p.assumeRoles.forEach((role, i) =>
        arn(["providerArgs", "assumeRoles", i, "roleArn"], field(role, "roleArn")),
      );
    }
    const web = p.assumeRoleWithWebIdentity;
    arn(["providerArgs", "assumeRoleWithWebIdentity", "roleArn"], field(web, "roleArn"));
  }
  return sources;
}

/**
 * One stack works in one partition (aws, aws-cn, aws-us-gov): its lookup region, regions, home
 * region and roles must agree, or the run fails later with an authentication error.
 */
function partitionProblems(args: SettingsView, ctx: z.RefinementCtx): void {
  const sources = partitionSources(args);
  const lookup = sources.find((s) => s.path[0] === "lookupRegion");
  const reference = lookup ?? sources[0];
  if (reference === undefined) return;
  if (lookup === undefined && reference.partition !== "aws") {
    ctx.addIssue({
      code: "custom",
      path: ["lookupRegion"],
      message:
        `is not set, so it is "${DEFAULTS.lookupRegion}" (partition aws), but ` +
        `${describeSource(reference)}; set lookupRegion to a region of ${reference.partition}` +
        (PARTITION_EXAMPLE[reference.partition]
          ? `, e.g. "${PARTITION_EXAMPLE[reference.partition]}"`
          : ""),
    });
  }
  for (const source of sources) {
    if (source !== reference && source.partition !== reference.partition) {
      ctx.addIssue({
        code: "custom",
        path: source.path,
        message:
          `"${source.value}" is in partition ${source.partition}, but ${describeSource(reference)}; ` +
          `a stack works in one partition: use values of ${reference.partition} only`,
      });
    }
  }
}

function describeSource(source: PartitionSource): string {
  const where = source.path
    .map((part) => (typeof part === "number" ? `[${part}]` : `.${part}`))
    .join("")
    .slice(1);
  return `${where} "${source.value}" is in ${source.partition}`;
}

/** The analyzer settings (what the component's args, the schema's and the fleet's share). */
type AnalyzerSettingsView = Pick<
  SettingsView,
  "analyzerName" | "unusedAccess" | "internalAccess" | "organization"
>;

/** A region setting that must be one of the covered regions, and where it is. */
export interface HomeRegion {
  readonly path: (string | number)[];
  readonly region: string;
}

/** Every region setting that must be covered: analyzer home regions and internal-access regions. */
export function homeRegions(args: AnalyzerSettingsView): HomeRegion[] {
  const out: HomeRegion[] = [];
  const add = (path: (string | number)[], region: unknown) => {
    if (typeof region === "string") out.push({ path, region });
  };
  add(["unusedAccess", "region"], args.unusedAccess?.region);
  (args.internalAccess?.regions ?? []).forEach((r, i) => add(["internalAccess", "regions", i], r));
  add(["organization", "unusedAccess", "region"], args.organization?.unusedAccess?.region);
  add(["organization", "internalAccess", "region"], args.organization?.internalAccess?.region);
  return out;
}

/** One analyzer the component makes: its name setting, name, and regions (`"every"` = all covered). */
export interface PlannedAnalyzer {
  readonly path: (string | number)[];
  readonly name: string;
  readonly regions: readonly string[] | "every";
  readonly what: string;
}

/** Every analyzer the settings ask for, with its resolved name. */
export function plannedAnalyzers(args: AnalyzerSettingsView): PlannedAnalyzer[] {
  const out: PlannedAnalyzer[] = [
    {
      path: ["analyzerName"],
      name: args.analyzerName ?? DEFAULTS.analyzerName,
      regions: "every",
      what: "the external-access analyzer",
    },
  ];
  const unused = args.unusedAccess;
  if (unused) {
    out.push({
      path: ["unusedAccess", "analyzerName"],
      name: unused.analyzerName ?? DEFAULTS.unusedAccessAnalyzerName,
      regions: [unused.region],
      what: "the unused-access analyzer",
    });
  }
  const internal = args.internalAccess;
  if (internal) {
    out.push({
      path: ["internalAccess", "analyzerName"],
      name: internal.analyzerName ?? DEFAULTS.internalAccessAnalyzerName,
      regions: internal.regions ?? "every",
      what: "the internal-access analyzer",
    });
  }
  const org = args.organization;
  const external = org?.externalAccess;
  if (external) {
    out.push({
      path: ["organization", "externalAccess", "analyzerName"],
      name:
        (external === true ? undefined : external.analyzerName) ??
        DEFAULTS.organizationAnalyzerName,
      regions: "every",
      what: "the organization external-access analyzer",
    });
  }
  if (org?.unusedAccess) {
    out.push({
      path: ["organization", "unusedAccess", "analyzerName"],
      name: org.unusedAccess.analyzerName ?? DEFAULTS.organizationUnusedAccessAnalyzerName,
      regions: [org.unusedAccess.region],
      what: "the organization unused-access analyzer",
    });
  }
  if (org?.internalAccess) {
    out.push({
      path: ["organization", "internalAccess", "analyzerName"],
      name: org.internalAccess.analyzerName ?? DEFAULTS.organizationInternalAccessAnalyzerName,
      regions: [org.internalAccess.region],
      what: "the organization internal-access analyzer",
    });
  }
  return out;
}

/** Analyzer names are unique per account and region, across every type (AWS's rule). */
function analyzerNameProblems(args: SettingsView, ctx: z.RefinementCtx): void {
  const planned = plannedAnalyzers(args);
  planned.forEach((analyzer, i) => {
    const clash = planned.find(
      (other, j) =>
        j < i &&
        other.name === analyzer.name &&
        (other.regions === "every" ||
          analyzer.regions === "every" ||
          other.regions.some((r) => analyzer.regions.includes(r))),
    );
    if (clash) {
      ctx.addIssue({
        code: "custom",
        path: analyzer.path,
        message:
          `"${analyzer.name}" is also the name of ${clash.what} (${formatPathOf(clash.path)}); ` +
          `analyzer names are unique per account and region, so give ${analyzer.what} another one`,
      });
    }
  });
}

function formatPathOf(path: (string | number)[]): string {
  return path.join(".");
}

/**
 * The rules that relate several settings. Kept in this one place; the component, the program and
 * the fleet file all run them through `componentArgs`.
 */
export function crossFieldRules(args: SettingsView, ctx: z.RefinementCtx): void {
  const { regions, excludeRegions } = args;
  if (regions !== undefined && regions.length === 0) {
    ctx.addIssue({
      code: "custom",
      path: ["regions"],
      message: "is empty: list at least one region, or leave it out to cover every enabled region",
    });
  }
  if (regions?.length && excludeRegions && regions.every((r) => excludeRegions.includes(r))) {
    ctx.addIssue({
      code: "custom",
      path: ["excludeRegions"],
      message:
        `excludes every region in regions (${regions.join(", ")}): a region both listed and ` +
        `excluded is not covered, which leaves nothing to cover; remove it from one of the lists`,
    });
  }
  for (const { path, region } of homeRegions(args)) {
    if (excludeRegions?.includes(region)) {
      ctx.addIssue({
        code: "custom",
        path,
        message: `"${region}" is in excludeRegions; pick a covered region`,
      });
    } else if (regions?.length && REGION_PATTERN.test(region) && !regions.includes(region)) {
      ctx.addIssue({
        code: "custom",
        path,
        message: `"${region}" is not in regions; pick one of ${regions.join(", ")}`,
      });
    }
  }
  for (const [region, entry] of Object.entries(args.adopt ?? {})) {
    const at = typeof entry === "string" ? entry.indexOf("@") : -1;
    if (at >= 0 && entry.slice(at + 1) !== region) {
      ctx.addIssue({
        code: "custom",
        path: ["adopt", region],
        message:
          `"${entry}" names ${entry.slice(at + 1)}, not ${region}: the import would read ` +
          `another region's analyzer; use "${entry.slice(0, at)}@${region}" (or the plain name)`,
      });
    }
  }
  analyzerNameProblems(args, ctx);
  partitionProblems(args, ctx);
}

/** The component's whole arguments, with the cross-field rules. */
export const componentArgs = componentArgsObject.superRefine(crossFieldRules);

/** The component's arguments as the schema reads them (see `AllRegionsAccessAnalyzerArgs`). */
export type ComponentArgsSchemaType = z.infer<typeof componentArgs>;
