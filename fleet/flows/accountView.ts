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
import { type AccountReader, type AnalyzerInfo } from "../domain/account";
import { type AccountView } from "../domain/adoption";
import { describeError } from "../domain/errors";
import { type Target } from "../settings/schema";
import { scanRegions } from "./scan";

/**
 * Reads what `decideRegions` needs through an account reader (the one `audit` uses): the enabled
 * regions, and every analyzer in each enabled region in scope. Throws when a region cannot be
 * read: deciding without it could create a second analyzer where one exists.
 */
export async function readAccountView(
  target: Target,
  reader: AccountReader,
  signal?: AbortSignal,
): Promise<AccountView> {
  try {
    const scan = await scanRegions<{ analyzers?: AnalyzerInfo[]; error?: string }>(
      target,
      reader,
      async (region) => ({ analyzers: await reader.analyzers(region) }),
      { ...(signal ? { signal } : {}), failed: (error) => ({ error }) },
    );
    const analyzers: Record<string, AnalyzerInfo[]> = {};
    for (const [region, reading] of Object.entries(scan.readings)) {
      if (reading.error !== undefined) {
        throw new Error(`could not list the analyzers in ${region}: ${reading.error}`);
      }
      analyzers[region] = reading.analyzers ?? [];
    }
    return { enabled: scan.enabled, analyzers };
  } catch (error) {
    throw new Error(`before the engine ran, reading the account failed: ${describeError(error)}`);
  } finally {
    reader.close?.();
  }
}
