// Copyright 2026 The pulumi-access-analyzer-all-regions authors.
// SPDX-License-Identifier: Apache-2.0

/**
 * IAM Access Analyzer in every enabled region of an AWS account, as a Pulumi component.
 *
 * @packageDocumentation
 */

export { AllRegionsAccessAnalyzer, COMPONENT_TYPE } from "./allRegionsAccessAnalyzer";
export {
  AccessAnalyzerDelegatedAdministrator,
  DELEGATED_ADMINISTRATOR_TYPE,
  ENABLE_TRUSTED_ACCESS_COMMAND,
  TrustedAccessStatus,
  checkDelegatedAdministratorArgs,
} from "./delegatedAdministrator";
export type { AccessAnalyzerDelegatedAdministratorArgs } from "./delegatedAdministrator";
export { ArchiveRuleFilterExists, ProviderMode } from "./types";
export type {
  AllRegionsAccessAnalyzerArgs,
  AnalyzerZone,
  ArchiveRuleArgs,
  ArchiveRuleFilterArgs,
  InternalAccessAnalysisRule,
  InternalAccessArgs,
  InternalAccessInclusion,
  OrganizationAnalyzersArgs,
  OrganizationExternalAccessArgs,
  OrganizationInternalAccessAnalysisRule,
  OrganizationInternalAccessArgs,
  OrganizationInternalAccessInclusion,
  OrTypeScriptOnly,
  TypeView,
  RegionalProviderArgs,
  UnusedAccessArgs,
  UnusedAccessExclusion,
} from "./types";
export {
  ENABLED_OPT_IN_STATUSES,
  checkRegionList,
  isValidRegionName,
  selectRegions,
} from "./regions";
export type { ArgumentProblem, RegionSelection } from "./regions";
export { formatPath } from "./problems";
export {
  ACCESS_ANALYZER_PRINCIPAL,
  ACCOUNT_ID_PATTERN,
  ANALYZER_ZONES,
  NAME_MAX,
  NAME_PATTERN,
  PARTITIONS,
  PROVIDER_MODES,
  REGION_PATTERN,
  TAG_LIMITS,
  TYPE_REPLACED,
  componentArgs,
  partitionOfArn,
  partitionOfRegion,
  suggestKey,
} from "./schema";
export type { ComponentArgsSchemaType, ProviderArgField } from "./schema";
export { DEFAULTS, MAX_ARCHIVE_RULES, checkArgs, checkName, formatProblems } from "./validation";
