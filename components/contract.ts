// Copyright 2026 The pulumi-access-analyzer-all-regions authors.
// SPDX-License-Identifier: Apache-2.0

/**
 * The component's contract with whoever reads its stacks (the fleet bot reads the state and the
 * engine's events): the resource types it registers, how its children are named, and the import id
 * of an adopted analyzer. Defined here once; the component builds names with these functions and the
 * fleet parses them with the same ones. Changing a name here renames (replaces) resources in every
 * stack: a breaking change. Pure: no Pulumi, no I/O.
 */

/** The type tokens of the resources the component registers, as the engine records them. */
export const RESOURCE_TYPES = {
  analyzer: "aws:accessanalyzer/analyzer:Analyzer",
  archiveRule: "aws:accessanalyzer/archiveRule:ArchiveRule",
  provider: "pulumi:providers:aws",
} as const;

/** Every Access Analyzer resource type token starts with this. */
export const ACCESS_ANALYZER_TYPE_PREFIX = "aws:accessanalyzer/";

/**
 * The child names of a component named `name`. Regional children end in their region code, so
 * enabling or excluding a region touches only that region's children.
 */
export const childNames = {
  /** The provider that answers `getRegions` (and, in single provider mode, serves every region). */
  lookupProvider: (name: string) => `${name}${LOOKUP_SUFFIX}`,
  /** A region's provider (per-region mode) and its `ACCOUNT` analyzer share this name. */
  regional: (name: string, region: string) => `${name}-${region}`,
  organization: (name: string, region: string) => `${name}-org-${region}`,
  internalAccess: (name: string, region: string) => `${name}-internal-${region}`,
  unusedAccess: (name: string) => `${name}${UNUSED_ACCESS_SUFFIX}`,
  organizationUnusedAccess: (name: string) => `${name}-org${UNUSED_ACCESS_SUFFIX}`,
  organizationInternalAccess: (name: string) => `${name}-org-internal-access`,
  /** An archive rule of the analyzer whose child name is `analyzerChild`. */
  archiveRule: (analyzerChild: string, rule: string) => `${analyzerChild}-${rule}`,
} as const;

/** The lookup provider's name ends with this (it is no regional provider). */
export const LOOKUP_SUFFIX = "-lookup";
/** The (account and organization) unused-access analyzers' names end with this. */
export const UNUSED_ACCESS_SUFFIX = "-unused-access";

/**
 * The import id of an adopted analyzer: its name, or `name@region` when the provider that imports it
 * is in another region (the one provider of single provider mode). The state records the id it was
 * imported with.
 */
export function importIdFor(analyzerName: string, region: string, providerRegion: string): string {
  return providerRegion === region ? analyzerName : `${analyzerName}@${region}`;
}

/** The analyzer name and, when given, the region of an import id (`name` or `name@region`). */
export function parseImportId(id: string): { readonly name: string; readonly region?: string } {
  const at = id.indexOf("@");
  return at < 0 ? { name: id } : { name: id.slice(0, at), region: id.slice(at + 1) };
}
