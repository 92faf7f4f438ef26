/**
 * What the bot reads from an account before the engine runs (its enabled regions, and every
 * analyzer in each enabled region in scope), for the decisions of fleet/domain/adoption.ts. Through
 * the account reader `audit` uses; read-only.
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
