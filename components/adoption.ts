// Copyright 2026 The pulumi-access-analyzer-all-regions authors.
// SPDX-License-Identifier: Apache-2.0

/**
 * Adopted analyzers: how each `adopt` entry is imported, and the guard that keeps an adopted
 * analyzer (which existed before the stack, with its findings and archive state) from being
 * deleted or replaced unless `allowDelete` names it. Pure: no Pulumi, no I/O.
 *
 * Why the import ID is the entry as given, never derived from the provider mode: the engine
 * compares a resource's `import` ID with the one its state recorded on every run, and when they
 * differ it imports again as a *replacement*, then deletes "the original" — here the very same
 * analyzer — and it does so whatever `protect` says (pulumi/pkg v3.274.1
 * `resource/deploy/step_generator.go`: an import whose ID differs from the old `ImportID` returns
 * `ImportReplacementStep` + `ReplaceStep`; the delete of the original is a replacing delete, which
 * skips the protect check in `step.go` `DeleteStep.Apply`). An ID that changes with
 * `providerMode` therefore deleted adopted analyzers on a mode switch.
 */

import type { ArgumentProblem } from "./problems";

/** How the component takes one adopted analyzer into the stack. */
export interface Adoption {
  /** The analyzer's name in AWS (and its `analyzerName` input). */
  readonly name: string;
  /** The `import` ID: the `adopt` entry exactly as given. */
  readonly importId: string;
  /**
   * True for a plain name: the engine imports by ID alone, so the provider reads a plain name in
   * its own region. Such an analyzer stays on its region's provider in both provider modes, so the
   * ID reads the right region whatever the mode, and never has to change.
   */
  readonly onRegionProvider: boolean;
}

/** The adoption an `adopt` entry (`name`, or `name@region`) asks for. */
export function adoptionOf(entry: string): Adoption {
  const at = entry.indexOf("@");
  return at < 0
    ? { name: entry, importId: entry, onRegionProvider: true }
    : { name: entry.slice(0, at), importId: entry, onRegionProvider: false };
}

/** An adopted analyzer as `allowDelete` names it: `name@region`. */
export function adoptedKey(region: string, entry: string): string {
  return `${adoptionOf(entry).name}@${region}`;
}

/**
 * True when the guard holds for this adopted analyzer: `protect` and `retainOnDelete` on. `protect`
 * makes the engine refuse a replace or a delete (in a preview, before anything changes);
 * `retainOnDelete` is for the paths that skip `protect` (an import replacement, a replace in the
 * same run that drops `protect`, a pending delete): the engine then drops the analyzer from the
 * state and leaves it in AWS.
 */
export function isGuarded(
  region: string,
  entry: string,
  allowDelete: readonly string[] | undefined,
): boolean {
  return !(allowDelete ?? []).includes(adoptedKey(region, entry));
}

/** Why a region is not covered, for messages. */
function whyNotCovered(
  region: string,
  args: { readonly regions?: readonly string[]; readonly excludeRegions?: readonly string[] },
): string {
  if (args.excludeRegions?.includes(region)) return "it is in excludeRegions";
  if (args.regions !== undefined && !args.regions.includes(region)) return "it is not in regions";
  return "the account has not enabled it";
}

/**
 * What is wrong with `adopt` and `allowDelete` once the covered regions are known:
 * - an adopted analyzer in a region that is not covered: the stack would delete it (with its
 *   findings) unless `allowDelete` names it;
 * - an `allowDelete` entry that names no adopted analyzer (a typo would otherwise guard nothing).
 */
export function adoptionProblems(
  args: {
    readonly adopt?: Readonly<Record<string, string>>;
    readonly allowDelete?: readonly string[];
    readonly regions?: readonly string[];
    readonly excludeRegions?: readonly string[];
  },
  covered: readonly string[],
): ArgumentProblem[] {
  const problems: ArgumentProblem[] = [];
  const adopted = Object.entries(args.adopt ?? {}).sort(([a], [b]) => a.localeCompare(b));
  const keys = adopted.map(([region, entry]) => adoptedKey(region, entry));
  for (const [region, entry] of adopted) {
    const key = adoptedKey(region, entry);
    if (covered.includes(region) || !isGuarded(region, entry, args.allowDelete)) continue;
    problems.push({
      path: `adopt[${JSON.stringify(region)}]`,
      message:
        `"${adoptionOf(entry).name}" is an adopted analyzer, but ${region} is not covered ` +
        `(${whyNotCovered(region, args)}): the stack would delete it with its findings and ` +
        `archive state. Cover ${region} again; or, to delete it, first add "${key}" to ` +
        `allowDelete and run up while ${region} is still covered (that lifts the protection), ` +
        `then leave ${region} out`,
    });
  }
  (args.allowDelete ?? []).forEach((entry, i) => {
    if (keys.includes(entry)) return;
    problems.push({
      path: `allowDelete[${i}]`,
      message:
        `"${entry}" names no adopted analyzer ` +
        (keys.length > 0 ? `(adopted: ${keys.join(", ")})` : "(adopt is empty)") +
        `; list an analyzer of adopt as name@region, or remove the entry`,
    });
  });
  return problems;
}
