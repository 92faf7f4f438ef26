/**
 * The AWS edge as the command line wires it. `fleet/aws/` is the only folder that imports
 * `@aws-sdk`, and the process wiring requires this module lazily (fleet/cli.ts `processDeps`), so
 * `--help` and `validate` of a fleet file without `organization:` never load an SDK client.
 */
import type { ArchiveRuleClient, FindingsAccountReader } from "../domain/account";
import type { Target } from "../settings/schema";
import { SdkArchiveRuleClient } from "./archiveRules";
import { SdkAccountReader, type SdkReaderOptions } from "./reader";

export { discoverAccounts } from "./organizations";
export type { SdkReaderOptions } from "./reader";

/** One account's reader (`audit`, `findings`, and the read before the engine). Read-only. */
export function createAccountReader(
  target: Target,
  options: SdkReaderOptions = {},
): FindingsAccountReader {
  return new SdkAccountReader(target, options);
}

/** One account's archive-rule client (`up`, through the deployer role). */
export function createArchiveRuleClient(
  target: Target,
  options: SdkReaderOptions = {},
): ArchiveRuleClient {
  return new SdkArchiveRuleClient(target, options);
}
