/**
 * Pure checks on the component settings a fleet file may set.
 *
 * TODO(fleet): the component author is exporting the same validators from
 * `components/validation.ts` and `components/regions.ts`. When they land, re-export those here
 * (or import them from fleetFile.ts) so the fleet file and the component can never disagree.
 * Until then these follow the same rules, taken from the AWS API reference (see docs/FLEET.md).
 */

/** A region code such as `us-east-1`, `eu-central-2`, `us-gov-west-1` or `cn-north-1`. */
export const REGION_PATTERN =
  /^[a-z]{2}(-gov|-iso[a-z]?)?-(north|south|east|west|central|northeast|northwest|southeast|southwest)-\d{1,2}$/;

/** Returns why `region` is not a region code, or undefined when it is one. */
export function regionProblem(region: string): string | undefined {
  if (REGION_PATTERN.test(region)) {
    return undefined;
  }
  return `"${region}" is not an AWS region code; use a code such as "us-east-1" or "eu-west-2"`;
}

/** API_CreateAnalyzer: `[A-Za-z][A-Za-z0-9_.-]*`, 1 to 255 characters. Archive rule names follow it too. */
export const ANALYZER_NAME_PATTERN = /^[A-Za-z][A-Za-z0-9_.-]*$/;

/** Returns why `name` cannot name an analyzer (or archive rule), or undefined when it can. */
export function analyzerNameProblem(name: string): string | undefined {
  if (name.length < 1 || name.length > 255) {
    return `must be 1 to 255 characters long (got ${name.length})`;
  }
  if (!ANALYZER_NAME_PATTERN.test(name)) {
    return `"${name}" must start with a letter and contain only letters, digits, "_", "." and "-", e.g. "external-access"`;
  }
  return undefined;
}

/** Returns why `key` cannot be a tag key, or undefined when it can (AWS tagging rules). */
export function tagKeyProblem(key: string): string | undefined {
  if (key.length < 1 || key.length > 128) {
    return `tag key must be 1 to 128 characters long (got ${key.length})`;
  }
  if (key.toLowerCase().startsWith("aws:")) {
    return `tag key "${key}" uses the reserved prefix "aws:"; choose another key`;
  }
  return undefined;
}

/** Returns why `value` cannot be a tag value, or undefined when it can. */
export function tagValueProblem(value: string): string | undefined {
  if (value.length > 256) {
    return `tag value must be at most 256 characters long (got ${value.length})`;
  }
  return undefined;
}
