/**
 * The fleet file's checks of component settings, delegated to the component's own pure validators
 * (`components/regions.ts`, `components/validation.ts`) so the fleet file and the component can
 * never disagree. Only tag rules, which the component leaves to AWS, live here.
 *
 * The two patterns below only feed the JSON Schema (editor hints); tests check that they accept
 * exactly what the component's validators accept on a set of samples.
 */
import { isValidRegionName } from "../components/regions";
import { checkName } from "../components/validation";

/** Editor hint for region codes; the same shape `isValidRegionName` accepts. */
export const REGION_PATTERN = /^[a-z]{2}(-[a-z]+){1,3}-\d{1,2}$/;
/** Editor hint for analyzer and archive rule names (API_CreateAnalyzer). */
export const ANALYZER_NAME_PATTERN = /^[A-Za-z][A-Za-z0-9_.-]{0,254}$/;

/** Returns why `region` is not a region code, or undefined when it is one. */
export function regionProblem(region: unknown): string | undefined {
  if (isValidRegionName(region)) {
    return undefined;
  }
  return `${JSON.stringify(region)} is not an AWS region code; use a code such as "us-east-1" or "eu-west-2"`;
}

/** Returns why `name` cannot name an analyzer (or archive rule), or undefined when it can. */
export function analyzerNameProblem(name: unknown): string | undefined {
  return checkName("name", name)?.message;
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
