/**
 * What the fleet reads from one account, as a port: its enabled regions and each region's analyzers
 * (fleet/aws/ implements it over the AWS SDK; the tests pass fakes). With the pure rules on what was
 * read: which regions the fleet file keeps in scope, and which analyzers' findings count.
 */
import { type AnalyzerSettings } from "../settings/types";

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
}

/** What `audit` needs to read from one account. Implementations never change anything. */
export interface AccountReader {
  /** Regions the account has enabled (opt-in-not-required and opted-in). */
  enabledRegions(): Promise<string[]>;
  /** Every analyzer in the region, all types and statuses. */
  analyzers(region: string): Promise<AnalyzerInfo[]>;
  /** How many ACTIVE findings the analyzer holds. */
  activeFindings(region: string, analyzerArn: string): Promise<number>;
  /** Releases connections; called once when the account is done. */
  close?(): void;
}

/** Regions read at once in one account, by default. */
export const DEFAULT_REGION_CONCURRENCY = 4;

/** Accounts read at once, by default (reads are light; AWS API rate limits are the bound). */
export const DEFAULT_AUDIT_CONCURRENCY = 4;

export const EXTERNAL_ACCESS_TYPES = new Set(["ACCOUNT", "ORGANIZATION"]);

export const UNUSED_ACCESS_TYPES = new Set(["ACCOUNT_UNUSED_ACCESS", "ORGANIZATION_UNUSED_ACCESS"]);

/**
 * The analyzers whose findings `audit` counts: ACTIVE external-access and unused-access analyzers.
 * Internal-access analyzers are listed but not counted; an analyzer that is not ACTIVE has no
 * findings to give.
 */
export function countsFindings(a: AnalyzerInfo): boolean {
  return (
    a.status === "ACTIVE" && (EXTERNAL_ACCESS_TYPES.has(a.type) || UNUSED_ACCESS_TYPES.has(a.type))
  );
}

/**
 * Why the fleet file leaves an enabled region out, or undefined when it is in scope: listed in
 * `excludeRegions`, or an explicit `regions` list that does not name it.
 */
export function exclusionReason(
  region: string,
  settings: Pick<AnalyzerSettings, "regions" | "excludeRegions">,
): string | undefined {
  if (settings.excludeRegions?.includes(region)) return "in excludeRegions";
  if (settings.regions && !settings.regions.includes(region)) return "not in regions";
  return undefined;
}
