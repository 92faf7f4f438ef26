/**
 * How a command reaches AWS: a reader or client per account (the ports of ./account.ts), and the
 * organization's accounts. The process wires the AWS SDK's (fleet/cli.ts `processDeps`, loaded on
 * first use); the tests wire fakes. Types only.
 */
import type { OrganizationSettings, Target } from "../settings/schema";
import type { AccountReader, ArchiveRuleClient, FindingsAccountReader } from "./account";
import type { AccountSelection } from "./organization";

/** What every port takes besides its target: a signal that aborts every call in flight. */
export interface PortOptions {
  readonly signal?: AbortSignal;
}

/** What the organization reader takes besides its settings. */
export interface DiscoveryOptions extends PortOptions {
  /**
   * The partition the organization is in (./partition.ts `fleetPartition`): Organizations is
   * called in that partition's region. Absent: `aws`.
   */
  readonly partition?: string;
}

export interface AwsPorts {
  /**
   * Reads the organization's accounts (fleet files with `organization:`). Rejects with
   * `OrganizationThrottledError` when Organizations throttles a call through every retry,
   * `OrganizationReadError` or `OrganizationScopeError` when the file or the role must change.
   */
  readonly discoverAccounts?: (
    settings: OrganizationSettings,
    options: DiscoveryOptions,
  ) => Promise<AccountSelection>;
  /** `audit` and the read before the engine: one account's reader. */
  readonly createAccountReader?: (target: Target, options: PortOptions) => AccountReader;
  /** `findings`: one account's reader, with the findings calls. */
  readonly createFindingsReader?: (target: Target, options: PortOptions) => FindingsAccountReader;
  /** `up`: one account's archive-rule client, through the fleet file's role. */
  readonly createArchiveRuleClient?: (target: Target, options: PortOptions) => ArchiveRuleClient;
}
