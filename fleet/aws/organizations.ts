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
import { describeError, isEnvironmentError } from "../domain/errors";
import {
  type AccountSelection,
  OrganizationReadError,
  OrganizationThrottledError,
  type OrganizationTree,
  selectAccounts,
} from "../domain/organization";
import { DEFAULT_PARTITION, organizationsRegion } from "../domain/partition";
import { type OrganizationSettings } from "../settings/schema";
import {
  AssumeRoleError,
  type AwsCredentialIdentity,
  type AwsCredentialIdentityProvider,
  assumedRoleProvider,
} from "./credentials";
import {
  DEFAULT_PACING,
  Pacer,
  type PacerStats,
  type PacingPolicy,
  ThrottledError,
} from "./pacing";

// ---- the reader (AWS SDK) -------------------------------------------------------------------

export interface OrganizationReaderOptions {
  /** The bot's own credentials; absent: the SDK's default chain. */
  readonly credentials?: AwsCredentialIdentity | AwsCredentialIdentityProvider;
  /** Endpoint for the clients (tests). Absent: the SDK's own (honours AWS_ENDPOINT_URL). */
  readonly endpoint?: string;
  /**
   * The partition the organization is in (`aws`, `aws-us-gov`, `aws-cn`): Organizations and STS
   * are called in its Organizations region (fleet/domain/partition.ts). Default `aws`.
   */
  readonly partition?: string;
  /** MaxResults per page (1-20; Organizations' default otherwise). */
  readonly pageSize?: number;
  /** How the calls are paced (default `DEFAULT_PACING`: 8 at once, backing off when throttled). */
  readonly pacing?: Partial<PacingPolicy>;
  readonly signal?: AbortSignal;
}

/** What `readOrganizationTree` takes besides the client. */
export interface TreeReadOptions {
  readonly pageSize?: number;
  readonly signal?: AbortSignal;
  /** Who reads, for messages: the role ARN or "the bot's own credentials". */
  readonly who: string;
  readonly pacing?: Partial<PacingPolicy>;
  /** Tests: the pauses between retries, and their jitter. */
  readonly sleep?: (ms: number, signal?: AbortSignal) => Promise<void>;
  readonly random?: () => number;
  /** Receives the pacer's counts when the read ends (the bench reports them). */
  readonly onStats?: (stats: PacerStats) => void;
}

type OuItem = { id: string; name: string };
type AccountItem = { accountId: string; name: string; email: string; status: string };

/**
 * Reads the organization's whole tree: DescribeOrganization, ListRoots, then per parent (root and
 * every OU, found as the walk goes) ListOrganizationalUnitsForParent and ListAccountsForParent,
 * every page. The listings of different parents run at once, within the pacer's bound (8 calls in
 * flight, halved whenever Organizations throttles); the pages of one listing follow each other.
 * A call throttled through every retry fails the read with `OrganizationThrottledError`; any other
 * failure stops the calls not yet sent and fails it with what to fix. The tree lists OUs and
 * accounts in the order a walk one parent at a time would (breadth first), whatever the timing.
 */
export async function readOrganizationTree(
  client: Pick<OrganizationsClient, "send">,
  options: TreeReadOptions,
): Promise<OrganizationTree> {
  // The first failure stops every call not yet sent; the caller's abort stops them all.
  const stop = new AbortController();
  const signal = options.signal ? AbortSignal.any([options.signal, stop.signal]) : stop.signal;
  const sendOptions = { abortSignal: signal };
  const page = options.pageSize !== undefined ? { MaxResults: options.pageSize } : {};
  const pacer = new Pacer(
    { ...DEFAULT_PACING, ...options.pacing },
    {
      signal,
      ...(options.sleep ? { sleep: options.sleep } : {}),
      ...(options.random ? { random: options.random } : {}),
    },
  );
  const call = async <T>(operation: string, run: () => Promise<T>): Promise<T> => {
    try {
      return await pacer.run(run);
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

  try {
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

    const childOus = new Map<string, OuItem[]>();
    const childAccounts = new Map<string, AccountItem[]>();
    const work = new WorkSet(() => stop.abort());
    const visit = (parentId: string): void => {
      work.add(async () => {
        const children = await all("ListOrganizationalUnitsForParent", async (NextToken) => {
          const r = await client.send(
            new ListOrganizationalUnitsForParentCommand({ ParentId: parentId, ...page, NextToken }),
            sendOptions,
          );
          return { items: r.OrganizationalUnits ?? [], next: r.NextToken };
        });
        const ous = children.flatMap((ou) =>
          ou.Id ? [{ id: ou.Id, name: ou.Name ?? ou.Id }] : [],
        );
        childOus.set(parentId, ous);
        for (const ou of ous) visit(ou.id);
      });
      work.add(async () => {
        const members = await all("ListAccountsForParent", async (NextToken) => {
          const r = await client.send(
            new ListAccountsForParentCommand({ ParentId: parentId, ...page, NextToken }),
            sendOptions,
          );
          return { items: r.Accounts ?? [], next: r.NextToken };
        });
        childAccounts.set(
          parentId,
          members.flatMap((a) =>
            a.Id
              ? [
                  {
                    accountId: a.Id,
                    name: a.Name ?? "",
                    email: a.Email ?? "",
                    // `State` is the newer field (five states); `Status` retires on 2026-09-09.
                    status: a.State ?? a.Status ?? "UNKNOWN",
                  },
                ]
              : [],
          ),
        );
      });
    };
    visit(rootId);
    await work.done();

    // Breadth first from the root, as a walk one parent at a time finds them.
    const ous: { id: string; name: string; parentId: string }[] = [];
    const accounts: OrganizationTree["accounts"][number][] = [];
    const queue = [rootId];
    for (let i = 0; i < queue.length; i++) {
      const parentId = queue[i];
      for (const ou of childOus.get(parentId) ?? []) {
        ous.push({ ...ou, parentId });
        queue.push(ou.id);
      }
      for (const a of childAccounts.get(parentId) ?? []) accounts.push({ ...a, parentId });
    }
    return {
      organizationId: org.Id,
      managementAccountId: org.MasterAccountId,
      rootId,
      ous,
      accounts,
    };
  } finally {
    options.onStats?.({ ...pacer.stats });
  }
}

/**
 * Tasks that may add more tasks as they run; `done()` settles when every one has, or rejects with
 * the first failure (after `onFailure`, which stops the rest).
 */
class WorkSet {
  private running = 0;
  private failure: { error: unknown } | undefined;
  private settle: { resolve: () => void; reject: (e: unknown) => void } | undefined;

  constructor(private readonly onFailure: () => void) {}

  add(task: () => Promise<void>): void {
    if (this.failure) return;
    this.running++;
    task().then(
      () => this.finish(),
      (error: unknown) => {
        if (!this.failure) {
          this.failure = { error };
          this.onFailure();
        }
        this.finish();
      },
    );
  }

  done(): Promise<void> {
    return new Promise((resolve, reject) => {
      this.settle = { resolve, reject };
      if (this.running === 0) this.finish(true);
    });
  }

  private finish(check = false): void {
    if (!check) this.running--;
    if (this.running > 0 || !this.settle) return;
    if (this.failure) this.settle.reject(this.failure.error);
    else this.settle.resolve();
  }
}

const READ_PERMISSIONS = [
  "organizations:DescribeOrganization",
  "organizations:ListRoots",
  "organizations:ListOrganizationalUnitsForParent",
  "organizations:ListAccountsForParent",
].join(", ");

/** Turns an SDK error into what to fix. */
function explain(operation: string, error: unknown, who: string): Error {
  if (error instanceof AssumeRoleError) {
    // The organization's role could not be assumed: the fleet file's (a role that does not exist,
    // does not trust the bot, a wrong external id) unless STS itself failed (throttling, 5xx).
    return new OrganizationReadError(
      `organization.roleArn: ${error.message}; use a role that exists in the management account ` +
        `(or the Organizations delegated administrator), trusts the bot's identity, and, with ` +
        `organization.externalId, requires that id`,
      { environment: isEnvironmentError(error.cause) },
    );
  }
  if (error instanceof Error && error.name === "AbortError") return error;
  if (error instanceof ThrottledError) {
    return new OrganizationThrottledError(operation, error.attempts, error.waitedMs, who);
  }
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
  return new OrganizationReadError(`${operation} as ${who}: ${describeError(error)}`, {
    environment: isEnvironmentError(error),
  });
}

/**
 * Reads the organization with the `organization:` section's role (or the bot's own credentials)
 * and selects the accounts it covers.
 */
export async function discoverAccounts(
  settings: OrganizationSettings,
  options: OrganizationReaderOptions = {},
): Promise<AccountSelection> {
  // Organizations answers in one region per partition; STS is called there too (a regional
  // endpoint, which every partition but the commercial one requires).
  const region = organizationsRegion(options.partition ?? DEFAULT_PARTITION);
  const base = {
    ...(options.endpoint !== undefined ? { endpoint: options.endpoint } : {}),
    ...(options.credentials !== undefined ? { credentials: options.credentials } : {}),
    region,
  };
  const toDestroy: { destroy(): void }[] = [];
  try {
    let credentials = base.credentials;
    if (settings.roleArn !== undefined) {
      const sts = new STSClient({ ...base, useGlobalEndpoint: false });
      toDestroy.push(sts);
      credentials = assumedRoleProvider(
        sts,
        settings,
        options.signal ? { abortSignal: options.signal } : {},
      );
    }
    // One try per call: the pacer retries, and sees every throttle (fleet/aws/pacing.ts).
    const client = new OrganizationsClient({
      ...base,
      ...(credentials ? { credentials } : {}),
      maxAttempts: 1,
    });
    toDestroy.push(client);
    const tree = await readOrganizationTree(client, {
      who: settings.roleArn ?? "the bot's own credentials",
      ...(options.pageSize !== undefined ? { pageSize: options.pageSize } : {}),
      ...(options.signal ? { signal: options.signal } : {}),
      ...(options.pacing ? { pacing: options.pacing } : {}),
    });
    return selectAccounts(tree, settings);
  } finally {
    for (const c of toDestroy) c.destroy();
  }
}
