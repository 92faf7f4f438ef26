/**
 * `findings`: the types of the findings report, the filters and their parsing, and the pure
 * decisions (who is granted access, public or cross-account, which findings a filter keeps, how
 * urgent each one is, the command that archives it and its console page).
 * No I/O here: the reading is in fleet/flows/findings.ts, the formats in fleet/report/findings/,
 * the comparison with an earlier report and the merge in findingsReports.ts, the suppressions in
 * suppressions.ts.
 */
import { REGION_PATTERN } from "../../components/schema";
import type { AnalyzerFamily, UnusedAccessDetail } from "./account";
import { UsageError } from "./errors";
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

/**
 * What a finding says about access:
 * - `public`: anyone (AWS's `isPublic`);
 * - `cross-account`: a principal outside the zone of trust (another account, a federated or
 *   service principal) — every external-access finding that is not public;
 * - `unused`: an unused-access finding (an unused role, user key, password or permission).
 */
export type Exposure = "public" | "cross-account" | "unused";

/** The access kinds, most urgent first (`--access`). */
export const ACCESS_KINDS: readonly Exposure[] = ["public", "cross-account", "unused"];

/**
 * The triage tiers, most urgent first. A finding's tier decides its place in the report before
 * anything else:
 * 1. `public`: anyone on the internet can use the grant, with no credentials at all;
 * 2. `public-conditional`: the same, narrowed by a condition (source IP, VPC, organization, …);
 * 3. `cross-account`: a known principal outside the zone of trust, with its own credentials;
 * 4. `cross-account-conditional`: the same, narrowed by a condition;
 * 5. `unused-credential`: an unused IAM user access key or password: a long-lived secret that
 *    works from anywhere if it leaks, and that nobody would miss;
 * 6. `unused-role`: a role nobody uses, still assumable by whoever its trust policy names;
 * 7. `unused-permission`: permissions an identity holds but does not use (least privilege).
 * External access comes before unused access because it is access someone else has today;
 * unused access is attack surface of one's own identities.
 */
export const TRIAGE_TIERS = [
  "public",
  "public-conditional",
  "cross-account",
  "cross-account-conditional",
  "unused-credential",
  "unused-role",
  "unused-permission",
] as const;
export type TriageTier = (typeof TRIAGE_TIERS)[number];

/** Against an earlier report (`--since report.json`): `new`, `unchanged`, or `resolved` (gone). */
export type FindingChange = "new" | "unchanged" | "resolved";

/** The suppression that mutes a finding (suppressions.ts). */
export interface FindingSuppression {
  /** Its position in the suppression file's list, from 1. */
  readonly rule: number;
  readonly reason: string;
  /** ISO time after which it no longer applies. */
  readonly expires: string;
}

/** One finding, as the report shows it. Every string in it may come from an attacker. */
export interface Finding {
  readonly accountId: string;
  readonly accountName?: string;
  /** The account's OU path in AWS Organizations (organization fleets). */
  readonly ouPath?: string;
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
  /** Unused access: when it was last used (`GetFindingV2`; absent without details). */
  readonly unused?: UnusedAccessDetail;
  readonly status: string;
  /** ISO time of the last change. */
  readonly updatedAt: string;
  readonly createdAt?: string;
  /** AWS's `error` on the finding (e.g. the resource could not be analysed). */
  readonly error?: string;
  /** Its triage tier (`TRIAGE_TIERS`). */
  readonly tier?: TriageTier;
  /** Its place in the fleet-wide triage order, from 1 (the most urgent). */
  readonly rank?: number;
  /** Against the earlier report given to `--since`. */
  readonly change?: FindingChange;
  /** Muted by the suppression file: kept in the report, left out of the counts and views. */
  readonly suppressed?: FindingSuppression;
}

/** What `findings` keeps. */
export interface FindingsFilter {
  /** Default `ACTIVE`. */
  readonly status: FindingStatus;
  /** Only these resource types; absent: all. */
  readonly resourceTypes?: readonly string[];
  /** Only public findings (`--public`, the same as `--access public`). */
  readonly publicOnly: boolean;
  /** Only these access kinds; absent: all. */
  readonly accessKinds?: readonly Exposure[];
  /** Only findings in these regions; absent: all. */
  readonly regions?: readonly string[];
  /** Only accounts in these OUs (or below); the selection, recorded. */
  readonly ous?: readonly string[];
  /** Only these accounts (`--accounts`); the selection, recorded. */
  readonly accounts?: readonly string[];
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
  /** The OU path in AWS Organizations (organization fleets). */
  readonly ouPath?: string;
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

/** Counts over the whole report; suppressed findings are counted apart, never in the others. */
export interface FindingsTotals {
  readonly accounts: number;
  readonly failedAccounts: number;
  readonly unreadableRegions: number;
  readonly findings: number;
  readonly public: number;
  readonly crossAccount: number;
  readonly unused: number;
  /** With a suppression file: the findings it mutes. */
  readonly suppressed?: number;
  /** With `--since report.json`. */
  readonly new?: number;
  readonly unchanged?: number;
  readonly resolved?: number;
}

/** What changed since an earlier report (`--since report.json`). */
export interface FindingsChanges {
  /** The earlier report: its file, as given, and when it was made. */
  readonly baseline: { readonly file: string; readonly generatedAt: string };
  /**
   * The earlier report's findings that are gone (archived, resolved, or no longer matching the
   * filter), in an account and region read both times. Each has `change: "resolved"`.
   */
  readonly resolved: readonly Finding[];
  /**
   * Findings that could not be compared: in an account or region one of the two runs did not
   * read (another shard, an unreadable region, a different filter). Never counted as new or
   * resolved.
   */
  readonly notCompared: number;
}

/** One entry of the suppression file, and what it did in this report. */
export interface SuppressionUse {
  /** Its position in the file's list, from 1. */
  readonly rule: number;
  /** What it matches, in words (`id 5f3c…`, `resource arn:aws:s3:::logs-*`). */
  readonly match: string;
  readonly reason: string;
  readonly expires: string;
  /** It no longer applies: the findings it matches are shown again. */
  readonly expired: boolean;
  /** The findings it matches in this report (for an expired one: would have muted). */
  readonly matched: number;
}

/** The suppression file and what each entry did. */
export interface SuppressionsSummary {
  readonly file: string;
  readonly rules: readonly SuppressionUse[];
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
  /** With `--since report.json`. */
  readonly changes?: FindingsChanges;
  /** With `--suppressions FILE`. */
  readonly suppressions?: SuppressionsSummary;
  /** `report merge`: the reports it joined. */
  readonly sources?: readonly { readonly file: string; readonly generatedAt: string }[];
}

/** Raw filter options as the CLI receives them. */
export interface RawFindingsFilter {
  readonly status?: string;
  /** Comma-separated or repeated. */
  readonly resourceType?: string | readonly string[];
  readonly publicOnly?: boolean;
  /** `public`, `cross-account`, `unused`; comma-separated or repeated. */
  readonly access?: string | readonly string[];
  /** Region names; comma-separated or repeated. */
  readonly region?: string | readonly string[];
  /** An ISO date/time, or a duration before `now`: `30m`, `12h`, `7d`, `2w`. */
  readonly since?: string;
}

/** A bad filter option: the message names the option and the fix. */
export class FindingsFilterError extends UsageError {}

const UNIT_MS: Record<string, number> = {
  m: 60_000,
  h: 3_600_000,
  d: 86_400_000,
  w: 7 * 86_400_000,
};

const DURATION = /^(\d+)\s*([mhdw])$/i;
const ISO_DATE = /^\d{4}-\d{2}-\d{2}([T ][0-9:.]+(Z|[+-]\d{2}:?\d{2})?)?$/;

/**
 * Whether a `--since` value is meant as a time (a duration, or anything that starts like a date)
 * rather than the path of an earlier report. Pure.
 */
export function sinceIsTime(value: string): boolean {
  const text = value.trim();
  return DURATION.test(text) || /^-?\d+\s*[a-z]?$/i.test(text) || /^\d{4}-\d{2}-\d{2}/.test(text);
}

/** `2025-02-30` is not a day (JavaScript would read it as March 2). */
function realDay(text: string): boolean {
  const [y, m, d] = text.slice(0, 10).split("-").map(Number);
  const day = new Date(Date.UTC(y, m - 1, d));
  return day.getUTCFullYear() === y && day.getUTCMonth() === m - 1 && day.getUTCDate() === d;
}

/**
 * `--since`: an ISO date (`2025-01-31`, `2025-01-31T12:00:00Z`) or a duration (`7d`) → ISO time.
 * A time after `now` is refused: nothing could have been updated since, so every finding would
 * silently be filtered out.
 */
export function parseSince(value: string, now: Date): string {
  const text = value.trim();
  const duration = DURATION.exec(text);
  if (duration) {
    const ms = Number(duration[1]) * UNIT_MS[duration[2].toLowerCase()];
    return new Date(now.getTime() - ms).toISOString();
  }
  if (ISO_DATE.test(text) && realDay(text)) {
    const t = Date.parse(text);
    if (!Number.isNaN(t)) {
      if (t > now.getTime()) {
        throw new FindingsFilterError(
          `--since: "${value}" is in the future (now is ${now.toISOString()}), so no finding could ` +
            `match; give a past date, a duration such as 7d, or an earlier report.json`,
        );
      }
      return new Date(t).toISOString();
    }
  }
  throw new FindingsFilterError(
    `--since: "${value}" is neither a date nor a duration; use an ISO date such as 2025-01-31 ` +
      `(or 2025-01-31T12:00:00Z), a duration before now such as 30m, 12h, 7d or 2w, or the path ` +
      `of an earlier findings report (report.json)`,
  );
}

/**
 * The entries of a comma-separated or repeated option, trimmed, blanks dropped. An option given
 * with nothing in it (`--resource-type ''`) is an error: it would otherwise filter nothing, or
 * everything, without a word.
 */
function listOption(
  option: string,
  value: string | readonly string[] | undefined,
  example: string,
): string[] | undefined {
  if (value === undefined) return undefined;
  const entries = [value]
    .flat()
    .flatMap((v) => v.split(","))
    .map((v) => v.trim())
    .filter((v) => v !== "");
  if (entries.length === 0) {
    throw new FindingsFilterError(
      `${option}: empty; name at least one, e.g. ${option} ${example}, or leave the option out for all`,
    );
  }
  return entries;
}

/** Validates the raw options; throws a `FindingsFilterError` naming the option and the fix. */
export function parseFindingsFilter(raw: RawFindingsFilter, now: Date): FindingsFilter {
  const status = (raw.status ?? "ACTIVE").trim().toUpperCase();
  if (!(FINDING_STATUSES as readonly string[]).includes(status)) {
    throw new FindingsFilterError(
      `--status: "${raw.status}" is not a finding status; use one of ${FINDING_STATUSES.join(", ")}`,
    );
  }
  const canonical = new Set<string>();
  for (const t of listOption("--resource-type", raw.resourceType, "AWS::S3::Bucket") ?? []) {
    const known = RESOURCE_TYPES.find((r) => r.toLowerCase() === t.toLowerCase());
    if (known === undefined) {
      throw new FindingsFilterError(
        `--resource-type: "${t}" is not a resource type Access Analyzer reports; use one of ${RESOURCE_TYPES.join(", ")}`,
      );
    }
    canonical.add(known);
  }
  const kinds = new Set<Exposure>();
  for (const k of listOption("--access", raw.access, "public,cross-account") ?? []) {
    const known = ACCESS_KINDS.find((a) => a === k.toLowerCase());
    if (known === undefined) {
      throw new FindingsFilterError(
        `--access: "${k}" is not an access kind; use one of ${ACCESS_KINDS.join(", ")}`,
      );
    }
    kinds.add(known);
  }
  const regions = new Set<string>();
  for (const r of listOption("--region", raw.region, "eu-west-1") ?? []) {
    const region = r.toLowerCase();
    if (!REGION_PATTERN.test(region)) {
      throw new FindingsFilterError(
        `--region: "${r}" is not a region name; write it as AWS does, e.g. eu-west-1 or us-gov-west-1`,
      );
    }
    regions.add(region);
  }
  return {
    status: status as FindingStatus,
    ...(canonical.size > 0 ? { resourceTypes: [...canonical] } : {}),
    publicOnly: raw.publicOnly === true,
    ...(kinds.size > 0 ? { accessKinds: ACCESS_KINDS.filter((k) => kinds.has(k)) } : {}),
    ...(regions.size > 0 ? { regions: [...regions].sort() } : {}),
    ...(raw.since !== undefined ? { since: parseSince(raw.since, now) } : {}),
  };
}

/**
 * The criteria AWS can apply itself (`ListFindingsV2`'s `filter`): status and resource type.
 * The others are applied by `keepFinding`.
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
    ...(f.accounts ? [`account ${f.accounts.join(", ")}`] : []),
    ...(f.ous ? [`OU ${f.ous.join(", ")}`] : []),
    ...(f.regions ? [`region ${f.regions.join(", ")}`] : []),
    ...(f.resourceTypes ? [`resource type ${f.resourceTypes.join(", ")}`] : []),
    ...(f.publicOnly ? ["public only"] : []),
    ...(f.accessKinds ? [`access ${f.accessKinds.join(", ")}`] : []),
    ...(f.since !== undefined ? [`updated since ${f.since}`] : []),
  ].join("; ");
}

/** Whether the report keeps a finding: the filters AWS did not apply. Pure. */
export function keepFinding(f: Finding, filter: FindingsFilter): boolean {
  if (f.status !== filter.status) return false;
  if (filter.resourceTypes && !filter.resourceTypes.includes(f.resourceType)) return false;
  if (filter.publicOnly && f.exposure !== "public") return false;
  if (filter.accessKinds && !filter.accessKinds.includes(f.exposure)) return false;
  if (filter.regions && !filter.regions.includes(f.region)) return false;
  const since = filter.since === undefined ? -Infinity : Date.parse(filter.since);
  if (Date.parse(f.updatedAt) < since) return false;
  return true;
}

/**
 * Whether an account's OU path is one of `ous` or below one (`Root/Workloads` holds
 * `Root/Workloads/Prod`); a leading `Root/` may be left out, case is ignored. Pure.
 */
export function inOus(ouPath: string | undefined, ous: readonly string[]): boolean {
  if (ouPath === undefined) return false;
  const norm = (p: string) =>
    p
      .trim()
      .replace(/^\/+|\/+$/g, "")
      .replace(/^root(\/|$)/i, "")
      .toLowerCase();
  const path = norm(ouPath);
  return ous.some((ou) => {
    const want = norm(ou);
    return want === "" || path === want || path.startsWith(`${want}/`);
  });
}

/**
 * Public, cross-account or unused: unused-access findings are `unused`; an external-access finding
 * is `public` when AWS says `isPublic`, otherwise `cross-account` (AWS reports external access only
 * for principals outside the zone of trust). Pure.
 */
export function exposureOf(
  family: AnalyzerFamily | undefined,
  isPublic: boolean | undefined,
): Exposure {
  if (family === "unused-access") return "unused";
  return isPublic === true ? "public" : "cross-account";
}

const pairs = (m: Readonly<Record<string, string>> | undefined) =>
  Object.entries(m ?? {})
    .sort(([a], [b]) => a.localeCompare(b))
    .map(([k, v]) => `${k}: ${v}`)
    .join("; ");

/** `AWS: arn:aws:iam::444455556666:root; Service: lambda.amazonaws.com` or the condition, or "". */
export function grantDescription(f: Pick<Finding, "principal" | "condition">): string {
  const principal = pairs(f.principal);
  const condition = pairs(f.condition);
  if (principal && condition) return `${principal} (if ${condition})`;
  return principal || (condition ? `if ${condition}` : "");
}

/** The principal alone: `AWS: *`, or "". */
export function principalDescription(f: Pick<Finding, "principal">): string {
  return pairs(f.principal);
}

/** The condition alone: `aws:SourceIp: 10.0.0.0/8`, or "". */
export function conditionDescription(f: Pick<Finding, "condition">): string {
  return pairs(f.condition);
}

/** The finding's triage tier (`TRIAGE_TIERS`). Pure. */
export function triageTier(f: Pick<Finding, "exposure" | "condition" | "findingType">): TriageTier {
  const conditional = Object.keys(f.condition ?? {}).length > 0;
  switch (f.exposure) {
    case "public":
      return conditional ? "public-conditional" : "public";
    case "cross-account":
      return conditional ? "cross-account-conditional" : "cross-account";
    case "unused":
      if (f.findingType === "UnusedIAMUserAccessKey" || f.findingType === "UnusedIAMUserPassword") {
        return "unused-credential";
      }
      return f.findingType === "UnusedIAMRole" ? "unused-role" : "unused-permission";
  }
}

const CHANGE_ORDER: Record<FindingChange, number> = { new: 0, unchanged: 1, resolved: 2 };

/**
 * The triage order: by tier (`TRIAGE_TIERS`); in a tier, new before unchanged (with `--since`);
 * then external access most recently changed first, unused access longest unused first (never
 * used first); then account, region, resource and id, so the order is the same every run.
 */
export function compareTriage(a: Finding, b: Finding): number {
  const ta = TRIAGE_TIERS.indexOf(a.tier ?? triageTier(a));
  const tb = TRIAGE_TIERS.indexOf(b.tier ?? triageTier(b));
  if (ta !== tb) return ta - tb;
  const ca = CHANGE_ORDER[a.change ?? "unchanged"];
  const cb = CHANGE_ORDER[b.change ?? "unchanged"];
  if (ca !== cb) return ca - cb;
  if (a.exposure === "unused") {
    // "" (never used, or not read) sorts before any time: longest unused first.
    const la = a.unused?.lastAccessed ?? "";
    const lb = b.unused?.lastAccessed ?? "";
    if (la !== lb) return la < lb ? -1 : 1;
  } else if (a.updatedAt !== b.updatedAt) {
    return a.updatedAt > b.updatedAt ? -1 : 1;
  }
  return (
    a.accountId.localeCompare(b.accountId) ||
    a.region.localeCompare(b.region) ||
    (a.resource ?? "").localeCompare(b.resource ?? "") ||
    a.id.localeCompare(b.id)
  );
}

/**
 * A finding's identity across runs: its analyzer's ARN and AWS's id (an id is unique only within
 * its analyzer). SARIF's fingerprint is the same.
 */
export function findingKey(f: Pick<Finding, "analyzer" | "id">): string {
  return `${f.analyzer.arn}/${f.id}`;
}

/** A copy of `obj` without `keys`. */
export function omit<T extends object, K extends keyof T>(obj: T, ...keys: K[]): Omit<T, K> {
  const copy: Partial<T> = { ...obj };
  for (const k of keys) delete copy[k];
  return copy as Omit<T, K>;
}

/** Every finding of the report (suppressed ones included), in triage order. Pure. */
export function rankedFindings(report: Pick<FindingsReport, "accounts">): Finding[] {
  return report.accounts.flatMap((a) => a.findings).sort(compareTriage);
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

/** Totals over the accounts; suppressed findings counted apart. Pure. */
export function findingsTotals(
  accounts: readonly AccountFindings[],
  extra: { suppressions?: boolean; resolved?: number } = {},
): FindingsTotals {
  const all = accounts.flatMap((a) => a.findings);
  const shown = all.filter((f) => f.suppressed === undefined);
  const count = (e: Exposure) => shown.filter((f) => f.exposure === e).length;
  return {
    accounts: accounts.length,
    failedAccounts: accounts.filter((a) => a.outcome !== "succeeded").length,
    unreadableRegions: accounts.reduce((n, a) => n + a.regionErrors.length, 0),
    findings: shown.length,
    public: count("public"),
    crossAccount: count("cross-account"),
    unused: count("unused"),
    ...(extra.suppressions ? { suppressed: all.length - shown.length } : {}),
    ...(extra.resolved !== undefined
      ? {
          new: shown.filter((f) => f.change === "new").length,
          unchanged: shown.filter((f) => f.change === "unchanged").length,
          resolved: extra.resolved,
        }
      : {}),
  };
}

/**
 * The report made whole: each finding's tier and fleet-wide rank (suppressed ones ranked too, so
 * a rank never moves when a suppression expires), the accounts' findings in the report's order,
 * and the totals. Run after every step that changes findings (suppressions, `--since`, merge).
 */
export function finishReport(report: FindingsReport): FindingsReport {
  const tiered = report.accounts.map((a) => ({
    ...a,
    findings: a.findings.map((f) => ({ ...f, tier: triageTier(f) })),
  }));
  const order = new Map(rankedFindings({ accounts: tiered }).map((f, i) => [findingKey(f), i + 1]));
  const accounts = tiered.map((a) => ({
    ...a,
    findings: sortFindings(a.findings.map((f) => ({ ...f, rank: order.get(findingKey(f)) }))),
  }));
  const changes = report.changes
    ? {
        ...report.changes,
        resolved: [...report.changes.resolved]
          .map((f) => ({ ...f, tier: triageTier(f) }))
          .sort(compareTriage),
      }
    : undefined;
  return {
    ...report,
    accounts,
    ...(changes ? { changes } : {}),
    totals: findingsTotals(accounts, {
      suppressions: report.suppressions !== undefined,
      ...(changes ? { resolved: changes.resolved.length } : {}),
    }),
  };
}

/**
 * The accounts' names and OU paths from the targets they were read for: an account found through
 * AWS Organizations carries the name Organizations gives it, on the account and on each finding.
 */
export function withOrigins(
  report: FindingsReport,
  targets: readonly {
    accountId: string;
    name?: string;
    origin?: { ouPath?: string; accountName?: string };
  }[],
): FindingsReport {
  const byId = new Map(targets.map((t) => [t.accountId, t]));
  return {
    ...report,
    accounts: report.accounts.map((a) => {
      const t = byId.get(a.accountId);
      const name = a.name ?? t?.name ?? t?.origin?.accountName;
      const ouPath = a.ouPath ?? t?.origin?.ouPath;
      const label = {
        ...(name !== undefined ? { accountName: name } : {}),
        ...(ouPath !== undefined ? { ouPath } : {}),
      };
      return {
        ...a,
        ...(name !== undefined ? { name } : {}),
        ...(ouPath !== undefined ? { ouPath } : {}),
        findings: a.findings.map((f) => ({ ...f, ...label })),
      };
    }),
  };
}

/** `aws`, `aws-us-gov`, `aws-cn`, … from an ARN (default `aws`). */
export function partitionOf(arn: string): string {
  return /^arn:([^:]+):/.exec(arn)?.[1] ?? "aws";
}

const SHELL_SAFE = /^[A-Za-z0-9_.,:/=@+-]+$/;

/** A word for a POSIX shell: as is when safe, else single-quoted. */
export function shellWord(text: string): string {
  return SHELL_SAFE.test(text) ? text : `'${text.replace(/'/g, `'\\''`)}'`;
}

/**
 * The AWS CLI command that archives the finding (`update-findings`, the API's `UpdateFindings`
 * with `ids`); for an archived finding, the one that makes it ACTIVE again; none for a resolved
 * one (AWS resolves findings itself). It needs `access-analyzer:UpdateFindings` in the account.
 */
export function archiveCommand(f: Finding): string | undefined {
  if (f.status === "RESOLVED") return undefined;
  const status = f.status === "ARCHIVED" ? "ACTIVE" : "ARCHIVED";
  return [
    "aws accessanalyzer update-findings",
    `--region ${shellWord(f.region)}`,
    `--analyzer-arn ${shellWord(f.analyzer.arn)}`,
    `--ids ${shellWord(f.id)}`,
    `--status ${status}`,
  ].join(" ");
}

/** Console hosts per partition; the commercial one has regional hosts. */
const CONSOLE_HOST: Record<string, (region: string) => string> = {
  aws: (region) => `${region}.console.aws.amazon.com`,
  "aws-us-gov": () => "console.amazonaws-us-gov.com",
  "aws-cn": () => "console.amazonaws.cn",
};

/**
 * The finding's page in the IAM Access Analyzer console, in its partition: for external access
 * `#/findings/details/<id>`, for unused access `#/unused-access-findings?resource=<ARN>` (the
 * forms AWS itself sends to Security Hub as `SourceUrl`: IAM User Guide,
 * "Integration with AWS Security Hub"). Undefined in a partition without a known console.
 */
export function consoleUrl(f: Finding): string | undefined {
  const host = CONSOLE_HOST[partitionOf(f.analyzer.arn)];
  if (host === undefined) return undefined;
  const region = encodeURIComponent(f.region);
  const base = `https://${host(f.region)}/access-analyzer/home?region=${region}`;
  if (f.exposure === "unused" && f.resource !== undefined) {
    return `${base}#/unused-access-findings?resource=${encodeURIComponent(f.resource)}`;
  }
  return `${base}#/findings/details/${encodeURIComponent(f.id)}`;
}

const AGE_UNITS: readonly [number, string][] = [
  [365 * 86_400_000, "year"],
  [30 * 86_400_000, "month"],
  [7 * 86_400_000, "week"],
  [86_400_000, "day"],
  [3_600_000, "hour"],
  [60_000, "minute"],
];

/** `3 days ago`, `1 month ago`, `just now`, `in 2 hours` (clock skew): a time against `now`. */
export function ageInWords(iso: string, now: string | Date): string {
  const ms = new Date(now).getTime() - Date.parse(iso);
  if (Number.isNaN(ms)) return iso;
  const abs = Math.abs(ms);
  for (const [unit, name] of AGE_UNITS) {
    if (abs >= unit) {
      const n = Math.floor(abs / unit);
      const words = `${n} ${name}${n === 1 ? "" : "s"}`;
      return ms >= 0 ? `${words} ago` : `in ${words}`;
    }
  }
  return "just now";
}

/** `2025-06-10 08:00 UTC`. */
export function utcMinute(iso: string): string {
  const t = Date.parse(iso);
  if (Number.isNaN(t)) return iso;
  return `${new Date(t).toISOString().slice(0, 16).replace("T", " ")} UTC`;
}

/**
 * An unused-access finding's last use in words: `never used`, `last used 4 months ago`; for
 * unused permissions the services too (`3 services: s3 (never), ec2 (5 months ago), …`); "" when
 * not read (`--no-details`).
 */
export function lastUsedDescription(f: Pick<Finding, "unused">, now: string | Date): string {
  const u = f.unused;
  if (u === undefined) return "";
  const when = (t: string | undefined) => (t === undefined ? "never" : ageInWords(t, now));
  const head = u.lastAccessed === undefined ? "never used" : `last used ${when(u.lastAccessed)}`;
  const services = u.services ?? [];
  if (services.length === 0) return head;
  const listed = services
    .slice(0, 5)
    .map((s) => `${s.serviceNamespace} (${when(s.lastAccessed)})`)
    .join(", ");
  const more = services.length > 5 ? `, and ${services.length - 5} more` : "";
  return `${head}; ${services.length} unused service(s): ${listed}${more}`;
}
