/**
 * `audit` of one account: reads its enabled regions, each region's analyzers and their ACTIVE
 * findings, the delegated administrator's side for the organization view, and (when asked) the
 * stack's state (fleet/flows/stackState.ts); waits for CREATING analyzers when asked; and returns the
 * verdicts of fleet/domain/verdicts.ts. Read from AWS directly, without trusting Pulumi state, and
 * never changing anything. I/O only through the `AccountReader` port.
 */
import { type AccountReader, type AnalyzerInfo, countsFindings } from "../domain/account";
import { describeError } from "../domain/errors";
import { type Outcome, noChanges } from "../domain/outcomes";
import { type StackResult } from "../domain/results";
import {
  type AccountAudit,
  type OrganizationReading,
  type RegionReading,
  type StateReading,
  accountAudit,
  auditOutcome,
  regionAudit,
  unreadRegions,
} from "../domain/verdicts";
import { type Target } from "../settings/schema";
import { type RegionScan, scanRegions } from "./scan";

/**
 * The delegated administrator's analyzers, for the organization view: each region is read ONCE for
 * the whole run, however many accounts ask (the same promise is shared). Never rejects.
 */
export interface OrganizationViewSource {
  readonly administratorAccountId: string;
  read(region: string): Promise<Omit<OrganizationReading, "inOrganization">>;
}

/**
 * An `OrganizationViewSource` over the delegated administrator's own reader (reached through its
 * target's access): its enabled regions once, then `ListAnalyzers` once per region asked for.
 */
export function organizationViewSource(
  administratorAccountId: string,
  reader: Pick<AccountReader, "enabledRegions" | "analyzers">,
): OrganizationViewSource {
  let enabled: Promise<string[]> | undefined;
  const readings = new Map<string, Promise<Omit<OrganizationReading, "inOrganization">>>();
  const readRegion = async (region: string) => {
    try {
      enabled ??= reader.enabledRegions();
      if (!(await enabled).includes(region)) {
        return { administratorAccountId, regionNotEnabled: true };
      }
      return { administratorAccountId, analyzers: await reader.analyzers(region) };
    } catch (error) {
      return {
        administratorAccountId,
        error: `delegated administrator ${administratorAccountId}: ${describeError(error)}`,
      };
    }
  };
  return {
    administratorAccountId,
    read(region) {
      let reading = readings.get(region);
      if (reading === undefined) {
        reading = readRegion(region);
        readings.set(region, reading);
      }
      return reading;
    },
  };
}

export interface AuditAccountOptions {
  /** Regions read at once (default 4). */
  readonly regionConcurrency?: number;
  /** Aborts in-flight reads; regions not started are not read. */
  readonly signal?: AbortSignal;
  /** Masks anything credential-like in error messages. */
  readonly redact?: (text: string) => string;
  readonly now?: () => Date;
  /**
   * Wait up to this long for `ACCOUNT` analyzers that are CREATING to become ACTIVE, re-reading
   * the `pending` regions every `pollIntervalMs`. Default 0: no waiting; they stay `pending`.
   */
  readonly waitForActiveMs?: number;
  /** Between re-reads of pending regions (default 5000 ms). */
  readonly pollIntervalMs?: number;
  /**
   * The delegated administrator's analyzers, for the organization view (organization fleets with
   * `delegatedAdministrator`). Absent: no organization view.
   */
  readonly organizationView?: OrganizationViewSource;
  /**
   * Reads the account's stack state (fleet/flows/stackState.ts), for `stale-state` regions; never
   * rejects. Absent: the state is not read.
   */
  readonly state?: (target: Target) => Promise<StateReading>;
}

/** Default pause between re-reads of `pending` regions while `waitForActiveMs` runs. */
export const DEFAULT_POLL_INTERVAL_MS = 5000;

/** Resolves after `ms`, or at once when `signal` aborts. */
function pause(ms: number, signal?: AbortSignal): Promise<void> {
  return new Promise((resolve) => {
    if (signal?.aborted) return resolve();
    const done = (): void => {
      clearTimeout(timer);
      signal?.removeEventListener("abort", done);
      resolve();
    };
    const timer = setTimeout(done, ms);
    signal?.addEventListener("abort", done, { once: true });
  });
}

/** What `auditAccount` asks the delegated administrator's side for, per region. */
type OrganizationLookup = (region: string) => Promise<OrganizationReading | undefined>;

/**
 * Reads one region: its analyzers, then the ACTIVE findings of those `countsFindings` picks; and,
 * with `organization`, the delegated administrator's side of the region.
 */
async function readRegion(
  reader: AccountReader,
  region: string,
  organization?: OrganizationLookup,
): Promise<RegionReading> {
  const orgReading = await organization?.(region);
  const withOrg = (r: RegionReading): RegionReading =>
    orgReading ? { ...r, organization: orgReading } : r;
  return withOrg(await readOwnRegion(reader, region));
}

async function readOwnRegion(reader: AccountReader, region: string): Promise<RegionReading> {
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

  const source = options.organizationView;
  // An account outside the organization: its regions get `outside-organization`, nothing is read.
  const inOrganization = target.origin?.ouPath !== undefined;
  const organization: OrganizationLookup | undefined = source
    ? async (region) =>
        inOrganization
          ? { ...(await source.read(region)), inOrganization }
          : { administratorAccountId: source.administratorAccountId, inOrganization }
    : undefined;
  // Read beside AWS; awaited only once the enabled regions are known.
  const state = options.state?.(target);
  try {
    let scan: RegionScan<RegionReading>;
    try {
      scan = await scanRegions(
        target,
        reader,
        (region) => readRegion(reader, region, organization),
        {
          regionConcurrency: options.regionConcurrency,
          ...(options.signal ? { signal: options.signal } : {}),
          failed: (error): RegionReading => ({ findings: {}, error }),
        },
      );
    } catch (error) {
      if (options.signal?.aborted) return finish("aborted", undefined, "aborted");
      return finish("failed", undefined, describeError(error));
    }
    const { enabled, readings } = scan;
    await waitForPending(reader, readings, options, organization);
    const audit = accountAudit(enabled, target.settings, readings, await state);
    if (options.signal?.aborted) return finish("aborted", audit, "aborted");
    const outcome = auditOutcome(audit);
    return finish(outcome, audit, unreadRegions(audit.regions));
  } finally {
    reader.close?.();
  }
}

/** Re-reads `pending` regions until none is left, `waitForActiveMs` has passed, or abort. */
async function waitForPending(
  reader: AccountReader,
  readings: Record<string, RegionReading>,
  options: AuditAccountOptions,
  organization?: OrganizationLookup,
): Promise<void> {
  const waitMs = options.waitForActiveMs ?? 0;
  if (waitMs <= 0) return;
  const deadline = Date.now() + waitMs;
  const interval = Math.max(1, options.pollIntervalMs ?? DEFAULT_POLL_INTERVAL_MS);
  const pending = () =>
    Object.keys(readings).filter((r) => regionAudit(r, readings[r]).verdict === "pending");
  for (let left = pending(); left.length > 0; left = pending()) {
    const remaining = deadline - Date.now();
    if (remaining <= 0 || options.signal?.aborted) return;
    await pause(Math.min(interval, remaining), options.signal);
    if (options.signal?.aborted) return;
    for (const region of left) readings[region] = await readRegion(reader, region, organization);
  }
}

function redactAudit(audit: AccountAudit, redact: (t: string) => string): AccountAudit {
  return {
    ...audit,
    regions: audit.regions.map((r) => {
      const view = r.organizationView;
      return {
        ...r,
        ...(r.error !== undefined ? { error: redact(r.error) } : {}),
        ...(view?.error !== undefined
          ? { organizationView: { ...view, error: redact(view.error) } }
          : {}),
      };
    }),
  };
}
