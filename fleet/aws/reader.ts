/**
 * The read-only half of the AWS edge: `AccountReader` (for `audit` and the read before the engine)
 * and `FindingsAccountReader` (for `findings`) over the AWS SDK for JavaScript v3: STS to reach the
 * account, EC2 `DescribeRegions` for its enabled regions, Access Analyzer `ListAnalyzers`,
 * `ListFindingsV2` and `GetFindingV2`. It never calls anything that changes the account; the one
 * write `up` makes outside the engine is in ./archiveRules.ts.
 *
 * Reaching an account, as the fleet file says:
 * - start from the bot's own credentials (the SDK's default chain), or the target's `profile`;
 * - then, when the target has a `roleArn`, assume it with STS (`externalId`, `sessionName`). The
 *   assumed credentials are shared by every client of the account and renewed before they expire.
 * Endpoints: the SDK honours `AWS_ENDPOINT_URL` (and per-service variables) itself.
 */
import {
  AccessAnalyzerClient,
  GetArchiveRuleCommand,
  GetFindingV2Command,
  ListAnalyzersCommand,
  ListFindingsV2Command,
  type AnalyzerSummary,
  type FindingDetails,
  type FindingSummaryV2,
} from "@aws-sdk/client-accessanalyzer";
import { DescribeRegionsCommand, EC2Client } from "@aws-sdk/client-ec2";
import { STSClient } from "@aws-sdk/client-sts";
import { DEFAULTS, ENABLED_OPT_IN_STATUSES } from "../../components/schema";
import type {
  AnalyzerInfo,
  ArchiveRuleInfo,
  FindingCriteria,
  FindingDetail,
  FindingSummary,
  FindingsAccountReader,
  UnusedAccessDetail,
  UnusedService,
} from "../domain/account";
import { describeError } from "../domain/errors";
import type { Target } from "../settings/schema";
import {
  AssumeRoleError,
  assumedRoleProvider,
  type AwsCredentialIdentity,
  type AwsCredentialIdentityProvider,
} from "./credentials";

export interface SdkReaderOptions {
  /**
   * The bot's own credentials. Absent: the SDK's default chain (environment, SSO, profile,
   * container or instance role). A target's `profile` wins over both.
   */
  readonly credentials?: AwsCredentialIdentity | AwsCredentialIdentityProvider;
  /** Endpoint for every client (tests). Absent: the SDK's own, which honours `AWS_ENDPOINT_URL`. */
  readonly endpoint?: string;
  /** SDK attempts per call, retries included (SDK default: 3). */
  readonly maxAttempts?: number;
  /** Aborts every call in flight. */
  readonly signal?: AbortSignal;
}

/** Prefixes an SDK error with the call that failed, unless it is a failed AssumeRole. */
export function wrap(context: string, error: unknown): Error {
  if (error instanceof AssumeRoleError) return error;
  if (error instanceof Error && error.name === "AbortError") return error;
  return new Error(`${context}: ${describeError(error)}`);
}

type CommonConfig = {
  endpoint?: string;
  maxAttempts?: number;
  profile?: string;
  credentials?: AwsCredentialIdentity | AwsCredentialIdentityProvider;
};

/** Reads one account. Create one per account; `close()` when done. */
export class SdkAccountReader implements FindingsAccountReader {
  private readonly lookupRegion: string;
  private readonly common: CommonConfig;
  private readonly clients = new Map<string, AccessAnalyzerClient>();
  private readonly others: { destroy(): void }[] = [];

  constructor(
    private readonly target: Target,
    private readonly options: SdkReaderOptions = {},
  ) {
    this.lookupRegion = target.settings.lookupRegion ?? DEFAULTS.lookupRegion;
    // The SDK takes an option set to undefined as not set: its own endpoint, its default attempts.
    const base: CommonConfig = { endpoint: options.endpoint, maxAttempts: options.maxAttempts };
    const start: CommonConfig = target.access.profile
      ? { ...base, profile: target.access.profile }
      : options.credentials
        ? { ...base, credentials: options.credentials }
        : base;
    this.common = target.access.roleArn ? { ...base, credentials: this.assumeRole(start) } : start;
  }

  protected get sendOptions(): { abortSignal?: AbortSignal } {
    return this.options.signal ? { abortSignal: this.options.signal } : {};
  }

  /**
   * One provider for every client of the account: assumes the role once, renews near expiry. STS
   * is called in the lookup region, a region of the account's partition, at its regional endpoint
   * (outside the commercial partition there is no other; `AWS_STS_REGIONAL_ENDPOINTS=legacy` would
   * send us-east-1 calls to the global one).
   */
  private assumeRole(start: CommonConfig): AwsCredentialIdentityProvider {
    const sts = new STSClient({ ...start, region: this.lookupRegion, useGlobalEndpoint: false });
    this.others.push(sts);
    return assumedRoleProvider(sts, this.target.access, this.sendOptions);
  }

  protected analyzerClient(region: string): AccessAnalyzerClient {
    let client = this.clients.get(region);
    if (!client) {
      client = new AccessAnalyzerClient({ ...this.common, region });
      this.clients.set(region, client);
    }
    return client;
  }

  async enabledRegions(): Promise<string[]> {
    const ec2 = new EC2Client({ ...this.common, region: this.lookupRegion });
    try {
      const out = await ec2.send(
        new DescribeRegionsCommand({
          Filters: [{ Name: "opt-in-status", Values: [...ENABLED_OPT_IN_STATUSES] }],
        }),
        this.sendOptions,
      );
      return (out.Regions ?? [])
        .map((r) => r.RegionName)
        .filter((r): r is string => typeof r === "string")
        .sort();
    } catch (error) {
      throw wrap(`DescribeRegions in ${this.lookupRegion}`, error);
    } finally {
      ec2.destroy();
    }
  }

  async analyzers(region: string): Promise<AnalyzerInfo[]> {
    const client = this.analyzerClient(region);
    const found: AnalyzerInfo[] = [];
    let nextToken: string | undefined;
    try {
      do {
        const out = await client.send(
          new ListAnalyzersCommand(nextToken !== undefined ? { nextToken } : {}),
          this.sendOptions,
        );
        for (const a of out.analyzers ?? []) found.push(analyzerInfo(a));
        nextToken = out.nextToken;
      } while (nextToken);
    } catch (error) {
      throw wrap("ListAnalyzers", error);
    }
    return found;
  }

  /** `GetArchiveRule`; undefined when the analyzer (or the rule) does not exist. */
  async archiveRule(
    region: string,
    analyzerName: string,
    ruleName: string,
  ): Promise<ArchiveRuleInfo | undefined> {
    try {
      const out = await this.analyzerClient(region).send(
        new GetArchiveRuleCommand({ analyzerName, ruleName }),
        this.sendOptions,
      );
      const rule = out.archiveRule;
      if (rule === undefined) return undefined;
      return { ruleName: rule.ruleName ?? ruleName, filter: { ...rule.filter } };
    } catch (error) {
      if (error instanceof Error && error.name === "ResourceNotFoundException") return undefined;
      throw wrap(`GetArchiveRule ${analyzerName}/${ruleName}`, error);
    }
  }

  async activeFindings(region: string, analyzerArn: string): Promise<number> {
    return (await this.findings(region, analyzerArn, { status: { eq: ["ACTIVE"] } })).length;
  }

  /** `ListFindingsV2`, every page, with AWS applying `criteria`. */
  async findings(
    region: string,
    analyzerArn: string,
    criteria: FindingCriteria,
  ): Promise<FindingSummary[]> {
    const client = this.analyzerClient(region);
    const found: FindingSummary[] = [];
    let nextToken: string | undefined;
    try {
      do {
        const out = await client.send(
          new ListFindingsV2Command({
            analyzerArn,
            filter: criteria,
            ...(nextToken !== undefined ? { nextToken } : {}),
          }),
          this.sendOptions,
        );
        for (const f of out.findings ?? []) found.push(findingSummary(f));
        nextToken = out.nextToken;
      } while (nextToken);
    } catch (error) {
      throw wrap(`ListFindingsV2 ${analyzerArn}`, error);
    }
    return found;
  }

  /**
   * `GetFindingV2`: who is granted access, and whether it is public (external access); when the
   * role, key, password or services were last used (unused access).
   */
  async findingDetail(region: string, analyzerArn: string, id: string): Promise<FindingDetail> {
    const client = this.analyzerClient(region);
    let nextToken: string | undefined;
    const detail: {
      isPublic?: boolean;
      principal?: Record<string, string>;
      condition?: Record<string, string>;
      action?: string[];
      unused?: UnusedAccessDetail;
    } = {};
    try {
      do {
        const out = await client.send(
          new GetFindingV2Command({
            analyzerArn,
            id,
            ...(nextToken !== undefined ? { nextToken } : {}),
          }),
          this.sendOptions,
        );
        for (const d of out.findingDetails ?? []) {
          const unused = unusedDetail(d);
          if (unused) detail.unused = mergeUnused(detail.unused, unused);
          const e = d.externalAccessDetails;
          if (!e) continue;
          if (e.isPublic !== undefined) detail.isPublic = (detail.isPublic ?? false) || e.isPublic;
          if (e.principal) detail.principal = { ...detail.principal, ...e.principal };
          if (e.condition) detail.condition = { ...detail.condition, ...e.condition };
          if (e.action) detail.action = [...new Set([...(detail.action ?? []), ...e.action])];
        }
        nextToken = out.nextToken;
      } while (nextToken);
    } catch (error) {
      throw wrap(`GetFindingV2 ${id}`, error);
    }
    return detail;
  }

  close(): void {
    for (const c of this.clients.values()) c.destroy();
    this.clients.clear();
    for (const c of this.others.splice(0)) c.destroy();
  }
}

function analyzerInfo(a: AnalyzerSummary): AnalyzerInfo {
  return {
    name: a.name ?? "",
    arn: a.arn ?? "",
    type: a.type ?? "UNKNOWN",
    status: a.status ?? "UNKNOWN",
    ...(a.statusReason?.code ? { statusReason: a.statusReason.code } : {}),
    ...(a.tags !== undefined ? { tags: { ...a.tags } } : {}),
    ...(a.configuration !== undefined ? { configuration: a.configuration } : {}),
  };
}

const iso = (d: Date | undefined) => (d !== undefined ? { lastAccessed: d.toISOString() } : {});

/** The unused-access member of one `FindingDetails` union, or undefined for the others. */
function unusedDetail(d: FindingDetails): UnusedAccessDetail | undefined {
  const role = d.unusedIamRoleDetails ?? d.unusedIamUserPasswordDetails;
  if (role) return iso(role.lastAccessed);
  const key = d.unusedIamUserAccessKeyDetails;
  if (key) {
    return {
      ...iso(key.lastAccessed),
      ...(key.accessKeyId ? { accessKeyId: key.accessKeyId } : {}),
    };
  }
  const p = d.unusedPermissionDetails;
  // serviceNamespace is required by the service model: a detail without one says nothing.
  if (!p?.serviceNamespace) return undefined;
  const service: UnusedService = {
    serviceNamespace: p.serviceNamespace,
    ...iso(p.lastAccessed),
    ...(p.actions
      ? { actions: p.actions.map((a) => ({ action: a.action ?? "", ...iso(a.lastAccessed) })) }
      : {}),
  };
  return { ...iso(p.lastAccessed), services: [service] };
}

/** Pages of `GetFindingV2` joined: the services listed once each, the latest use kept. */
function mergeUnused(a: UnusedAccessDetail | undefined, b: UnusedAccessDetail): UnusedAccessDetail {
  if (!a) return b;
  const latest = [a.lastAccessed, b.lastAccessed]
    .filter((t) => t !== undefined)
    .sort()
    .pop();
  const services = [...(a.services ?? []), ...(b.services ?? [])];
  return {
    ...a,
    ...b,
    ...(latest !== undefined ? { lastAccessed: latest } : {}),
    ...(services.length > 0 ? { services } : {}),
  };
}

function findingSummary(f: FindingSummaryV2): FindingSummary {
  return {
    id: f.id ?? "",
    resourceType: f.resourceType ?? "UNKNOWN",
    resourceOwnerAccount: f.resourceOwnerAccount ?? "",
    status: f.status ?? "UNKNOWN",
    updatedAt: (f.updatedAt ?? f.createdAt ?? new Date(0)).toISOString(),
    ...(f.resource !== undefined ? { resource: f.resource } : {}),
    ...(f.findingType !== undefined ? { findingType: f.findingType } : {}),
    ...(f.createdAt !== undefined ? { createdAt: f.createdAt.toISOString() } : {}),
    ...(f.error !== undefined ? { error: f.error } : {}),
  };
}
