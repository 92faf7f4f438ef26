/**
 * Which archive rules an `up` created or changed, from the engine's events. AWS applies a new
 * archive rule only to findings that arrive after it exists (shared DOMAIN.md); these are the
 * rules to apply to the existing findings (`ApplyArchiveRule`) after the update. The decisions
 * are pure; applying goes through an `ArchiveRuleClient` (fleet/auditSdk.ts, a fake in the tests).
 */
import type { EngineEvent } from "@pulumi/pulumi/automation";
import { describeError } from "./audit";
import type { StackNote, Target } from "./types";

/** The provider's archive-rule resource type. */
export const ARCHIVE_RULE_TYPE = "aws:accessanalyzer/archiveRule:ArchiveRule";

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
export function changedArchiveRules(events: readonly EngineEvent[]): ArchiveRuleRef[] {
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
export function isArchiveRuleEvent(event: EngineEvent): boolean {
  return event.resOutputsEvent?.metadata.type === ARCHIVE_RULE_TYPE;
}

// ---- applying them after `up` -----------------------------------------------------------------

/** One rule applied to the findings that existed before it, and how many it archived. */
export interface ArchiveRuleApplied {
  readonly region: string;
  readonly analyzer: string;
  readonly rule: string;
  /** ACTIVE findings of the analyzer before the call, less those after it. */
  readonly archived: number;
}

/** What applying the changed rules of one stack did. */
export interface ArchiveRulesResult {
  readonly applied: ArchiveRuleApplied[];
  /** The rules that could not be applied, with the error and the command to apply each by hand. */
  readonly error?: string;
}

/** What applying archive rules needs from the account (fleet/auditSdk.ts; tests pass a fake). */
export interface ArchiveRuleClient {
  /** `ListAnalyzers` in the region: the analyzer's ARN, by name. */
  analyzers(region: string): Promise<readonly { name: string; arn: string }[]>;
  /** ACTIVE findings of the analyzer (`ListFindingsV2`, every page). */
  activeFindings(region: string, analyzerArn: string): Promise<number>;
  /** `ApplyArchiveRule`. */
  applyArchiveRule(region: string, analyzerArn: string, ruleName: string): Promise<void>;
  close?(): void;
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

/**
 * Applies each rule to the findings that already exist (`ApplyArchiveRule`), counting the
 * analyzer's ACTIVE findings before and after each call. AWS documents the call as retroactive but
 * not when it finishes; the count is taken right after it returns, so on AWS it is a lower bound
 * (fake-aws archives before it answers). A rule that fails does not stop the others; the error
 * lists each failed rule with the command that applies it by hand. Never throws.
 */
export async function applyArchiveRules(
  rules: readonly ArchiveRuleRef[],
  client: ArchiveRuleClient,
): Promise<ArchiveRulesResult> {
  const applied: ArchiveRuleApplied[] = [];
  const failures: string[] = [];
  const arns = new Map<string, Promise<readonly { name: string; arn: string }[]>>();
  const counts = new Map<string, number>();
  for (const rule of rules) {
    let arn: string | undefined;
    try {
      if (!arns.has(rule.region)) arns.set(rule.region, client.analyzers(rule.region));
      arn = (await arns.get(rule.region)!).find((a) => a.name === rule.analyzerName)?.arn;
      if (arn === undefined) {
        throw new Error(`analyzer ${rule.analyzerName} not found in ${rule.region}`);
      }
      const before = counts.get(arn) ?? (await client.activeFindings(rule.region, arn));
      await client.applyArchiveRule(rule.region, arn, rule.ruleName);
      const after = await client.activeFindings(rule.region, arn);
      counts.set(arn, after);
      applied.push({
        region: rule.region,
        analyzer: rule.analyzerName,
        rule: rule.ruleName,
        archived: Math.max(0, before - after),
      });
    } catch (error) {
      arns.delete(rule.region);
      failures.push(
        `${rule.region} ${rule.analyzerName}/${rule.ruleName}: ${describeError(error)} ` +
          `(apply it by hand: ${applyCommand(rule, arn)})`,
      );
    }
  }
  return {
    applied,
    ...(failures.length > 0
      ? {
          error:
            `the up succeeded, but ${failures.length} archive rule(s) could not be applied to ` +
            `existing findings (they still archive new ones): ${failures.join("; ")}`,
        }
      : {}),
  };
}

/** Findings archived over the applied rules. */
export function archivedTotal(applied: readonly ArchiveRuleApplied[]): number {
  return applied.reduce((sum, a) => sum + a.archived, 0);
}

/** How the runner applies archive rules after `up` (fleet/automation.ts). */
export interface ArchiveRulesOption {
  /** `--no-apply-archive-rules` makes it false. */
  readonly apply: boolean;
  /** The account's client, through the fleet file's role (fleet/auditSdk.ts). */
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

/**
 * After a successful `up` that created or changed `rules`: applies them, unless switched off for
 * the run or the account, when a note names the switch and the command that applies each by hand.
 */
export async function archiveRulesAfterUp(
  target: Target,
  rules: readonly ArchiveRuleRef[],
  option: ArchiveRulesOption,
  signal?: AbortSignal,
): Promise<AfterUp> {
  if (rules.length === 0) return { notes: [] };
  const decision = applyDecision(option.apply, target.settings.applyArchiveRules);
  if (!decision.apply) {
    return {
      notes: rules.map((r) => ({
        region: r.region,
        status: "archive-rule-not-applied",
        analyzer: r.analyzerName,
        detail: `rule ${r.ruleName} archives only new findings (${decision.reason}); to archive the existing ones: ${applyCommand(r)}`,
      })),
    };
  }
  const client = option.client(target, signal);
  try {
    const result = await applyArchiveRules(rules, client);
    return {
      archiveRulesApplied: result.applied,
      archivedFindings: archivedTotal(result.applied),
      notes: result.applied.map((a) => ({
        region: a.region,
        status: "archive-rule-applied",
        analyzer: a.analyzer,
        detail: `rule ${a.rule} applied to existing findings: ${a.archived} archived`,
      })),
      ...(result.error !== undefined ? { error: result.error } : {}),
    };
  } finally {
    client.close?.();
  }
}
