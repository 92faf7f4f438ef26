/** What a stack's exported state holds, region by region (read before the engine runs, and by `audit`). Pure. */
import {
  ACCESS_ANALYZER_TYPE_PREFIX,
  LOOKUP_SUFFIX,
  RESOURCE_TYPES,
  UNUSED_ACCESS_SUFFIX,
} from "../../components/contract";

/** What the stack's state holds in one region. */
export interface HeldRegion {
  /**
   * URNs whose deletion with their dependents drops the region from the state: the region's
   * `aws.Provider` in per-region mode; in single provider mode (one provider for every region)
   * the region's analyzers and archive rules themselves, found by their `region` input, without
   * those that depend on another of them (their deletion takes them along).
   */
  readonly urns: readonly string[];
  /** The external-access analyzer's name there, when the state has one. */
  readonly analyzerName?: string;
  /**
   * The `import` ID it was adopted under, when it was adopted: the analyzer's name, or
   * `name@region` (single provider mode). Passed back as recorded, so it never changes.
   */
  readonly importId?: string;
}

/** A resource of an exported deployment, as far as `heldRegions` reads it. */
interface StateResource {
  urn?: string;
  id?: string;
  type?: string;
  parent?: string;
  provider?: string;
  importID?: string;
  inputs?: Record<string, unknown>;
  dependencies?: string[];
}

/**
 * Parses what the state holds per region out of an exported deployment (`exportStack()`). A
 * resource's region is its `region` input (every regional child carries one), else its provider's
 * region. The lookup provider (`<name>-lookup`) is not a regional one: in single provider mode it
 * serves every region, so such a region is dropped through its own resources instead.
 */
export function heldRegions(deployment: unknown): Record<string, HeldRegion> {
  const resources = ((deployment as { resources?: unknown[] } | undefined)?.resources ??
    []) as StateResource[];
  const providerRegion = new Map<string, string>();
  const regionalProvider = new Map<string, string>();
  for (const r of resources) {
    if (r.type !== RESOURCE_TYPES.provider || !r.urn || !r.parent) continue;
    const region = r.inputs?.region;
    if (typeof region !== "string") continue;
    providerRegion.set(`${r.urn}::${r.id}`, region);
    if (!r.urn.endsWith(LOOKUP_SUFFIX)) regionalProvider.set(region, r.urn);
  }
  const regionOf = (r: StateResource): string | undefined => {
    const own = r.inputs?.region;
    if (typeof own === "string") return own;
    return r.provider !== undefined ? providerRegion.get(r.provider) : undefined;
  };

  const byRegion = new Map<string, StateResource[]>();
  for (const r of resources) {
    if (!r.urn || !r.type?.startsWith(ACCESS_ANALYZER_TYPE_PREFIX)) continue;
    const region = regionOf(r);
    if (region === undefined) continue;
    byRegion.set(region, [...(byRegion.get(region) ?? []), r]);
  }
  for (const region of regionalProvider.keys()) {
    if (!byRegion.has(region)) byRegion.set(region, []);
  }

  const held: Record<string, HeldRegion> = {};
  for (const [region, own] of byRegion) {
    const provider = regionalProvider.get(region);
    const inRegion = new Set(own.map((r) => r.urn));
    const urns =
      provider !== undefined
        ? [provider]
        : own
            .filter((r) => !(r.dependencies ?? []).some((d) => inRegion.has(d)))
            .map((r) => r.urn as string);
    // The external-access analyzer: type ACCOUNT (unset in states older than the type setting's
    // removal), not the unused-access one.
    const account = own.find(
      (r) =>
        r.type === RESOURCE_TYPES.analyzer &&
        !r.urn?.endsWith(UNUSED_ACCESS_SUFFIX) &&
        (r.inputs?.type ?? "ACCOUNT") === "ACCOUNT" &&
        typeof r.inputs?.analyzerName === "string",
    );
    held[region] = {
      urns,
      ...(account
        ? {
            analyzerName: account.inputs?.analyzerName as string,
            ...(account.importID ? { importId: account.importID } : {}),
          }
        : {}),
    };
  }
  return held;
}
