import * as crypto from "crypto";
import { AwsError } from "./errors";
import type { Partition } from "./regions";

/**
 * AWS Organizations as fake-aws models it: one organization (the one the fleet runs in), its root,
 * nested OUs, member accounts with their status, trusted access and delegated administrators.
 * Shapes, error codes and reasons come from the Organizations service model
 * (organizations-2016-11-28.service-2.json). Accounts outside the organization are standalone.
 */

/**
 * `AccountState` of the model: an account's place in its life cycle (Organizations User Guide,
 * "Monitor the state of your AWS accounts"). Only ACTIVE accounts can be used.
 */
export const ORG_ACCOUNT_STATES = [
  "PENDING_ACTIVATION",
  "ACTIVE",
  "SUSPENDED",
  "PENDING_CLOSURE",
  "CLOSED",
] as const;
export type OrgAccountStatus = (typeof ORG_ACCOUNT_STATES)[number];

/**
 * The older `Status` (model shape `AccountStatus`: ACTIVE, SUSPENDED, PENDING_CLOSURE), retired on
 * 2026-09-09, that AWS still sends beside `State`. The model says nothing of how the two newer
 * states map; the fake's choice: a CLOSED account (in its post-closure period) reads SUSPENDED,
 * as closed accounts did before `State` existed, and a PENDING_ACTIVATION account carries no
 * `Status` at all, so a reader that relies on `Status` sees an unknown state, never ACTIVE.
 */
export function legacyStatusOf(state: OrgAccountStatus): string | undefined {
  switch (state) {
    case "CLOSED":
      return "SUSPENDED";
    case "PENDING_ACTIVATION":
      return undefined;
    default:
      return state;
  }
}

/**
 * Organizations' request rate, which AWS does not publish (the quotas page gives none; the
 * documentation issue awsdocs/aws-organizations-docs#39 asking for it was closed without a figure).
 * The fake's assumption: one token bucket per organization, shared by every caller and operation,
 * `requestsPerSecond` refilled up to `burst`; a call that finds it empty is answered
 * `TooManyRequestsException` (HTTP 400, as Organizations answers). 200 per second with a burst of
 * 100 lies between what one caller sends one call at a time at 30 ms round trips (about 33 per
 * second, never throttled) and what 16 callers at once send (about 530 per second), so a reader
 * that runs calls concurrently must back off. Tests and the bench set other rates.
 */
export const DEFAULT_ORGANIZATIONS_RATE = { requestsPerSecond: 200, burst: 100 };

/** A token bucket: `take()` is false when it is empty. */
export class TokenBucket {
  private tokens: number;
  private last: number;

  constructor(
    readonly requestsPerSecond: number,
    readonly burst: number,
    private readonly now: () => number = Date.now,
  ) {
    this.tokens = burst;
    this.last = now();
  }

  take(): boolean {
    if (this.requestsPerSecond <= 0) return true;
    const t = this.now();
    this.tokens = Math.min(
      this.burst,
      this.tokens + ((t - this.last) / 1000) * this.requestsPerSecond,
    );
    this.last = t;
    if (this.tokens < 1) return false;
    this.tokens -= 1;
    return true;
  }
}

export const ACCESS_ANALYZER_PRINCIPAL = "access-analyzer.amazonaws.com";

/** Services that accept only one delegated administrator (Access Analyzer does). */
const SINGLE_DELEGATED_ADMIN = new Set([ACCESS_ANALYZER_PRINCIPAL]);

const ROOT_NAME = "Root";

export interface OrgUnit {
  id: string;
  name: string;
  parentId: string;
}

export interface OrgMember {
  accountId: string;
  name: string;
  email: string;
  status: OrgAccountStatus;
  parentId: string;
  joinedMethod: "INVITED" | "CREATED";
  joinedTimestamp: Date;
}

export interface OrgMemberView {
  accountId: string;
  name: string;
  email: string;
  status: OrgAccountStatus;
  parentId: string;
  /** "Root/Prod/EU" */
  ouPath: string;
  joinedTimestamp: string;
}

export interface OrganizationSnapshot {
  id: string;
  arn: string;
  managementAccountId: string;
  rootId: string;
  ous: { id: string; name: string; parentId: string; path: string }[];
  accounts: OrgMemberView[];
  trustedAccess: string[];
  delegatedAdministrators: { accountId: string; servicePrincipal: string }[];
}

/** What a member joins with; everything has a default. */
export interface JoinOptions {
  name?: string;
  email?: string;
  status?: OrgAccountStatus;
  /** An OU id, a root id, or a path under the root ("Prod/EU", "Root/Prod/EU"); default the root. */
  parent?: string;
  joinedMethod?: "INVITED" | "CREATED";
}

/** Lowercase letters and digits derived from a seed, so the same setup gets the same ids. */
function stableLower(seed: string, n: number): string {
  const digest = crypto.createHash("sha256").update(seed).digest();
  const alphabet = "abcdefghijklmnopqrstuvwxyz0123456789";
  let out = "";
  for (let i = 0; i < n; i++) out += alphabet[digest[i % digest.length] % alphabet.length];
  return out;
}

function splitPath(path: string): string[] {
  const parts = path.split("/").filter((p) => p !== "");
  return parts[0] === ROOT_NAME ? parts.slice(1) : parts;
}

export function orgAccessDenied(): AwsError {
  return new AwsError(
    "AccessDeniedException",
    400,
    "You don't have permissions to access this resource.",
  );
}

export class FakeOrganization {
  readonly id: string;
  readonly rootId: string;
  /** The partition of its accounts (the management account's): every member is in it. */
  readonly partition: Partition;
  /** Organizations' request rate for this organization (see `DEFAULT_ORGANIZATIONS_RATE`). */
  rate: TokenBucket = new TokenBucket(
    DEFAULT_ORGANIZATIONS_RATE.requestsPerSecond,
    DEFAULT_ORGANIZATIONS_RATE.burst,
  );
  managementAccountId: string;
  readonly ous = new Map<string, OrgUnit>();
  readonly members = new Map<string, OrgMember>();
  /** Service principal → date enabled. */
  readonly trustedAccess = new Map<string, Date>();
  /** Service principal → account id → date registered. */
  readonly delegatedAdmins = new Map<string, Map<string, Date>>();

  constructor(managementAccountId: string, id?: string, partition: Partition = "aws") {
    if (id !== undefined && !/^o-[a-z0-9]{10,32}$/.test(id)) {
      throw new Error(`organization id '${id}' must match o-[a-z0-9]{10,32}`);
    }
    this.partition = partition;
    this.managementAccountId = managementAccountId;
    this.id = id ?? `o-${stableLower(`org/${managementAccountId}`, 10)}`;
    this.rootId = `r-${stableLower(`${this.id}/root`, 4)}`;
  }

  get arn(): string {
    return `arn:${this.partition}:organizations::${this.managementAccountId}:organization/${this.id}`;
  }

  get rootArn(): string {
    return `arn:${this.partition}:organizations::${this.managementAccountId}:root/${this.id}/${this.rootId}`;
  }

  accountArn(accountId: string): string {
    return `arn:${this.partition}:organizations::${this.managementAccountId}:account/${this.id}/${accountId}`;
  }

  ouArn(ouId: string): string {
    return `arn:${this.partition}:organizations::${this.managementAccountId}:ou/${this.id}/${ouId}`;
  }

  // ---- who may do what ---------------------------------------------------------------------

  isDelegatedAdmin(accountId: string, servicePrincipal?: string): boolean {
    if (servicePrincipal !== undefined) {
      return this.delegatedAdmins.get(servicePrincipal)?.has(accountId) ?? false;
    }
    return [...this.delegatedAdmins.values()].some((m) => m.has(accountId));
  }

  /**
   * Read and list calls: "You can only call this operation from the management account or a member
   * account that is a delegated administrator" (Organizations API reference); registering a
   * delegated administrator "grants read-only access to Organizations service data", for any service.
   */
  requireReader(accountId: string): void {
    if (accountId !== this.managementAccountId && !this.isDelegatedAdmin(accountId)) {
      throw orgAccessDenied();
    }
  }

  /** "You can only call this operation from the management account." */
  requireManagement(accountId: string): void {
    if (accountId !== this.managementAccountId) throw orgAccessDenied();
  }

  // ---- tree ---------------------------------------------------------------------------------

  hasParent(id: string): boolean {
    return id === this.rootId || this.ous.has(id);
  }

  /** OUs directly under a parent, in creation order. */
  childOus(parentId: string): OrgUnit[] {
    return [...this.ous.values()].filter((o) => o.parentId === parentId);
  }

  childAccounts(parentId: string): OrgMember[] {
    return [...this.members.values()].filter((m) => m.parentId === parentId);
  }

  /** "Root/Prod/EU" for an OU or root id. */
  pathOf(parentId: string): string {
    const names: string[] = [];
    let id = parentId;
    while (id !== this.rootId) {
      const ou = this.ous.get(id);
      if (!ou) throw new Error(`unknown OU ${parentId}`);
      names.unshift(ou.name);
      id = ou.parentId;
    }
    return [ROOT_NAME, ...names].join("/");
  }

  /** The Organizations `Path` of an OU: `o-…/r-…/ou-…/…/`. */
  idPathOf(parentId: string): string {
    const ids: string[] = [];
    let id = parentId;
    while (id !== this.rootId) {
      ids.unshift(id);
      id = this.ous.get(id)!.parentId;
    }
    return `${[this.id, this.rootId, ...ids].join("/")}/`;
  }

  /** Creates an OU under a parent (the same name twice under one parent is refused, as AWS does). */
  createOu(parentId: string, name: string): OrgUnit {
    if (!this.hasParent(parentId)) throw new Error(`unknown parent ${parentId}`);
    if (name.length < 1 || name.length > 128) throw new Error("an OU name is 1-128 characters");
    if (this.childOus(parentId).some((o) => o.name === name)) {
      throw new AwsError(
        "DuplicateOrganizationalUnitException",
        400,
        "An OU with the same name already exists.",
      );
    }
    const rootPart = this.rootId.slice(2);
    const id = `ou-${rootPart}-${stableLower(`${this.id}/${parentId}/${name}`, 8)}`;
    const ou = { id, name, parentId };
    this.ous.set(id, ou);
    return ou;
  }

  /** An OU/root id, or a path ("Prod/EU", "Root/Prod/EU"); with `create`, missing OUs are made. */
  resolveParent(ref: string, create = false): string {
    if (this.hasParent(ref)) return ref;
    if (/^(r-|ou-)/.test(ref)) throw new Error(`unknown OU or root ${ref}`);
    let id = this.rootId;
    for (const name of splitPath(ref)) {
      const next = this.childOus(id).find((o) => o.name === name);
      if (next) id = next.id;
      else if (create) id = this.createOu(id, name).id;
      else throw new Error(`no OU at path ${ref}`);
    }
    return id;
  }

  // ---- accounts ------------------------------------------------------------------------------

  /** Adds (or updates) a member account. */
  join(accountId: string, options: JoinOptions = {}): OrgMember {
    const existing = this.members.get(accountId);
    const name = options.name ?? existing?.name ?? `account-${accountId}`;
    const member: OrgMember = {
      accountId,
      name,
      email: options.email ?? existing?.email ?? `aws+${accountId}@example.com`,
      status: options.status ?? existing?.status ?? "ACTIVE",
      parentId:
        options.parent !== undefined
          ? this.resolveParent(options.parent, true)
          : (existing?.parentId ?? this.rootId),
      joinedMethod: options.joinedMethod ?? existing?.joinedMethod ?? "CREATED",
      joinedTimestamp: existing?.joinedTimestamp ?? new Date(),
    };
    this.members.set(accountId, member);
    return member;
  }

  requireMember(accountId: string): OrgMember {
    const m = this.members.get(accountId);
    if (!m) throw new Error(`account ${accountId} is not in organization ${this.id}`);
    return m;
  }

  move(accountId: string, parent: string): OrgMember {
    const m = this.requireMember(accountId);
    m.parentId = this.resolveParent(parent);
    return m;
  }

  setStatus(accountId: string, status: OrgAccountStatus): OrgMember {
    if (!ORG_ACCOUNT_STATES.includes(status)) {
      throw new Error(`status must be one of ${ORG_ACCOUNT_STATES.join(", ")}`);
    }
    const m = this.requireMember(accountId);
    m.status = status;
    return m;
  }

  /** The account leaves (RemoveAccountFromOrganization / LeaveOrganization). */
  remove(accountId: string): void {
    if (accountId === this.managementAccountId) {
      throw new Error("the management account cannot leave its organization");
    }
    this.requireMember(accountId);
    if (this.isDelegatedAdmin(accountId)) {
      throw new AwsError(
        "ConstraintViolationException",
        400,
        "The account is a delegated administrator; deregister it first.",
        { Reason: "CANNOT_REMOVE_DELEGATED_ADMINISTRATOR_FROM_ORG" },
      );
    }
    this.members.delete(accountId);
  }

  isActive(accountId: string): boolean {
    const m = this.members.get(accountId);
    return m === undefined || m.status === "ACTIVE";
  }

  // ---- trusted access and delegated administrators ------------------------------------------

  enableServiceAccess(servicePrincipal: string): void {
    if (!this.trustedAccess.has(servicePrincipal))
      this.trustedAccess.set(servicePrincipal, new Date());
  }

  disableServiceAccess(servicePrincipal: string): void {
    this.trustedAccess.delete(servicePrincipal);
  }

  /** RegisterDelegatedAdministrator's checks, in the model's terms. */
  register(accountId: string, servicePrincipal: string): void {
    const member = this.members.get(accountId);
    if (!member) {
      throw new AwsError(
        "AccountNotFoundException",
        400,
        "You specified an account that doesn't exist.",
      );
    }
    const violation = (reason: string, message: string): AwsError =>
      new AwsError("ConstraintViolationException", 400, message, { Reason: reason });
    if (accountId === this.managementAccountId) {
      throw violation(
        "CANNOT_REGISTER_MASTER_AS_DELEGATED_ADMINISTRATOR",
        "You cannot register the management account of the organization as a delegated administrator.",
      );
    }
    if (member.status !== "ACTIVE") {
      throw violation(
        "CANNOT_REGISTER_SUSPENDED_ACCOUNT_AS_DELEGATED_ADMINISTRATOR",
        "You cannot register a suspended account as a delegated administrator.",
      );
    }
    if (!this.trustedAccess.has(servicePrincipal)) {
      throw violation(
        "SERVICE_ACCESS_NOT_ENABLED",
        `You attempted to register a delegated administrator before you enabled service access for ${servicePrincipal}. Call the EnableAWSServiceAccess API first.`,
      );
    }
    const admins = this.delegatedAdmins.get(servicePrincipal) ?? new Map<string, Date>();
    if (admins.has(accountId)) {
      throw new AwsError(
        "AccountAlreadyRegisteredException",
        400,
        `The provided account is already a delegated administrator for ${servicePrincipal}.`,
      );
    }
    if (SINGLE_DELEGATED_ADMIN.has(servicePrincipal) && admins.size > 0) {
      throw violation(
        "DELEGATED_ADMINISTRATOR_EXISTS_FOR_THIS_SERVICE",
        `${servicePrincipal} already has a delegated administrator; deregister it first.`,
      );
    }
    admins.set(accountId, new Date());
    this.delegatedAdmins.set(servicePrincipal, admins);
  }

  deregister(accountId: string, servicePrincipal: string): void {
    if (!this.members.has(accountId)) {
      throw new AwsError(
        "AccountNotFoundException",
        400,
        "You specified an account that doesn't exist.",
      );
    }
    const admins = this.delegatedAdmins.get(servicePrincipal);
    if (!admins?.has(accountId)) {
      throw new AwsError(
        "AccountNotRegisteredException",
        400,
        `The provided account is not a registered delegated administrator for ${servicePrincipal}.`,
      );
    }
    admins.delete(accountId);
    if (admins.size === 0) this.delegatedAdmins.delete(servicePrincipal);
  }

  memberView(m: OrgMember): OrgMemberView {
    return {
      accountId: m.accountId,
      name: m.name,
      email: m.email,
      status: m.status,
      parentId: m.parentId,
      ouPath: this.pathOf(m.parentId),
      joinedTimestamp: m.joinedTimestamp.toISOString(),
    };
  }

  snapshot(): OrganizationSnapshot {
    return {
      id: this.id,
      arn: this.arn,
      managementAccountId: this.managementAccountId,
      rootId: this.rootId,
      ous: [...this.ous.values()].map((o) => ({ ...o, path: this.pathOf(o.id) })),
      accounts: [...this.members.values()].map((m) => this.memberView(m)),
      trustedAccess: [...this.trustedAccess.keys()].sort(),
      delegatedAdministrators: [...this.delegatedAdmins.entries()].flatMap(([sp, m]) =>
        [...m.keys()].map((accountId) => ({ accountId, servicePrincipal: sp })),
      ),
    };
  }
}
