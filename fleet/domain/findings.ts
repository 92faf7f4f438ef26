/**
 * `findings`: the types of the findings report, the filters and their parsing, and the pure
 * decisions (who is granted access, public or cross-account, which findings a filter keeps).
 * No I/O here: the reading is in fleet/flows/findings.ts, the formats in fleet/report/findings/.
 */
import { type AccountAudit } from "./verdicts";

/**
 * Finding statuses: the `FindingStatus` enum of AWS's Access Analyzer service model (written out
 * here, not imported from the SDK, so that parsing `--status` loads no SDK client; a unit test
 * compares it with the SDK's enum).
 */
export const FINDING_STATUSES = ["ACTIVE", "ARCHIVED", "RESOLVED"] as const;
export type FindingStatus = (typeof FINDING_STATUSES)[number];

/** Resource types a finding can be about: the service model's `ResourceType` enum (tested likewise). */
export const RESOURCE_TYPES: readonly string[] = [
  "AWS::S3::Bucket",
  "AWS::IAM::Role",
  "AWS::SQS::Queue",
  "AWS::Lambda::Function",
  "AWS::Lambda::LayerVersion",
  "AWS::KMS::Key",
  "AWS::SecretsManager::Secret",
  "AWS::EFS::FileSystem",
  "AWS::EC2::Snapshot",
  "AWS::ECR::Repository",
  "AWS::RDS::DBSnapshot",
  "AWS::RDS::DBClusterSnapshot",
  "AWS::SNS::Topic",
  "AWS::S3Express::DirectoryBucket",
  "AWS::DynamoDB::Table",
  "AWS::DynamoDB::Stream",
  "AWS::IAM::User",
];

/** Which analyzer family a finding comes from. */
export type AnalyzerFamily = "external-access" | "unused-access";

/**
 * What a finding says about access:
 * - `public`: anyone (AWS's `isPublic`);
 * - `cross-account`: a principal outside the zone of trust (another account, a federated or
 *   service principal) — every external-access finding that is not public;
 * - `unused`: an unused-access finding (an unused role, user key, password or permission).
 */
export type Exposure = "public" | "cross-account" | "unused";

/** One finding, as the report shows it. Every string in it may come from an attacker. */
export interface Finding {
  readonly accountId: string;
  readonly accountName?: string;
  readonly region: string;
  readonly analyzer: { readonly name: string; readonly arn: string; readonly type: string };
  /** AWS's finding id (a UUID); stable for the finding's life. */
  readonly id: string;
  /** `ExternalAccess`, `UnusedIAMRole`, `UnusedIAMUserAccessKey`, … */
  readonly findingType: string;
  /** The resource ARN (absent on some unused-access findings). */
  readonly resource?: string;
  readonly resourceType: string;
  readonly resourceOwnerAccount: string;
  readonly exposure: Exposure;
  /** The principal granted access (`AWS`, `Federated`, `Service`, … → value), when known. */
  readonly principal?: Readonly<Record<string, string>>;
  /** The condition keys under which access is granted, when known. */
  readonly condition?: Readonly<Record<string, string>>;
  /** The actions granted, when known. */
  readonly action?: readonly string[];
  readonly status: string;
  /** ISO time of the last change. */
  readonly updatedAt: string;
  readonly createdAt?: string;
  /** AWS's `error` on the finding (e.g. the resource could not be analysed). */
  readonly error?: string;
}

/** What `findings` keeps. */
export interface FindingsFilter {
  /** Default `ACTIVE`. */
  readonly status: FindingStatus;
  /** Only these resource types; absent: all. */
  readonly resourceTypes?: readonly string[];
  /** Only public findings. */
  readonly publicOnly: boolean;
  /** Only findings updated at or after this ISO time. */
  readonly since?: string;
}

/** A region that could not be read, in an account that could. */
export interface RegionError {
  readonly region: string;
  readonly error: string;
}

/** One account's part of the report. */
export interface AccountFindings {
  readonly accountId: string;
  readonly name?: string;
  /**
   * `succeeded`: every region in scope was read; `failed`: the account could not be reached, or
   * a region could not be read (`regionErrors`; the others were); `aborted`; `skipped`.
   */
  readonly outcome: "succeeded" | "failed" | "aborted" | "skipped";
  readonly error?: string;
  /** The coverage verdicts, computed as `audit` does; absent when the account was not reached. */
  readonly coverage?: AccountAudit;
  readonly regionErrors: readonly RegionError[];
  /** Sorted by region, analyzer, resource, id. */
  readonly findings: readonly Finding[];
  readonly durationMs: number;
}

/** Counts over the whole report. */
export interface FindingsTotals {
  readonly accounts: number;
  readonly failedAccounts: number;
  readonly unreadableRegions: number;
  readonly findings: number;
  readonly public: number;
  readonly crossAccount: number;
  readonly unused: number;
}

/**
 * The findings report: what `--format json` writes. `schemaVersion` 1 changes only by adding
 * optional fields; a field never disappears or changes meaning without a bump.
 */
export interface FindingsReport {
  readonly schemaVersion: 1;
  readonly kind: "access-analyzer-fleet/findings";
  /** The fleet file the accounts came from, as given (SARIF locates results in it). */
  readonly fleetFile: string;
  readonly generatedAt: string;
  readonly filter: FindingsFilter;
  readonly totals: FindingsTotals;
  /** In fleet-file order. */
  readonly accounts: readonly AccountFindings[];
}

/** Raw filter options as the CLI receives them. */
export interface RawFindingsFilter {
  readonly status?: string;
  /** Comma-separated or repeated. */
  readonly resourceType?: string | readonly string[];
  readonly publicOnly?: boolean;
  /** An ISO date/time, or a duration before `now`: `30m`, `12h`, `7d`, `2w`. */
  readonly since?: string;
}

/** A bad filter option: the message names the option and the fix. */
export class FindingsFilterError extends Error {
  constructor(message: string) {
    super(message);
    this.name = "FindingsFilterError";
  }
}

const UNIT_MS: Record<string, number> = {
  m: 60_000,
  h: 3_600_000,
  d: 86_400_000,
  w: 7 * 86_400_000,
};

/** `--since`: an ISO date (`2025-01-31`, `2025-01-31T12:00:00Z`) or a duration (`7d`) → ISO time. */
export function parseSince(value: string, now: Date): string {
  const text = value.trim();
  const duration = /^(\d+)\s*([mhdw])$/i.exec(text);
  if (duration) {
    const ms = Number(duration[1]) * UNIT_MS[duration[2].toLowerCase()];
    return new Date(now.getTime() - ms).toISOString();
  }
  if (/^\d{4}-\d{2}-\d{2}([T ][0-9:.]+(Z|[+-]\d{2}:?\d{2})?)?$/.test(text)) {
    const t = Date.parse(text);
    if (!Number.isNaN(t)) return new Date(t).toISOString();
  }
  throw new FindingsFilterError(
    `--since: "${value}" is neither a date nor a duration; use an ISO date such as 2025-01-31 ` +
      `(or 2025-01-31T12:00:00Z) or a duration before now such as 30m, 12h, 7d or 2w`,
  );
}

/** Validates the raw options; throws a `FindingsFilterError` naming the option and the fix. */
export function parseFindingsFilter(raw: RawFindingsFilter, now: Date): FindingsFilter {
  const status = (raw.status ?? "ACTIVE").trim().toUpperCase();
  if (!(FINDING_STATUSES as readonly string[]).includes(status)) {
    throw new FindingsFilterError(
      `--status: "${raw.status}" is not a finding status; use one of ${FINDING_STATUSES.join(", ")}`,
    );
  }
  const given = raw.resourceType === undefined ? [] : [raw.resourceType].flat();
  const canonical = new Set<string>();
  for (const t of given
    .flatMap((v) => v.split(","))
    .map((v) => v.trim())
    .filter((v) => v !== "")) {
    const known = RESOURCE_TYPES.find((r) => r.toLowerCase() === t.toLowerCase());
    if (known === undefined) {
      throw new FindingsFilterError(
        `--resource-type: "${t}" is not a resource type Access Analyzer reports; use one of ${RESOURCE_TYPES.join(", ")}`,
      );
    }
    canonical.add(known);
  }
  return {
    status: status as FindingStatus,
    ...(canonical.size > 0 ? { resourceTypes: [...canonical] } : {}),
    publicOnly: raw.publicOnly === true,
    ...(raw.since !== undefined ? { since: parseSince(raw.since, now) } : {}),
  };
}

/**
 * The criteria AWS can apply itself (`ListFindingsV2`'s `filter`): status and resource type.
 * `publicOnly` and `since` are applied by `keepFinding`.
 */
export function serverCriteria(
  filter: FindingsFilter,
): Record<string, { eq?: string[]; neq?: string[]; exists?: boolean }> {
  return {
    status: { eq: [filter.status] },
    ...(filter.resourceTypes ? { resourceType: { eq: [...filter.resourceTypes] } } : {}),
  };
}

/** `status ACTIVE; resource type AWS::S3::Bucket; public only; updated since …`. Pure. */
export function describeFilter(f: FindingsFilter): string {
  return [
    `status ${f.status}`,
    ...(f.resourceTypes ? [`resource type ${f.resourceTypes.join(", ")}`] : []),
    ...(f.publicOnly ? ["public only"] : []),
    ...(f.since !== undefined ? [`updated since ${f.since}`] : []),
  ].join("; ");
}

/** Whether the report keeps a finding: the filters AWS did not apply. Pure. */
export function keepFinding(f: Finding, filter: FindingsFilter): boolean {
  if (f.status !== filter.status) return false;
  if (filter.resourceTypes && !filter.resourceTypes.includes(f.resourceType)) return false;
  if (filter.publicOnly && f.exposure !== "public") return false;
  // Stryker disable next-line ConditionalExpression: without since, Date.parse(undefined) is NaN and the comparison is false anyway
  if (filter.since !== undefined && Date.parse(f.updatedAt) < Date.parse(filter.since)) {
    return false;
  }
  return true;
}

const UNUSED_TYPES = new Set(["ACCOUNT_UNUSED_ACCESS", "ORGANIZATION_UNUSED_ACCESS"]);

export function analyzerFamily(type: string): AnalyzerFamily {
  return UNUSED_TYPES.has(type) ? "unused-access" : "external-access";
}

/**
 * Public, cross-account or unused: unused-access findings are `unused`; an external-access finding
 * is `public` when AWS says `isPublic`, otherwise `cross-account` (AWS reports external access only
 * for principals outside the zone of trust). Pure.
 */
export function exposureOf(family: AnalyzerFamily, isPublic: boolean | undefined): Exposure {
  if (family === "unused-access") return "unused";
  return isPublic === true ? "public" : "cross-account";
}

/** `AWS: arn:aws:iam::444455556666:root; Service: lambda.amazonaws.com` or the condition, or "". */
export function grantDescription(f: Pick<Finding, "principal" | "condition">): string {
  const pairs = (m: Readonly<Record<string, string>> | undefined) =>
    Object.entries(m ?? {})
      .sort(([a], [b]) => a.localeCompare(b))
      .map(([k, v]) => `${k}: ${v}`)
      .join("; ");
  const principal = pairs(f.principal);
  const condition = pairs(f.condition);
  if (principal && condition) return `${principal} (if ${condition})`;
  return principal || (condition ? `if ${condition}` : "");
}

function compare(a: Finding, b: Finding): number {
  return (
    a.region.localeCompare(b.region) ||
    a.analyzer.name.localeCompare(b.analyzer.name) ||
    (a.resource ?? "").localeCompare(b.resource ?? "") ||
    a.id.localeCompare(b.id)
  );
}

/** Findings in the report's order: region, analyzer, resource, id. Pure. */
export function sortFindings(findings: readonly Finding[]): Finding[] {
  return [...findings].sort(compare);
}

/** Totals over the accounts. Pure. */
export function findingsTotals(accounts: readonly AccountFindings[]): FindingsTotals {
  const all = accounts.flatMap((a) => a.findings);
  return {
    accounts: accounts.length,
    failedAccounts: accounts.filter((a) => a.outcome !== "succeeded").length,
    unreadableRegions: accounts.reduce((n, a) => n + a.regionErrors.length, 0),
    findings: all.length,
    public: all.filter((f) => f.exposure === "public").length,
    crossAccount: all.filter((f) => f.exposure === "cross-account").length,
    unused: all.filter((f) => f.exposure === "unused").length,
  };
}
