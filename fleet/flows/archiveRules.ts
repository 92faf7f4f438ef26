/**
 * Applying the archive rules an `up` created or changed to the findings that already exist
 * (`ApplyArchiveRule`): AWS applies a new rule only to findings that arrive after it (shared
 * DOMAIN.md). Which rules, and whether, is decided in fleet/domain/archiveRules.ts; the calls go
 * through an `ArchiveRuleClient` (fleet/aws/archiveRules.ts; a fake in the tests).
 */
import { type ArchiveRuleClient } from "../domain/account";
import {
  type AfterUp,
  type ArchiveRuleRef,
  type ArchiveRulesOption,
  type ArchiveRulesResult,
  applyCommand,
  applyDecision,
  archivedTotal,
} from "../domain/archiveRules";
import { describeError } from "../domain/errors";
import { type ArchiveRuleApplied } from "../domain/notes";
import { type Target } from "../settings/schema";

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
