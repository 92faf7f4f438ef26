/**
 * The fleet file's shape: one zod schema per section (the component settings come from the
 * component's own schema, components/schema.ts), from which its JSON Schema
 * (fleet/fleet.schema.json, `npm run fleet-schema`) is generated; and the fleet as the bot works with
 * it once the file is read, one target per account with the defaults applied. Pure.
 */
import { z } from "zod";
import {
  ACCOUNT_ID_PATTERN,
  NO_COMPARATOR,
  PARTITIONS,
  accountId,
  accountIdSetting,
  archiveRuleFilterShape,
  archiveRulesOf,
  componentArgsObject,
  organization as componentOrganization,
  externalIdSetting,
  hasComparator,
  roleArnSetting,
  sessionNameSetting,
  tags,
} from "../../components/schema";
import type { ConfigKey } from "../../program/contract";
import { DEFAULT_SESSION_NAME } from "./defaults";

const ROLE_NAME = /^[\w+=,.@-]{1,64}$/;

const ACCOUNT_NAME = /^[A-Za-z0-9][A-Za-z0-9_.-]{0,63}$/;

const STACK_NAME = /^(?:[A-Za-z0-9_.-]+\/){0,2}[A-Za-z0-9_.-]{1,100}$/;

const BACKEND_URL = /^(file|s3|azblob|gs|https?):\/\/\S*$/;

const SECRETS_PROVIDER = /^(passphrase|default|(awskms|azurekeyvault|gcpkms|hashivault):\/\/\S+)$/;

const quoted = (v: unknown): string => JSON.stringify(v);

/** An archive filter as the fleet file takes it: `exists` may also be a YAML boolean. */
const fleetArchiveFilter = z
  .strictObject({
    ...archiveRuleFilterShape,
    exists: z
      .union([z.boolean(), z.enum(["true", "false"])], {
        error: 'must be true or false (or "true" / "false")',
      })
      .optional(),
  })
  .refine(hasComparator, { error: NO_COMPARATOR });

/**
 * The component settings both `defaults` and an account may set: the component's own schema
 * (components/schema.ts), less what the bot sets itself (`providerArgs`), with plain tags (no
 * Outputs in a file) and archive filters that also take YAML booleans.
 */
export const fleetSettings = componentArgsObject
  .pick({
    regions: true,
    excludeRegions: true,
    type: true,
    tags: true,
    unusedAccess: true,
    internalAccess: true,
    organization: true,
    archiveRules: true,
    analyzerName: true,
    lookupRegion: true,
    protect: true,
    retainOnDelete: true,
    providerMode: true,
    allowDelete: true,
  })
  .extend({
    regions: componentArgsObject.shape.regions.describe(
      "Explicit regions; leave out to use every enabled region.",
    ),
    excludeRegions: componentArgsObject.shape.excludeRegions.describe("Regions to leave out."),
    tags: tags
      .optional()
      .describe(
        "Tags on every analyzer. Defaults and account tags merge; the account wins per key.",
      ),
    archiveRules: archiveRulesOf(fleetArchiveFilter)
      .optional()
      .describe(
        "Archive rules on every regional external-access analyzer (replaces the defaults' list).",
      ),
    analyzerName: componentArgsObject.shape.analyzerName.describe(
      'External-access analyzer name; default "external-access".',
    ),
    lookupRegion: componentArgsObject.shape.lookupRegion.describe(
      'Region used to discover the enabled regions; default "us-east-1".',
    ),
    protect: componentArgsObject.shape.protect.describe("Protect the analyzers."),
    retainOnDelete: componentArgsObject.shape.retainOnDelete.describe(
      "Keep the analyzers in AWS when they leave the stack.",
    ),
    providerMode: componentArgsObject.shape.providerMode.describe(
      'One provider process per region ("per-region", default) or one for all ("single").',
    ),
    allowDelete: componentArgsObject.shape.allowDelete.describe(
      "Adopted analyzers (name@region) the stack may delete or replace; every other adopted " +
        "analyzer is protected and kept in AWS.",
    ),
    applyArchiveRules: z
      .boolean({ error: "must be true or false" })
      .optional()
      .describe(
        "After up, apply the archive rules it created or changed to the findings that already exist (ApplyArchiveRule); default true. The bot only: not program config.",
      ),
  });

export const settingsShape = fleetSettings.shape;

/** How to reach an account; `defaults` may set all but `roleArn` (which names one account). */
const accessShape = {
  roleName: z
    .string({ error: "must be a string" })
    .regex(ROLE_NAME, { error: 'must be an IAM role name, e.g. "AccessAnalyzerDeployer"' })
    .optional()
    .describe("Role to assume, by name: arn:<partition>:iam::<account id>:role/<roleName>."),
  profile: z
    .string({ error: "must be a string" })
    .min(1, { error: "must not be empty" })
    .optional()
    .describe("AWS profile the providers start from (from the bot's own AWS config)."),
  externalId: externalIdSetting
    .optional()
    .describe("External id the role's trust policy requires."),
  sessionName: sessionNameSetting
    .optional()
    .describe(`Role session name; default "${DEFAULT_SESSION_NAME}".`),
};

const accountSchema = z.strictObject({
  id: accountIdSetting((iss) =>
    iss.input === undefined
      ? 'is required: the 12-digit account id in quotes, e.g. "111122223333"'
      : `must be a quoted string of 12 digits, e.g. "111122223333" (got ${quoted(iss.input)}; unquoted numbers lose leading zeros)`,
  ).describe("The 12-digit AWS account id, quoted."),
  name: z
    .string({ error: "must be a string" })
    .regex(ACCOUNT_NAME, {
      error:
        'must be 1 to 64 letters, digits, "_", "." or "-", starting with a letter or digit, e.g. "prod-eu"',
    })
    .refine((n) => !ACCOUNT_ID_PATTERN.test(n), {
      error: "must not look like an account id (12 digits)",
    })
    .optional()
    .describe("A short name for logs and --accounts filters."),
  stack: z
    .string({ error: "must be a string" })
    .regex(STACK_NAME, {
      error:
        'must be a Pulumi stack name: letters, digits, "_", "." and "-", optionally "org/" or "org/project/" first',
    })
    .optional()
    .describe("Stack name; default acct-<id>."),
  roleArn: roleArnSetting("arn:aws:iam::111122223333:role/AccessAnalyzerDeployer")
    .optional()
    .describe("Role to assume in this account; its account id must be this account's."),
  ...accessShape,
  ...settingsShape,
});

const defaultsSchema = z.strictObject({
  partition: z
    .enum(PARTITIONS, {
      error: 'must be "aws", "aws-cn" or "aws-us-gov"',
    })
    .optional()
    .describe(
      'Partition used to build role ARNs from roleName; default the lookupRegion\'s partition, else "aws".',
    ),
  ...accessShape,
  ...settingsShape,
});

/** An OU or root id (Organizations' ParentId shape), or a path of OU names from "Root". */
export const OU_ID = /^(r-[0-9a-z]{4,32}|ou-[0-9a-z]{4,32}-[a-z0-9]{8,32})$/;

const OU_PATH = /^Root(\/[^/]+)*$/;

export const ROOT_NAME = "Root";

const ouRef = z
  .string({ error: 'must be a string: an OU id ("ou-ab12-34567890") or a path ("Root/Prod")' })
  .refine((s) => OU_ID.test(s) || OU_PATH.test(s), {
    error: (iss) =>
      `must be an OU id ("ou-ab12-34567890"), the root id ("r-ab12") or a path of OU names from the root ("Root/Prod/EU") (got ${JSON.stringify(iss.input)})`,
  });

const ouList = z.array(ouRef, { error: "must be a list of OU ids or paths" });

/** The fleet file's `organization:` section. */
export const organizationSchema = z
  .strictObject({
    roleArn: roleArnSetting("arn:aws:iam::111122223333:role/OrganizationsReader")
      .optional()
      .describe(
        "Role that reads AWS Organizations (management account or a delegated administrator); default: the bot's own credentials.",
      ),
    externalId: externalIdSetting
      .optional()
      .describe("External id roleArn's trust policy requires."),
    sessionName: sessionNameSetting
      .optional()
      .describe('Role session name for roleArn; default "access-analyzer-fleet".'),
    managementAccountId: accountId
      .optional()
      .describe("The management account's id; the run stops if the organization has another."),
    include: z
      .strictObject({
        ous: ouList
          .min(1, {
            error: "must list at least one OU; leave include out for the whole organization",
          })
          .optional()
          .describe("OUs whose accounts are covered, nested OUs included; default: all."),
      })
      .optional(),
    exclude: z
      .strictObject({
        ous: ouList.optional().describe("OUs left out, nested OUs included."),
        accounts: z
          .array(accountId, { error: 'must be a list of account ids, e.g. ["444455556666"]' })
          .optional()
          .describe("Account ids left out."),
      })
      .optional(),
    delegatedAdministrator: z
      .strictObject({
        accountId: accountId.describe("The Access Analyzer delegated administrator account."),
        enableTrustedAccess: z
          .boolean({ error: "must be true or false" })
          .optional()
          .describe(
            "Enable trusted access for access-analyzer.amazonaws.com when it is off; default false (the run stops with the fix).",
          ),
      })
      .optional()
      .describe(
        "Register this account as the Access Analyzer delegated administrator (a registration stack in the management account runs first).",
      ),
    analyzers: componentOrganization
      .optional()
      .describe(
        "The delegated administrator's organization analyzers (its stack gets organization: { externalAccess: true, ... }).",
      ),
  })
  .superRefine((org, ctx) => {
    if (org.analyzers !== undefined && org.delegatedAdministrator === undefined) {
      ctx.addIssue({
        code: "custom",
        path: ["analyzers"],
        message:
          "organization analyzers run in the delegated administrator's stack: set organization.delegatedAdministrator.accountId too",
      });
    }
  })
  .describe("Cover the ACTIVE accounts of the AWS organization, found at every run.");

export type OrganizationSettings = z.infer<typeof organizationSchema>;

/** The fleet file's shape. `fleet/fleet.schema.json` is generated from it (npm run fleet-schema). */
export const fleetFileSchema = z
  .strictObject({
    backend: z
      .string({ error: "must be a string" })
      .regex(BACKEND_URL, {
        error:
          'must be a Pulumi backend URL, e.g. "s3://my-state-bucket", "file://./state" or "https://api.pulumi.com"',
      })
      .optional()
      .describe("Pulumi backend URL; default: PULUMI_BACKEND_URL or the CLI's login."),
    secretsProvider: z
      .string({ error: "must be a string" })
      .regex(SECRETS_PROVIDER, {
        error:
          'must be "passphrase", "default" or a KMS URL such as "awskms://alias/pulumi-fleet?region=eu-west-1"',
      })
      .optional()
      .describe(
        "Secrets provider for new stacks: passphrase (needs PULUMI_CONFIG_PASSPHRASE) or awskms://…",
      ),
    defaults: defaultsSchema
      .optional()
      .describe("Settings every account gets unless it sets its own."),
    organization: organizationSchema.optional(),
    accounts: z
      // A missing list never reaches this message (`.optional()`); the refinement below asks for it.
      .array(accountSchema, { error: "must be a list of accounts, each with at least an id" })
      .min(1, { error: "must list at least one account" })
      .optional()
      .describe(
        "Accounts by id. With organization: they add accounts outside its scope, or override a discovered account's settings.",
      ),
  })
  .superRefine((file, ctx) => {
    if (file.accounts === undefined && file.organization === undefined) {
      ctx.addIssue({
        code: "custom",
        path: ["accounts"],
        message:
          "is required: a list of accounts, each with at least an id (or add organization: to cover the organization's accounts)",
      });
    }
  })
  .describe(
    "Fleet file for access-analyzer-fleet: which accounts get IAM Access Analyzer, and how.",
  );

export type FleetFile = z.infer<typeof fleetFileSchema>;

export type AccountEntry = z.infer<typeof accountSchema>;

/** The fleet file's `defaults` section. */
export type FleetDefaults = NonNullable<FleetFile["defaults"]>;

/** The JSON Schema editors use for completion (draft-07: what yaml-language-server reads best). */
export function fleetJsonSchema(): Record<string, unknown> {
  return {
    ...z.toJSONSchema(fleetFileSchema, { target: "draft-7" }),
    title: "access-analyzer fleet file",
    // The schema's refinement, for editors: a file lists accounts, covers an organization, or both.
    anyOf: [{ required: ["accounts"] }, { required: ["organization"] }],
  };
}

// ---- the fleet once read ----------------------------------------------------------------------

/**
 * The component settings a fleet file can set for every account (`defaults`) or for one account:
 * the fleet file's schema (`fleetSettings`, picked from the component's own schema) decides.
 */
export type AnalyzerSettings = Readonly<z.infer<typeof fleetSettings>>;

/** How the bot reaches an account from its own base credentials. Never holds a credential. */
export interface AccountAccess {
  /** Role to assume in the account (its account must be the target account). */
  readonly roleArn?: string;
  /** A named AWS profile for the providers to start from. */
  readonly profile?: string;
  readonly externalId?: string;
  readonly sessionName?: string;
}

/**
 * Where a target came from: the organization (its OU path, `Root/Workloads/Prod`), the fleet
 * file's `accounts:` list, or both (a discovered account whose settings an entry overrides).
 */
export interface TargetOrigin {
  /** The OU path in AWS Organizations; absent for an account only the fleet file lists. */
  readonly ouPath?: string;
  /** The account's name in AWS Organizations. */
  readonly accountName?: string;
  /** An `accounts:` entry lists it. */
  readonly fleetFile: boolean;
}

/**
 * The run's phases, in order: the delegated administrator's registration (management account),
 * then the delegated administrator's own stack (its organization analyzers), then every member.
 */
export type Phase = "registration" | "delegated-administrator" | "members";

/** One account of the fleet, with defaults already applied: one stack. */
export interface Target {
  readonly accountId: string;
  readonly name?: string;
  readonly stack: string;
  readonly access: AccountAccess;
  readonly settings: AnalyzerSettings;
  /** Absent: the fleet file lists it and there is no `organization:` section. */
  readonly origin?: TargetOrigin;
  /** Absent: `members`. */
  readonly phase?: Phase;
  /**
   * Program config keys beyond the settings, as JSON values (docs/CONTRACTS.md):
   * `delegatedAdministrator` for the registration stack, `organization` for the administrator's.
   */
  readonly programConfig?: Readonly<Partial<Record<ConfigKey, unknown>>>;
  /**
   * An orphaned stack (why the fleet no longer covers it): only `destroy --accounts` runs it, and
   * with the stack's own config (nothing is rewritten).
   */
  readonly orphaned?: string;
}

/** An organization account the run leaves out, and why (validate/preview list them). */
export interface LeftOutTarget {
  readonly accountId: string;
  readonly accountName?: string;
  readonly ouPath: string;
  /** `suspended`, `excluded OU`, `excluded id`, `outside scope`. */
  readonly reason: string;
  readonly detail: string;
}

/** A validated fleet file. */
export interface Fleet {
  /** The file it came from, as given (used in messages). */
  readonly file: string;
  /** Pulumi backend URL (`file://…`, `s3://…`, `https://api.pulumi.com`). */
  readonly backend?: string;
  /** `passphrase`, `awskms://…`, … */
  readonly secretsProvider?: string;
  /** The `accounts:` entries, in file order (without `organization:`: the whole fleet). */
  readonly targets: Target[];
  /** The `organization:` section: the targets are only known once the organization is read. */
  readonly organization?: OrganizationSettings;
  /**
   * With `organization:`: the target of an account the organization's discovery finds, the fleet
   * file's `defaults` applied (checked when the file was read).
   */
  readonly discovered?: (accountId: string) => Target;
}

// ---- a target as the component's arguments ----------------------------------------------------
// The fleet file is validated through the component's own checks with these, and the program's stack
// config is written from them (fleet/domain/stackConfig.ts).

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
