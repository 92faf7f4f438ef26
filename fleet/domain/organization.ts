/**
 * Accounts from AWS Organizations: the fleet file's `organization:` section, the pure selection of
 * the accounts it covers, and a thin reader over `@aws-sdk/client-organizations`.
 *
 * ```yaml
 * organization:
 *   roleArn: arn:aws:iam::111122223333:role/OrganizationsReader # optional; the bot's own credentials otherwise
 *   externalId: my-external-id        # optional, for roleArn
 *   sessionName: access-analyzer-fleet # optional, for roleArn
 *   managementAccountId: "111122223333" # optional sanity check: refuse any other organization
 *   include:
 *     ous: ["Root/Prod", "ou-ab12-34567890"] # default: the whole organization (nested OUs included)
 *   exclude:
 *     ous: ["Root/Prod/Sandbox"]     # nested OUs excluded with them
 *     accounts: ["444455556666"]
 *   delegatedAdministrator:          # for the management-account step (registered later)
 *     accountId: "222233334444"
 *     enableTrustedAccess: false     # true: the bot enables trusted access when it is missing
 * ```
 *
 * An OU is named by its id (`ou-…`, or the root `r-…`) or by its path of names from the root
 * (`Root/Prod/EU`; `Root` is the whole organization). Only ACTIVE accounts are covered.
 */
import { type FleetProblem, resolveTargets } from "../settings/fleetFile";
import {
  DEFAULT_SESSION_NAME,
  OU_ID,
  type OrganizationSettings,
  ROOT_NAME,
} from "../settings/schema";
import { type Fleet, type LeftOutTarget, type Target } from "../settings/types";

// ---- the organization as read --------------------------------------------------------------

/** Organizations' account state: ACTIVE, SUSPENDED, PENDING_CLOSURE, … (only ACTIVE is covered). */
export type AccountStatus = string;

/** The organization's tree as the reader found it. */
export interface OrganizationTree {
  readonly organizationId: string;
  readonly managementAccountId: string;
  readonly rootId: string;
  readonly ous: readonly {
    readonly id: string;
    readonly name: string;
    readonly parentId: string;
  }[];
  readonly accounts: readonly {
    readonly accountId: string;
    readonly name: string;
    readonly email: string;
    readonly status: AccountStatus;
    readonly parentId: string;
  }[];
}

/** An account of the organization, with where it sits. */
export interface OrganizationAccount {
  readonly accountId: string;
  readonly name: string;
  readonly email: string;
  readonly status: AccountStatus;
  /** The OU (or root) it sits in directly. */
  readonly ouId: string;
  /** "Root/Prod/EU" */
  readonly ouPath: string;
}

export type LeftOutReason = "outside-scope" | "excluded-ou" | "excluded-account" | "not-active";

export interface LeftOutAccount extends OrganizationAccount {
  readonly reason: LeftOutReason;
  /** Why, for people: `status SUSPENDED`, `in excluded OU Root/Sandbox`, … */
  readonly detail: string;
}

export interface AccountSelection {
  readonly organizationId: string;
  readonly managementAccountId: string;
  /** Covered accounts, by account id. */
  readonly accounts: OrganizationAccount[];
  /** Every other account of the organization, by account id, with the reason. */
  readonly leftOut: LeftOutAccount[];
  /** Harmless oddities, e.g. an excluded account id that is not in the organization. */
  readonly warnings: string[];
}

/** The `organization:` section does not fit the organization; every problem, each naming its key. */
export class OrganizationScopeError extends Error {
  constructor(readonly problems: string[]) {
    super(problems.join("\n"));
    this.name = "OrganizationScopeError";
  }
}

/** Account ids are unique in an organization: no two compare equal. */
function byAccountId<T extends { accountId: string }>(a: T, b: T): number {
  return a.accountId < b.accountId ? -1 : 1;
}

/**
 * Which accounts of the organization the `organization:` section covers, and why each other one is
 * left out. Pure. Checked in this order: outside the included OUs, in an excluded OU, an excluded
 * id, not ACTIVE. Throws `OrganizationScopeError` for an OU that does not exist or a management
 * account that is not the expected one.
 */
export function selectAccounts(
  tree: OrganizationTree,
  settings: OrganizationSettings,
): AccountSelection {
  const parentOf = new Map<string, string>(tree.ous.map((o) => [o.id, o.parentId]));
  const nameOf = new Map<string, string>(tree.ous.map((o) => [o.id, o.name]));
  const pathOf = (id: string): string => {
    const names: string[] = [];
    for (let cur = id; cur !== tree.rootId; cur = parentOf.get(cur)!)
      names.unshift(nameOf.get(cur)!);
    return [ROOT_NAME, ...names].join("/");
  };
  const byPath = new Map<string, string>([[ROOT_NAME, tree.rootId]]);
  for (const o of tree.ous) byPath.set(pathOf(o.id), o.id);
  const known = [...byPath.keys()].sort();

  const problems: string[] = [];
  if (
    settings.managementAccountId !== undefined &&
    settings.managementAccountId !== tree.managementAccountId
  ) {
    problems.push(
      `organization.managementAccountId: expected ${settings.managementAccountId}, but organization ${tree.organizationId} is managed by ${tree.managementAccountId}; fix the id or organization.roleArn`,
    );
  }
  const resolve = (refs: readonly string[] | undefined, key: string): string[] =>
    (refs ?? []).flatMap((ref, i) => {
      const id = OU_ID.test(ref)
        ? ref === tree.rootId || parentOf.has(ref)
          ? ref
          : undefined
        : byPath.get(ref);
      if (id !== undefined) return [id];
      problems.push(
        `organization.${key}[${i}]: no OU ${JSON.stringify(ref)} in organization ${tree.organizationId}; its OUs are ${known.join(", ")}${OU_ID.test(ref) ? "" : " (paths are case-sensitive)"}`,
      );
      return [];
    });
  const included = resolve(settings.include?.ous, "include.ous");
  const excluded = resolve(settings.exclude?.ous, "exclude.ous");
  if (problems.length > 0) throw new OrganizationScopeError(problems);

  /** The first of `ids` that is `parentId` or one of its ancestors. */
  const under = (parentId: string, ids: readonly string[]): string | undefined => {
    for (let cur: string | undefined = parentId; cur !== undefined; cur = parentOf.get(cur)) {
      if (ids.includes(cur)) return cur;
    }
    return undefined;
  };
  const excludedIds = new Set(settings.exclude?.accounts ?? []);
  const accounts: OrganizationAccount[] = [];
  const leftOut: LeftOutAccount[] = [];
  for (const a of tree.accounts) {
    const account: OrganizationAccount = {
      accountId: a.accountId,
      name: a.name,
      email: a.email,
      status: a.status,
      ouId: a.parentId,
      ouPath: pathOf(a.parentId),
    };
    const excludedOu = under(a.parentId, excluded);
    if (settings.include?.ous !== undefined && under(a.parentId, included) === undefined) {
      leftOut.push({
        ...account,
        reason: "outside-scope",
        detail: "not under organization.include.ous",
      });
    } else if (excludedOu !== undefined) {
      leftOut.push({
        ...account,
        reason: "excluded-ou",
        detail: `in excluded OU ${pathOf(excludedOu)}`,
      });
    } else if (excludedIds.has(a.accountId)) {
      leftOut.push({
        ...account,
        reason: "excluded-account",
        detail: "in organization.exclude.accounts",
      });
    } else if (a.status !== "ACTIVE") {
      leftOut.push({ ...account, reason: "not-active", detail: `status ${a.status}` });
    } else {
      accounts.push(account);
    }
  }
  const inOrg = new Set(tree.accounts.map((a) => a.accountId));
  const warnings = [...excludedIds]
    .filter((id) => !inOrg.has(id))
    .map(
      (id) =>
        `organization.exclude.accounts: ${id} is not in organization ${tree.organizationId} (nothing to exclude)`,
    );
  return {
    organizationId: tree.organizationId,
    managementAccountId: tree.managementAccountId,
    accounts: accounts.sort(byAccountId),
    leftOut: leftOut.sort(byAccountId),
    warnings,
  };
}

/** Reading Organizations failed; the message says what to fix. */
export class OrganizationReadError extends Error {
  constructor(message: string) {
    super(message);
    this.name = "OrganizationReadError";
  }
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
