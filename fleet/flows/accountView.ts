/**
 * What the bot reads from an account before the engine runs (its enabled regions, and every
 * analyzer in each enabled region in scope), for the decisions of fleet/domain/adoption.ts. Through
 * the account reader `audit` uses; read-only.
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
