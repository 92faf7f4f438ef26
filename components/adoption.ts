// Copyright 2026 The pulumi-access-analyzer-all-regions authors.
// SPDX-License-Identifier: Apache-2.0

/**
 * Adopted analyzers: how each `adopt` entry is imported. Pure: no Pulumi, no I/O.
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
