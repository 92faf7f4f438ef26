/**
 * Reads AWS Organizations (`@aws-sdk/client-organizations`): the organization's tree (roots, OUs,
 * accounts, every page), with the `organization:` section's role or the bot's own credentials, then
 * selects the accounts the section covers (fleet/domain/organization.ts). Read-only.
 */
import {
  DescribeOrganizationCommand,
  ListAccountsForParentCommand,
  ListOrganizationalUnitsForParentCommand,
  ListRootsCommand,
  OrganizationsClient,
} from "@aws-sdk/client-organizations";
import { STSClient } from "@aws-sdk/client-sts";
import { describeError } from "../domain/errors";
import {
  type AccountSelection,
  OrganizationReadError,
  type OrganizationTree,
  selectAccounts,
} from "../domain/organization";
import { type OrganizationSettings } from "../settings/schema";
import {
  AssumeRoleError,
  type AwsCredentialIdentity,
  type AwsCredentialIdentityProvider,
  assumedRoleProvider,
} from "./credentials";

/** Organizations is global: its endpoint is signed for us-east-1 (aws partition). */
export const ORGANIZATIONS_REGION = "us-east-1";

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
