/**
 * The fleet as the bot works with it once the fleet file is read: one target per account, with the
 * defaults applied. Types only.
 */
import type { z } from "zod";
import type { ConfigKey } from "../../program/contract";
import { type FleetDefaults, type OrganizationSettings, type fleetSettings } from "./schema";

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
  /** With `organization:`: the `defaults` every discovered account gets. */
  readonly defaults?: FleetDefaults;
}
