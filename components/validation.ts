// Copyright 2026 The pulumi-access-analyzer-all-regions authors.
// SPDX-License-Identifier: Apache-2.0

/**
 * Validation of the component's arguments, through the one schema (`schema.ts`). Pure functions:
 * no Pulumi, no I/O, so the fleet bot can check a whole fleet file before it starts a single stack.
 */

import { type ArgumentProblem, formatProblems, genericMessage, problemsOf } from "./problems";
import {
  DEFAULTS,
  MAX_ARCHIVE_RULES,
  PROVIDER_REGION_HINT,
  analyzerName,
  componentArgs,
} from "./schema";
import { type AllRegionsAccessAnalyzerArgs } from "./types";

export { DEFAULTS, MAX_ARCHIVE_RULES, formatProblems };

/**
 * Checks an analyzer or archive-rule name against AWS's rule. Returns the problem, or undefined.
 * Terraform only finds a bad name when AWS rejects it mid-apply (terraform-provider-aws#16264);
 * checking first means nothing is created.
 */
export function checkName(path: string, name: unknown): ArgumentProblem | undefined {
  const parsed = analyzerName.safeParse(name, { error: genericMessage });
  return parsed.success ? undefined : { path, message: parsed.error.issues[0].message };
}

/**
 * Checks every argument that can be checked without asking AWS. Returns all problems at once, so
 * a person fixes them in one go, each with a path such as `unusedAccess.region` or
 * `archiveRules[2].name`. An empty list means the arguments are well formed. Values the program
 * computes (`pulumi.Output`s, promises) in `tags` and `providerArgs` are let through unchecked.
 */
export function checkArgs(args: AllRegionsAccessAnalyzerArgs): ArgumentProblem[] {
  const parsed = componentArgs.safeParse(args, { error: genericMessage });
  if (parsed.success) {
    return [];
  }
  return problemsOf(parsed.error.issues, {
    schema: componentArgs,
    keyHints: { "providerArgs.region": PROVIDER_REGION_HINT },
  });
}
