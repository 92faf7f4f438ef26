/**
 * Accounts from AWS Organizations: the organization as read (fleet/aws/organizations.ts reads it),
 * and the pure selection of the accounts the fleet file's `organization:` section covers:
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
import { OU_ID, type OrganizationSettings, ROOT_NAME } from "../settings/schema";

// ---- the organization as read --------------------------------------------------------------

/**
 * The account's `State` in AWS Organizations (`PENDING_ACTIVATION`, `ACTIVE`, `SUSPENDED`,
 * `PENDING_CLOSURE`, `CLOSED`), or its older `Status` where AWS sends no `State`; `Status` is
 * retired on 2026-09-09 (Organizations model, shape `Account`). Only `ACTIVE` is covered: an
 * account in any other state cannot be reached. A string: a state AWS adds later is left out too.
 */
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
  /** Why, for people: `state CLOSED`, `in excluded OU Root/Sandbox`, … */
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
      leftOut.push({ ...account, reason: "not-active", detail: `state ${a.status}` });
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

/**
 * Reading Organizations failed; the message says what to fix. `environment`: the failure is the
 * environment's (throttling, a 5xx, the network, after the SDK's retries), not the fleet file's:
 * retrying later may work (exit 5, not 3).
 */
export class OrganizationReadError extends Error {
  readonly environment: boolean;
  constructor(message: string, options: { environment?: boolean } = {}) {
    super(message);
    this.name = "OrganizationReadError";
    this.environment = options.environment ?? false;
  }
}

/**
 * AWS Organizations kept answering `TooManyRequestsException` to one call through every retry: its
 * request rate is used up (other readers of the organization share it). Not a problem of the fleet
 * file: nothing is wrong with the input, and the same run later may pass. The command layer maps it
 * to its exit code for a failing environment.
 */
export class OrganizationThrottledError extends Error {
  constructor(
    /** The Organizations operation that was refused. */
    readonly operation: string,
    /** How many times it was tried. */
    readonly attempts: number,
    /** How long the reader tried, in ms. */
    readonly waitedMs: number,
    /** Who read: the role ARN, or "the bot's own credentials". */
    readonly who: string,
  ) {
    super(
      `${operation} as ${who}: AWS Organizations answered TooManyRequestsException ${attempts} times over ${Math.round(waitedMs / 1000)} s, backing off between tries; its request rate is used up (other tools reading the organization share it): run again later`,
    );
    this.name = "OrganizationThrottledError";
  }
}

/** The stack of the delegated administrator's registration, in the management account. */
export const REGISTRATION_STACK = "org-delegated-admin";
