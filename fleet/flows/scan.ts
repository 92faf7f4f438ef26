/**
 * One account's enabled regions, and a read of each one the fleet file keeps in scope, a few at a
 * time; one region's failure never stops the others. Shared by `audit`, `findings` and the read
 * before the engine.
 */
import { type AccountReader, DEFAULT_REGION_CONCURRENCY, exclusionReason } from "../domain/account";
import { describeError } from "../domain/errors";
import { runAll } from "../domain/scheduler";
import { type Target } from "../settings/schema";

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
    onError: (_region, error) => options.failed(describeError(error)),
    onSkip: () => options.failed("aborted before it was read"),
  });
  const readings: Record<string, R> = {};
  inScope.forEach((region, i) => (readings[region] = scheduled[i]));
  return { enabled, readings };
}
