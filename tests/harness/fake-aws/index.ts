/**
 * fake-aws: a local stand-in for STS, EC2 (DescribeRegions), IAM Access Analyzer and AWS
 * Organizations, in the commercial, GovCloud and China partitions, that the real AWS SDK for
 * JavaScript v3 talks to over its real wire protocols. See README.md.
 */
export { startFakeAws, type FakeAws, type FakeAwsOptions } from "./server";
export { FakeAwsAdminClient } from "./admin-client";
export { FakeAwsState } from "./state";
export type {
  AnalyzerType,
  AnalyzerView,
  CallRecord,
  FakeAwsSettings,
  FakeAwsSnapshot,
  FaultRule,
  Finding,
  FindingInput,
  LatencyRule,
  UnusedAccessDetails,
  OrgRole,
} from "./state";
export { loadConfigFile, parseConfig } from "./config";
export { IAM_ACTIONS, evaluate, policyDocumentSchema, statementsOf } from "./iam";
export type { AuthorizationRequest, Decision, PolicyDocument, PolicyStatement } from "./iam";
export type {
  AccountConfig,
  FakeAwsConfig,
  OrganizationConfig,
  RoleConfig,
  AccessKeyConfig,
} from "./config";
export {
  ACCESS_ANALYZER_PRINCIPAL,
  DEFAULT_ORGANIZATIONS_RATE,
  FakeOrganization,
  ORG_ACCOUNT_STATES,
  TokenBucket,
} from "./orgState";
export type { OrgAccountStatus, OrganizationSnapshot, OrgMemberView } from "./orgState";
export {
  ALL_REGIONS,
  CHINA_REGIONS,
  DEFAULT_REGIONS,
  GOVCLOUD_REGIONS,
  OPT_IN_REGIONS,
  PARTITION_INFO,
} from "./regions";
export type { Partition } from "./regions";

/** SDK v3 client settings that point at the fake: `new AccessAnalyzerClient(sdkConfig(fake.url, ...))`. */
export function sdkConfig(
  url: string,
  region: string,
  credentials: { accessKeyId: string; secretAccessKey: string; sessionToken?: string },
): {
  endpoint: string;
  region: string;
  credentials: { accessKeyId: string; secretAccessKey: string; sessionToken?: string };
} {
  return { endpoint: url, region, credentials };
}
