import * as crypto from "crypto";
import {
  accountConfigSchema,
  analyzerSeedSchema,
  type AccountConfig,
  type ParsedAccountConfig,
  type ParsedFakeAwsConfig,
} from "./config";
import { AwsError, aaNotFound, aaValidation, defaultThrottle, type ServiceName } from "./errors";
import {
  ALWAYS_ALLOWED,
  evaluate,
  type AuthorizationRequest,
  type Decision,
  type PolicyDocument,
} from "./iam";
import {
  PARTITION_INFO,
  isOptInRegion,
  partitionOfRegion,
  type OptInStatus,
  type Partition,
} from "./regions";
import {
  ACCESS_ANALYZER_PRINCIPAL,
  DEFAULT_ORGANIZATIONS_RATE,
  FakeOrganization,
  TokenBucket,
  type JoinOptions,
  type OrganizationSnapshot,
} from "./orgState";

export const ANALYZER_TYPES = [
  "ACCOUNT",
  "ORGANIZATION",
  "ACCOUNT_UNUSED_ACCESS",
  "ORGANIZATION_UNUSED_ACCESS",
  "ACCOUNT_INTERNAL_ACCESS",
  "ORGANIZATION_INTERNAL_ACCESS",
] as const;
export type AnalyzerType = (typeof ANALYZER_TYPES)[number];

/** Archive rule names (the model's `Name` shape): letter first. */
export const NAME_PATTERN = /^[A-Za-z][A-Za-z0-9_.-]*$/;
/** Analyzer names (the model's `AnalyzerName` shape): a letter or `_` first, as AWS accepts. */
export const ANALYZER_NAME_PATTERN = /^[A-Za-z_][A-Za-z0-9_.-]*$/;
export const MAX_ARCHIVE_RULES = 100;
export const ANALYZER_RESOURCE_TYPE = "AWS::AccessAnalyzer::Analyzer";
export const ARCHIVE_RULE_RESOURCE_TYPE = "AWS::AccessAnalyzer::ArchiveRule";

/** Per account, per region, per type (IAM User Guide, access-analyzer-quotas). */
export const ANALYZER_QUOTAS: Record<AnalyzerType, number> = {
  ACCOUNT: 1,
  ACCOUNT_UNUSED_ACCESS: 1,
  ACCOUNT_INTERNAL_ACCESS: 1,
  ORGANIZATION: 5,
  ORGANIZATION_UNUSED_ACCESS: 5,
  ORGANIZATION_INTERNAL_ACCESS: 1,
};

export type OrgRole = ParsedAccountConfig["orgRole"];

export interface Criterion {
  eq?: string[];
  neq?: string[];
  contains?: string[];
  exists?: boolean;
}
export type FilterCriteria = Record<string, Criterion>;

export interface ArchiveRule {
  ruleName: string;
  filter: FilterCriteria;
  createdAt: string;
  updatedAt: string;
}

export type FindingStatus = "ACTIVE" | "ARCHIVED" | "RESOLVED";

/** `FindingDetails` of GetFindingV2 for an unused-access finding (the model's union members). */
export interface UnusedAccessDetails {
  /** When the role, key or password was last used (ISO time); absent means never. */
  lastAccessed?: string;
  /** UnusedPermission: the service namespace and its unused actions. */
  serviceNamespace?: string;
  actions?: { action: string; lastAccessed?: string }[];
  /** UnusedIAMUserAccessKey: the key. */
  accessKeyId?: string;
}

export interface Finding {
  id: string;
  resourceType: string;
  resource?: string;
  resourceOwnerAccount: string;
  principal?: Record<string, string>;
  action?: string[];
  condition: Record<string, string>;
  isPublic?: boolean;
  status: FindingStatus;
  findingType: string;
  /** Unused-access details (GetFindingV2 `findingDetails`). */
  unusedAccess?: UnusedAccessDetails;
  error?: string;
  createdAt: string;
  analyzedAt: string;
  updatedAt: string;
}

/** What a test passes to add a finding; everything but `resourceType` has a default. */
export interface FindingInput {
  id?: string;
  resourceType: string;
  resource?: string;
  resourceOwnerAccount?: string;
  principal?: Record<string, string>;
  action?: string[];
  condition?: Record<string, string>;
  isPublic?: boolean;
  status?: FindingStatus;
  findingType?: string;
  unusedAccess?: UnusedAccessDetails;
  error?: string;
}

export interface AnalyzerConfiguration {
  unusedAccess?: {
    unusedAccessAge?: number;
    analysisRule?: {
      exclusions?: { accountIds?: string[]; resourceTags?: Record<string, string>[] }[];
    };
  };
  internalAccess?: { analysisRule?: { inclusions?: unknown[] } };
}

export interface Analyzer {
  accountId: string;
  region: string;
  arn: string;
  name: string;
  type: AnalyzerType;
  status: "ACTIVE" | "CREATING" | "DISABLED" | "FAILED";
  /** While CREATING: when (epoch ms) the analyzer becomes ACTIVE. */
  activeAt?: number;
  createdAt: string;
  tags: Record<string, string>;
  configuration?: AnalyzerConfiguration;
  archiveRules: Map<string, ArchiveRule>;
  findings: Finding[];
  clientToken?: string;
}

export interface CreateAnalyzerInput {
  analyzerName?: string;
  type?: string;
  tags?: Record<string, string>;
  archiveRules?: { ruleName?: string; filter?: FilterCriteria }[];
  configuration?: AnalyzerConfiguration;
  clientToken?: string;
}

export interface Principal {
  accountId: string;
  arn: string;
  userId: string;
  kind: "root" | "user" | "assumed-role";
}

export interface CredentialRecord {
  accessKeyId: string;
  secretAccessKey: string;
  sessionToken?: string;
  expiration?: Date;
  principal: Principal;
}

export interface RoleState {
  accountId: string;
  name: string;
  path: string;
  arn: string;
  roleId: string;
  trustedAccountIds: string[];
  externalId?: string;
  maxSessionDuration: number;
  /** Identity policies; undefined means the role may do anything. */
  policies?: PolicyDocument[];
}

export interface AccountState {
  id: string;
  name?: string;
  /** The partition the account lives in; its credentials work in that partition's regions only. */
  partition: Partition;
  optedInRegions: Set<string>;
  roles: Map<string, RoleState>;
}

/**
 * A fault: the next `count` matching calls fail with this error (default: the service's throttling
 * error, e.g. Access Analyzer `ThrottlingException` 429). Unset matchers match everything.
 */
export interface FaultRule {
  service?: ServiceName;
  operation?: string;
  accountId?: string;
  region?: string;
  count: number;
  errorCode?: string;
  httpStatus?: number;
  message?: string;
  /**
   * Fail each matching call with this chance (0–1) instead of every one, e.g. 0.3 for throttling
   * on 30% of calls; only failed calls use up `count`. Default 1.
   */
  probability?: number;
  /**
   * The call takes effect first and the error is returned after (AWS created the analyzer, then
   * answered 500): what a client that never saw the answer must recover from. Default false.
   */
  afterEffect?: boolean;
}

/** Extra delay before matching calls are answered. */
export interface LatencyRule {
  service?: ServiceName;
  operation?: string;
  accountId?: string;
  region?: string;
  ms: number;
}

export interface CallRecord {
  time: string;
  service: ServiceName | "unknown";
  operation: string;
  accountId?: string;
  region?: string;
  principalArn?: string;
  httpStatus: number;
  errorCode?: string;
}

export interface FakeAwsSettings {
  /**
   * How long a new analyzer stays CREATING before it is ACTIVE (AWS takes seconds to minutes).
   * Default 0: ACTIVE at once, so programs that do not wait (the stand-in plugin) see it ACTIVE.
   */
  analyzerActivationMs: number;
  /**
   * Organizations' request rate per organization (orgState.ts `DEFAULT_ORGANIZATIONS_RATE`:
   * 200 per second, burst 100); `requestsPerSecond: 0` turns the throttle off.
   */
  organizationsRate: { requestsPerSecond: number; burst: number };
}

export interface CallMatch {
  service: ServiceName;
  operation: string;
  accountId?: string;
  region?: string;
}

const MAX_CALL_LOG = 20000;

function now(): string {
  return new Date().toISOString();
}

function randomChars(n: number, alphabet = "ABCDEFGHIJKLMNOPQRSTUVWXYZ234567"): string {
  const bytes = crypto.randomBytes(n);
  let out = "";
  for (let i = 0; i < n; i++) out += alphabet[bytes[i] % alphabet.length];
  return out;
}

function matches(
  rule: { service?: string; operation?: string; accountId?: string; region?: string },
  call: CallMatch,
): boolean {
  return (
    (rule.service === undefined || rule.service === call.service) &&
    (rule.operation === undefined || rule.operation === "*" || rule.operation === call.operation) &&
    (rule.accountId === undefined || rule.accountId === call.accountId) &&
    (rule.region === undefined || rule.region === call.region)
  );
}

function isAccountLevel(type: AnalyzerType): boolean {
  return type.startsWith("ACCOUNT");
}

function isUnusedAccess(type: AnalyzerType): boolean {
  return type.endsWith("_UNUSED_ACCESS");
}

function isInternalAccess(type: AnalyzerType): boolean {
  return type.endsWith("_INTERNAL_ACCESS");
}

/** External-access analyzers (the ones `ListFindings` serves). */
export function isExternalAccess(type: AnalyzerType): boolean {
  return type === "ACCOUNT" || type === "ORGANIZATION";
}

function defaultFindingType(type: AnalyzerType): string {
  if (isUnusedAccess(type)) return "UnusedIAMRole";
  if (isInternalAccess(type)) return "InternalAccess";
  return "ExternalAccess";
}

/** Values of a finding attribute named by a filter criteria key (undefined = attribute absent). */
function findingValues(finding: Finding, key: string): string[] | undefined {
  if (key.startsWith("principal.")) {
    const v = finding.principal?.[key.slice("principal.".length)];
    return v === undefined ? undefined : [v];
  }
  if (key.startsWith("condition.")) {
    const v = finding.condition[key.slice("condition.".length)];
    return v === undefined ? undefined : [v];
  }
  switch (key) {
    case "isPublic":
      return finding.isPublic === undefined ? undefined : [String(finding.isPublic)];
    case "action":
      return finding.action;
    case "id":
    case "resourceType":
    case "resource":
    case "resourceOwnerAccount":
    case "status":
    case "error":
    case "findingType": {
      const v = finding[key];
      return v === undefined ? undefined : [v];
    }
    default:
      return undefined;
  }
}

/** Access Analyzer filter semantics: every criterion must hold; eq = any of, neq = none of. */
export function findingMatches(finding: Finding, filter: FilterCriteria): boolean {
  for (const [key, criterion] of Object.entries(filter)) {
    const values = findingValues(finding, key);
    if (criterion.exists !== undefined && criterion.exists !== (values !== undefined)) return false;
    if (criterion.eq && !(values ?? []).some((v) => criterion.eq!.includes(v))) return false;
    if (criterion.neq && (values ?? []).some((v) => criterion.neq!.includes(v))) return false;
    if (
      criterion.contains &&
      !(values ?? []).some((v) => criterion.contains!.some((c) => v.includes(c)))
    )
      return false;
  }
  return true;
}

export function validateName(
  field: string,
  name: unknown,
  pattern: { re: RegExp; text: string } = {
    re: NAME_PATTERN,
    text: "[A-Za-z][A-Za-z0-9_.-]*",
  },
): string {
  if (typeof name !== "string" || name.length === 0) {
    throw aaValidation(field, "Member must have length greater than or equal to 1", name);
  }
  if (name.length > 255) {
    throw aaValidation(field, "Member must have length less than or equal to 255", name);
  }
  if (!pattern.re.test(name)) {
    throw aaValidation(
      field,
      `Member must satisfy regular expression pattern: ${pattern.text}`,
      name,
    );
  }
  return name;
}

export function validateFilter(field: string, filter: unknown): FilterCriteria {
  if (filter === null || typeof filter !== "object" || Array.isArray(filter)) {
    throw aaValidation(field, "Member must not be null", filter);
  }
  const out: FilterCriteria = {};
  for (const [key, raw] of Object.entries(filter as Record<string, unknown>)) {
    const c = (raw ?? {}) as Criterion;
    const ops = (["eq", "neq", "contains"] as const).filter((op) => c[op] !== undefined);
    if (ops.length === 0 && c.exists === undefined) {
      throw aaValidation(`${field}.${key}`, "Criterion must specify eq, neq, contains or exists");
    }
    for (const op of ops) {
      const list = c[op];
      if (!Array.isArray(list) || list.length < 1 || list.length > 20) {
        throw aaValidation(
          `${field}.${key}.${op}`,
          "Member must have length less than or equal to 20 and greater than or equal to 1",
        );
      }
    }
    out[key] = { ...c };
  }
  return out;
}

export function validateTags(tags: unknown): Record<string, string> {
  if (tags === undefined || tags === null) return {};
  if (typeof tags !== "object" || Array.isArray(tags))
    throw aaValidation("tags", "Member must be a map");
  const entries = Object.entries(tags as Record<string, unknown>);
  if (entries.length > 50) {
    throw aaValidation("tags", "Member must have length less than or equal to 50");
  }
  for (const [k, v] of entries) {
    if (k.length < 1 || k.length > 128) {
      throw aaValidation("tags", "Map keys must have length between 1 and 128", k);
    }
    if (k.toLowerCase().startsWith("aws:")) {
      throw new AwsError("ValidationException", 400, `Tag keys starting with 'aws:' are reserved`, {
        reason: "fieldValidationFailed",
      });
    }
    if (typeof v !== "string" || v.length > 256) {
      throw aaValidation("tags", "Map values must have length less than or equal to 256", v);
    }
  }
  return Object.fromEntries(entries) as Record<string, string>;
}

function validateConfiguration(
  type: AnalyzerType,
  configuration: AnalyzerConfiguration | undefined,
): AnalyzerConfiguration | undefined {
  if (configuration?.unusedAccess && !isUnusedAccess(type)) {
    throw new AwsError(
      "ValidationException",
      400,
      `Unused access configuration is not supported for analyzer type ${type}`,
      { reason: "fieldValidationFailed" },
    );
  }
  if (configuration?.internalAccess && !isInternalAccess(type)) {
    throw new AwsError(
      "ValidationException",
      400,
      `Internal access configuration is not supported for analyzer type ${type}`,
      { reason: "fieldValidationFailed" },
    );
  }
  if (isUnusedAccess(type)) {
    const age = configuration?.unusedAccess?.unusedAccessAge ?? 90;
    if (!Number.isInteger(age) || age < 1 || age > 365) {
      throw aaValidation(
        "configuration.unusedAccess.unusedAccessAge",
        "Member must have value between 1 and 365",
        age,
      );
    }
    return { unusedAccess: { ...configuration?.unusedAccess, unusedAccessAge: age } };
  }
  if (isInternalAccess(type)) {
    return { internalAccess: configuration?.internalAccess ?? {} };
  }
  return undefined;
}

/**
 * The whole modelled AWS world: accounts, credentials, analyzers, findings, faults, the call log.
 * Tests in the same process use it directly (`fake.state`); other processes use the admin HTTP API.
 */
export class FakeAwsState {
  readonly accounts = new Map<string, AccountState>();
  /** accessKeyId → credential (static keys and STS temporary credentials). */
  readonly credentials = new Map<string, CredentialRecord>();
  /** `${accountId}/${region}` → analyzer name → analyzer. */
  readonly analyzers = new Map<string, Map<string, Analyzer>>();
  readonly faults: FaultRule[] = [];
  readonly latencies: LatencyRule[] = [];
  readonly calls: CallRecord[] = [];
  /** Role ARN → every IAM action a session of the role was authorised for. */
  readonly authorizedActions = new Map<string, Set<string>>();
  /** Accounts that hold Access Analyzer's service-linked role (made by their first analyzer). */
  readonly serviceLinkedRoles = new Set<string>();
  /** The AWS Organizations organization, if any account is in one (see orgState.ts). */
  organization?: FakeOrganization;

  /** Behaviour switches (config file `settings`, admin `POST /_fake/settings`). */
  readonly settings: FakeAwsSettings = {
    analyzerActivationMs: 0,
    organizationsRate: { ...DEFAULT_ORGANIZATIONS_RATE },
  };

  constructor(config?: ParsedFakeAwsConfig) {
    if (config) this.seed(config);
  }

  /** Adds a config's accounts (the management account first) and applies its `organization`. */
  seed(config: ParsedFakeAwsConfig): void {
    if (config.settings) this.configure(config.settings);
    const org = config.organization;
    const accounts = [
      ...config.accounts.filter((a) => a.orgRole === "management"),
      ...config.accounts.filter((a) => a.orgRole !== "management"),
    ];
    if (org && !accounts.some((a) => a.orgRole === "management")) {
      throw new Error("organization: one account needs orgRole: management");
    }
    for (const account of accounts) this.addAccount(account, org?.id);
    if (!org || !this.organization) return;
    for (const path of org.ous) this.organization.resolveParent(path, true);
    if (org.trustedAccess) {
      this.organization.trustedAccess.clear();
      for (const sp of org.trustedAccess) this.organization.enableServiceAccess(sp);
    }
    for (const da of org.delegatedAdministrators) {
      this.organization.register(da.accountId, da.servicePrincipal);
    }
  }

  /** Changes settings; applies to analyzers created afterwards. */
  configure(settings: Partial<FakeAwsSettings>): FakeAwsSettings {
    const ms = settings.analyzerActivationMs;
    if (ms !== undefined) {
      if (!Number.isInteger(ms) || ms < 0) {
        throw new Error(
          `analyzerActivationMs must be a whole number of ms >= 0, got ${String(ms)}`,
        );
      }
      this.settings.analyzerActivationMs = ms;
    }
    const rate = settings.organizationsRate;
    if (rate !== undefined) {
      if (!(rate.requestsPerSecond >= 0) || !Number.isInteger(rate.burst) || rate.burst < 1) {
        throw new Error(
          `organizationsRate needs requestsPerSecond >= 0 and a whole burst >= 1, got ${JSON.stringify(rate)}`,
        );
      }
      this.settings.organizationsRate = { ...rate };
      if (this.organization) this.organization.rate = this.organizationsBucket();
    }
    return { ...this.settings, organizationsRate: { ...this.settings.organizationsRate } };
  }

  // ---- accounts, regions, credentials --------------------------------------------------------

  /** Adds (or replaces the settings of) an account with its keys, roles and seeded analyzers. */
  addAccount(input: AccountConfig, organizationId?: string): AccountState {
    const cfg = accountConfigSchema.parse(input);
    for (const r of cfg.optedInRegions) {
      if (!isOptInRegion(r) || partitionOfRegion(r) !== cfg.partition) {
        throw new Error(`${r} is not an opt-in region of partition ${cfg.partition}`);
      }
    }
    const known = this.accounts.get(cfg.id);
    if (known && known.partition !== cfg.partition) {
      throw new Error(`account ${cfg.id} is in partition ${known.partition}, not ${cfg.partition}`);
    }
    this.placeInOrganization(cfg.id, cfg.orgRole, {
      partition: cfg.partition,
      organizationId,
      name: cfg.name,
      email: cfg.email,
      status: cfg.status,
      parent: cfg.ou,
      trustedAccess: cfg.orgTrustedAccess,
    });
    const account: AccountState = {
      id: cfg.id,
      name: cfg.name,
      partition: cfg.partition,
      optedInRegions: new Set(cfg.optedInRegions),
      roles: new Map(),
    };
    this.accounts.set(cfg.id, account);
    const arn = `arn:${cfg.partition}`;
    for (const key of cfg.accessKeys) {
      const kind = key.userName ? "user" : "root";
      this.credentials.set(key.accessKeyId, {
        accessKeyId: key.accessKeyId,
        secretAccessKey: key.secretAccessKey,
        principal: {
          accountId: cfg.id,
          kind,
          arn: key.userName
            ? `${arn}:iam::${cfg.id}:user/${key.userName}`
            : `${arn}:iam::${cfg.id}:root`,
          userId: key.userName ? `AIDA${stableId(`${cfg.id}/${key.userName}`)}` : cfg.id,
        },
      });
    }
    for (const role of cfg.roles) {
      const path = role.path.endsWith("/") ? role.path : `${role.path}/`;
      account.roles.set(role.name, {
        accountId: cfg.id,
        name: role.name,
        path,
        arn: `${arn}:iam::${cfg.id}:role${path}${role.name}`,
        roleId: `AROA${stableId(`${cfg.id}/role/${role.name}`)}`,
        trustedAccountIds: role.trustedAccountIds,
        externalId: role.externalId,
        maxSessionDuration: role.maxSessionDuration,
        policies: role.policies,
      });
    }
    for (const seed of cfg.analyzers) {
      const s = analyzerSeedSchema.parse(seed);
      this.createAnalyzer(cfg.id, s.region, { analyzerName: s.name, type: s.type, tags: s.tags });
    }
    return account;
  }

  requireAccount(accountId: string): AccountState {
    const account = this.accounts.get(accountId);
    if (!account) throw new Error(`unknown account ${accountId}`);
    return account;
  }

  /** The partition an account lives in (`aws` for an account the fake does not know). */
  partitionOf(accountId: string): Partition {
    return this.accounts.get(accountId)?.partition ?? "aws";
  }

  /** Every region of the account's partition, enabled or not, in catalogue order. */
  partitionRegions(accountId: string): readonly string[] {
    return PARTITION_INFO[this.partitionOf(accountId)].regions;
  }

  regionOptInStatus(accountId: string, region: string): OptInStatus {
    if (!isOptInRegion(region)) return "opt-in-not-required";
    return this.requireAccount(accountId).optedInRegions.has(region) ? "opted-in" : "not-opted-in";
  }

  /** A region of the account's own partition that is not an opt-in region it left disabled. */
  isRegionEnabled(accountId: string, region: string): boolean {
    return (
      partitionOfRegion(region) === this.partitionOf(accountId) &&
      this.regionOptInStatus(accountId, region) !== "not-opted-in"
    );
  }

  /** Enabled regions of an account, in catalogue order. */
  enabledRegions(accountId: string): string[] {
    return this.partitionRegions(accountId).filter((r) => this.isRegionEnabled(accountId, r));
  }

  /** Opts an account in to an opt-in region (AWS Account Management EnableRegion, done at once). */
  enableRegion(accountId: string, region: string): void {
    if (!isOptInRegion(region) || partitionOfRegion(region) !== this.partitionOf(accountId)) {
      throw new Error(`${region} is not an opt-in region of the account's partition`);
    }
    this.requireAccount(accountId).optedInRegions.add(region);
  }

  /** Opts out. Analyzers there are kept but unreachable, as with AWS until the region is re-enabled. */
  disableRegion(accountId: string, region: string): void {
    if (!isOptInRegion(region)) throw new Error(`${region} is not an opt-in region`);
    this.requireAccount(accountId).optedInRegions.delete(region);
  }

  /**
   * Sets an account's place in AWS Organizations: "none" leaves the organization, "member" joins it
   * (or stays, no longer Access Analyzer delegated administrator), "delegated-admin" becomes the
   * Access Analyzer delegated administrator (replacing any other), "management" creates the
   * organization. `orgTrustedAccess` turns trusted access for Access Analyzer on or off.
   */
  setOrgRole(accountId: string, orgRole: OrgRole, orgTrustedAccess?: boolean): void {
    this.requireAccount(accountId);
    this.placeInOrganization(accountId, orgRole, { trustedAccess: orgTrustedAccess });
  }

  /** The account's place in Organizations, in the accounts file's terms. */
  orgRoleOf(accountId: string): OrgRole {
    const org = this.organizationOf(accountId);
    if (!org) return "none";
    if (org.managementAccountId === accountId) return "management";
    return org.isDelegatedAdmin(accountId, ACCESS_ANALYZER_PRINCIPAL)
      ? "delegated-admin"
      : "member";
  }

  private placeInOrganization(
    accountId: string,
    orgRole: OrgRole,
    options: JoinOptions & {
      organizationId?: string;
      trustedAccess?: boolean;
      partition?: Partition;
    },
  ): void {
    const partition = options.partition ?? this.partitionOf(accountId);
    if (orgRole === "none") {
      if (this.organization?.members.has(accountId)) this.leaveOrganization(accountId);
      return;
    }
    if (orgRole === "management") {
      const current = this.organization?.managementAccountId;
      if (current !== undefined && current !== accountId) {
        throw new Error(`the organization's management account is already ${current}`);
      }
      // Accounts-file organizations start with trusted access for Access Analyzer, as before.
      if (!this.organization) {
        this.createOrganization(accountId, {
          id: options.organizationId,
          trustedAccess: [ACCESS_ANALYZER_PRINCIPAL],
          partition,
        });
      }
    }
    const org = this.organization;
    if (!org) {
      throw new Error(
        `account ${accountId} has orgRole ${orgRole} but there is no organization: add the management account first`,
      );
    }
    // An organization lives in one partition (a GovCloud account joins a GovCloud organization).
    if (partition !== org.partition) {
      throw new Error(
        `account ${accountId} is in partition ${partition}, organization ${org.id} in ${org.partition}`,
      );
    }
    org.join(accountId, options);
    const aa = org.delegatedAdmins.get(ACCESS_ANALYZER_PRINCIPAL);
    if (orgRole === "delegated-admin" && !aa?.has(accountId)) {
      for (const other of [...(aa?.keys() ?? [])]) {
        this.deregisterDelegatedAdministrator(other, ACCESS_ANALYZER_PRINCIPAL);
      }
      org.enableServiceAccess(ACCESS_ANALYZER_PRINCIPAL);
      org.register(accountId, ACCESS_ANALYZER_PRINCIPAL);
    } else if (orgRole === "member" && aa?.has(accountId)) {
      this.deregisterDelegatedAdministrator(accountId, ACCESS_ANALYZER_PRINCIPAL);
    }
    if (options.trustedAccess === true) org.enableServiceAccess(ACCESS_ANALYZER_PRINCIPAL);
    if (options.trustedAccess === false) this.disableServiceAccess(ACCESS_ANALYZER_PRINCIPAL);
  }

  // ---- AWS Organizations (the model is in orgState.ts) ---------------------------------------

  /** Creates the organization with `managementAccountId` as its management account. */
  createOrganization(
    managementAccountId: string,
    options: { id?: string; trustedAccess?: string[]; partition?: Partition } = {},
  ): FakeOrganization {
    if (this.organization) throw new Error(`organization ${this.organization.id} already exists`);
    const org = new FakeOrganization(
      managementAccountId,
      options.id,
      options.partition ?? this.partitionOf(managementAccountId),
    );
    org.rate = this.organizationsBucket();
    org.join(managementAccountId, { name: this.accounts.get(managementAccountId)?.name });
    for (const sp of options.trustedAccess ?? []) org.enableServiceAccess(sp);
    this.organization = org;
    return org;
  }

  /** A fresh token bucket at the configured Organizations rate. */
  private organizationsBucket(): TokenBucket {
    const { requestsPerSecond, burst } = this.settings.organizationsRate;
    return new TokenBucket(requestsPerSecond, burst);
  }

  /** The organization the account is a member of. */
  organizationOf(accountId: string): FakeOrganization | undefined {
    return this.organization?.members.has(accountId) ? this.organization : undefined;
  }

  /** The account leaves the organization and becomes standalone; its analyzers stay. */
  leaveOrganization(accountId: string): void {
    const org = this.organizationOf(accountId);
    if (!org) throw new Error(`account ${accountId} is not in an organization`);
    for (const [sp, admins] of [...org.delegatedAdmins]) {
      if (admins.has(accountId)) this.deregisterDelegatedAdministrator(accountId, sp);
    }
    org.remove(accountId);
  }

  /** False for an organization member that is SUSPENDED or PENDING_CLOSURE: it cannot be reached. */
  isAccountActive(accountId: string): boolean {
    return this.organization?.isActive(accountId) ?? true;
  }

  /**
   * Deregisters a delegated administrator. For Access Analyzer, that account's organization
   * analyzers stop (status DISABLED, as AWS reports with reason DELEGATED_ADMINISTRATOR_DEREGISTERED).
   */
  deregisterDelegatedAdministrator(accountId: string, servicePrincipal: string): void {
    this.requireOrganization().deregister(accountId, servicePrincipal);
    if (servicePrincipal === ACCESS_ANALYZER_PRINCIPAL) this.disableOrgAnalyzers([accountId]);
  }

  /**
   * Disables trusted access. For Access Analyzer, every organization analyzer in the organization
   * stops (status DISABLED, as AWS reports with reason AWS_SERVICE_ACCESS_DISABLED).
   */
  disableServiceAccess(servicePrincipal: string): void {
    const org = this.requireOrganization();
    org.disableServiceAccess(servicePrincipal);
    if (servicePrincipal === ACCESS_ANALYZER_PRINCIPAL)
      this.disableOrgAnalyzers([...org.members.keys()]);
  }

  private requireOrganization(): FakeOrganization {
    if (!this.organization) throw new Error("there is no organization");
    return this.organization;
  }

  private disableOrgAnalyzers(accountIds: string[]): void {
    for (const id of accountIds) {
      for (const a of this.listAnalyzers(id)) if (!isAccountLevel(a.type)) a.status = "DISABLED";
    }
  }

  /**
   * Access Analyzer's organization rules for CreateAnalyzer with an ORGANIZATION* type:
   * - the account is in an organization with trusted access for access-analyzer.amazonaws.com, else
   *   ValidationException "Service not enabled for AWS Organizations" (reason FIELD_VALIDATION_FAILED,
   *   as AWS answers: nozaq/terraform-aws-secure-baseline#184, #258);
   * - the caller is the management account or the registered delegated administrator, else
   *   AccessDeniedException 403 "Account N is not a delegated administrator" (as AWS answers:
   *   awslabs/landing-zone-accelerator-on-aws#922);
   * - ORGANIZATION_INTERNAL_ACCESS: 1 per organization per region (IAM User Guide,
   *   access-analyzer-quotas) → ServiceQuotaExceededException. The per-account quotas of the other
   *   types are checked by createAnalyzer.
   */
  private checkOrganizationAnalyzer(
    accountId: string,
    region: string,
    type: AnalyzerType,
    name: string,
  ): void {
    const org = this.organizationOf(accountId);
    if (!org || !org.trustedAccess.has(ACCESS_ANALYZER_PRINCIPAL)) {
      throw new AwsError("ValidationException", 400, "Service not enabled for AWS Organizations", {
        reason: "notSupported",
      });
    }
    if (
      accountId !== org.managementAccountId &&
      !org.isDelegatedAdmin(accountId, ACCESS_ANALYZER_PRINCIPAL)
    ) {
      throw new AwsError(
        "AccessDeniedException",
        403,
        `Account ${accountId} is not a delegated administrator`,
      );
    }
    if (type === "ORGANIZATION_INTERNAL_ACCESS") {
      const taken = [...org.members.keys()].flatMap((id) =>
        this.listAnalyzers(id, region).filter(
          (a) => a.type === type && !(a.accountId === accountId && a.name === name),
        ),
      );
      if (taken.length >= ANALYZER_QUOTAS[type]) {
        throw new AwsError(
          "ServiceQuotaExceededException",
          402,
          `Your organization already has an analyzer of type ${type} in ${region} (${taken[0].arn})`,
          { resourceId: name, resourceType: ANALYZER_RESOURCE_TYPE },
        );
      }
    }
  }

  /** The role an assumed-role principal acts as; undefined for users and root. */
  roleOfPrincipal(principal: Principal): RoleState | undefined {
    if (principal.kind !== "assumed-role") return undefined;
    const name = /:assumed-role\/([^/]+)\//.exec(principal.arn)?.[1];
    return name === undefined ? undefined : this.accounts.get(principal.accountId)?.roles.get(name);
  }

  /**
   * Authorises a request against the caller's identity policies. Users, root and roles without
   * `policies` may do anything. Every allowed action of a role is recorded (`authorizedActions`).
   */
  authorize(principal: Principal, req: AuthorizationRequest): Decision {
    const role = this.roleOfPrincipal(principal);
    if (!role) return "allow";
    const decision =
      role.policies === undefined || ALWAYS_ALLOWED.has(req.action)
        ? "allow"
        : evaluate(role.policies, req);
    if (decision === "allow") {
      let actions = this.authorizedActions.get(role.arn);
      if (!actions) this.authorizedActions.set(role.arn, (actions = new Set()));
      actions.add(req.action);
    }
    return decision;
  }

  /** Role ARN → sorted authorised actions (admin `GET /_fake/authorized-actions`). */
  authorizedActionsView(): Record<string, string[]> {
    return Object.fromEntries(
      [...this.authorizedActions].map(([arn, actions]) => [arn, [...actions].sort()] as const),
    );
  }

  /** Issues STS temporary credentials for a principal (used by AssumeRole). */
  issueTemporaryCredentials(principal: Principal, durationSeconds: number): CredentialRecord {
    const record: CredentialRecord = {
      accessKeyId: `ASIA${randomChars(16)}`,
      secretAccessKey: crypto.randomBytes(30).toString("base64"),
      sessionToken: `FwoGZXIvYXdzE${crypto.randomBytes(120).toString("base64")}`,
      expiration: new Date(Date.now() + durationSeconds * 1000),
      principal,
    };
    this.credentials.set(record.accessKeyId, record);
    return record;
  }

  // ---- Access Analyzer: analyzers ---------------------------------------------------------

  private regionAnalyzers(accountId: string, region: string): Map<string, Analyzer> {
    const key = `${accountId}/${region}`;
    let map = this.analyzers.get(key);
    if (!map) {
      map = new Map();
      this.analyzers.set(key, map);
    }
    return map;
  }

  /** CreateAnalyzer with all of AWS's checks. Returns the analyzer (existing one on an idempotent retry). */
  createAnalyzer(accountId: string, region: string, input: CreateAnalyzerInput): Analyzer {
    this.requireAccount(accountId);
    const name = validateName("analyzerName", input.analyzerName, {
      re: ANALYZER_NAME_PATTERN,
      text: "[A-Za-z_][A-Za-z0-9_.-]*",
    });
    if (!ANALYZER_TYPES.includes(input.type as AnalyzerType)) {
      throw aaValidation(
        "type",
        `Member must satisfy enum value set: [${ANALYZER_TYPES.join(", ")}]`,
        input.type,
      );
    }
    const type = input.type as AnalyzerType;
    const configuration = validateConfiguration(type, input.configuration);
    const tags = validateTags(input.tags);
    const inlineRules = input.archiveRules ?? [];
    const rules = new Map<string, ArchiveRule>();
    for (const [i, rule] of inlineRules.entries()) {
      const ruleName = validateName(`archiveRules.${i + 1}.member.ruleName`, rule.ruleName);
      const filter = validateFilter(`archiveRules.${i + 1}.member.filter`, rule.filter);
      const t = now();
      rules.set(ruleName, { ruleName, filter, createdAt: t, updatedAt: t });
    }
    if (rules.size > MAX_ARCHIVE_RULES) {
      throw new AwsError(
        "ServiceQuotaExceededException",
        402,
        `The number of archive rules exceeds the quota of ${MAX_ARCHIVE_RULES} per analyzer`,
        { resourceId: name, resourceType: ARCHIVE_RULE_RESOURCE_TYPE },
      );
    }
    if (!isAccountLevel(type)) this.checkOrganizationAnalyzer(accountId, region, type, name);
    const existing = this.regionAnalyzers(accountId, region);
    const same = existing.get(name);
    if (same) {
      if (input.clientToken && same.clientToken === input.clientToken && same.type === type) {
        return same;
      }
      throw new AwsError("ConflictException", 409, `Analyzer ${name} already exists`, {
        resourceId: name,
        resourceType: ANALYZER_RESOURCE_TYPE,
      });
    }
    const ofType = [...existing.values()].filter((a) => a.type === type).length;
    if (ofType >= ANALYZER_QUOTAS[type]) {
      throw new AwsError(
        "ServiceQuotaExceededException",
        402,
        `You have reached the quota of ${ANALYZER_QUOTAS[type]} analyzer(s) of type ${type} in this account and region`,
        { resourceId: name, resourceType: ANALYZER_RESOURCE_TYPE },
      );
    }
    const analyzer: Analyzer = {
      accountId,
      region,
      arn: `arn:${this.partitionOf(accountId)}:access-analyzer:${region}:${accountId}:analyzer/${name}`,
      name,
      type,
      ...(this.settings.analyzerActivationMs > 0
        ? { status: "CREATING" as const, activeAt: Date.now() + this.settings.analyzerActivationMs }
        : { status: "ACTIVE" as const }),
      createdAt: now(),
      tags,
      configuration,
      archiveRules: rules,
      findings: [],
      clientToken: input.clientToken,
    };
    existing.set(name, analyzer);
    // The first analyzer of an account creates Access Analyzer's service-linked role.
    this.serviceLinkedRoles.add(accountId);
    return analyzer;
  }

  /** The analyzer, or ResourceNotFoundException as AWS answers. */
  getAnalyzer(accountId: string, region: string, name: string): Analyzer {
    const analyzer = this.findAnalyzer(accountId, region, name);
    if (!analyzer) throw aaNotFound(ANALYZER_RESOURCE_TYPE, name, `Analyzer ${name}`);
    return analyzer;
  }

  findAnalyzer(accountId: string, region: string, name: string): Analyzer | undefined {
    const analyzer = this.analyzers.get(`${accountId}/${region}`)?.get(name);
    return analyzer && settle(analyzer);
  }

  analyzerByArn(accountId: string, region: string, arn: unknown): Analyzer {
    const analyzer = this.listAnalyzers(accountId, region).find((a) => a.arn === arn);
    if (!analyzer) throw aaNotFound(ANALYZER_RESOURCE_TYPE, String(arn), "Analyzer");
    return analyzer;
  }

  /** Analyzers of one account (in one region, or all regions), creation order. */
  listAnalyzers(accountId: string, region?: string): Analyzer[] {
    if (region !== undefined)
      return [...(this.analyzers.get(`${accountId}/${region}`)?.values() ?? [])].map(settle);
    return [...this.analyzers.entries()]
      .filter(([key]) => key.startsWith(`${accountId}/`))
      .flatMap(([, map]) => [...map.values()].map(settle));
  }

  deleteAnalyzer(accountId: string, region: string, name: string): void {
    this.getAnalyzer(accountId, region, name);
    this.analyzers.get(`${accountId}/${region}`)!.delete(name);
  }

  updateAnalyzer(
    accountId: string,
    region: string,
    name: string,
    configuration: AnalyzerConfiguration | undefined,
  ): Analyzer {
    const analyzer = this.getAnalyzer(accountId, region, name);
    if (isExternalAccess(analyzer.type)) {
      throw new AwsError(
        "ValidationException",
        400,
        `UpdateAnalyzer is not supported for analyzer type ${analyzer.type}`,
        { reason: "notSupported" },
      );
    }
    analyzer.configuration = validateConfiguration(analyzer.type, configuration);
    return analyzer;
  }

  // ---- archive rules ------------------------------------------------------------------------

  createArchiveRule(
    accountId: string,
    region: string,
    analyzerName: string,
    ruleNameIn: unknown,
    filterIn: unknown,
  ): ArchiveRule {
    const analyzer = this.getAnalyzer(accountId, region, analyzerName);
    const ruleName = validateName("ruleName", ruleNameIn);
    const filter = validateFilter("filter", filterIn);
    if (analyzer.archiveRules.has(ruleName)) {
      throw new AwsError("ConflictException", 409, `Archive rule ${ruleName} already exists`, {
        resourceId: ruleName,
        resourceType: ARCHIVE_RULE_RESOURCE_TYPE,
      });
    }
    if (analyzer.archiveRules.size >= MAX_ARCHIVE_RULES) {
      throw new AwsError(
        "ServiceQuotaExceededException",
        402,
        `You have reached the quota of ${MAX_ARCHIVE_RULES} archive rules for analyzer ${analyzerName}`,
        { resourceId: ruleName, resourceType: ARCHIVE_RULE_RESOURCE_TYPE },
      );
    }
    const t = now();
    const rule = { ruleName, filter, createdAt: t, updatedAt: t };
    analyzer.archiveRules.set(ruleName, rule);
    return rule;
  }

  getArchiveRule(
    accountId: string,
    region: string,
    analyzerName: string,
    ruleName: string,
  ): ArchiveRule {
    const rule = this.getAnalyzer(accountId, region, analyzerName).archiveRules.get(ruleName);
    if (!rule) throw aaNotFound(ARCHIVE_RULE_RESOURCE_TYPE, ruleName, `Archive rule ${ruleName}`);
    return rule;
  }

  updateArchiveRule(
    accountId: string,
    region: string,
    analyzerName: string,
    ruleName: string,
    filterIn: unknown,
  ): ArchiveRule {
    const rule = this.getArchiveRule(accountId, region, analyzerName, ruleName);
    rule.filter = validateFilter("filter", filterIn);
    rule.updatedAt = now();
    return rule;
  }

  deleteArchiveRule(
    accountId: string,
    region: string,
    analyzerName: string,
    ruleName: string,
  ): void {
    this.getArchiveRule(accountId, region, analyzerName, ruleName);
    this.getAnalyzer(accountId, region, analyzerName).archiveRules.delete(ruleName);
  }

  /** ApplyArchiveRule: archive the existing ACTIVE findings the rule matches. Returns how many. */
  applyArchiveRule(
    accountId: string,
    region: string,
    analyzerArn: unknown,
    ruleName: unknown,
  ): number {
    const analyzer = this.analyzerByArn(accountId, region, analyzerArn);
    const rule = this.getArchiveRule(accountId, region, analyzer.name, String(ruleName));
    let changed = 0;
    for (const f of analyzer.findings) {
      if (f.status === "ACTIVE" && findingMatches(f, rule.filter)) {
        f.status = "ARCHIVED";
        f.updatedAt = now();
        changed++;
      }
    }
    return changed;
  }

  // ---- findings -----------------------------------------------------------------------------

  /**
   * A finding arrives (as when Access Analyzer detects access). A new ACTIVE finding that matches an
   * existing archive rule is archived on arrival; existing findings are left alone.
   */
  addFinding(
    accountId: string,
    region: string,
    analyzerName: string,
    input: FindingInput,
  ): Finding {
    const analyzer = this.getAnalyzer(accountId, region, analyzerName);
    const t = now();
    const finding: Finding = {
      id: input.id ?? crypto.randomUUID(),
      resourceType: input.resourceType,
      resource: input.resource,
      resourceOwnerAccount: input.resourceOwnerAccount ?? accountId,
      principal: input.principal,
      action: input.action,
      condition: input.condition ?? {},
      isPublic: input.isPublic,
      status: input.status ?? "ACTIVE",
      findingType: input.findingType ?? defaultFindingType(analyzer.type),
      ...(input.unusedAccess ? { unusedAccess: { ...input.unusedAccess } } : {}),
      error: input.error,
      createdAt: t,
      analyzedAt: t,
      updatedAt: t,
    };
    if (
      finding.status === "ACTIVE" &&
      [...analyzer.archiveRules.values()].some((r) => findingMatches(finding, r.filter))
    ) {
      finding.status = "ARCHIVED";
    }
    analyzer.findings.push(finding);
    return finding;
  }

  // ---- faults, latency, call log ------------------------------------------------------------

  injectFault(rule: FaultRule): void {
    this.faults.push({ ...rule });
  }

  setLatency(rule: LatencyRule): void {
    this.latencies.push({ ...rule });
  }

  clearFaults(): void {
    this.faults.length = 0;
    this.latencies.length = 0;
  }

  /** Draws for `probability` faults (tests replace it to be deterministic). */
  random: () => number = Math.random;

  /**
   * @internal Consumes one matching fault, if any: the error, and whether the call takes effect
   * before it is returned.
   */
  takeFault(call: CallMatch): { error: AwsError; afterEffect: boolean } | undefined {
    const rule = this.faults.find(
      (r) => r.count > 0 && matches(r, call) && this.random() < (r.probability ?? 1),
    );
    if (!rule) return undefined;
    rule.count--;
    if (rule.count <= 0) this.faults.splice(this.faults.indexOf(rule), 1);
    const base = defaultThrottle(call.service);
    const code = rule.errorCode ?? base.code;
    const status = rule.httpStatus ?? (rule.errorCode ? 400 : base.httpStatus);
    const error = new AwsError(
      code,
      status,
      rule.message ?? (rule.errorCode ? `Injected ${code}` : base.message),
    );
    return { error, afterEffect: rule.afterEffect ?? false };
  }

  /** @internal Delay for a call (largest matching rule). */
  latencyFor(call: CallMatch): number {
    return this.latencies.filter((r) => matches(r, call)).reduce((m, r) => Math.max(m, r.ms), 0);
  }

  /** @internal */
  recordCall(record: CallRecord): void {
    this.calls.push(record);
    if (this.calls.length > MAX_CALL_LOG) this.calls.splice(0, this.calls.length - MAX_CALL_LOG);
  }

  clearCalls(): void {
    this.calls.length = 0;
  }

  /** JSON-safe view of the state, without secrets (no secret keys, no session tokens). */
  snapshot(): FakeAwsSnapshot {
    return {
      accounts: [...this.accounts.values()].map((a) => ({
        id: a.id,
        name: a.name,
        partition: a.partition,
        orgRole: this.orgRoleOf(a.id),
        orgTrustedAccess:
          this.organizationOf(a.id)?.trustedAccess.has(ACCESS_ANALYZER_PRINCIPAL) ?? false,
        enabledRegions: this.enabledRegions(a.id),
        optedInRegions: [...a.optedInRegions].sort(),
        roles: [...a.roles.values()].map((r) => ({
          arn: r.arn,
          trustedAccountIds: r.trustedAccountIds,
        })),
        accessKeyIds: [...this.credentials.values()]
          .filter((c) => c.principal.accountId === a.id && !c.sessionToken)
          .map((c) => c.accessKeyId),
        analyzers: this.listAnalyzers(a.id).map(analyzerView),
      })),
      organization: this.organization?.snapshot(),
      faults: this.faults.map((f) => ({ ...f })),
      latencies: this.latencies.map((l) => ({ ...l })),
      callCount: this.calls.length,
    };
  }
}

export interface AnalyzerView {
  arn: string;
  name: string;
  type: AnalyzerType;
  region: string;
  accountId: string;
  status: string;
  createdAt: string;
  tags: Record<string, string>;
  configuration?: AnalyzerConfiguration;
  archiveRules: ArchiveRule[];
  findings: Finding[];
}

export interface FakeAwsSnapshot {
  accounts: {
    id: string;
    name?: string;
    partition: Partition;
    orgRole: OrgRole;
    orgTrustedAccess: boolean;
    enabledRegions: string[];
    optedInRegions: string[];
    roles: { arn: string; trustedAccountIds: string[] }[];
    accessKeyIds: string[];
    analyzers: AnalyzerView[];
  }[];
  organization?: OrganizationSnapshot;
  faults: FaultRule[];
  latencies: LatencyRule[];
  callCount: number;
}

export function analyzerView(a: Analyzer): AnalyzerView {
  return {
    arn: a.arn,
    name: a.name,
    type: a.type,
    region: a.region,
    accountId: a.accountId,
    status: a.status,
    createdAt: a.createdAt,
    tags: { ...a.tags },
    configuration: a.configuration,
    archiveRules: [...a.archiveRules.values()].map((r) => ({ ...r })),
    findings: a.findings.map((f) => ({ ...f })),
  };
}

/** A CREATING analyzer whose activation time has passed becomes ACTIVE. */
function settle(a: Analyzer): Analyzer {
  if (a.status === "CREATING" && a.activeAt !== undefined && Date.now() >= a.activeAt) {
    a.status = "ACTIVE";
    delete a.activeAt;
  }
  return a;
}

function stableId(seed: string): string {
  const digest = crypto.createHash("sha256").update(seed).digest();
  const alphabet = "ABCDEFGHIJKLMNOPQRSTUVWXYZ234567";
  let out = "";
  for (let i = 0; i < 17; i++) out += alphabet[digest[i] % alphabet.length];
  return out;
}
