/**
 * `audit`: is there an ACTIVE `ACCOUNT` analyzer (what Security Hub IAM.28 counts) in every region
 * each account has enabled, and how many ACTIVE findings do its analyzers hold? Read from AWS
 * directly, without trusting Pulumi state, and never changing anything.
 *
 * This file holds the narrow reading interface, the pure verdicts, the per-account orchestration
 * (I/O only through `AccountReader`) and the table. The AWS SDK implementation of `AccountReader`
 * is in `auditSdk.ts`, loaded only when `audit` runs.
 */
import {
  accountLabel,
  firstLine,
  formatColumns,
  formatDuration,
  noChanges,
  OUTCOMES,
  totalsOf,
} from "./report";
import { runAll } from "./scheduler";
import type {
  AccountAudit,
  AnalyzerSettings,
  AuditedAnalyzer,
  AuditTotals,
  FindingCounts,
  Outcome,
  RegionAudit,
  RegionCounts,
  StackResult,
  Target,
} from "./types";

/** One analyzer as `ListAnalyzers` describes it. */
export type AnalyzerInfo = Omit<AuditedAnalyzer, "activeFindings">;

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

/** What was read in one region: the analyzers, the findings counted, and the first error. */
export interface RegionReading {
  /** Absent when `ListAnalyzers` failed. */
  readonly analyzers?: readonly AnalyzerInfo[];
  /** Analyzer ARN → ACTIVE findings, for the analyzers counted. */
  readonly findings: Readonly<Record<string, number>>;
  readonly error?: string;
}

/** Regions read at once in one account, by default. */
export const DEFAULT_REGION_CONCURRENCY = 4;
/** Accounts read at once, by default (reads are light; AWS API rate limits are the bound). */
export const DEFAULT_AUDIT_CONCURRENCY = 4;

const EXTERNAL_ACCESS_TYPES = new Set(["ACCOUNT", "ORGANIZATION"]);
const UNUSED_ACCESS_TYPES = new Set(["ACCOUNT_UNUSED_ACCESS", "ORGANIZATION_UNUSED_ACCESS"]);

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

function noFindings(): FindingCounts {
  return { externalAccess: 0, unusedAccess: 0 };
}

function addFindings(into: FindingCounts, add: FindingCounts): void {
  into.externalAccess += add.externalAccess;
  into.unusedAccess += add.unusedAccess;
}

function quoteNames(analyzers: readonly AnalyzerInfo[]): string {
  return analyzers.map((a) => `"${a.name}"`).join(", ");
}

/** The verdict on one enabled, non-excluded region from what was read there. Pure. */
export function regionAudit(region: string, reading: RegionReading): RegionAudit {
  const analyzers: AuditedAnalyzer[] = (reading.analyzers ?? []).map((a) =>
    reading.findings[a.arn] !== undefined
      ? { ...a, activeFindings: reading.findings[a.arn] }
      : { ...a },
  );
  const activeFindings = noFindings();
  for (const a of analyzers) {
    if (a.activeFindings === undefined) continue;
    if (EXTERNAL_ACCESS_TYPES.has(a.type)) activeFindings.externalAccess += a.activeFindings;
    if (UNUSED_ACCESS_TYPES.has(a.type)) activeFindings.unusedAccess += a.activeFindings;
  }
  const base = { region, analyzers, activeFindings };
  if (reading.error !== undefined || reading.analyzers === undefined) {
    return { ...base, verdict: "error", error: reading.error ?? "analyzers were not read" };
  }
  const accountAnalyzers = analyzers.filter((a) => a.type === "ACCOUNT");
  const active = accountAnalyzers.find((a) => a.status === "ACTIVE");
  if (active) return { ...base, verdict: "covered", analyzer: active };
  const inactive = accountAnalyzers[0];
  if (inactive) {
    return {
      ...base,
      verdict: "not-active",
      analyzer: inactive,
      detail: `ACCOUNT analyzer "${inactive.name}" is ${inactive.status}${inactive.statusReason ? ` (${inactive.statusReason})` : ""}`,
    };
  }
  const org = analyzers.filter((a) => a.type === "ORGANIZATION");
  return {
    ...base,
    verdict: "missing",
    detail:
      org.length > 0
        ? `no ACCOUNT analyzer; ORGANIZATION analyzer ${quoteNames(org)} does not count for IAM.28`
        : "no ACCOUNT analyzer",
  };
}

/**
 * The verdict on every enabled region of one account. Pure.
 * @param enabledRegions what the account reported (any order).
 * @param settings the fleet file's region settings for the account.
 * @param readings region → what was read; a region in scope without a reading is an `error`.
 */
export function accountAudit(
  enabledRegions: readonly string[],
  settings: Pick<AnalyzerSettings, "regions" | "excludeRegions">,
  readings: Readonly<Record<string, RegionReading>>,
): AccountAudit {
  const sorted = [...new Set(enabledRegions)].sort();
  const regions = sorted.map((region): RegionAudit => {
    const excluded = exclusionReason(region, settings);
    if (excluded !== undefined) {
      return {
        region,
        verdict: "excluded",
        analyzers: [],
        activeFindings: noFindings(),
        detail: `excluded by the fleet file (${excluded}); not read`,
      };
    }
    return regionAudit(region, readings[region] ?? { findings: {}, error: "not read" });
  });
  const counts: RegionCounts = {
    enabled: sorted.length,
    covered: 0,
    missing: 0,
    notActive: 0,
    excluded: 0,
    error: 0,
  };
  const activeFindings = noFindings();
  for (const r of regions) {
    if (r.verdict === "not-active") counts.notActive++;
    else counts[r.verdict]++;
    addFindings(activeFindings, r.activeFindings);
  }
  return { enabledRegions: sorted, counts, activeFindings, regions };
}

/** Non-compliant regions are `missing` and `not-active`; `error` is unknown, not non-compliant. */
export function isNonCompliant(r: RegionAudit): boolean {
  return r.verdict === "missing" || r.verdict === "not-active";
}

/** The account's outcome: `failed` when anything was unreadable, then `noncompliant`, else `succeeded`. */
export function auditOutcome(audit: AccountAudit): Outcome {
  if (audit.counts.error > 0) return "failed";
  if (audit.regions.some(isNonCompliant)) return "noncompliant";
  return "succeeded";
}

/** `AccessDeniedException: User … is not authorized …`: the SDK error's name and message. */
export function describeError(error: unknown): string {
  if (error instanceof Error) {
    const name = error.name && error.name !== "Error" ? `${error.name}: ` : "";
    return `${name}${error.message}`;
  }
  return String(error);
}

export interface AuditAccountOptions {
  /** Regions read at once (default 4). */
  readonly regionConcurrency?: number;
  /** Aborts in-flight reads; regions not started are not read. */
  readonly signal?: AbortSignal;
  /** Masks anything credential-like in error messages. */
  readonly redact?: (text: string) => string;
  readonly now?: () => Date;
}

/** Reads one region: its analyzers, then the ACTIVE findings of those `countsFindings` picks. */
async function readRegion(reader: AccountReader, region: string): Promise<RegionReading> {
  let analyzers: AnalyzerInfo[];
  try {
    analyzers = await reader.analyzers(region);
  } catch (error) {
    return { findings: {}, error: describeError(error) };
  }
  const findings: Record<string, number> = {};
  for (const a of analyzers.filter(countsFindings)) {
    try {
      findings[a.arn] = await reader.activeFindings(region, a.arn);
    } catch (error) {
      return {
        analyzers,
        findings,
        error: describeError(error),
      };
    }
  }
  return { analyzers, findings };
}

/**
 * Audits one account through `reader` and returns its result. Never throws: an account that cannot
 * be reached is `failed` with the error; a region that cannot be read is an `error` region (the
 * others are still read) and makes the account `failed`.
 */
export async function auditAccount(
  target: Target,
  reader: AccountReader,
  options: AuditAccountOptions = {},
): Promise<StackResult> {
  const now = options.now ?? (() => new Date());
  const redact = options.redact ?? ((t: string) => t);
  const started = now();
  const base = {
    accountId: target.accountId,
    ...(target.name !== undefined ? { name: target.name } : {}),
    stack: target.stack,
    operation: "audit" as const,
    changes: noChanges(),
    startedAt: started.toISOString(),
  };
  const finish = (
    outcome: Outcome,
    audit: AccountAudit | undefined,
    error: string | undefined,
  ): StackResult => {
    const covered = audit?.regions.filter((r) => r.verdict === "covered") ?? [];
    const unused = audit?.regions
      .flatMap((r) => r.analyzers)
      .find((a) => a.type === "ACCOUNT_UNUSED_ACCESS" && a.status === "ACTIVE");
    return {
      ...base,
      outcome,
      regions: covered.map((r) => r.region),
      analyzerArns: Object.fromEntries(covered.map((r) => [r.region, r.analyzer?.arn ?? ""])),
      ...(unused ? { unusedAccessAnalyzerArn: unused.arn } : {}),
      durationMs: now().getTime() - started.getTime(),
      ...(error !== undefined ? { error: redact(error) } : {}),
      ...(audit ? { audit: redactAudit(audit, redact) } : {}),
    };
  };

  try {
    let enabled: string[];
    try {
      enabled = await reader.enabledRegions();
    } catch (error) {
      if (options.signal?.aborted) return finish("aborted", undefined, "aborted");
      return finish("failed", undefined, describeError(error));
    }
    const inScope = [...new Set(enabled)]
      .sort()
      .filter((r) => exclusionReason(r, target.settings) === undefined);
    const scheduled = await runAll(inScope, (region) => readRegion(reader, region), {
      concurrency: options.regionConcurrency ?? DEFAULT_REGION_CONCURRENCY,
      ...(options.signal ? { signal: options.signal } : {}),
      isFailure: () => false,
      onError: (_region, error): RegionReading => ({ findings: {}, error: describeError(error) }),
      onSkip: (): RegionReading => ({ findings: {}, error: "aborted before it was read" }),
    });
    const readings: Record<string, RegionReading> = {};
    inScope.forEach((region, i) => (readings[region] = scheduled.results[i]));
    const audit = accountAudit(enabled, target.settings, readings);
    if (options.signal?.aborted) return finish("aborted", audit, "aborted");
    const outcome = auditOutcome(audit);
    const errors = audit.regions.filter((r) => r.verdict === "error");
    const error =
      errors.length > 0
        ? `${errors.length} region(s) could not be read: ${errors.map((r) => `${r.region}: ${firstLine(r.error, 160)}`).join("; ")}`
        : undefined;
    return finish(outcome, audit, error);
  } finally {
    reader.close?.();
  }
}

function redactAudit(audit: AccountAudit, redact: (t: string) => string): AccountAudit {
  return {
    ...audit,
    regions: audit.regions.map((r) =>
      r.error !== undefined ? { ...r, error: redact(r.error) } : r,
    ),
  };
}

/** Region verdicts and findings summed over every audited account. Pure. */
export function auditTotals(results: readonly StackResult[]): AuditTotals {
  const totals: AuditTotals = {
    accounts: results.length,
    enabled: 0,
    covered: 0,
    missing: 0,
    notActive: 0,
    excluded: 0,
    error: 0,
    activeFindings: noFindings(),
  };
  for (const r of results) {
    if (!r.audit) continue;
    for (const k of ["enabled", "covered", "missing", "notActive", "excluded", "error"] as const) {
      totals[k] += r.audit.counts[k];
    }
    addFindings(totals.activeFindings, r.audit.activeFindings);
  }
  return totals;
}

const AUDIT_COLUMNS = [
  "ACCOUNT",
  "RESULT",
  "ENABLED",
  "COVERED",
  "MISSING",
  "NOT-ACTIVE",
  "EXCLUDED",
  "EXT-FINDINGS",
  "UNUSED-FINDINGS",
  "DURATION",
  "ERROR",
] as const;

function auditRow(r: StackResult): string[] {
  const a = r.audit;
  const n = (v: number | undefined) => (a && v !== undefined ? String(v) : "-");
  return [
    accountLabel(r),
    r.outcome,
    n(a?.counts.enabled),
    n(a?.counts.covered),
    n(a?.counts.missing),
    n(a?.counts.notActive),
    n(a?.counts.excluded),
    n(a?.activeFindings.externalAccess),
    n(a?.activeFindings.unusedAccess),
    r.outcome === "skipped" ? "-" : formatDuration(r.durationMs),
    firstLine(r.error ?? r.skippedReason),
  ];
}

/**
 * The `audit` summary: one row per account, then one line per region that is not covered
 * (missing, not-active, error), then the totals.
 */
export function formatAuditTable(results: readonly StackResult[]): string {
  const lines = formatColumns([[...AUDIT_COLUMNS], ...results.map(auditRow)]);
  const details = results.flatMap((r) =>
    (r.audit?.regions ?? [])
      .filter((g) => isNonCompliant(g) || g.verdict === "error")
      .map((g) => [accountLabel(r), g.region, g.verdict, firstLine(g.error ?? g.detail, 200)]),
  );
  if (details.length > 0) {
    lines.push("", "Regions not covered:", ...formatColumns(details).map((l) => `  ${l}`));
  }
  const t = totalsOf(results);
  const a = auditTotals(results);
  const outcomes = OUTCOMES.filter((o) => t[o] > 0).map((o) => `${t[o]} ${o}`);
  lines.push(
    "",
    `${t.stacks} account(s): ${outcomes.join(", ") || "none"}; regions: ${a.enabled} enabled, ` +
      `${a.covered} covered, ${a.missing} missing, ${a.notActive} not-active, ${a.excluded} excluded, ` +
      `${a.error} unreadable; active findings: ${a.activeFindings.externalAccess} external-access, ` +
      `${a.activeFindings.unusedAccess} unused-access`,
  );
  return lines.join("\n");
}
