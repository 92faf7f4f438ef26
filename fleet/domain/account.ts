/**
 * The ports through which the fleet reaches one account (fleet/aws/ implements them over the AWS
 * SDK; the tests pass fakes): what `audit` and the read before the engine read, what `findings`
 * adds, and the one write after `up` (`ApplyArchiveRule`). With the pure rules on what was read:
 * which regions the fleet file keeps in scope, and which analyzers' findings count. Imports nothing,
 * so every layer above can depend on it.
 */

/** One analyzer as `ListAnalyzers` describes it. */
export interface AnalyzerInfo {
  readonly name: string;
  readonly arn: string;
  /** `ACCOUNT`, `ORGANIZATION`, `ACCOUNT_UNUSED_ACCESS`, … */
  readonly type: string;
  /** `ACTIVE`, `CREATING`, `DISABLED` or `FAILED`. */
  readonly status: string;
  /** Why it is not ACTIVE (AWS's `statusReason.code`). */
  readonly statusReason?: string;
  /** Its tags, when the reader has them (adoption tells ours from others' by name and tags). */
  readonly tags?: Readonly<Record<string, string>>;
  /** Its `configuration` (unused-access and internal-access analyzers), as AWS returns it. */
  readonly configuration?: unknown;
}

/** One archive rule as `GetArchiveRule` describes it. */
export interface ArchiveRuleInfo {
  readonly ruleName: string;
  /** Criterion → comparators, as AWS returns them. */
  readonly filter: Readonly<
    Record<
      string,
      {
        readonly eq?: readonly string[];
        readonly neq?: readonly string[];
        readonly contains?: readonly string[];
        readonly exists?: boolean;
      }
    >
  >;
}

/** What `audit` needs to read from one account. Implementations never change anything. */
export interface AccountReader {
  /** Regions the account has enabled (opt-in-not-required and opted-in). */
  enabledRegions(): Promise<string[]>;
  /** Every analyzer in the region, all types and statuses. */
  analyzers(region: string): Promise<AnalyzerInfo[]>;
  /** How many ACTIVE findings the analyzer holds. */
  activeFindings(region: string, analyzerArn: string): Promise<number>;
  /**
   * `GetArchiveRule`: one rule of an analyzer, or undefined when the analyzer has no such rule.
   * Read before `up` only, by the nightly fast path (fleet/domain/unchanged.ts).
   */
  archiveRule?(
    region: string,
    analyzerName: string,
    ruleName: string,
  ): Promise<ArchiveRuleInfo | undefined>;
  /** Releases connections; called once when the account is done. */
  close?(): void;
}

/** Regions read at once in one account, by default. */
export const DEFAULT_REGION_CONCURRENCY = 4;

/** Accounts read at once, by default (reads are light; AWS API rate limits are the bound). */
export const DEFAULT_AUDIT_CONCURRENCY = 4;

/** What an analyzer looks for, by the families of Access Analyzer's analyzer `Type`. */
export type AnalyzerFamily = "external-access" | "unused-access" | "internal-access";

/** The service model's analyzer types, by family (account and organization zones of trust). */
const FAMILY_OF: Readonly<Record<string, AnalyzerFamily>> = {
  ACCOUNT: "external-access",
  ORGANIZATION: "external-access",
  ACCOUNT_UNUSED_ACCESS: "unused-access",
  ORGANIZATION_UNUSED_ACCESS: "unused-access",
  ACCOUNT_INTERNAL_ACCESS: "internal-access",
  ORGANIZATION_INTERNAL_ACCESS: "internal-access",
};

/** The family of an analyzer type; undefined for a type this code does not know. */
export function analyzerFamily(type: string): AnalyzerFamily | undefined {
  return FAMILY_OF[type];
}

/**
 * The analyzers whose findings `audit` counts: ACTIVE external-access and unused-access analyzers.
 * Internal-access analyzers are listed but not counted; an analyzer that is not ACTIVE has no
 * findings to give.
 */
export function countsFindings(a: AnalyzerInfo): boolean {
  return (
    a.status === "ACTIVE" &&
    (analyzerFamily(a.type) === "external-access" || analyzerFamily(a.type) === "unused-access")
  );
}

/** The region settings of an account (the fleet file's `regions` and `excludeRegions`). */
export interface RegionScope {
  readonly regions?: readonly string[];
  readonly excludeRegions?: readonly string[];
}

/**
 * Why the fleet file leaves an enabled region out, or undefined when it is in scope: listed in
 * `excludeRegions`, or an explicit `regions` list that does not name it.
 */
export function exclusionReason(region: string, settings: RegionScope): string | undefined {
  if (settings.excludeRegions?.includes(region)) return "in excludeRegions";
  if (settings.regions && !settings.regions.includes(region)) return "not in regions";
  return undefined;
}

/** `ListFindingsV2`'s `filter`: attribute → criterion. */
export type FindingCriteria = Record<
  string,
  { eq?: string[]; neq?: string[]; contains?: string[]; exists?: boolean }
>;

/** One finding as `ListFindingsV2` summarises it (AWS's `FindingSummaryV2`). */
export interface FindingSummary {
  readonly id: string;
  readonly resource?: string;
  readonly resourceType: string;
  readonly resourceOwnerAccount: string;
  readonly status: string;
  readonly findingType?: string;
  /** ISO time. */
  readonly updatedAt: string;
  readonly createdAt?: string;
  readonly error?: string;
}

/** One unused service of an `UnusedPermission` finding (`UnusedPermissionDetails`). */
export interface UnusedService {
  readonly serviceNamespace: string;
  /** ISO time of the service's last use; absent: not used in AWS's tracking period. */
  readonly lastAccessed?: string;
  /** The unused actions, each with its own last use when AWS knows it. */
  readonly actions?: readonly { readonly action: string; readonly lastAccessed?: string }[];
}

/**
 * What `GetFindingV2` says of an unused-access finding (`unusedIamRoleDetails`,
 * `unusedIamUserAccessKeyDetails`, `unusedIamUserPasswordDetails`, `unusedPermissionDetails`).
 */
export interface UnusedAccessDetail {
  /**
   * ISO time of the last use of the role, key or password (for `UnusedPermission`: the latest of
   * its services'); absent: not used in AWS's tracking period.
   */
  readonly lastAccessed?: string;
  /** `UnusedIAMUserAccessKey`: the key. */
  readonly accessKeyId?: string;
  /** `UnusedPermission`: the unused services. */
  readonly services?: readonly UnusedService[];
}

/** What `GetFindingV2`'s `findingDetails` add to a summary. */
export interface FindingDetail {
  /** `externalAccessDetails`. */
  readonly isPublic?: boolean;
  readonly principal?: Readonly<Record<string, string>>;
  readonly condition?: Readonly<Record<string, string>>;
  readonly action?: readonly string[];
  /** The unused-access members. */
  readonly unused?: UnusedAccessDetail;
}

/** What `findings` reads from one account, on top of what `audit` reads. Never changes anything. */
export interface FindingsAccountReader extends AccountReader {
  /** `ListFindingsV2`, every page, AWS applying `criteria`. */
  findings(
    region: string,
    analyzerArn: string,
    criteria: FindingCriteria,
  ): Promise<FindingSummary[]>;
  /** `GetFindingV2` of one finding (only called with `details`). */
  findingDetail?(region: string, analyzerArn: string, id: string): Promise<FindingDetail>;
}

/** What applying archive rules after `up` needs from the account (the deployer role). */
export interface ArchiveRuleClient {
  /** `ListAnalyzers` in the region: the analyzer's ARN, by name. */
  analyzers(region: string): Promise<readonly { name: string; arn: string }[]>;
  /** ACTIVE findings of the analyzer (`ListFindingsV2`, every page). */
  activeFindings(region: string, analyzerArn: string): Promise<number>;
  /** `ApplyArchiveRule`. */
  applyArchiveRule(region: string, analyzerArn: string, ruleName: string): Promise<void>;
  close?(): void;
}
