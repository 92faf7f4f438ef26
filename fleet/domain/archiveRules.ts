/**
 * Which archive rules an `up` created or changed, from the engine's events. AWS applies a new
 * archive rule only to findings that arrive after it exists (shared DOMAIN.md); these are the
 * rules to apply to the existing findings (`ApplyArchiveRule`) after the update. The decisions
 * are pure; applying goes through an `ArchiveRuleClient` (fleet/aws/archiveRules.ts, a fake in the
 * tests), in fleet/flows/archiveRules.ts.
 */
import { RESOURCE_TYPES } from "../../components/contract";
import { type Target } from "../settings/schema";
import type { ArchiveRuleClient } from "./account";
import { type ArchiveRuleApplied, type StackNote } from "./notes";

/**
 * An engine event as far as these decisions read it: a step's resource outputs. The Automation
 * API's `EngineEvent` has this shape; it is declared here so that the domain does not import the
 * Automation API (fleet/run/ hands the events in).
 */
export interface StepEvent {
  readonly resOutputsEvent?: {
    readonly metadata: {
      readonly op: string;
      readonly type: string;
      readonly new?: { readonly outputs?: Record<string, unknown> };
    };
  };
}

/** Steps after which a rule exists in a new form: it may archive findings it did not before. */
const CHANGING_OPS = new Set(["create", "update", "replace", "create-replacement"]);

/** One archive rule of one analyzer in one region. */
export interface ArchiveRuleRef {
  readonly region: string;
  readonly analyzerName: string;
  readonly ruleName: string;
}

/**
 * The archive rules the events show created, updated or replaced, once each, sorted by region,
 * analyzer and rule. A rule that is only read, kept the same or deleted is not in the list; nor
 * is a step whose outputs lack the region, analyzer or rule name (a preview's unknowns).
 */
export function changedArchiveRules(events: readonly StepEvent[]): ArchiveRuleRef[] {
  const found = new Map<string, ArchiveRuleRef>();
  for (const event of events) {
    if (!isArchiveRuleEvent(event)) continue;
    const metadata = event.resOutputsEvent!.metadata;
    if (!CHANGING_OPS.has(metadata.op)) continue;
    const outputs: Record<string, unknown> = metadata.new?.outputs ?? {};
    const { region, analyzerName, ruleName } = outputs;
    if (typeof region !== "string" || typeof analyzerName !== "string") continue;
    if (typeof ruleName !== "string" || region === "" || ruleName === "") continue;
    found.set(JSON.stringify([region, analyzerName, ruleName]), { region, analyzerName, ruleName });
  }
  return [...found.values()].sort(
    (a, b) =>
      a.region.localeCompare(b.region) ||
      a.analyzerName.localeCompare(b.analyzerName) ||
      a.ruleName.localeCompare(b.ruleName),
  );
}

/** Whether an engine event is worth keeping for `changedArchiveRules` (the rest are dropped). */
export function isArchiveRuleEvent(event: StepEvent): boolean {
  return event.resOutputsEvent?.metadata.type === RESOURCE_TYPES.archiveRule;
}

/** What applying the changed rules of one stack did. */
export interface ArchiveRulesResult {
  readonly applied: ArchiveRuleApplied[];
  /** The rules that could not be applied, with the error and the command to apply each by hand. */
  readonly error?: string;
}

/**
 * Whether `up` applies the rules it changed: on unless `--no-apply-archive-rules` (`flag` false)
 * or the account's `applyArchiveRules: false`. The reason names the switch that turned it off.
 */
export function applyDecision(
  flag: boolean,
  setting: boolean | undefined,
): { apply: true } | { apply: false; reason: string } {
  if (!flag) return { apply: false, reason: "--no-apply-archive-rules" };
  if (setting === false) return { apply: false, reason: "applyArchiveRules: false" };
  return { apply: true };
}

/** The AWS CLI command that applies one rule by hand (the per-account program alone, a failure). */
export function applyCommand(rule: ArchiveRuleRef, analyzerArn?: string): string {
  return (
    `aws accessanalyzer apply-archive-rule --region ${rule.region} ` +
    `--analyzer-arn ${analyzerArn ?? `<ARN of analyzer ${rule.analyzerName}>`} --rule-name ${rule.ruleName}`
  );
}

/** Findings archived over the applied rules. */
export function archivedTotal(applied: readonly ArchiveRuleApplied[]): number {
  return applied.reduce((sum, a) => sum + a.archived, 0);
}

/** How the runner applies archive rules after `up` (fleet/run/automation.ts). */
export interface ArchiveRulesOption {
  /** `--no-apply-archive-rules` makes it false. */
  readonly apply: boolean;
  /** The account's client, through the fleet file's role (fleet/aws/archiveRules.ts). */
  readonly client: (target: Target, signal?: AbortSignal) => ArchiveRuleClient;
}

/** What `up` adds to the stack's result once its changed rules were applied (or not). */
export interface AfterUp {
  readonly archiveRulesApplied?: ArchiveRuleApplied[];
  readonly archivedFindings?: number;
  readonly notes: StackNote[];
  /** Applying failed: the up itself succeeded; the stack's outcome becomes `failed`. */
  readonly error?: string;
}
