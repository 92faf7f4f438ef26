/**
 * The fleet file: parse YAML, validate with zod, apply defaults, and turn it into one target per
 * account. Pure: no file system, no Pulumi. Every problem is reported as
 * `<file>: <path>: <what is wrong and how to fix it>`, all at once, and nothing runs while there is one.
 */
import { parseDocument } from "yaml";
import { z } from "zod";
import { checkArgs } from "../components/validation";
import type { AllRegionsAccessAnalyzerArgs } from "../components/types";
import { componentSettings, providerArgsFor } from "./config";
import type { AccountAccess, AnalyzerSettings, Fleet, Target } from "./types";
import {
  ANALYZER_NAME_PATTERN,
  analyzerNameProblem,
  REGION_PATTERN,
  regionProblem,
  tagKeyProblem,
  tagValueProblem,
} from "./validators";

const ACCOUNT_ID = /^\d{12}$/;
const ROLE_ARN =
  /^arn:(aws|aws-cn|aws-us-gov|aws-iso|aws-iso-b|aws-iso-e|aws-iso-f):iam::(\d{12}):role\/(?:[\w+=,.@-]+\/)*[\w+=,.@-]{1,64}$/;
const ROLE_NAME = /^[\w+=,.@-]{1,64}$/;
const SESSION_NAME = /^[\w+=,.@-]{2,64}$/;
const EXTERNAL_ID = /^[\w+=,.@:/-]{2,1224}$/;
const ACCOUNT_NAME = /^[A-Za-z0-9][A-Za-z0-9_.-]{0,63}$/;
const STACK_NAME = /^(?:[A-Za-z0-9_.-]+\/){0,2}[A-Za-z0-9_.-]{1,100}$/;
const BACKEND_URL = /^(file|s3|azblob|gs|https?):\/\/\S*$/;
const SECRETS_PROVIDER = /^(passphrase|default|(awskms|azurekeyvault|gcpkms|hashivault):\/\/\S+)$/;

/** The session name the bot uses when the fleet file sets none. */
export const DEFAULT_SESSION_NAME = "access-analyzer-fleet";

/** The stack name of an account whose entry sets none. Ids never change; names might. */
export function defaultStackName(accountId: string): string {
  return `acct-${accountId}`;
}

const quoted = (v: unknown): string => JSON.stringify(v);

const regionCode = z
  .string({ error: 'must be a region code string, e.g. "eu-west-1"' })
  .refine((r) => regionProblem(r) === undefined, { error: (iss) => regionProblem(iss.input) })
  .meta({ pattern: REGION_PATTERN.source, description: 'An AWS region code, e.g. "eu-west-1".' });

const regionList = z
  .array(regionCode, { error: 'must be a list of region codes, e.g. ["us-east-1", "eu-west-1"]' })
  .min(1, {
    error: "must list at least one region; leave the key out to use every enabled region",
  });

const analyzerName = z
  .string({ error: 'must be a string, e.g. "external-access"' })
  .refine((n) => analyzerNameProblem(n) === undefined, {
    error: (iss) => analyzerNameProblem(iss.input),
  })
  .meta({ pattern: ANALYZER_NAME_PATTERN.source });

const tagMap = z
  .record(
    z.string().refine((key) => tagKeyProblem(key) === undefined, {
      error: (iss) => tagKeyProblem(String(iss.input)),
    }),
    z
      .string({ error: 'tag values must be strings; quote numbers and booleans, e.g. "true"' })
      .refine((value) => tagValueProblem(value) === undefined, {
        error: (iss) => tagValueProblem(String(iss.input)),
      }),
  )
  .refine((tags) => Object.keys(tags).length <= 50, {
    error: "at most 50 tags can be set on an analyzer",
  })
  .describe("Tags on every analyzer. Defaults and account tags merge; the account wins per key.");

const stringList = z.array(z.string().min(1), { error: "must be a list of strings" });

const archiveFilter = z
  .strictObject({
    criteria: z
      .string({ error: 'is required: the finding attribute to match, e.g. "principal.AWS"' })
      .min(1, { error: 'must not be empty, e.g. "principal.AWS"' }),
    eqs: stringList.optional(),
    neqs: stringList.optional(),
    contains: stringList.optional(),
    exists: z
      .union([z.boolean(), z.enum(["true", "false"])], {
        error: 'must be true or false (or "true" / "false")',
      })
      .optional(),
  })
  .refine(
    (f) =>
      f.eqs !== undefined ||
      f.neqs !== undefined ||
      f.contains !== undefined ||
      f.exists !== undefined,
    { error: "needs at least one comparator: eqs, neqs, contains or exists" },
  );

const archiveRule = z.strictObject({
  name: analyzerName.describe("Archive rule name (same rules as analyzer names)."),
  filters: z
    .array(archiveFilter, { error: "is required: a list of filters" })
    .min(1, { error: "needs at least one filter" }),
});

const unusedAccess = z
  .strictObject({
    region: regionCode.describe("The home region of the one unused-access analyzer."),
    unusedAccessAge: z
      .number({ error: "must be a whole number of days from 1 to 365" })
      .int({ error: "must be a whole number of days from 1 to 365" })
      .min(1, { error: "must be a whole number of days from 1 to 365" })
      .max(365, { error: "must be a whole number of days from 1 to 365" })
      .optional(),
    analyzerName: analyzerName.optional(),
    exclusions: z
      .array(
        z.strictObject({
          accountIds: z
            .array(
              z.string().regex(ACCOUNT_ID, { error: 'must be 12 digits, e.g. "111122223333"' }),
            )
            .optional(),
          resourceTags: z.array(z.record(z.string(), z.string())).optional(),
        }),
      )
      .optional(),
  })
  .describe("One unused-access analyzer in a home region (IAM is global: one region is enough).");

/** Settings both `defaults` and an account may set. */
const settingsShape = {
  regions: regionList
    .optional()
    .describe("Explicit regions; leave out to use every enabled region."),
  excludeRegions: regionList.optional().describe("Regions to leave out."),
  type: z
    .enum(["ACCOUNT", "ORGANIZATION"], {
      error: (iss) => `must be "ACCOUNT" or "ORGANIZATION" (got ${quoted(iss.input)})`,
    })
    .optional()
    .describe('Analyzer type; default "ACCOUNT" (what Security Hub IAM.28 counts).'),
  tags: tagMap.optional(),
  unusedAccess: unusedAccess.optional(),
  archiveRules: z
    .array(archiveRule, { error: "must be a list of { name, filters }" })
    .max(100, { error: "at most 100 archive rules per analyzer" })
    .optional()
    .describe(
      "Archive rules on every regional external-access analyzer (replaces the defaults' list).",
    ),
  analyzerName: analyzerName
    .optional()
    .describe('External-access analyzer name; default "external-access".'),
  lookupRegion: regionCode
    .optional()
    .describe('Region used to discover the enabled regions; default "us-east-1".'),
  protect: z
    .boolean({ error: "must be true or false" })
    .optional()
    .describe("Protect the analyzers."),
  retainOnDelete: z
    .boolean({ error: "must be true or false" })
    .optional()
    .describe("Keep the analyzers in AWS when they leave the stack."),
};

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
  externalId: z
    .string({ error: "must be a string" })
    .regex(EXTERNAL_ID, { error: "must be 2 to 1224 characters of letters, digits and +=,.@:/-" })
    .optional()
    .describe("External id the role's trust policy requires."),
  sessionName: z
    .string({ error: "must be a string" })
    .regex(SESSION_NAME, { error: "must be 2 to 64 characters of letters, digits and +=,.@-" })
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
    .enum(["aws", "aws-cn", "aws-us-gov"], {
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
    accounts: z
      .array(accountSchema, { error: "is required: a list of accounts, each with at least an id" })
      .min(1, { error: "must list at least one account" }),
  })
  .describe(
    "Fleet file for access-analyzer-fleet: which accounts get IAM Access Analyzer, and how.",
  );

export type FleetFile = z.infer<typeof fleetFileSchema>;
type AccountEntry = z.infer<typeof accountSchema>;

/** The JSON Schema editors use for completion (draft-07: what yaml-language-server reads best). */
export function fleetJsonSchema(): Record<string, unknown> {
  return {
    ...z.toJSONSchema(fleetFileSchema, { target: "draft-7" }),
    title: "access-analyzer fleet file",
  };
}

/** A dotted path as people read it: `accounts[3].tags["cost center"]`. */
export function formatPath(path: readonly PropertyKey[]): string {
  let out = "";
  for (const part of path) {
    if (typeof part === "number") {
      out += `[${part}]`;
    } else if (typeof part === "string" && /^[A-Za-z_$][\w$]*$/.test(part)) {
      out += out === "" ? part : `.${part}`;
    } else {
      out += `[${JSON.stringify(String(part))}]`;
    }
  }
  return out === "" ? "(top level)" : out;
}

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

/** The closest allowed key, when it is close enough to be a typo. */
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

function typeName(v: unknown): string {
  if (v === null) return "null";
  if (Array.isArray(v)) return "a list";
  if (typeof v === "object") return "a map";
  return `${typeof v} ${quoted(v)}`;
}

/** Messages for the issues the schema gives no message of its own. */
function genericMessage(iss: z.core.$ZodRawIssue): string | undefined {
  switch (iss.code) {
    case "invalid_type":
      if (iss.input === undefined) return "is required";
      return `must be ${iss.expected === "array" ? "a list" : iss.expected === "object" || iss.expected === "record" ? "a map" : `a ${iss.expected}`} (got ${typeName(iss.input)})`;
    case "too_small":
      return iss.origin === "array"
        ? `must have at least ${iss.minimum} item(s)`
        : `must be at least ${iss.minimum}`;
    case "too_big":
      return iss.origin === "array"
        ? `must have at most ${iss.maximum} item(s)`
        : `must be at most ${iss.maximum}`;
    default:
      return undefined;
  }
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

function allowedKeysAt(path: readonly PropertyKey[]): string[] {
  const shape =
    path.length === 0
      ? fleetFileSchema.shape
      : path[0] === "defaults" && path.length === 1
        ? defaultsSchema.shape
        : path[0] === "accounts" && path.length === 2
          ? accountSchema.shape
          : path.at(-1) === "unusedAccess"
            ? unusedAccess.shape
            : path.at(-2) === "archiveRules"
              ? archiveRule.shape
              : path.at(-2) === "filters"
                ? { criteria: 1, eqs: 1, neqs: 1, contains: 1, exists: 1 }
                : path.at(-2) === "exclusions"
                  ? { accountIds: 1, resourceTags: 1 }
                  : {};
  return Object.keys(shape);
}

/** Keys that belong elsewhere, with where they go. */
const KEY_HINTS: Record<string, string> = {
  "defaults.roleArn":
    'a role ARN names one account; set roleName in defaults (e.g. "AccessAnalyzerDeployer") or roleArn on each account',
  "defaults.id": "account ids go in the accounts list",
  "defaults.name": "names go on each account in the accounts list",
  "defaults.stack": "stack names go on each account (default acct-<id>)",
};

function zodProblems(error: z.ZodError): FleetProblem[] {
  const problems: FleetProblem[] = [];
  for (const issue of error.issues) {
    if (issue.code === "unrecognized_keys") {
      const allowed = allowedKeysAt(issue.path);
      for (const key of issue.keys) {
        const where = formatPath([...issue.path, key]);
        if (where in KEY_HINTS) {
          problems.push({ path: where, message: KEY_HINTS[where] });
          continue;
        }
        const suggestion = suggestKey(key, allowed);
        problems.push({
          path: formatPath([...issue.path, key]),
          message:
            `unknown key` +
            (suggestion ? `; did you mean "${suggestion}"?` : ".") +
            (allowed.length ? ` Allowed here: ${allowed.join(", ")}` : ""),
        });
      }
    } else if (issue.code === "invalid_key" && issue.issues.length > 0) {
      problems.push({ path: formatPath(issue.path), message: issue.issues[0].message });
    } else {
      problems.push({ path: formatPath(issue.path), message: issue.message });
    }
  }
  return problems;
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
  file: FleetFile,
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
function resolveTargets(file: FleetFile, problems: FleetProblem[]): Target[] {
  const defaults = pickSettings(file.defaults ?? {});
  const seenIds = new Map<string, number>();
  const seenStacks = new Map<string, number>();
  const seenNames = new Map<string, number>();
  const targets: Target[] = [];
  file.accounts.forEach((account, index) => {
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
    problems.push(...componentProblems(target, account, file.defaults ?? {}, index));
    targets.push(target);
  });
  return targets;
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
  const doc = parseDocument(text, { prettyErrors: true, uniqueKeys: true });
  if (doc.errors.length > 0) {
    return fail(
      doc.errors.map((e) => ({
        path: e.linePos ? `line ${e.linePos[0].line}, column ${e.linePos[0].col}` : "(YAML)",
        message: `${e.message.split("\n")[0].replace(/ at line \d+, column \d+:?$/, "")} (fix the YAML syntax)`,
      })),
    );
  }
  const data: unknown = doc.toJS();
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
  const fleet: { -readonly [K in keyof Fleet]: Fleet[K] } = { file, targets };
  if (parsed.data.backend !== undefined) fleet.backend = parsed.data.backend;
  if (parsed.data.secretsProvider !== undefined)
    fleet.secretsProvider = parsed.data.secretsProvider;
  return { ok: true, fleet };
}
