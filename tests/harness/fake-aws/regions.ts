/**
 * The region catalogue the fake serves, per partition. In the commercial partition (`aws`), regions
 * launched before 2019-03-20 are "opt-in-not-required" (always enabled) and later ones are opt-in,
 * disabled until enabled. AWS GovCloud (US) (`aws-us-gov`: us-gov-west-1, us-gov-east-1) and the
 * China regions (`aws-cn`: cn-north-1 Beijing, cn-northwest-1 Ningxia) have no opt-in regions.
 * An account lives in one partition; its credentials mean nothing in another (AWS General
 * Reference, "AWS GovCloud (US)" and "Amazon Web Services in China": separate accounts, separate
 * credentials).
 */
export type OptInStatus = "opt-in-not-required" | "opted-in" | "not-opted-in";

export const DEFAULT_REGIONS: readonly string[] = [
  "us-east-1",
  "us-east-2",
  "us-west-1",
  "us-west-2",
  "ap-south-1",
  "ap-northeast-1",
  "ap-northeast-2",
  "ap-northeast-3",
  "ap-southeast-1",
  "ap-southeast-2",
  "ca-central-1",
  "eu-central-1",
  "eu-west-1",
  "eu-west-2",
  "eu-west-3",
  "eu-north-1",
  "sa-east-1",
];

export const OPT_IN_REGIONS: readonly string[] = [
  "af-south-1",
  "ap-east-1",
  "ap-east-2",
  "ap-south-2",
  "ap-southeast-3",
  "ap-southeast-4",
  "ap-southeast-5",
  "ap-southeast-6",
  "ap-southeast-7",
  "ca-west-1",
  "eu-central-2",
  "eu-south-1",
  "eu-south-2",
  "il-central-1",
  "me-central-1",
  "me-south-1",
  "mx-central-1",
];

/** The commercial partition's regions. */
export const ALL_REGIONS: readonly string[] = [...DEFAULT_REGIONS, ...OPT_IN_REGIONS];

export const GOVCLOUD_REGIONS: readonly string[] = ["us-gov-west-1", "us-gov-east-1"];

export const CHINA_REGIONS: readonly string[] = ["cn-north-1", "cn-northwest-1"];

export const PARTITIONS = ["aws", "aws-us-gov", "aws-cn"] as const;
export type Partition = (typeof PARTITIONS)[number];

export interface PartitionInfo {
  /** Endpoint host suffix: `ec2.<region>.<dnsSuffix>` (AWS General Reference, service endpoints). */
  readonly dnsSuffix: string;
  /** Every region of the partition, enabled by default first. */
  readonly regions: readonly string[];
  /**
   * The one region that serves AWS Organizations; SigV4 for Organizations must be scoped to it
   * (Organizations API Reference, "Endpoint to call"; the SDK's endpoint rules).
   */
  readonly organizationsRegion: string;
}

export const PARTITION_INFO: Readonly<Record<Partition, PartitionInfo>> = {
  aws: { dnsSuffix: "amazonaws.com", regions: ALL_REGIONS, organizationsRegion: "us-east-1" },
  "aws-us-gov": {
    dnsSuffix: "amazonaws.com",
    regions: GOVCLOUD_REGIONS,
    organizationsRegion: "us-gov-west-1",
  },
  "aws-cn": {
    dnsSuffix: "amazonaws.com.cn",
    regions: CHINA_REGIONS,
    organizationsRegion: "cn-northwest-1",
  },
};

/** The partition a known region belongs to; undefined for a region the fake does not serve. */
export function partitionOfRegion(region: string): Partition | undefined {
  return PARTITIONS.find((p) => PARTITION_INFO[p].regions.includes(region));
}

/** A region of any partition the fake serves. */
export function isKnownRegion(region: string): boolean {
  return partitionOfRegion(region) !== undefined;
}

export function isOptInRegion(region: string): boolean {
  return OPT_IN_REGIONS.includes(region);
}
