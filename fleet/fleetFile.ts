/**
 * The fleet file: parse YAML, validate with zod, apply defaults, and turn it into one target per
 * account. Pure: no file system, no Pulumi. Every problem is reported as
 * `<file>: <path>: <what is wrong and how to fix it>`, all at once, and nothing runs while there is one.
 */
import { parseDocument } from "yaml";
import { z } from "zod";
import { formatPath, genericMessage, problemsOf, suggestKey } from "../components/problems";
import {
  ACCOUNT_ID_PATTERN,
  externalIdSetting,
  PARTITIONS,
  ROLE_ARN_PATTERN,
  sessionNameSetting,
  TAG_LIMITS,
  archiveRuleFilterShape,
  archiveRulesOf,
  componentArgsObject,
  hasComparator,
  NO_COMPARATOR,
  tags,
} from "../components/schema";
import { checkArgs } from "../components/validation";
import type { AllRegionsAccessAnalyzerArgs } from "../components/types";
import { componentSettings, providerArgsFor } from "./config";
import { DEFAULT_SESSION_NAME } from "./session";
import { organizationSchema, type AccountSelection, type LeftOutReason } from "./organization";
import type { AccountAccess, AnalyzerSettings, Fleet, LeftOutTarget, Target } from "./types";

export { formatPath, suggestKey };

const ACCOUNT_ID = ACCOUNT_ID_PATTERN;
const ROLE_ARN = ROLE_ARN_PATTERN;
const ROLE_NAME = /^[\w+=,.@-]{1,64}$/;
const ACCOUNT_NAME = /^[A-Za-z0-9][A-Za-z0-9_.-]{0,63}$/;
const STACK_NAME = /^(?:[A-Za-z0-9_.-]+\/){0,2}[A-Za-z0-9_.-]{1,100}$/;
const BACKEND_URL = /^(file|s3|azblob|gs|https?):\/\/\S*$/;
const SECRETS_PROVIDER = /^(passphrase|default|(awskms|azurekeyvault|gcpkms|hashivault):\/\/\S+)$/;

/**
 * The largest fleet file read: a fleet of thousands of accounts is well under 1 MB; anything far
 * bigger is a mistake (or an attack) and is refused before it is parsed.
 */
export const MAX_FLEET_FILE_BYTES = 10 * 1024 * 1024;

/**
 * The `yaml` library's `maxAliasCount`. It counts, per anchor, the uses of the anchor times the
 * aliases nested inside it (at least 1), and refuses a document whose count passes the limit.
 * The library's default of 100 refuses a fleet of 101 accounts that share one anchor, which is
 * legitimate; 10,000 allows 1,000 accounts each reusing an anchor that itself nests up to 10
 * aliases, and still refuses a "billion laughs" expansion (its count grows exponentially).
 */
export const MAX_ALIAS_COUNT = 10_000;

/** The stack name of an account whose entry sets none. Ids never change; names might. */
export function defaultStackName(accountId: string): string {
  return `acct-${accountId}`;
}

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
const settingsShape = fleetSettings.shape;

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
  id: z
    .string({
      error: (iss) =>
        iss.input === undefined
          ? 'is required: the 12-digit account id in quotes, e.g. "111122223333"'
          : `must be a quoted string of 12 digits, e.g. "111122223333" (got ${quoted(iss.input)}; unquoted numbers lose leading zeros)`,
    })
    .regex(ACCOUNT_ID, {
      error: (iss) => `must be 12 digits, e.g. "111122223333" (got ${quoted(iss.input)})`,
    })
    .describe("The 12-digit AWS account id, quoted."),
  name: z
    .string({ error: "must be a string" })
    .regex(ACCOUNT_NAME, {
      error:
        'must be 1 to 64 letters, digits, "_", "." or "-", starting with a letter or digit, e.g. "prod-eu"',
    })
    .refine((n) => !ACCOUNT_ID.test(n), { error: "must not look like an account id (12 digits)" })
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
  roleArn: z
    .string({ error: "must be a string" })
    .regex(ROLE_ARN, {
      error:
        'must be an IAM role ARN, e.g. "arn:aws:iam::111122223333:role/AccessAnalyzerDeployer"',
    })
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
    .describe('Partition used to build role ARNs from roleName; default "aws".'),
  ...accessShape,
  ...settingsShape,
});

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
type AccountEntry = z.infer<typeof accountSchema>;
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

/** One problem in a fleet file. `path` is how `formatPath` prints it. */
export interface FleetProblem {
  readonly path: string;
  readonly message: string;
}

export function formatProblem(file: string, problem: FleetProblem): string {
  return `${file}: ${problem.path}: ${problem.message}`;
}

export type ParseResult =
  | { readonly ok: true; readonly fleet: Fleet }
  | { readonly ok: false; readonly problems: FleetProblem[]; readonly messages: string[] };

/** Keys that belong elsewhere, with where they go. */
const KEY_HINTS: Record<string, string> = {
  "defaults.roleArn":
    'a role ARN names one account; set roleName in defaults (e.g. "AccessAnalyzerDeployer") or roleArn on each account',
  "defaults.id": "account ids go in the accounts list",
  "defaults.name": "names go on each account in the accounts list",
  "defaults.stack": "stack names go on each account (default acct-<id>)",
};

function zodProblems(error: z.ZodError): FleetProblem[] {
  return problemsOf(error.issues, { schema: fleetFileSchema, keyHints: KEY_HINTS });
}

/** Applies defaults: the account's value wins; tags merge per key. */
function mergeSettings(defaults: AnalyzerSettings, account: AnalyzerSettings): AnalyzerSettings {
  const merged: Record<string, unknown> = {};
  const keys = Object.keys(settingsShape) as (keyof AnalyzerSettings)[];
  for (const key of keys) {
    const value = account[key] ?? defaults[key];
    if (value !== undefined) merged[key] = value;
  }
  if (defaults.tags || account.tags) {
    merged.tags = { ...defaults.tags, ...account.tags };
  }
  return merged;
}

function pickSettings(entry: AnalyzerSettings): AnalyzerSettings {
  const out: Record<string, unknown> = {};
  for (const key of Object.keys(settingsShape) as (keyof AnalyzerSettings)[]) {
    if (entry[key] !== undefined) out[key] = entry[key];
  }
  return out;
}

function resolveAccess(
  file: Pick<FleetFile, "defaults">,
  account: AccountEntry,
  index: number,
  problems: FleetProblem[],
): AccountAccess {
  const d = file.defaults ?? {};
  const at = (key: string) => formatPath(["accounts", index, key]);
  if (account.roleArn !== undefined && account.roleName !== undefined) {
    problems.push({ path: at("roleName"), message: "set either roleArn or roleName, not both" });
  }
  let roleArn = account.roleArn;
  const roleName = account.roleName ?? (account.roleArn === undefined ? d.roleName : undefined);
  if (roleArn === undefined && roleName !== undefined) {
    roleArn = `arn:${d.partition ?? "aws"}:iam::${account.id}:role/${roleName}`;
  }
  if (account.roleArn !== undefined) {
    const arnAccount = ROLE_ARN.exec(account.roleArn)?.[2];
    if (arnAccount !== undefined && arnAccount !== account.id) {
      problems.push({
        path: at("roleArn"),
        message: `names account ${arnAccount} but this entry is account ${account.id}; use the role in ${account.id}, e.g. "arn:aws:iam::${account.id}:role/AccessAnalyzerDeployer"`,
      });
    }
  }
  const profile = account.profile ?? d.profile;
  const externalId = account.externalId ?? d.externalId;
  const sessionName = account.sessionName ?? d.sessionName;
  for (const key of ["externalId", "sessionName"] as const) {
    if (roleArn === undefined && account[key] !== undefined) {
      problems.push({
        path: at(key),
        message: `${key} only applies when a role is assumed; set roleArn or roleName (here or in defaults), or remove it`,
      });
    }
  }
  const access: { -readonly [K in keyof AccountAccess]: AccountAccess[K] } = {};
  if (roleArn !== undefined) {
    access.roleArn = roleArn;
    access.sessionName = sessionName ?? DEFAULT_SESSION_NAME;
    if (externalId !== undefined) access.externalId = externalId;
  }
  if (profile !== undefined) access.profile = profile;
  return access;
}

/**
 * The component's own checks (components/validation.ts) on the settings this account ends up with,
 * reported at the key that set the value: the account's entry, or `defaults` when it came from there.
 */
function componentProblems(
  target: Target,
  account: Record<string, unknown>,
  defaults: Record<string, unknown>,
  index: number,
): FleetProblem[] {
  const args = {
    ...componentSettings(target.settings),
    providerArgs: providerArgsFor(target),
  } as AllRegionsAccessAnalyzerArgs;
  return checkArgs(args).map((problem) => {
    if (problem.path === "tags" && account.tags !== undefined && defaults.tags !== undefined) {
      const count = (v: unknown) => Object.keys(v as object).length;
      return {
        path: `${formatPath(["accounts", index, "tags"])}`,
        message:
          `defaults.tags (${count(defaults.tags)}) and this account's tags ` +
          `(${count(account.tags)}) merge to ${count(target.settings.tags)} tags; AWS allows at ` +
          `most ${TAG_LIMITS.maxTags} per analyzer: drop some here or in defaults.tags`,
      };
    }
    if (problem.path === "providerArgs.assumeRoles[0].roleArn") {
      // The bot's own role: named by the account's roleArn, or built from defaults.partition.
      const where =
        account.roleArn !== undefined
          ? formatPath(["accounts", index, "roleArn"])
          : defaults.partition !== undefined
            ? "defaults.partition"
            : formatPath(["accounts", index, "roleName"]);
      return {
        path: where,
        message: `${problem.message.replace(/^"([^"]+)"/, "the role $1")} (applies to accounts[${index}], ${target.accountId})`,
      };
    }
    problem = {
      path: problem.path,
      message: problem.message.replace(/providerArgs\.assumeRoles\[0\]\.roleArn/g, "the role"),
    };
    const key = /^[A-Za-z]+/.exec(problem.path)?.[0] ?? "";
    if (account[key] === undefined && defaults[key] !== undefined) {
      return {
        path: `defaults.${problem.path}`,
        message: `${problem.message} (applies to accounts[${index}], ${target.accountId})`,
      };
    }
    return { path: `${formatPath(["accounts", index])}.${problem.path}`, message: problem.message };
  });
}

/** Checks that need the whole file: duplicates, role/account agreement. Then builds the targets. */
function resolveTargets(
  file: Pick<FleetFile, "defaults" | "accounts" | "organization">,
  problems: FleetProblem[],
): Target[] {
  const defaults = pickSettings(file.defaults ?? {});
  const seenIds = new Map<string, number>();
  const seenStacks = new Map<string, number>();
  const seenNames = new Map<string, number>();
  const targets: Target[] = [];
  (file.accounts ?? []).forEach((account, index) => {
    const stack = account.stack ?? defaultStackName(account.id);
    const firstId = seenIds.get(account.id);
    if (firstId !== undefined) {
      problems.push({
        path: formatPath(["accounts", index, "id"]),
        message: `duplicates accounts[${firstId}].id (${account.id}); list each account once`,
      });
    } else {
      seenIds.set(account.id, index);
    }
    const firstStack = seenStacks.get(stack);
    if (firstStack !== undefined && firstId === undefined) {
      problems.push({
        path: formatPath(["accounts", index, "stack"]),
        message: `stack "${stack}" is also used by accounts[${firstStack}]; give each account its own stack`,
      });
    } else if (firstStack === undefined) {
      seenStacks.set(stack, index);
    }
    if (account.name !== undefined) {
      const firstName = seenNames.get(account.name.toLowerCase());
      if (firstName !== undefined) {
        problems.push({
          path: formatPath(["accounts", index, "name"]),
          message: `name "${account.name}" is also used by accounts[${firstName}]; names must be unique (case-insensitive) so --accounts can find them`,
        });
      } else {
        seenNames.set(account.name.toLowerCase(), index);
      }
    }
    const access = resolveAccess(file, account, index, problems);
    const settings = mergeSettings(defaults, pickSettings(account));
    const target: { -readonly [K in keyof Target]: Target[K] } = {
      accountId: account.id,
      stack,
      access,
      settings,
    };
    if (account.name !== undefined) target.name = account.name;
    if (file.organization !== undefined) target.origin = { fleetFile: true };
    problems.push(...componentProblems(target, account, file.defaults ?? {}, index));
    targets.push(target);
  });
  return targets;
}

/** An account id no organization uses: stands in for "any discovered account" in checks. */
const PROBE_ACCOUNT = "000000000000";

/** The problems `defaults` would give a discovered account (which sets nothing of its own). */
function defaultsProblems(file: FleetFile): FleetProblem[] {
  const probe: FleetProblem[] = [];
  resolveTargets({ defaults: file.defaults, accounts: [{ id: PROBE_ACCOUNT }] }, probe);
  return probe.map((p) => ({
    path: p.path.startsWith("defaults") ? p.path : "defaults",
    message: p.message.replace(
      / \(applies to accounts\[0\], 000000000000\)/,
      " (applies to every discovered account)",
    ),
  }));
}

/** The stack of the delegated administrator's registration, in the management account. */
export const REGISTRATION_STACK = "org-delegated-admin";

const LEFT_OUT_WORDS: Record<LeftOutReason, string> = {
  "not-active": "suspended",
  "excluded-ou": "excluded OU",
  "excluded-account": "excluded id",
  "outside-scope": "outside scope",
};

/** The whole fleet of an organization-backed file: targets in run order, and what was left out. */
export interface OrganizationFleet {
  /** Registration (if any), then every account by account id. */
  readonly targets: Target[];
  readonly leftOut: LeftOutTarget[];
  readonly warnings: string[];
  /** Problems that stop the run (each names the key and the fix). */
  readonly problems: string[];
}

/**
 * The targets of a fleet file with `organization:` once the organization has been read. Pure.
 * Discovered ACTIVE in-scope accounts get `defaults` (stack `acct-<id>`, role from
 * `defaults.roleName`); an `accounts:` entry overrides a discovered account's settings by id, or
 * adds an account outside the scope. With `delegatedAdministrator`, the registration stack comes
 * first (management account, through `organization.roleArn`), and the administrator's own stack
 * gets `organization: { externalAccess: true, ...organization.analyzers }`.
 */
export function organizationTargets(fleet: Fleet, found: AccountSelection): OrganizationFleet {
  const org = fleet.organization;
  if (org === undefined) return { targets: fleet.targets, leftOut: [], warnings: [], problems: [] };
  const listed = new Map(fleet.targets.map((t) => [t.accountId, t]));
  const discovered = new Map(found.accounts.map((a) => [a.accountId, a]));
  const leftOutById = new Map(found.leftOut.map((a) => [a.accountId, a]));
  const warnings = [...found.warnings];
  const problems: string[] = [];
  const built: Target[] = [];
  const probe: FleetProblem[] = [];
  const fromDefaults = resolveTargets(
    { defaults: fleet.defaults, accounts: found.accounts.map((a) => ({ id: a.accountId })) },
    probe,
  );
  for (const t of fromDefaults) {
    const a = discovered.get(t.accountId)!;
    const entry = listed.get(t.accountId);
    built.push({
      ...(entry ?? t),
      origin: { ouPath: a.ouPath, accountName: a.name, fleetFile: entry !== undefined },
    });
  }
  for (const t of fleet.targets) {
    if (discovered.has(t.accountId)) continue;
    const out = leftOutById.get(t.accountId);
    if (out !== undefined) {
      warnings.push(
        `accounts: ${t.accountId} is listed in the fleet file but the organization leaves it out (${out.detail}); it is covered as listed`,
      );
    }
    built.push({
      ...t,
      origin: {
        fleetFile: true,
        ...(out !== undefined ? { ouPath: out.ouPath, accountName: out.name } : {}),
      },
    });
  }
  built.sort((a, b) => (a.accountId < b.accountId ? -1 : a.accountId > b.accountId ? 1 : 0));
  const stacks = new Map<string, string>();
  for (const t of built) {
    const other = stacks.get(t.stack);
    if (other !== undefined) {
      problems.push(
        `accounts: stack "${t.stack}" would hold both ${other} and ${t.accountId}; give the fleet file's entry another stack`,
      );
    }
    stacks.set(t.stack, t.accountId);
  }
  const admin = org.delegatedAdministrator;
  if (admin === undefined)
    return { targets: built, leftOut: leftOutOf(found, listed), warnings, problems };

  const adminIndex = built.findIndex((t) => t.accountId === admin.accountId);
  if (admin.accountId === found.managementAccountId) {
    problems.push(
      `organization.delegatedAdministrator.accountId: ${admin.accountId} is the management account; AWS refuses it as delegated administrator: pick a member account (e.g. a security tooling account)`,
    );
  } else if (adminIndex < 0) {
    const out = leftOutById.get(admin.accountId);
    problems.push(
      out !== undefined
        ? `organization.delegatedAdministrator.accountId: ${admin.accountId} is left out of the fleet (${out.detail}); include it, or list it under accounts:`
        : `organization.delegatedAdministrator.accountId: ${admin.accountId} is not an account of organization ${found.organizationId}; use a member account's id`,
    );
  }
  if (stacks.has(REGISTRATION_STACK)) {
    problems.push(
      `accounts: stack "${REGISTRATION_STACK}" is the delegated administrator's registration stack; give the entry another stack`,
    );
  }
  if (problems.length > 0)
    return { targets: built, leftOut: leftOutOf(found, listed), warnings, problems };

  const adminTarget = built[adminIndex];
  const { externalAccess, ...rest } = org.analyzers ?? {};
  const ownOrg = (adminTarget.settings as { organization?: Record<string, unknown> }).organization;
  built[adminIndex] = {
    ...adminTarget,
    phase: "delegated-administrator",
    programConfig: {
      ...adminTarget.programConfig,
      organization: { ...ownOrg, ...rest, externalAccess: externalAccess ?? true },
    },
  };
  const registration: Target = {
    accountId: found.managementAccountId,
    name: "org-registration",
    stack: REGISTRATION_STACK,
    access: {
      ...(org.roleArn !== undefined
        ? {
            roleArn: org.roleArn,
            sessionName: org.sessionName ?? DEFAULT_SESSION_NAME,
            ...(org.externalId !== undefined ? { externalId: org.externalId } : {}),
          }
        : {}),
    },
    settings: {},
    origin: { ouPath: "Root", fleetFile: false, accountName: "management account" },
    phase: "registration",
    programConfig: {
      delegatedAdministrator: {
        accountId: admin.accountId,
        ...(admin.enableTrustedAccess !== undefined
          ? { enableTrustedAccess: admin.enableTrustedAccess }
          : {}),
      },
    },
  };
  return {
    targets: [registration, ...built],
    leftOut: leftOutOf(found, listed),
    warnings,
    problems,
  };
}

/** The organization's accounts the run leaves out (an `accounts:` entry brings one back in). */
function leftOutOf(found: AccountSelection, listed: ReadonlyMap<string, Target>): LeftOutTarget[] {
  return found.leftOut
    .filter((a) => !listed.has(a.accountId))
    .map((a) => ({
      accountId: a.accountId,
      accountName: a.name,
      ouPath: a.ouPath,
      reason: LEFT_OUT_WORDS[a.reason],
      detail: a.detail,
    }));
}

/**
 * Parses and validates a fleet file's text. `file` only names it in messages.
 * Returns every problem found, or the fleet with defaults applied.
 */
export function parseFleetFile(text: string, file: string): ParseResult {
  const fail = (problems: FleetProblem[]): ParseResult => ({
    ok: false,
    problems,
    messages: problems.map((p) => formatProblem(file, p)),
  });
  const bytes = Buffer.byteLength(text, "utf8");
  if (bytes > MAX_FLEET_FILE_BYTES) {
    return fail([
      {
        path: "(top level)",
        message: `the file is ${bytes} bytes; a fleet file may be at most ${MAX_FLEET_FILE_BYTES} bytes (10 MB): split the fleet, or check that this is the right file`,
      },
    ]);
  }
  const doc = parseDocument(text, { prettyErrors: true, uniqueKeys: true });
  if (doc.errors.length > 0) {
    return fail(
      doc.errors.map((e) => ({
        path: e.linePos ? `line ${e.linePos[0].line}, column ${e.linePos[0].col}` : "(YAML)",
        message: `${e.message.split("\n")[0].replace(/ at line \d+, column \d+:?$/, "")} (fix the YAML syntax)`,
      })),
    );
  }
  let data: unknown;
  try {
    data = doc.toJS({ maxAliasCount: MAX_ALIAS_COUNT });
  } catch (error) {
    if (!(error instanceof ReferenceError)) throw error;
    // The yaml library's resource-exhaustion guard ("Excessive alias count …").
    return fail([
      {
        path: "(top level)",
        message: `YAML aliases (*name) expand to too much data (the limit is ${MAX_ALIAS_COUNT} alias uses, weighted by the aliases nested in each anchor); write the repeated settings once under defaults instead of repeating an anchor`,
      },
    ]);
  }
  if (data === null || data === undefined) {
    return fail([
      { path: "(top level)", message: "the file is empty; start from fleet.example.yaml" },
    ]);
  }
  const parsed = fleetFileSchema.safeParse(data, { error: genericMessage });
  if (!parsed.success) {
    return fail(zodProblems(parsed.error));
  }
  const problems: FleetProblem[] = [];
  const targets = resolveTargets(parsed.data, problems);
  if (problems.length > 0) {
    return fail(problems);
  }
  if (parsed.data.organization !== undefined) {
    // The defaults every discovered account gets are checked now, before any account is known.
    problems.push(...defaultsProblems(parsed.data));
    if (problems.length > 0) return fail(problems);
  }
  const fleet: { -readonly [K in keyof Fleet]: Fleet[K] } = { file, targets };
  if (parsed.data.organization !== undefined) {
    fleet.organization = parsed.data.organization;
    fleet.defaults = parsed.data.defaults ?? {};
  }
  if (parsed.data.backend !== undefined) fleet.backend = parsed.data.backend;
  if (parsed.data.secretsProvider !== undefined)
    fleet.secretsProvider = parsed.data.secretsProvider;
  return { ok: true, fleet };
}
