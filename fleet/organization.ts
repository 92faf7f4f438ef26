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
import {
  DescribeOrganizationCommand,
  ListAccountsForParentCommand,
  ListOrganizationalUnitsForParentCommand,
  ListRootsCommand,
  OrganizationsClient,
} from "@aws-sdk/client-organizations";
import { STSClient } from "@aws-sdk/client-sts";
import { z } from "zod";
import {
  ACCOUNT_ID_PATTERN,
  externalIdSetting,
  organization as componentOrganization,
  ROLE_ARN_PATTERN,
  sessionNameSetting,
} from "../components/schema";
import { describeError } from "./audit";
import {
  assumedRoleProvider,
  AssumeRoleError,
  type AwsCredentialIdentity,
  type AwsCredentialIdentityProvider,
} from "./auditSdk";

/** An OU or root id (Organizations' ParentId shape), or a path of OU names from "Root". */
const OU_ID = /^(r-[0-9a-z]{4,32}|ou-[0-9a-z]{4,32}-[a-z0-9]{8,32})$/;
const OU_PATH = /^Root(\/[^/]+)*$/;

const ROOT_NAME = "Root";

/** Organizations is global: its endpoint is signed for us-east-1 (aws partition). */
export const ORGANIZATIONS_REGION = "us-east-1";

const accountId = z
  .string({ error: 'must be a quoted string of 12 digits, e.g. "111122223333"' })
  .regex(ACCOUNT_ID_PATTERN, {
    error: (iss) => `must be 12 digits, e.g. "111122223333" (got ${JSON.stringify(iss.input)})`,
  });

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
    roleArn: z
      .string({ error: "must be a string" })
      .regex(ROLE_ARN_PATTERN, {
        error:
          'must be an IAM role ARN in the management account or a delegated administrator, e.g. "arn:aws:iam::111122223333:role/OrganizationsReader"',
      })
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

// ---- the reader (AWS SDK) -------------------------------------------------------------------

export interface OrganizationReaderOptions {
  /** The bot's own credentials; absent: the SDK's default chain. */
  readonly credentials?: AwsCredentialIdentity | AwsCredentialIdentityProvider;
  /** Endpoint for the clients (tests). Absent: the SDK's own (honours AWS_ENDPOINT_URL). */
  readonly endpoint?: string;
  readonly maxAttempts?: number;
  /** MaxResults per page (1-20; Organizations' default otherwise). */
  readonly pageSize?: number;
  readonly signal?: AbortSignal;
}

/** Reading Organizations failed; the message says what to fix. */
export class OrganizationReadError extends Error {
  constructor(message: string) {
    super(message);
    this.name = "OrganizationReadError";
  }
}

/**
 * Reads the organization's whole tree: DescribeOrganization, ListRoots, then per parent
 * ListOrganizationalUnitsForParent (recursively) and ListAccountsForParent, every page.
 */
export async function readOrganizationTree(
  client: Pick<OrganizationsClient, "send">,
  options: { pageSize?: number; signal?: AbortSignal; who: string },
): Promise<OrganizationTree> {
  const sendOptions = options.signal ? { abortSignal: options.signal } : {};
  const page = options.pageSize !== undefined ? { MaxResults: options.pageSize } : {};
  const call = async <T>(operation: string, run: () => Promise<T>): Promise<T> => {
    try {
      return await run();
    } catch (error) {
      throw explain(operation, error, options.who);
    }
  };
  const all = async <T>(
    operation: string,
    fetch: (token: string | undefined) => Promise<{ items: T[]; next?: string }>,
  ): Promise<T[]> => {
    const out: T[] = [];
    let token: string | undefined;
    do {
      const res = await call(operation, () => fetch(token));
      out.push(...res.items);
      token = res.next;
    } while (token);
    return out;
  };

  const described = await call("DescribeOrganization", () =>
    client.send(new DescribeOrganizationCommand({}), sendOptions),
  );
  const org = described.Organization;
  if (!org?.Id || !org.MasterAccountId) {
    throw new OrganizationReadError("DescribeOrganization returned no organization id");
  }
  const roots = await all("ListRoots", async (NextToken) => {
    const r = await client.send(new ListRootsCommand({ ...page, NextToken }), sendOptions);
    return { items: r.Roots ?? [], next: r.NextToken };
  });
  const rootId = roots[0]?.Id;
  if (!rootId) throw new OrganizationReadError("ListRoots returned no root");

  const ous: { id: string; name: string; parentId: string }[] = [];
  const accounts: OrganizationTree["accounts"][number][] = [];
  const queue = [rootId];
  while (queue.length > 0) {
    const parentId = queue.shift()!;
    const children = await all("ListOrganizationalUnitsForParent", async (NextToken) => {
      const r = await client.send(
        new ListOrganizationalUnitsForParentCommand({ ParentId: parentId, ...page, NextToken }),
        sendOptions,
      );
      return { items: r.OrganizationalUnits ?? [], next: r.NextToken };
    });
    for (const ou of children) {
      if (!ou.Id) continue;
      ous.push({ id: ou.Id, name: ou.Name ?? ou.Id, parentId });
      queue.push(ou.Id);
    }
    const members = await all("ListAccountsForParent", async (NextToken) => {
      const r = await client.send(
        new ListAccountsForParentCommand({ ParentId: parentId, ...page, NextToken }),
        sendOptions,
      );
      return { items: r.Accounts ?? [], next: r.NextToken };
    });
    for (const a of members) {
      if (!a.Id) continue;
      accounts.push({
        accountId: a.Id,
        name: a.Name ?? "",
        email: a.Email ?? "",
        // `State` is the newer field (Status retires in 2026); both carry ACTIVE for an active account.
        status: a.State ?? a.Status ?? "UNKNOWN",
        parentId,
      });
    }
  }
  return {
    organizationId: org.Id,
    managementAccountId: org.MasterAccountId,
    rootId,
    ous,
    accounts,
  };
}

const READ_PERMISSIONS = [
  "organizations:DescribeOrganization",
  "organizations:ListRoots",
  "organizations:ListOrganizationalUnitsForParent",
  "organizations:ListAccountsForParent",
].join(", ");

/** Turns an SDK error into what to fix. */
function explain(operation: string, error: unknown, who: string): Error {
  if (error instanceof AssumeRoleError) return error;
  if (error instanceof Error && error.name === "AbortError") return error;
  const name = error instanceof Error ? error.name : "";
  if (name === "AWSOrganizationsNotInUseException") {
    return new OrganizationReadError(
      `${operation}: ${who} is not in an AWS organization; set organization.roleArn to a role in the management account or the delegated administrator`,
    );
  }
  if (name === "AccessDeniedException") {
    return new OrganizationReadError(
      `${operation} was denied to ${who}: only the management account or a delegated administrator may list the organization, and the role needs ${READ_PERMISSIONS} (organizations:${operation} is the one refused) (${describeError(error)})`,
    );
  }
  return new OrganizationReadError(`${operation} as ${who}: ${describeError(error)}`);
}

/**
 * Reads the organization with the `organization:` section's role (or the bot's own credentials)
 * and selects the accounts it covers.
 */
export async function discoverAccounts(
  settings: OrganizationSettings,
  options: OrganizationReaderOptions = {},
): Promise<AccountSelection> {
  const base = {
    ...(options.endpoint !== undefined ? { endpoint: options.endpoint } : {}),
    ...(options.maxAttempts !== undefined ? { maxAttempts: options.maxAttempts } : {}),
    ...(options.credentials !== undefined ? { credentials: options.credentials } : {}),
    region: ORGANIZATIONS_REGION,
  };
  const toDestroy: { destroy(): void }[] = [];
  try {
    let credentials = base.credentials;
    if (settings.roleArn !== undefined) {
      const sts = new STSClient(base);
      toDestroy.push(sts);
      credentials = assumedRoleProvider(
        sts,
        settings,
        options.signal ? { abortSignal: options.signal } : {},
      );
    }
    const client = new OrganizationsClient({ ...base, ...(credentials ? { credentials } : {}) });
    toDestroy.push(client);
    const tree = await readOrganizationTree(client, {
      pageSize: options.pageSize,
      signal: options.signal,
      who: settings.roleArn ?? "the bot's own credentials",
    });
    return selectAccounts(tree, settings);
  } finally {
    for (const c of toDestroy) c.destroy();
  }
}
