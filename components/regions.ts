// Copyright 2026 The pulumi-access-analyzer-all-regions authors.
// SPDX-License-Identifier: Apache-2.0

/**
 * Region selection and region-name validation. Pure functions: no Pulumi, no I/O.
 */

/**
 * The `opt-in-status` values of regions an account can use. `DescribeRegions` without `AllRegions`
 * already returns only these; the filter says so explicitly, so a lookup never covers a region the
 * account has not enabled (`not-opted-in`).
 */
export const ENABLED_OPT_IN_STATUSES: readonly string[] = ["opt-in-not-required", "opted-in"];

/**
 * The shape of an AWS region code in every partition: `us-east-1`, `eu-central-2`, `us-gov-west-1`,
 * `cn-northwest-1`, `ap-southeast-7`, `us-isob-east-1`.
 */
const REGION_PATTERN = /^[a-z]{2}(-[a-z]+){1,3}-\d{1,2}$/;

/** True when `region` looks like an AWS region code (`us-east-1`). It does not say the region exists. */
export function isValidRegionName(region: unknown): region is string {
  return typeof region === "string" && REGION_PATTERN.test(region);
}

/** A problem with one argument: `path` names the argument (`excludeRegions[2]`), `message` the fix. */
export interface ArgumentProblem {
  readonly path: string;
  readonly message: string;
}

/** Checks a list of region codes; returns one problem per bad or repeated entry. */
export function checkRegionList(path: string, regions: unknown): ArgumentProblem[] {
  if (regions === undefined) {
    return [];
  }
  if (!Array.isArray(regions)) {
    return [{ path, message: `must be a list of region codes, e.g. ["us-east-1", "eu-west-1"]` }];
  }
  const problems: ArgumentProblem[] = [];
  const seen = new Set<string>();
  regions.forEach((region, i) => {
    if (!isValidRegionName(region)) {
      problems.push({
        path: `${path}[${i}]`,
        message: `${JSON.stringify(region)} is not a region code; use the form "us-east-1"`,
      });
    } else if (seen.has(region)) {
      problems.push({
        path: `${path}[${i}]`,
        message: `"${region}" is listed twice; list each region once`,
      });
    }
    if (typeof region === "string") {
      seen.add(region);
    }
  });
  return problems;
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
    if (!candidateSet.has(region)) {
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
      message:
        `leaves no region to cover (enabled: ${enabled.join(", ") || "none"}); ` +
        `remove some exclusions`,
    });
  }
  return { regions, problems, warnings };
}
