/**
 * The fleet file: parse YAML, validate with the schema (./schema.ts), apply defaults, and turn it into
 * one target per account. Pure: no file system, no Pulumi. Every problem is reported as
 * `<file>: <path>: <what is wrong and how to fix it>`, all at once, and nothing runs while there is one.
 */
import { DEFAULT_SESSION_NAME } from "./defaults";
import { parseDocument } from "yaml";
import { type z } from "zod";
import { formatPath, genericMessage, problemsOf } from "../../components/problems";
import {
  ROLE_ARN_PATTERN,
  TAG_LIMITS,
  partitionOfArn,
  partitionOfRegion,
} from "../../components/schema";
import { type AllRegionsAccessAnalyzerArgs } from "../../components/types";
import { checkArgs } from "../../components/validation";
import {
  type AccountAccess,
  type AccountEntry,
  type AnalyzerSettings,
  type Fleet,
  type FleetFile,
  type Target,
  componentSettings,
  fleetFileSchema,
  providerArgsFor,
  settingsShape,
} from "./schema";

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
    // The partition: `defaults.partition`, else the lookup region's (GovCloud and China need one
    // of their regions there anyway), else aws.
    const lookup = account.lookupRegion ?? d.lookupRegion;
    const partition =
      d.partition ?? (lookup !== undefined ? partitionOfRegion(lookup) : undefined) ?? "aws";
    roleArn = `arn:${partition}:iam::${account.id}:role/${roleName}`;
  }
  if (account.roleArn !== undefined) {
    const arnAccount = ROLE_ARN_PATTERN.exec(account.roleArn)?.[2];
    if (arnAccount !== undefined && arnAccount !== account.id) {
      problems.push({
        path: at("roleArn"),
        message: `names account ${arnAccount} but this entry is account ${account.id}; use the role in ${account.id}, e.g. "arn:${partitionOfArn(account.roleArn) ?? "aws"}:iam::${account.id}:role/AccessAnalyzerDeployer"`,
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
export function resolveTargets(
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

/** A region of each partition, for messages. */
const PARTITION_REGION_EXAMPLE: Readonly<Record<string, string>> = {
  aws: "us-east-1",
  "aws-us-gov": "us-gov-west-1",
  "aws-cn": "cn-north-1",
};

/**
 * An organization lives in one partition with every account in it: `organization.roleArn` must be
 * of the partition the defaults give the discovered accounts (`defaults.lookupRegion`, else
 * `defaults.partition`, else `aws`). Each account's own settings are checked by the component.
 */
function organizationPartitionProblems(file: FleetFile): FleetProblem[] {
  const roleArn = file.organization?.roleArn;
  const rolePartition = roleArn !== undefined ? partitionOfArn(roleArn) : undefined;
  if (rolePartition === undefined) return [];
  const lookup = file.defaults?.lookupRegion;
  const [source, partition] =
    lookup !== undefined
      ? [
          `defaults.lookupRegion "${lookup}" is in ${partitionOfRegion(lookup)}`,
          partitionOfRegion(lookup),
        ]
      : file.defaults?.partition !== undefined
        ? [`defaults.partition is ${file.defaults.partition}`, file.defaults.partition]
        : ['defaults.lookupRegion is not set, so it is "us-east-1" (partition aws)', "aws"];
  if (partition === rolePartition) return [];
  const example = PARTITION_REGION_EXAMPLE[rolePartition];
  return [
    {
      path: "organization.roleArn",
      message:
        `is in partition ${rolePartition}, but ${source}; an organization and its accounts are in one ` +
        `partition: set defaults.lookupRegion to a region of ${rolePartition}` +
        (example !== undefined ? ` (e.g. "${example}")` : "") +
        `, or use a role of ${partition}`,
    },
  ];
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
    problems.push(...defaultsProblems(parsed.data), ...organizationPartitionProblems(parsed.data));
    if (problems.length > 0) return fail(problems);
  }
  const fleet: { -readonly [K in keyof Fleet]: Fleet[K] } = { file, targets };
  if (parsed.data.organization !== undefined) {
    fleet.organization = parsed.data.organization;
    const defaults = parsed.data.defaults;
    fleet.discovered = (accountId) =>
      resolveTargets({ defaults, accounts: [{ id: accountId }] }, [])[0];
  }
  if (parsed.data.backend !== undefined) fleet.backend = parsed.data.backend;
  if (parsed.data.secretsProvider !== undefined)
    fleet.secretsProvider = parsed.data.secretsProvider;
  return { ok: true, fleet };
}
