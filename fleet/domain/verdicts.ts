/**
 * `audit`'s verdicts: our coverage rule (an ACTIVE `ACCOUNT` analyzer in every enabled region in
 * scope), Security Hub IAM.28's verdict beside it (any ACTIVE external-access analyzer of the
 * account), what the delegated administrator's organization analyzers cover, and which disabled
 * regions a stack's state still holds. Pure: the reads are in fleet/flows/audit.ts.
 */
import { analyzerFamily, exclusionReason, type AnalyzerInfo, type RegionScope } from "./account";
import { type Outcome } from "./outcomes";
import { firstLine } from "./text";

/**
 * `audit`'s verdict on one enabled region by our coverage rule: an `ACCOUNT` analyzer in every
 * account and region. A member account needs one (the organization's analyzers are not in its
 * account, and IAM.28 is judged per account); the tool keeps one in the management and
 * administrator accounts too, so the coverage survives a change of delegated administrator.
 * Security Hub's own verdict, which also counts `ORGANIZATION` analyzers, is `RegionAudit.iam28`.
 * - `covered`: an ACTIVE `ACCOUNT` analyzer is there (any name, made by anyone).
 * - `missing`: no `ACCOUNT` analyzer (an `ORGANIZATION` analyzer there may still pass IAM.28).
 * - `pending`: the `ACCOUNT` analyzer is CREATING (AWS makes it ACTIVE by itself; IAM.28 does not
 *   count it yet). Neither compliant nor a failure; `audit` can wait for it (`waitForActiveMs`).
 * - `not-active`: an `ACCOUNT` analyzer exists but is DISABLED or FAILED.
 * - `excluded`: left out by the fleet file (`excludeRegions`, or not in `regions`); not read.
 * - `error`: a read failed (after the SDK's retries); the verdict is unknown.
 * - `stale-state`: NOT enabled, but the account's stack still holds resources there (its state
 *   was read from the backend). Not an IAM.28 verdict: Security Hub does not count a disabled
 *   region; the next `up` drops it from the state without an AWS call, and AWS keeps the analyzer
 *   until the region is enabled again.
 */
export type RegionVerdict =
  "covered" | "pending" | "missing" | "not-active" | "excluded" | "error" | "stale-state";

/**
 * Regions where AWS Config does not offer the managed rule `iam-external-access-analyzer-enabled`
 * behind Security Hub IAM.28 (AWS Config Developer Guide, the rule's "Region availability";
 * ../shared/DOMAIN.md): China (Beijing, Ningxia), GovCloud (US-East, US-West), Asia Pacific
 * (Thailand, Malaysia, Taipei), Mexico (Central), Israel (Tel Aviv), Canada West (Calgary). There
 * the control cannot report, and `audit` is the only check.
 */
export const IAM28_NOT_OFFERED_REGIONS: ReadonlySet<string> = new Set([
  "cn-north-1",
  "cn-northwest-1",
  "us-gov-east-1",
  "us-gov-west-1",
  "ap-southeast-7",
  "ap-southeast-5",
  "ap-east-2",
  "mx-central-1",
  "il-central-1",
  "ca-west-1",
]);

/**
 * Security Hub IAM.28 in one region of one account, as AWS Config's rule decides it: `passed` when
 * an ACTIVE external-access analyzer (`ACCOUNT` or `ORGANIZATION`) is in the account there,
 * `failed` when none is (none at all, or none ACTIVE), `unknown` when the region could not be read.
 * `offered: false`: the rule does not exist in that region, so Security Hub reports nothing there
 * whatever the verdict (`IAM28_NOT_OFFERED_REGIONS`).
 */
export interface Iam28View {
  readonly verdict: "passed" | "failed" | "unknown";
  readonly offered: boolean;
  /** The ACTIVE analyzer it passes on (an `ACCOUNT` one when there is one). */
  readonly analyzer?: { readonly name: string; readonly type: string };
  /** Why, in words. */
  readonly detail: string;
}

/** IAM.28 verdicts over the regions read (excluded regions are not read, so not counted). */
export interface Iam28Counts {
  passed: number;
  failed: number;
  unknown: number;
  /** Of the regions read, those where the control is not offered (whatever their verdict). */
  notOffered: number;
}

/** IAM.28's verdict in one region from the analyzers read there (absent: the read failed). Pure. */
export function iam28View(
  region: string,
  analyzers: readonly Pick<AnalyzerInfo, "name" | "type" | "status">[] | undefined,
): Iam28View {
  const offered = !IAM28_NOT_OFFERED_REGIONS.has(region);
  const unoffered = offered
    ? ""
    : "; Security Hub does not offer IAM.28 in this region, so only this audit checks it";
  if (analyzers === undefined) {
    return { verdict: "unknown", offered, detail: `the analyzers could not be read${unoffered}` };
  }
  const external = analyzers.filter((a) => analyzerFamily(a.type) === "external-access");
  const active =
    external.find((a) => a.status === "ACTIVE" && a.type === "ACCOUNT") ??
    external.find((a) => a.status === "ACTIVE");
  if (active !== undefined) {
    return {
      verdict: "passed",
      offered,
      analyzer: { name: active.name, type: active.type },
      detail: `${active.type} analyzer "${active.name}" is ACTIVE${unoffered}`,
    };
  }
  return {
    verdict: "failed",
    offered,
    detail:
      (external.length > 0
        ? `no external-access analyzer is ACTIVE (${external.map((a) => `"${a.name}" ${a.status}`).join(", ")})`
        : "no external-access analyzer") + unoffered,
  };
}

/** Active finding counts, by analyzer family. */
export interface FindingCounts {
  /** Findings of external-access analyzers (`ACCOUNT`, `ORGANIZATION`). */
  externalAccess: number;
  /** Findings of unused-access analyzers (`ACCOUNT_UNUSED_ACCESS`, `ORGANIZATION_UNUSED_ACCESS`). */
  unusedAccess: number;
}

/** One analyzer as `audit` read it (without its tags), with its ACTIVE findings counted. */
export type AuditedAnalyzer = Omit<AnalyzerInfo, "tags"> & {
  /** ACTIVE findings; absent when not counted (internal-access analyzers, analyzers not ACTIVE). */
  readonly activeFindings?: number;
};

/**
 * The organization view of one region: does an `ORGANIZATION` analyzer of the delegated
 * administrator cover it for the whole organization? `outside-organization`: the account is not a
 * member (listed only in the fleet file), so the organization's analyzers do not see it.
 */
export type OrganizationVerdict =
  "covered" | "pending" | "missing" | "not-active" | "outside-organization" | "error";

/** What the delegated administrator's analyzers say about one region (audit's organization view). */
export interface OrganizationRegionView {
  readonly verdict: OrganizationVerdict;
  /** The delegated administrator's account id. */
  readonly administratorAccountId: string;
  /** The `ORGANIZATION` analyzer the verdict rests on (covered, pending, not-active). */
  readonly analyzer?: AuditedAnalyzer;
  readonly detail?: string;
  /** The read error (verdict `error`). */
  readonly error?: string;
}

/** Regions per organization-view verdict (excluded regions are not read, so not counted). */
export interface OrganizationViewCounts {
  covered: number;
  pending: number;
  missing: number;
  notActive: number;
  outsideOrganization: number;
  error: number;
}

/** The audit of a region the account has enabled: any verdict but `stale-state`. */
export type EnabledRegionAudit = RegionAudit & {
  readonly verdict: Exclude<RegionVerdict, "stale-state">;
};

export interface RegionAudit {
  readonly region: string;
  readonly verdict: RegionVerdict;
  /** The `ACCOUNT` analyzer the verdict rests on (covered, pending, not-active). */
  readonly analyzer?: AuditedAnalyzer;
  /** Every analyzer found in the region (empty when excluded or unreadable). */
  readonly analyzers: AuditedAnalyzer[];
  readonly activeFindings: FindingCounts;
  /**
   * Why, in words: the exclusion, the analyzer status, and where the coverage rule is not met but
   * IAM.28 passes (an `ORGANIZATION` analyzer), that it does.
   */
  readonly detail?: string;
  /** Security Hub IAM.28's verdict here (absent in excluded regions and stale-state ones). */
  readonly iam28?: Iam28View;
  /** The read error (verdict `error`). */
  readonly error?: string;
  /**
   * The organization view (organization fleets with a delegated administrator; absent otherwise
   * and in excluded regions). Informational: `verdict` (the coverage rule) decides the outcome.
   */
  readonly organizationView?: OrganizationRegionView;
}

/** Regions per verdict; `enabled` counts every enabled region, excluded ones too. */
export interface RegionCounts {
  enabled: number;
  covered: number;
  /** `ACCOUNT` analyzer still CREATING. */
  pending: number;
  missing: number;
  notActive: number;
  excluded: number;
  error: number;
  /** Disabled regions the stack's state still holds; present only when the state was read. */
  staleState?: number;
}

/**
 * Whether `audit` read the account's stack state (fleet file with a `backend`, no `--no-state`):
 * `read`; `no-stack` (the backend has no stack for it: nothing held); `unreadable` (the backend
 * or the stack could not be read: disabled regions it still holds are not reported).
 */
export interface StateCheck {
  readonly status: "read" | "no-stack" | "unreadable";
  /** Why it was not read. */
  readonly detail?: string;
}

/** `audit`'s reading of one account. */
export interface AccountAudit {
  /** Regions the account has enabled, sorted; empty when they could not be read. */
  readonly enabledRegions: string[];
  readonly counts: RegionCounts;
  /** The organization view's verdicts over the regions read (absent without a delegated administrator). */
  readonly organizationView?: OrganizationViewCounts;
  /** Security Hub IAM.28's verdicts over the regions read. */
  readonly iam28: Iam28Counts;
  readonly activeFindings: FindingCounts;
  /** One entry per enabled region, and per `stale-state` region, sorted by region. */
  readonly regions: RegionAudit[];
  /** Whether the stack's state was read (absent: not asked, `--no-state` or no `backend`). */
  readonly state?: StateCheck;
}

/** `audit` totals over every account of the run. */
export interface AuditTotals extends RegionCounts {
  accounts: number;
  /** Summed over the accounts with an organization view (absent when none has one). */
  organizationView?: OrganizationViewCounts;
  iam28: Iam28Counts;
  activeFindings: FindingCounts;
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
  const { verdict, analyzer } = standing(
    (reading.analyzers ?? []).filter((a) => a.type === "ORGANIZATION"),
  );
  if (analyzer === undefined) {
    return {
      ...base,
      verdict,
      detail: `the delegated administrator ${admin} has no ORGANIZATION analyzer here`,
    };
  }
  return {
    ...base,
    verdict,
    analyzer: { ...analyzer },
    ...(verdict !== "covered"
      ? { detail: `ORGANIZATION analyzer "${analyzer.name}" of ${admin} is ${statusOf(analyzer)}` }
      : {}),
  };
}

/**
 * Where a region stands by the analyzers of one type there: `covered` by an ACTIVE one; `pending`
 * while one is CREATING (AWS finishes it by itself); `not-active` when those there are DISABLED or
 * FAILED; `missing` when there is none. Pure.
 */
export function standing<A extends Pick<AnalyzerInfo, "status">>(
  analyzers: readonly A[],
): { verdict: "covered" | "pending" | "not-active" | "missing"; analyzer?: A } {
  const active = analyzers.find((a) => a.status === "ACTIVE");
  if (active) return { verdict: "covered", analyzer: active };
  const creating = analyzers.find((a) => a.status === "CREATING");
  if (creating) return { verdict: "pending", analyzer: creating };
  return analyzers.length > 0
    ? { verdict: "not-active", analyzer: analyzers[0] }
    : { verdict: "missing" };
}

/** `DISABLED (reason)`: an analyzer's status and why, for a verdict's detail. */
function statusOf(a: Pick<AnalyzerInfo, "status" | "statusReason">): string {
  return `${a.status}${a.statusReason ? ` (${a.statusReason})` : ""}`;
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

function noIam28Counts(): Iam28Counts {
  return { passed: 0, failed: 0, unknown: 0, notOffered: 0 };
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
export function regionAudit(region: string, reading: RegionReading): EnabledRegionAudit {
  const analyzers: AuditedAnalyzer[] = (reading.analyzers ?? []).map((a) =>
    reading.findings[a.arn] !== undefined
      ? { ...a, activeFindings: reading.findings[a.arn] }
      : { ...a },
  );
  const activeFindings = noFindings();
  for (const a of analyzers) {
    if (a.activeFindings === undefined) continue;
    const family = analyzerFamily(a.type);
    if (family === "external-access") activeFindings.externalAccess += a.activeFindings;
    if (family === "unused-access") activeFindings.unusedAccess += a.activeFindings;
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
    return {
      ...base,
      verdict: "error",
      error: reading.error ?? "analyzers were not read",
      iam28: iam28View(region, undefined),
    };
  }
  const iam28 = iam28View(region, analyzers);
  const { verdict, analyzer } = standing(analyzers.filter((a) => a.type === "ACCOUNT"));
  if (verdict === "covered") return { ...base, verdict, analyzer, iam28 };
  // Where the coverage rule is not met but IAM.28 passes (an ORGANIZATION analyzer), say both.
  const butIam28 =
    iam28.verdict === "passed"
      ? `; Security Hub IAM.28 passes here on ${iam28.analyzer?.type} analyzer "${iam28.analyzer?.name}", ` +
        "but this tool's coverage rule wants an ACCOUNT analyzer in every account and region"
      : "";
  if (analyzer !== undefined) {
    return {
      ...base,
      verdict,
      analyzer,
      iam28,
      detail:
        `ACCOUNT analyzer "${analyzer.name}" is ${statusOf(analyzer)}` +
        (verdict === "pending" ? "; AWS makes it ACTIVE by itself" : "") +
        butIam28,
    };
  }
  const org = analyzers.filter((a) => a.type === "ORGANIZATION");
  return {
    ...base,
    verdict: "missing",
    iam28,
    detail:
      "no ACCOUNT analyzer" +
      (butIam28 === "" && org.length > 0
        ? ` (ORGANIZATION analyzer ${quoteNames(org)} is not ACTIVE)`
        : butIam28),
  };
}

/** What `audit` says to do about a `stale-state` region. */
export const STALE_STATE_ADVICE =
  "the next up drops it from the state without an AWS call; AWS keeps the analyzer until the region is enabled again";

/**
 * The regions the stack's state holds that the account does not have enabled, as `stale-state`
 * verdicts, sorted. Pure.
 * @param enabledRegions what the account reported.
 * @param held what the state holds per region (fleet/domain/state.ts `heldRegions`).
 */
export function staleStateRegions(
  enabledRegions: readonly string[],
  held: Readonly<Record<string, StateRegion>>,
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
  settings: RegionScope,
  readings: Readonly<Record<string, RegionReading>>,
  state?: StateReading,
): AccountAudit {
  const sorted = [...new Set(enabledRegions)].sort();
  const enabledAudits = sorted.map((region): EnabledRegionAudit => {
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
  const iam28 = noIam28Counts();
  let organizationView: OrganizationViewCounts | undefined;
  for (const r of enabledAudits) {
    const key = r.verdict === "not-active" ? "notActive" : r.verdict;
    counts[key]++;
    if (r.iam28) {
      iam28[r.iam28.verdict]++;
      if (!r.iam28.offered) iam28.notOffered++;
    }
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
    iam28,
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
 * `stale-state` (the state holds a disabled region), else `succeeded`.
 */
export function auditOutcome(audit: AccountAudit): Outcome {
  if (audit.counts.error > 0) return "failed";
  if (audit.regions.some(isNonCompliant)) return "noncompliant";
  if ((audit.counts.staleState ?? 0) > 0) return "stale-state";
  return "succeeded";
}

/** Region verdicts and findings summed over every audited account. Pure. */
export function auditTotals(results: readonly { readonly audit?: AccountAudit }[]): AuditTotals {
  const totals: AuditTotals = {
    accounts: results.length,
    enabled: 0,
    covered: 0,
    pending: 0,
    missing: 0,
    notActive: 0,
    excluded: 0,
    error: 0,
    iam28: noIam28Counts(),
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
    for (const k of Object.keys(totals.iam28) as (keyof Iam28Counts)[]) {
      totals.iam28[k] += r.audit.iam28[k];
    }
    const view = r.audit.organizationView;
    if (view) {
      const into = (totals.organizationView ??= noOrganizationCounts());
      for (const k of Object.keys(into) as (keyof OrganizationViewCounts)[]) into[k] += view[k];
    }
  }
  return totals;
}

/** What `audit` needs of a region the stack's state holds (fleet/domain/state.ts `HeldRegion`). */
export interface StateRegion {
  /** The external-access analyzer's name there, when the state has one. */
  readonly analyzerName?: string;
}

/** What `audit` needs of a region the stack's state holds (fleet/domain/state.ts `HeldRegion`). */
export interface StateRegion {
  /** The external-access analyzer's name there, when the state has one. */
  readonly analyzerName?: string;
}

/** The account's stack state as `audit` read it: what it holds per region, or why it was not read. */
export type StateReading =
  | { readonly status: "read"; readonly held: Readonly<Record<string, StateRegion>> }
  | { readonly status: "no-stack" | "unreadable"; readonly detail: string };

/**
 * `2 region(s) could not be read: eu-west-1: <first line>; …`, or undefined when every region was
 * read. Pure.
 */
export function unreadRegions(
  errors: readonly { readonly region: string; readonly error?: string }[],
): string | undefined {
  const unread = errors.filter((e) => e.error !== undefined);
  if (unread.length === 0) return undefined;
  return `${unread.length} region(s) could not be read: ${unread.map((e) => `${e.region}: ${firstLine(e.error, 160)}`).join("; ")}`;
}
