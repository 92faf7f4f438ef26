// Copyright 2026 The pulumi-access-analyzer-all-regions authors.
// SPDX-License-Identifier: Apache-2.0

/**
 * What the internal-access settings ask for, in words a person can price: how many analyzers, where,
 * over what, and what they are billed by. The component logs it (so `pulumi preview` shows it), and
 * the fleet's `validate` and `preview` print it per account. Pure: no Pulumi, no I/O.
 */

import { DEFAULTS, INTERNAL_ACCESS_BILLING } from "./schema";

/** The internal-access settings this reads (the component's arguments, or a fleet target's). */
export interface InternalAccessSettings {
  readonly internalAccess?: {
    readonly analyzerName?: string;
    readonly regions: readonly string[];
    readonly analysisRule?: { readonly inclusions: readonly InclusionView[] };
    readonly analyzeAllResources?: boolean;
  };
  readonly organization?: {
    readonly internalAccess?: {
      readonly region: string;
      readonly analyzerName?: string;
      readonly analysisRule?: { readonly inclusions: readonly InclusionView[] };
      readonly analyzeAllResources?: boolean;
    };
  };
}

interface InclusionView {
  readonly accountIds?: readonly string[];
  readonly resourceTypes?: readonly string[];
  readonly resourceArns?: readonly string[];
}

/** The internal-access analyzers one stack asks for. */
export interface InternalAccessPlan {
  /** `ACCOUNT_INTERNAL_ACCESS` analyzers: one per region listed. */
  readonly account: { readonly name: string; readonly regions: string[]; readonly scope: string };
  /** The one `ORGANIZATION_INTERNAL_ACCESS` analyzer, when asked for. */
  readonly organization?: {
    readonly name: string;
    readonly region: string;
    readonly scope: string;
  };
  /** Every internal-access analyzer the stack asks for. */
  readonly count: number;
}

/** What an analysis rule (or its absence) analyzes, in a few words. */
export function internalScope(scope: {
  readonly analysisRule?: { readonly inclusions: readonly InclusionView[] };
  readonly analyzeAllResources?: boolean;
}): string {
  if (scope.analysisRule === undefined) return "every supported resource";
  const parts = scope.analysisRule.inclusions.map((inclusion) => {
    const what: string[] = [];
    if (inclusion.resourceTypes?.length) what.push(inclusion.resourceTypes.join(", "));
    if (inclusion.resourceArns?.length) what.push(`${inclusion.resourceArns.length} ARN(s)`);
    if (inclusion.accountIds?.length) what.push(`in ${inclusion.accountIds.length} account(s)`);
    return what.join(" ");
  });
  return parts.join("; ");
}

/** The internal-access analyzers the settings ask for; undefined when none. */
export function internalAccessPlan(
  settings: InternalAccessSettings,
): InternalAccessPlan | undefined {
  const internal = settings.internalAccess;
  const org = settings.organization?.internalAccess;
  if (internal === undefined && org === undefined) return undefined;
  const regions = [...(internal?.regions ?? [])].sort();
  return {
    account: {
      name: internal?.analyzerName ?? DEFAULTS.internalAccessAnalyzerName,
      regions,
      scope: internal ? internalScope(internal) : "",
    },
    ...(org
      ? {
          organization: {
            name: org.analyzerName ?? DEFAULTS.organizationInternalAccessAnalyzerName,
            region: org.region,
            scope: internalScope(org),
          },
        }
      : {}),
    count: regions.length + (org ? 1 : 0),
  };
}

/**
 * One line for a person: `3 internal-access analyzer(s), billed per resource monitored, per
 * analyzer, per month: ACCOUNT_INTERNAL_ACCESS "internal-access" in eu-west-1, us-east-1 over
 * AWS::S3::Bucket; …`. Undefined when the settings ask for none.
 */
export function internalAccessSummary(settings: InternalAccessSettings): string | undefined {
  const plan = internalAccessPlan(settings);
  if (plan === undefined) return undefined;
  const parts: string[] = [];
  if (plan.account.regions.length > 0) {
    parts.push(
      `ACCOUNT_INTERNAL_ACCESS "${plan.account.name}" in ${plan.account.regions.join(", ")} ` +
        `over ${plan.account.scope}`,
    );
  }
  if (plan.organization) {
    parts.push(
      `ORGANIZATION_INTERNAL_ACCESS "${plan.organization.name}" in ${plan.organization.region} ` +
        `over ${plan.organization.scope}`,
    );
  }
  return `${plan.count} internal-access analyzer(s), ${INTERNAL_ACCESS_BILLING}: ${parts.join("; ")}`;
}
