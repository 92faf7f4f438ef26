// Copyright 2026 The pulumi-access-analyzer-all-regions authors.
// SPDX-License-Identifier: Apache-2.0

/**
 * The per-account program's contract with whoever runs it (the fleet bot writes its stack config and
 * reads its outputs): the project name (and so the config namespace), the config keys, the output
 * names and the environment variable that carries an external id. Defined here once; docs/CONTRACTS.md
 * describes each. Pure.
 */

/** The program's project name (`Pulumi.yaml`), and so its config namespace. */
export const PROJECT_NAME = "access-analyzer";

/** The environment variable holding the external id of the role in `providerArgs.assumeRoles`. */
export const EXTERNAL_ID_ENV = "ACCESS_ANALYZER_EXTERNAL_ID";

/** The program's config keys (in the `access-analyzer:` namespace). */
export const CONFIG_KEYS = [
  "regions",
  "excludeRegions",
  "lookupRegion",
  "analyzerName",
  "unusedAccess",
  "internalAccess",
  "organization",
  "delegatedAdministrator",
  "archiveRules",
  "tags",
  "providerArgs",
  "protect",
  "retainOnDelete",
  "adopt",
  "allowDelete",
  "providerMode",
] as const;
export type ConfigKey = (typeof CONFIG_KEYS)[number];

/** `access-analyzer:<key>`: a config key in the program's namespace. */
export function configKey(key: ConfigKey): string {
  return `${PROJECT_NAME}:${key}`;
}

/** The program's stack outputs. */
export const OUTPUTS = {
  regions: "regions",
  analyzerArns: "analyzerArns",
  unusedAccessAnalyzerArn: "unusedAccessAnalyzerArn",
  organizationAnalyzerArns: "organizationAnalyzerArns",
  organizationUnusedAccessAnalyzerArn: "organizationUnusedAccessAnalyzerArn",
  internalAccessAnalyzerArns: "internalAccessAnalyzerArns",
  organizationInternalAccessAnalyzerArn: "organizationInternalAccessAnalyzerArn",
  delegatedAdministratorAccountId: "delegatedAdministratorAccountId",
} as const;
