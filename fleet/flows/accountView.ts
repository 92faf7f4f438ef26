/**
 * What the bot decides before the engine runs, from what the account has and what the stack holds.
 * Pure: the runner reads the account (enabled regions, `ListAnalyzers` per region) and the stack's
 * state (`exportStack`), then carries out the decision (fleet/automation.ts).
 *
 * - A region the stack holds that the account no longer has enabled is `region-disabled`: its
 *   resources leave the state without any AWS call (AWS keeps the analyzer, unreachable).
 * - A region the stack does not hold where an analyzer of the wanted type already exists:
 *   - ours (our name, and every tag we set): adopted by itself, no flag (a create the engine lost
 *     after a 5xx or a kill);
 *   - made by someone else (any other name): adopted only with `--adopt`; otherwise `up` stops
 *     before the engine with what exists and how to adopt it, and `preview` says it would adopt;
 *   - named with a leading `_` (legal in AWS, refused by the provider): the provider cannot
 *     manage it; reported, never adopted.
 * - A region the stack holds through an earlier adoption keeps its `adopt` entry (the engine does
 *   not import a resource already in the state, and refuses to replace one while it is named).
 */
import { type AccountReader, type AnalyzerInfo, type ArchiveRuleInfo } from "../domain/account";
import { type AccountView } from "../domain/adoption";
import { describeError } from "../domain/errors";
import { type Target } from "../settings/schema";
import { scanRegions } from "./scan";

/** What else to read before the engine. */
export interface AccountViewOptions {
  /**
   * These archive rules of every ACCOUNT and ORGANIZATION analyzer (`GetArchiveRule`, one call
   * each), for the nightly fast path (fleet/domain/unchanged.ts). Absent: none is read.
   */
  readonly archiveRules?: readonly string[];
}

/** The analyzers whose archive rules the fast path compares: the regional external-access ones. */
const RULE_TYPES = new Set(["ACCOUNT", "ORGANIZATION"]);

/**
 * Reads what `decideRegions` needs through an account reader (the one `audit` uses): the enabled
 * regions, and every analyzer in each enabled region in scope (and, when asked, the named archive
 * rules of its regional external-access analyzers). Throws when a region cannot be read: deciding
 * without it could create a second analyzer where one exists.
 */
export async function readAccountView(
  target: Target,
  reader: AccountReader,
  signal?: AbortSignal,
  options: AccountViewOptions = {},
): Promise<AccountView> {
  const ruleNames = options.archiveRules ?? [];
  const readRules = ruleNames.length > 0 && reader.archiveRule !== undefined;
  try {
    const scan = await scanRegions<{
      analyzers?: AnalyzerInfo[];
      rules?: Record<string, ArchiveRuleInfo[]>;
      error?: string;
    }>(
      target,
      reader,
      async (region) => {
        const analyzers = await reader.analyzers(region);
        if (!readRules) return { analyzers };
        const rules: Record<string, ArchiveRuleInfo[]> = {};
        for (const a of analyzers.filter((x) => RULE_TYPES.has(x.type))) {
          const found = await Promise.all(
            ruleNames.map((rule) => reader.archiveRule!(region, a.name, rule)),
          );
          rules[a.name] = found.filter((r): r is ArchiveRuleInfo => r !== undefined);
        }
        return { analyzers, rules };
      },
      { ...(signal ? { signal } : {}), failed: (error) => ({ error }) },
    );
    const analyzers: Record<string, AnalyzerInfo[]> = {};
    const archiveRules: Record<string, Record<string, ArchiveRuleInfo[]>> = {};
    for (const [region, reading] of Object.entries(scan.readings)) {
      if (reading.error !== undefined) {
        throw new Error(`could not list the analyzers in ${region}: ${reading.error}`);
      }
      analyzers[region] = reading.analyzers ?? [];
      if (reading.rules !== undefined) archiveRules[region] = reading.rules;
    }
    return { enabled: scan.enabled, analyzers, ...(readRules ? { archiveRules } : {}) };
  } catch (error) {
    throw new Error(`before the engine ran, reading the account failed: ${describeError(error)}`);
  } finally {
    reader.close?.();
  }
}
