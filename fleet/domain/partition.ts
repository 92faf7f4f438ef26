/**
 * AWS partitions as the fleet meets them: which partition a fleet works in (from its lookup region
 * or its role ARNs), and where each partition serves AWS Organizations. Pure.
 *
 * Facts (AWS Organizations API Reference, "Endpoint to call"; the SDK's endpoint rules for
 * Organizations, `@aws-sdk/client-organizations` 3.1175): Organizations is served from one region
 * per partition, and SigV4 must be scoped to it: `us-east-1` (aws), `us-gov-west-1` (aws-us-gov),
 * `cn-northwest-1` (aws-cn). Outside the commercial partition STS has no global endpoint, so every
 * STS client is given a region of the partition (a regional endpoint).
 */
import { partitionOfArn, partitionOfRegion } from "../../components/schema";

export type Partition = "aws" | "aws-us-gov" | "aws-cn";

export const DEFAULT_PARTITION: Partition = "aws";

/** The region that serves AWS Organizations in each partition. */
export const ORGANIZATIONS_REGIONS: Readonly<Record<Partition, string>> = {
  aws: "us-east-1",
  "aws-us-gov": "us-gov-west-1",
  "aws-cn": "cn-northwest-1",
};

/** Organizations' region in `partition`; a partition this code does not know gets the commercial one. */
export function organizationsRegion(partition: string): string {
  return ORGANIZATIONS_REGIONS[partition as Partition] ?? ORGANIZATIONS_REGIONS.aws;
}

/** An account id no organization uses: the probe for "what a discovered account gets". */
const PROBE_ACCOUNT = "000000000000";

/** What a fleet file says that decides its partition (the organization fleet's settings). */
export interface PartitionSources {
  readonly organization?: { readonly roleArn?: string };
  /** The target a discovered account gets, the fleet file's `defaults` applied. */
  readonly discovered?: (accountId: string) => {
    readonly access: { readonly roleArn?: string };
    readonly settings: { readonly lookupRegion?: string };
  };
}

/**
 * The partition an organization fleet works in: `organization.roleArn`'s, else the lookup region's
 * of a discovered account (`defaults.lookupRegion`), else its role's (`defaults.partition` with
 * `defaults.roleName`), else `aws`. The fleet file's own checks (fleet/settings/fleetFile.ts
 * `organizationPartitionProblems`) make sure they agree.
 */
export function fleetPartition(fleet: PartitionSources): string {
  const roleArn = fleet.organization?.roleArn;
  const probe = fleet.discovered?.(PROBE_ACCOUNT);
  const lookup = probe?.settings.lookupRegion;
  const accountRole = probe?.access.roleArn;
  return (
    (roleArn !== undefined ? partitionOfArn(roleArn) : undefined) ??
    (lookup !== undefined ? partitionOfRegion(lookup) : undefined) ??
    (accountRole !== undefined ? partitionOfArn(accountRole) : undefined) ??
    DEFAULT_PARTITION
  );
}
