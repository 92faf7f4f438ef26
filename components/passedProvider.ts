// Copyright 2026 The pulumi-access-analyzer-all-regions authors.
// SPDX-License-Identifier: Apache-2.0

/**
 * An `aws` provider handed to a component the way Pulumi programs hand providers to components
 * (`opts.provider`, `opts.providers`, or a parent's `providers`), and what the component's own
 * settings must then leave out. The components use such a provider, or refuse it before anything
 * is registered: they never fall back to the ambient credentials while one was given.
 */

import * as aws from "@pulumi/aws";
import type * as pulumi from "@pulumi/pulumi";

import { type ArgumentProblem } from "./problems";

/**
 * The `aws` provider the options give the component, in Pulumi's order of precedence:
 * `opts.provider`, then `opts.providers`, then the parent's; undefined when none is given.
 */
export function passedAwsProvider(opts: pulumi.ComponentResourceOptions): aws.Provider | undefined {
  if (opts.provider !== undefined && aws.Provider.isInstance(opts.provider)) return opts.provider;
  const listed = Array.isArray(opts.providers)
    ? opts.providers.find((p) => aws.Provider.isInstance(p))
    : opts.providers?.aws;
  if (listed !== undefined && aws.Provider.isInstance(listed)) return listed;
  // Any `aws:<module>:<member>` token names the package; the parent's map is keyed by package.
  const inherited = opts.parent?.getProvider("aws:index:Provider");
  return inherited !== undefined && aws.Provider.isInstance(inherited) ? inherited : undefined;
}

/** How the problems below name the provider given to the component. */
export const PASSED_PROVIDER = "the aws provider passed in (opts.provider/opts.providers)";

/**
 * What `AllRegionsAccessAnalyzer`'s arguments must leave out when an `aws` provider is passed in:
 * the component then uses that provider for the region lookup and every region (provider mode
 * `"single"`: each regional resource carries its own `region` input), since it cannot copy the
 * provider's credentials into a provider per region. Settings that would make providers of their
 * own, or be silently ignored, are refused. (`lookupRegion` may stay: it then only names the
 * partition the validation of `regions` assumes; the lookup goes through the provider passed in.)
 */
export function passedProviderProblems(args: {
  readonly providerMode?: string;
  readonly providerArgs?: unknown;
  readonly adopt?: Readonly<Record<string, string>>;
}): ArgumentProblem[] {
  const problems: ArgumentProblem[] = [];
  if (args.providerMode === "per-region") {
    problems.push({
      path: "providerMode",
      message:
        `"per-region" makes a provider per region from providerArgs, but ${PASSED_PROVIDER} ` +
        `cannot be copied into one per region: leave providerMode out (or "single") to use that ` +
        `provider for every region, or pass no provider and give providerArgs`,
    });
  }
  if (args.providerArgs !== undefined) {
    problems.push({
      path: "providerArgs",
      message:
        `would be ignored: ${PASSED_PROVIDER} says how to reach AWS; give its settings to that ` +
        `provider, or pass no provider`,
    });
  }
  for (const [region, entry] of Object.entries(args.adopt ?? {})) {
    if (typeof entry === "string" && !entry.includes("@")) {
      problems.push({
        path: `adopt.${region}`,
        message:
          `"${entry}" would be looked up in the region of ${PASSED_PROVIDER}, not ${region}: ` +
          `give "${entry}@${region}"`,
      });
    }
  }
  return problems;
}

/** What `AccessAnalyzerDelegatedAdministrator`'s arguments must leave out when a provider is passed in. */
export function passedProviderProblemsOfAdministrator(args: {
  readonly providerArgs?: unknown;
  readonly region?: string;
}): ArgumentProblem[] {
  const problems: ArgumentProblem[] = [];
  if (args.providerArgs !== undefined) {
    problems.push({
      path: "providerArgs",
      message:
        `would be ignored: ${PASSED_PROVIDER} says how to reach AWS; give its settings to that ` +
        `provider, or pass no provider`,
    });
  }
  if (args.region !== undefined) {
    problems.push({
      path: "region",
      message: `would be ignored: Organizations is called in the region of ${PASSED_PROVIDER}; remove region`,
    });
  }
  return problems;
}
