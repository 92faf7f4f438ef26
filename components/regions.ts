// Copyright 2026 The pulumi-access-analyzer-all-regions authors.
// SPDX-License-Identifier: Apache-2.0

/**
 * Region selection and region-list validation. Pure functions: no Pulumi, no I/O.
 */

import { type ArgumentProblem, genericMessage, problemsOf } from "./problems";
import { regionList } from "./schema";

export { ENABLED_OPT_IN_STATUSES, isValidRegionName } from "./schema";
export type { ArgumentProblem };

/** Checks a list of region codes; returns one problem per bad or repeated entry. */
export function checkRegionList(path: string, regions: unknown): ArgumentProblem[] {
  if (regions === undefined) {
    return [];
  }
  const parsed = regionList.safeParse(regions, { error: genericMessage });
  return parsed.success ? [] : problemsOf(parsed.error.issues, { schema: regionList }, [path]);
}

/** Which regions to cover, and what a person should hear about the choice. */
export interface RegionSelection {
  /** Covered regions, sorted and de-duplicated. */
  readonly regions: string[];
  /** Problems that stop the deployment (nothing may be created). */
  readonly problems: ArgumentProblem[];
  /** Things worth a warning that change nothing (an exclusion that matches no region). */
  readonly warnings: string[];
}

/**
 * Decides which regions to cover.
 *
 * - Without `explicit`, every enabled region is covered, less `exclude`.
 * - With `explicit`, exactly those, less `exclude`; each must be enabled in the account, because an
 *   analyzer cannot be created in a region the account has not opted in to, and failing here names
 *   the argument instead of failing half-way through an update.
 * - An exclusion that matches no candidate region is harmless and only warned about: it may name a
 *   region the account has not enabled yet, which is a sensible thing to pin in advance.
 *
 * @param enabled the account's enabled regions, from `DescribeRegions`.
 */
export function selectRegions(
  enabled: readonly string[],
  explicit: readonly string[] | undefined,
  exclude: readonly string[] = [],
): RegionSelection {
  const enabledSet = new Set(enabled);
  const problems: ArgumentProblem[] = [];
  const warnings: string[] = [];

  const candidates = explicit ?? enabled;
  explicit?.forEach((region, i) => {
    if (!enabledSet.has(region)) {
      problems.push({
        path: `regions[${i}]`,
        message:
          `"${region}" is not enabled in this account, so no analyzer can be created there; ` +
          `enable it (aws account enable-region --region-name ${region}) or remove it from the list`,
      });
    }
  });

  const candidateSet = new Set(candidates);
  for (const region of exclude) {
    if (explicit?.includes(region)) {
      warnings.push(
        `excludeRegions: "${region}" is also in regions; it is not covered (remove it from ` +
          `one of the lists)`,
      );
    } else if (!candidateSet.has(region)) {
      warnings.push(
        explicit
          ? `excludeRegions: "${region}" is not in regions; nothing to exclude`
          : `excludeRegions: "${region}" is not enabled in this account; nothing to exclude ` +
              `(it stays excluded if the account enables it later)`,
      );
    }
  }

  const excluded = new Set(exclude);
  const regions = [...new Set(candidates)].filter((r) => !excluded.has(r)).sort();
  if (regions.length === 0 && problems.length === 0) {
    problems.push({
      path: "excludeRegions",
      message: explicit
        ? `leaves no region to cover: every region in regions (${explicit.join(", ")}) is ` +
          `also excluded; remove it from one of the lists`
        : `leaves no region to cover (enabled: ${enabled.join(", ") || "none"}); ` +
          `remove some exclusions`,
    });
  }
  return { regions, problems, warnings };
}
