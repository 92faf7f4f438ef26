/**
 * `audit`: is there an ACTIVE `ACCOUNT` analyzer (what Security Hub IAM.28 counts) in every region
 * each account has enabled, and how many ACTIVE findings do its analyzers hold? Read from AWS
 * directly, without trusting Pulumi state, and never changing anything. When the stack's state can
 * be read (fleet/auditState.ts), a region no longer enabled that the state still holds is reported
 * too (`stale-state`).
 *
 * This file holds the narrow reading interface, the pure verdicts, the per-account orchestration
 * (I/O only through `AccountReader`) and the table. The AWS SDK implementation of `AccountReader`
 * is in `auditSdk.ts`, loaded only when `audit` runs.
 */
import {
  accountLabel,
  alignColumns,
  firstLine,
  formatDuration,
  noChanges,
  OUTCOMES,
  totalsOf,
} from "./report";
import type { HeldRegion } from "./adoption";
import { runAll } from "./scheduler";
import type {
  AccountAudit,
  AnalyzerSettings,
  AuditedAnalyzer,
  AuditTotals,
  FindingCounts,
  OrganizationRegionView,
  OrganizationViewCounts,
  Outcome,
  RegionAudit,
  RegionCounts,
  StackResult,
  StateCheck,
  Target,
} from "./types";

/** The account's stack state as `audit` read it: what it holds per region, or why it was not read. */
export type StateReading =
  | { readonly status: "read"; readonly held: Readonly<Record<string, HeldRegion>> }
  | { readonly status: "no-stack" | "unreadable"; readonly detail: string };

/** One analyzer as `ListAnalyzers` describes it. */
export type AnalyzerInfo = Omit<AuditedAnalyzer, "activeFindings"> & {
  /** Its tags, when the reader has them (adoption tells ours from others' by name and tags). */
  readonly tags?: Readonly<Record<string, string>>;
};

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
  /** What the delegated administrator's analyzers say about this region (organization view). */
  readonly organization?: OrganizationReading;
}

/** The delegated administrator's side of one region, as read for the organization view. */
export interface OrganizationReading {
  readonly administratorAccountId: string;
  /** False: the audited account is not in the organization (listed only in the fleet file). */
  readonly inOrganization: boolean;
  /** The administrator's analyzers in the region; absent when not read. */
  readonly analyzers?: readonly AnalyzerInfo[];
  /** The administrator's account has not enabled the region: it can have no analyzer there. */
  readonly regionNotEnabled?: boolean;
  readonly error?: string;
}

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

/**
 * The organization view of one region: an ACTIVE `ORGANIZATION` analyzer of the delegated
 * administrator in that region covers it for every account of the organization. Pure.
 */
export function organizationRegionView(reading: OrganizationReading): OrganizationRegionView {
  const admin = reading.administratorAccountId;
  const base = { administratorAccountId: admin };
  if (!reading.inOrganization) {
    return {
      ...base,
      verdict: "outside-organization",
      detail: "not an account of the organization: the organization's analyzers do not see it",
    };
  }
  if (reading.error !== undefined) return { ...base, verdict: "error", error: reading.error };
  if (reading.regionNotEnabled) {
    return {
      ...base,
      verdict: "missing",
      detail: `the delegated administrator ${admin} has not enabled this region`,
    };
  }
  const org = (reading.analyzers ?? []).filter((a) => a.type === "ORGANIZATION");
  const pick = (status: string) => org.find((a) => a.status === status);
  const active = pick("ACTIVE");
  if (active) return { ...base, verdict: "covered", analyzer: { ...active } };
  const creating = pick("CREATING");
  if (creating) {
    return {
      ...base,
      verdict: "pending",
      analyzer: { ...creating },
      detail: `ORGANIZATION analyzer "${creating.name}" of ${admin} is CREATING`,
    };
  }
  const inactive = org[0];
  if (inactive) {
    return {
      ...base,
      verdict: "not-active",
      analyzer: { ...inactive },
      detail: `ORGANIZATION analyzer "${inactive.name}" of ${admin} is ${inactive.status}${inactive.statusReason ? ` (${inactive.statusReason})` : ""}`,
    };
  }
  return {
    ...base,
    verdict: "missing",
    detail: `the delegated administrator ${admin} has no ORGANIZATION analyzer here`,
  };
}

function noOrganizationCounts(): OrganizationViewCounts {
  return { covered: 0, pending: 0, missing: 0, notActive: 0, outsideOrganization: 0, error: 0 };
}

const ORGANIZATION_COUNT_KEYS = {
  covered: "covered",
  pending: "pending",
  missing: "missing",
  "not-active": "notActive",
  "outside-organization": "outsideOrganization",
  error: "error",
} as const;

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
  const base = {
    region,
    analyzers,
    activeFindings,
    ...(reading.organization
      ? { organizationView: organizationRegionView(reading.organization) }
      : {}),
  };
  if (reading.error !== undefined || reading.analyzers === undefined) {
    return { ...base, verdict: "error", error: reading.error ?? "analyzers were not read" };
  }
  const accountAnalyzers = analyzers.filter((a) => a.type === "ACCOUNT");
  const active = accountAnalyzers.find((a) => a.status === "ACTIVE");
  if (active) return { ...base, verdict: "covered", analyzer: active };
  const creating = accountAnalyzers.find((a) => a.status === "CREATING");
  if (creating) {
    return {
      ...base,
      verdict: "pending",
      analyzer: creating,
      detail: `ACCOUNT analyzer "${creating.name}" is CREATING; AWS makes it ACTIVE by itself`,
    };
  }
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

/** What `audit` says to do about a `stale-state` region. */
export const STALE_STATE_ADVICE =
  "the next up drops it from the state without an AWS call; AWS keeps the analyzer until the region is enabled again";

/**
 * The regions the stack's state holds that the account does not have enabled, as `stale-state`
 * verdicts, sorted. Pure.
 * @param enabledRegions what the account reported.
 * @param held what the state holds per region (fleet/adoption.ts `heldRegions`).
 */
export function staleStateRegions(
  enabledRegions: readonly string[],
  held: Readonly<Record<string, HeldRegion>>,
): RegionAudit[] {
  const enabled = new Set(enabledRegions);
  return Object.keys(held)
    .filter((region) => !enabled.has(region))
    .sort()
    .map((region) => {
      const name = held[region].analyzerName;
      return {
        region,
        verdict: "stale-state",
        analyzers: [],
        activeFindings: noFindings(),
        detail:
          `disabled, still in the stack's state${name !== undefined ? ` (analyzer "${name}")` : ""}: ` +
          STALE_STATE_ADVICE,
      };
    });
}

/**
 * The verdict on every enabled region of one account, and, when its stack's state was read, on
 * each disabled region the state still holds (`stale-state`). Pure.
 * @param enabledRegions what the account reported (any order).
 * @param settings the fleet file's region settings for the account.
 * @param readings region → what was read; a region in scope without a reading is an `error`.
 * @param state the stack's state as read (absent: not asked).
 */
export function accountAudit(
  enabledRegions: readonly string[],
  settings: Pick<AnalyzerSettings, "regions" | "excludeRegions">,
  readings: Readonly<Record<string, RegionReading>>,
  state?: StateReading,
): AccountAudit {
  const sorted = [...new Set(enabledRegions)].sort();
  const enabledAudits = sorted.map((region): RegionAudit => {
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
  const stale = state?.status === "read" ? staleStateRegions(sorted, state.held) : [];
  const regions = [...enabledAudits, ...stale].sort((a, b) => a.region.localeCompare(b.region));
  const counts: RegionCounts = {
    enabled: sorted.length,
    covered: 0,
    pending: 0,
    missing: 0,
    notActive: 0,
    excluded: 0,
    error: 0,
    ...(state?.status === "read" ? { staleState: stale.length } : {}),
  };
  const activeFindings = noFindings();
  let organizationView: OrganizationViewCounts | undefined;
  for (const r of enabledAudits) {
    const key = r.verdict === "not-active" ? "notActive" : r.verdict;
    // Stryker disable next-line ConditionalExpression,StringLiteral: enabledAudits holds no stale-state verdict; the guard narrows the type
    if (key !== "stale-state") counts[key]++;
    addFindings(activeFindings, r.activeFindings);
    if (r.organizationView) {
      organizationView ??= noOrganizationCounts();
      organizationView[ORGANIZATION_COUNT_KEYS[r.organizationView.verdict]]++;
    }
  }
  return {
    enabledRegions: sorted,
    counts,
    ...(organizationView ? { organizationView } : {}),
    activeFindings,
    regions,
    ...(state ? { state: stateCheck(state) } : {}),
  };
}

function stateCheck(state: StateReading): StateCheck {
  return state.status === "read"
    ? { status: "read" }
    : { status: state.status, detail: state.detail };
}

/**
 * Non-compliant regions are `missing` and `not-active`; `error` is unknown, not non-compliant;
 * `pending` (CREATING) is neither: AWS finishes it without anyone acting.
 */
export function isNonCompliant(r: RegionAudit): boolean {
  return r.verdict === "missing" || r.verdict === "not-active";
}

/**
 * The account's outcome: `failed` when anything was unreadable, then `noncompliant`, then
 * `drifted` (a `stale-state` region: the state holds a disabled region), else `succeeded`.
 */
export function auditOutcome(audit: AccountAudit): Outcome {
  if (audit.counts.error > 0) return "failed";
  if (audit.regions.some(isNonCompliant)) return "noncompliant";
  if ((audit.counts.staleState ?? 0) > 0) return "drifted";
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
   * Reads the account's stack state (fleet/auditState.ts), for `stale-state` regions; never
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

/** The account's enabled regions, and what was read in each one the fleet file keeps in scope. */
export interface RegionScan<R> {
  /** As the account reported them. */
  readonly enabled: string[];
  /** Region → reading, for every enabled region in scope (none for excluded ones). */
  readonly readings: Record<string, R>;
}

export interface ScanRegionsOptions<R> {
  /** Regions read at once (default 4). */
  readonly regionConcurrency?: number;
  /** Aborts in-flight reads; regions not started get `failed("aborted before it was read")`. */
  readonly signal?: AbortSignal;
  /** The reading of a region whose `read` threw or never started. */
  readonly failed: (error: string) => R;
}

/**
 * Lists the account's enabled regions, then runs `read` on each one in scope (not excluded by the
 * fleet file), at most `regionConcurrency` at a time. One region's failure never stops the others.
 * Throws only when the enabled regions cannot be read. Shared by `audit` and `findings`.
 */
export async function scanRegions<R>(
  target: Pick<Target, "settings">,
  reader: Pick<AccountReader, "enabledRegions">,
  read: (region: string) => Promise<R>,
  options: ScanRegionsOptions<R>,
): Promise<RegionScan<R>> {
  const enabled = await reader.enabledRegions();
  const inScope = [...new Set(enabled)]
    .sort()
    .filter((r) => exclusionReason(r, target.settings) === undefined);
  const scheduled = await runAll(inScope, read, {
    concurrency: options.regionConcurrency ?? DEFAULT_REGION_CONCURRENCY,
    ...(options.signal ? { signal: options.signal } : {}),
    // Stryker disable next-line ArrowFunction,BooleanLiteral: without a failureTolerance runAll never asks isFailure
    isFailure: () => false,
    onError: (_region, error) => options.failed(describeError(error)),
    onSkip: () => options.failed("aborted before it was read"),
  });
  const readings: Record<string, R> = {};
  inScope.forEach((region, i) => (readings[region] = scheduled.results[i]));
  return { enabled, readings };
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
          // Stryker disable next-line ConditionalExpression: an undefined regionConcurrency falls back to the same default
          ...(options.regionConcurrency !== undefined
            ? { regionConcurrency: options.regionConcurrency }
            : {}),
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

/** Region verdicts and findings summed over every audited account. Pure. */
export function auditTotals(results: readonly StackResult[]): AuditTotals {
  const totals: AuditTotals = {
    accounts: results.length,
    enabled: 0,
    covered: 0,
    pending: 0,
    missing: 0,
    notActive: 0,
    excluded: 0,
    error: 0,
    activeFindings: noFindings(),
  };
  for (const r of results) {
    if (!r.audit) continue;
    for (const k of [
      "enabled",
      "covered",
      "pending",
      "missing",
      "notActive",
      "excluded",
      "error",
    ] as const) {
      totals[k] += r.audit.counts[k];
    }
    if (r.audit.counts.staleState !== undefined) {
      totals.staleState = (totals.staleState ?? 0) + r.audit.counts.staleState;
    }
    addFindings(totals.activeFindings, r.audit.activeFindings);
    const view = r.audit.organizationView;
    if (view) {
      const into = (totals.organizationView ??= noOrganizationCounts());
      for (const k of Object.keys(into) as (keyof OrganizationViewCounts)[]) into[k] += view[k];
    }
  }
  return totals;
}

const AUDIT_COLUMNS = [
  "ACCOUNT",
  "RESULT",
  "ENABLED",
  "COVERED",
  "ORG-VIEW",
  "PENDING",
  "MISSING",
  "NOT-ACTIVE",
  "EXCLUDED",
  "STALE-STATE",
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
    organizationCell(a?.organizationView),
    n(a?.counts.pending),
    n(a?.counts.missing),
    n(a?.counts.notActive),
    n(a?.counts.excluded),
    n(a?.counts.staleState),
    n(a?.activeFindings.externalAccess),
    n(a?.activeFindings.unusedAccess),
    r.outcome === "skipped" ? "-" : formatDuration(r.durationMs),
    firstLine(r.error ?? r.skippedReason),
  ];
}

/**
 * The organization view of an account in the table: regions covered by the delegated
 * administrator's ORGANIZATION analyzers over the regions read; `outside` for an account outside
 * the organization; `-` without an organization view.
 */
function organizationCell(view: OrganizationViewCounts | undefined): string {
  if (!view) return "-";
  const read = (Object.values(view) as number[]).reduce((sum, v) => sum + v, 0);
  if (read > 0 && view.outsideOrganization === read) return "outside";
  return `${view.covered}/${read - view.outsideOrganization}`;
}

/**
 * One section of the `audit` summary: a blank line, `title`, then a line per account and region
 * that `pick` selects (its verdict and the first line of its reason); nothing when none is.
 */
function regionSection(
  results: readonly StackResult[],
  title: string,
  pick: (g: RegionAudit) => [verdict: string, reason: string | undefined] | undefined,
): string[] {
  const rows = results.flatMap((r) =>
    (r.audit?.regions ?? []).flatMap((g) => {
      const picked = pick(g);
      return picked ? [[accountLabel(r), g.region, picked[0], firstLine(picked[1], 200)]] : [];
    }),
  );
  return rows.length > 0 ? ["", title, ...alignColumns(rows).map((l) => `  ${l}`)] : [];
}

/**
 * The `audit` summary: one row per account (STALE-STATE `-` when the stack's state was not read),
 * then one line per region that is not covered (missing, not-active, error), one per disabled
 * region still in a stack's state, then the totals.
 */
export function formatAuditTable(results: readonly StackResult[]): string {
  const lines = alignColumns([[...AUDIT_COLUMNS], ...results.map(auditRow)]);
  lines.push(
    ...regionSection(results, "Regions not covered:", (g) =>
      isNonCompliant(g) || g.verdict === "error" || g.verdict === "pending"
        ? [g.verdict, g.error ?? g.detail]
        : undefined,
    ),
    ...regionSection(results, "Disabled regions still in the stack's state (run up):", (g) =>
      g.verdict === "stale-state" ? [g.verdict, g.detail] : undefined,
    ),
    ...regionSection(
      results,
      "Regions the organization view does not cover (informational; IAM.28 decides the exit code):",
      (g) =>
        g.organizationView && g.organizationView.verdict !== "covered"
          ? [g.organizationView.verdict, g.organizationView.error ?? g.organizationView.detail]
          : undefined,
    ),
  );
  const t = totalsOf(results);
  const a = auditTotals(results);
  const outcomes = OUTCOMES.filter((o) => t[o] > 0).map((o) => `${t[o]} ${o}`);
  lines.push(
    "",
    `${t.stacks} account(s): ${outcomes.join(", ") || "none"}; regions: ${a.enabled} enabled, ` +
      `${a.covered} covered, ${a.pending} pending, ${a.missing} missing, ${a.notActive} not-active, ${a.excluded} excluded, ` +
      `${a.error} unreadable` +
      (a.staleState !== undefined ? `, ${a.staleState} disabled but still in the state` : "") +
      `; active findings: ${a.activeFindings.externalAccess} external-access, ` +
      `${a.activeFindings.unusedAccess} unused-access` +
      (a.organizationView
        ? `; organization view: ${a.organizationView.covered} covered, ${a.organizationView.pending} pending, ` +
          `${a.organizationView.missing} missing, ${a.organizationView.notActive} not-active, ` +
          `${a.organizationView.outsideOrganization} outside the organization, ${a.organizationView.error} unreadable`
        : ""),
  );
  return lines.join("\n");
}
