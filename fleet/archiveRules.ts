/**
 * Which archive rules an `up` created or changed, from the engine's events. AWS applies a new
 * archive rule only to findings that arrive after it exists (shared DOMAIN.md); these are the
 * rules to apply to the existing findings (`ApplyArchiveRule`) after the update. Pure.
 */
import type { EngineEvent } from "@pulumi/pulumi/automation";

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
    const metadata = event.resOutputsEvent?.metadata;
    if (!metadata || metadata.type !== ARCHIVE_RULE_TYPE || !CHANGING_OPS.has(metadata.op)) {
      continue;
    }
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
