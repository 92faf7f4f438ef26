/**
 * `findings`: reads the findings of every ACTIVE external-access and unused-access analyzer in
 * every enabled region (in scope) of each account, through the same `AccountReader` as `audit`
 * (same role, same region listing, same analyzer listing, same concurrency and error isolation),
 * and returns a `FindingsReport`. Read-only. I/O only through `FindingsAccountReader`.
 */
import {
  type AnalyzerInfo,
  DEFAULT_AUDIT_CONCURRENCY,
  type FindingDetail,
  type FindingsAccountReader,
  analyzerFamily,
  countsFindings,
} from "../domain/account";
import { describeError } from "../domain/errors";
import {
  type AccountFindings,
  type Finding,
  type FindingsFilter,
  type FindingsReport,
  type RegionError,
  exposureOf,
  findingsTotals,
  keepFinding,
  serverCriteria,
  sortFindings,
} from "../domain/findings";
import { runAll } from "../domain/scheduler";
import { accountLabel, firstLine } from "../domain/text";
import { type RegionReading, accountAudit, unreadRegions } from "../domain/verdicts";
import { type Target } from "../settings/schema";
import { scanRegions } from "./scan";

export interface ReadFindingsOptions {
  /** Regions read at once per account (default 4). */
  readonly regionConcurrency?: number;
  /** Aborts the reads in flight; nothing new starts. */
  readonly signal?: AbortSignal;
  /**
   * Read each finding with `GetFindingV2` (one call per finding): an external-access finding's
   * principal, condition and actions, an unused-access finding's last use. Without it, public-ness comes from a second `ListFindingsV2`
   * filtered on `isPublic` (one call per analyzer) and the principal is not shown.
   */
  readonly details?: boolean;
  /** Masks anything credential-like in error messages. */
  readonly redact?: (text: string) => string;
  readonly now?: () => Date;
}

interface RegionFindings {
  /** What `audit`'s verdict needs: the analyzers, or the error that kept them from being read. */
  readonly coverage: RegionReading;
  readonly findings: Finding[];
  readonly error?: string;
}

/**
 * `GetFindingV2` calls in flight at once per analyzer. One after another, 10,000 findings took
 * 10,000 sequential round trips (135 s at 30 ms). AWS's quota page (IAM User Guide, "IAM Access
 * Analyzer quotas") lists no request rate for it; 8 is our assumption, not an AWS figure. A
 * `ThrottlingException` is retried with backoff by the SDK (its standard retry mode).
 */
export const DETAIL_CONCURRENCY = 8;

/** Runs `fn` on every item, at most `limit` at once; rejects with the first error (a worker that failed takes no more items). */
export async function eachLimited<T>(
  items: readonly T[],
  limit: number,
  fn: (item: T) => Promise<void>,
): Promise<void> {
  let next = 0;
  const worker = async () => {
    while (next < items.length) await fn(items[next++]);
  };
  await Promise.all(Array.from({ length: Math.min(limit, items.length) }, worker));
}

/** The findings of one analyzer, with their exposure (and details, when asked for). */
async function analyzerFindings(
  target: Target,
  reader: FindingsAccountReader,
  region: string,
  analyzer: AnalyzerInfo,
  filter: FindingsFilter,
  details: boolean,
): Promise<Finding[]> {
  const criteria = serverCriteria(filter);
  const summaries = await reader.findings(region, analyzer.arn, criteria);
  if (summaries.length === 0) return [];
  const family = analyzerFamily(analyzer.type);
  const detailOf = new Map<string, FindingDetail>();
  if (family === "unused-access" && details && reader.findingDetail) {
    // When each role, key, password or service was last used.
    for (const s of summaries) {
      detailOf.set(s.id, await reader.findingDetail(region, analyzer.arn, s.id));
    }
  }
  if (family === "external-access") {
    if (details && reader.findingDetail) {
      const detail = reader.findingDetail.bind(reader);
      await eachLimited(summaries, DETAIL_CONCURRENCY, async (s) => {
        detailOf.set(s.id, await detail(region, analyzer.arn, s.id));
      });
    } else {
      const publicOnes = await reader.findings(region, analyzer.arn, {
        ...criteria,
        isPublic: { eq: ["true"] },
      });
      for (const p of publicOnes) detailOf.set(p.id, { isPublic: true });
    }
  }
  const found = summaries.map((s): Finding => {
    const d = detailOf.get(s.id);
    return {
      accountId: target.accountId,
      ...(target.name !== undefined ? { accountName: target.name } : {}),
      region,
      analyzer: { name: analyzer.name, arn: analyzer.arn, type: analyzer.type },
      id: s.id,
      findingType:
        s.findingType ?? (family === "external-access" ? "ExternalAccess" : "UnusedAccess"),
      ...(s.resource !== undefined ? { resource: s.resource } : {}),
      resourceType: s.resourceType,
      resourceOwnerAccount: s.resourceOwnerAccount,
      exposure: exposureOf(family, d?.isPublic),
      ...(d?.principal ? { principal: d.principal } : {}),
      ...(d?.condition && Object.keys(d.condition).length > 0 ? { condition: d.condition } : {}),
      ...(d?.action ? { action: d.action } : {}),
      ...(d?.unused ? { unused: d.unused } : {}),
      status: s.status,
      updatedAt: s.updatedAt,
      ...(s.createdAt !== undefined ? { createdAt: s.createdAt } : {}),
      ...(s.error !== undefined ? { error: s.error } : {}),
    };
  });
  return found.filter((f) => keepFinding(f, filter));
}

/** One region: its analyzers, then the findings of each one `audit` would count. */
async function readRegionFindings(
  target: Target,
  reader: FindingsAccountReader,
  region: string,
  filter: FindingsFilter,
  details: boolean,
): Promise<RegionFindings> {
  let analyzers: AnalyzerInfo[];
  try {
    analyzers = await reader.analyzers(region);
  } catch (error) {
    const message = describeError(error);
    return { coverage: { findings: {}, error: message }, findings: [], error: message };
  }
  const findings: Finding[] = [];
  const errors: string[] = [];
  for (const a of analyzers.filter(countsFindings)) {
    try {
      findings.push(...(await analyzerFindings(target, reader, region, a, filter, details)));
    } catch (error) {
      errors.push(describeError(error));
    }
  }
  return {
    coverage: { analyzers, findings: {} },
    findings,
    ...(errors.length > 0 ? { error: errors.join("; ") } : {}),
  };
}

/**
 * Reads one account's findings through `reader`. Never throws: an account that cannot be reached
 * is `failed` with the error; a region that cannot be read is listed in `regionErrors` (the others
 * are still read) and makes the account `failed`.
 */
export async function readAccountFindings(
  target: Target,
  reader: FindingsAccountReader,
  filter: FindingsFilter,
  options: ReadFindingsOptions = {},
): Promise<AccountFindings> {
  const now = options.now ?? (() => new Date());
  const redact = options.redact ?? ((t: string) => t);
  const started = now().getTime();
  const base = {
    accountId: target.accountId,
    ...(target.name !== undefined ? { name: target.name } : {}),
  };
  const elapsed = () => now().getTime() - started;
  try {
    let scan;
    try {
      scan = await scanRegions(
        target,
        reader,
        (region) => readRegionFindings(target, reader, region, filter, options.details === true),
        {
          regionConcurrency: options.regionConcurrency,
          signal: options.signal,
          failed: (error): RegionFindings => ({
            coverage: { findings: {}, error },
            findings: [],
            error,
          }),
        },
      );
    } catch (error) {
      const aborted = options.signal?.aborted === true;
      return {
        ...base,
        outcome: aborted ? "aborted" : "failed",
        error: aborted ? "aborted" : redact(describeError(error)),
        regionErrors: [],
        findings: [],
        durationMs: elapsed(),
      };
    }
    // scanRegions fills the readings in region order.
    const regions = Object.keys(scan.readings);
    const coverage = accountAudit(
      scan.enabled,
      target.settings,
      Object.fromEntries(regions.map((r) => [r, scan.readings[r].coverage])),
    );
    const regionErrors: RegionError[] = regions.flatMap((r) => {
      const error = scan.readings[r].error;
      return error !== undefined ? [{ region: r, error: redact(error) }] : [];
    });
    const aborted = options.signal?.aborted === true;
    const error = aborted ? "aborted" : unreadRegions(regionErrors);
    return {
      ...base,
      outcome: aborted ? "aborted" : regionErrors.length > 0 ? "failed" : "succeeded",
      ...(error !== undefined ? { error } : {}),
      coverage: {
        ...coverage,
        regions: coverage.regions.map((r) =>
          r.error !== undefined ? { ...r, error: redact(r.error) } : r,
        ),
      },
      regionErrors,
      findings: sortFindings(regions.flatMap((r) => scan.readings[r].findings)),
      durationMs: elapsed(),
    };
  } finally {
    reader.close?.();
  }
}

export interface RunFindingsOptions extends ReadFindingsOptions {
  /** The accounts, already selected (`--accounts`, `--shard`), in fleet-file order. */
  readonly targets: readonly Target[];
  /** The fleet file, as given: recorded in the report, and where SARIF locates its results. */
  readonly fleetFile: string;
  readonly filter: FindingsFilter;
  /** Accounts read at once (default 4). */
  readonly concurrency?: number;
  /** How to read one account. The process wires the AWS SDK reader `audit` uses (fleet/aws/). */
  readonly createReader: (
    target: Target,
    options: { signal?: AbortSignal },
  ) => FindingsAccountReader;
  /** A progress line as each account starts and ends. */
  readonly onProgress?: (line: string) => void;
}

/**
 * Reads the findings of every target, `concurrency` accounts at a time, and builds the report.
 * One account's failure never stops the others; once `signal` aborts, no account starts.
 */
export async function runFindings(options: RunFindingsOptions): Promise<FindingsReport> {
  const now = options.now ?? (() => new Date());
  const { createReader } = options;
  const say = options.onProgress ?? (() => undefined);
  const notRead = (target: Target, outcome: AccountFindings["outcome"], error: string) => ({
    accountId: target.accountId,
    ...(target.name !== undefined ? { name: target.name } : {}),
    outcome,
    error,
    regionErrors: [],
    findings: [],
    durationMs: 0,
  });
  const scheduled = await runAll(
    options.targets,
    (target) =>
      readAccountFindings(
        target,
        createReader(target, options.signal ? { signal: options.signal } : {}),
        options.filter,
        options,
      ),
    {
      concurrency: options.concurrency ?? DEFAULT_AUDIT_CONCURRENCY,
      ...(options.signal ? { signal: options.signal } : {}),
      onError: (target, error): AccountFindings =>
        notRead(target, "failed", `internal error: ${(options.redact ?? String)(String(error))}`),
      onSkip: (target): AccountFindings =>
        notRead(target, "skipped", "run aborted before it started"),
      onStart: (target) => say(`[${accountLabel(target)}] start findings`),
      onFinish: (target, result) => {
        if (result.outcome === "skipped") return;
        say(
          result.outcome === "succeeded"
            ? `[${accountLabel(target)}] done: ${result.findings.length} finding(s)`
            : `[${accountLabel(target)}] ${result.outcome.toUpperCase()}: ${firstLine(result.error, 200)} (${result.findings.length} finding(s) read)`,
        );
      },
    },
  );
  return {
    schemaVersion: 1,
    kind: "access-analyzer-fleet/findings",
    fleetFile: options.fleetFile,
    generatedAt: now().toISOString(),
    filter: options.filter,
    totals: findingsTotals(scheduled),
    accounts: scheduled,
  };
}
