/**
 * `AccountReader` (for `audit`) and `FindingsAccountReader` (for `findings`) over the AWS SDK for
 * JavaScript v3: STS to reach the account, EC2 `DescribeRegions` for its enabled regions, Access
 * Analyzer `ListAnalyzers`, `ListFindingsV2` and `GetFindingV2`. Read-only: it never calls anything
 * that changes the account. `SdkArchiveRuleClient` adds the one write `up` makes outside the engine,
 * `ApplyArchiveRule`, over the same role and clients.
 *
 * Reaching an account, as the fleet file says:
 * - start from the bot's own credentials (the SDK's default chain), or the target's `profile`;
 * - then, when the target has a `roleArn`, assume it with STS (`externalId`, `sessionName`). The
 *   assumed credentials are shared by every client of the account and renewed before they expire.
 * Endpoints: the SDK honours `AWS_ENDPOINT_URL` (and per-service variables) itself.
 */
import {
  AccessAnalyzerClient,
  ApplyArchiveRuleCommand,
  GetFindingV2Command,
  ListAnalyzersCommand,
  ListFindingsV2Command,
  type AnalyzerSummary,
  type FindingSummaryV2,
} from "@aws-sdk/client-accessanalyzer";
import { DescribeRegionsCommand, EC2Client } from "@aws-sdk/client-ec2";
import { AssumeRoleCommand, STSClient } from "@aws-sdk/client-sts";
import { randomUUID } from "crypto";
import type { ArchiveRuleClient } from "./archiveRules";
import { describeError, type AnalyzerInfo } from "./audit";
import { DEFAULTS, ENABLED_OPT_IN_STATUSES } from "../components/schema";
import { DEFAULT_SESSION_NAME } from "./session";
import type {
  FindingCriteria,
  FindingDetail,
  FindingSummary,
  FindingsAccountReader,
} from "./findings/read";
import type { AccountAccess, Target } from "./types";

/** AWS credentials (the shape the SDK's `credentials` option takes). Never printed or stored. */
export interface AwsCredentialIdentity {
  readonly accessKeyId: string;
  readonly secretAccessKey: string;
  readonly sessionToken?: string;
  readonly expiration?: Date;
}
export type AwsCredentialIdentityProvider = () => Promise<AwsCredentialIdentity>;

/** Renew assumed-role credentials this long before they expire. */
const RENEW_BEFORE_MS = 5 * 60 * 1000;

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

/** An AssumeRole that failed: its message already names the role; not wrapped again. */
export class AssumeRoleError extends Error {
  constructor(message: string) {
    super(message);
    this.name = "AssumeRoleError";
  }
}

/**
 * Credentials of `access.roleArn`, assumed through `sts` once and shared, renewed before they
 * expire; a failed AssumeRole raises `AssumeRoleError` and is tried again by the next call.
 */
export function assumedRoleProvider(
  sts: STSClient,
  access: Pick<AccountAccess, "roleArn" | "externalId" | "sessionName">,
  sendOptions: { abortSignal?: AbortSignal } = {},
): AwsCredentialIdentityProvider {
  const { roleArn, externalId, sessionName } = access;
  let current: Promise<AwsCredentialIdentity> | undefined;
  let expiresAt = Number.POSITIVE_INFINITY;
  const assume = async (): Promise<AwsCredentialIdentity> => {
    try {
      const out = await sts.send(
        new AssumeRoleCommand({
          RoleArn: roleArn,
          RoleSessionName: sessionName ?? DEFAULT_SESSION_NAME,
          ...(externalId !== undefined ? { ExternalId: externalId } : {}),
        }),
        sendOptions,
      );
      const c = out.Credentials;
      if (!c?.AccessKeyId || !c.SecretAccessKey) {
        throw new Error("the response carried no credentials");
      }
      expiresAt = c.Expiration ? c.Expiration.getTime() : Number.POSITIVE_INFINITY;
      return {
        accessKeyId: c.AccessKeyId,
        secretAccessKey: c.SecretAccessKey,
        ...(c.SessionToken ? { sessionToken: c.SessionToken } : {}),
        ...(c.Expiration ? { expiration: c.Expiration } : {}),
      };
    } catch (error) {
      if (error instanceof Error && error.name === "AbortError") throw error;
      throw new AssumeRoleError(`AssumeRole ${roleArn}: ${describeError(error)}`);
    }
  };
  return () => {
    if (current === undefined || Date.now() >= expiresAt - RENEW_BEFORE_MS) {
      expiresAt = Number.POSITIVE_INFINITY;
      current = assume();
      // A failed AssumeRole is tried again by the next call, not cached.
      current.catch(() => (current = undefined));
    }
    return current;
  };
}

/** Prefixes an SDK error with the call that failed, unless it is a failed AssumeRole. */
function wrap(context: string, error: unknown): Error {
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
    const base: CommonConfig = {
      // Stryker disable next-line ConditionalExpression: the SDK takes an endpoint set to undefined as no endpoint
      ...(options.endpoint !== undefined ? { endpoint: options.endpoint } : {}),
      // Stryker disable next-line ConditionalExpression: the SDK takes maxAttempts set to undefined as its default
      ...(options.maxAttempts !== undefined ? { maxAttempts: options.maxAttempts } : {}),
    };
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

  /** One provider for every client of the account: assumes the role once, renews near expiry. */
  private assumeRole(start: CommonConfig): AwsCredentialIdentityProvider {
    const sts = new STSClient({ ...start, region: this.lookupRegion });
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

  /** `GetFindingV2`: who is granted access, and whether it is public (external access). */
  async findingDetail(region: string, analyzerArn: string, id: string): Promise<FindingDetail> {
    const client = this.analyzerClient(region);
    let nextToken: string | undefined;
    const detail: {
      isPublic?: boolean;
      principal?: Record<string, string>;
      condition?: Record<string, string>;
      action?: string[];
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

/**
 * The reader plus `ApplyArchiveRule`, for `up` (fleet/archiveRules.ts): the deployer role, which
 * holds `access-analyzer:ApplyArchiveRule` and `ListFindings`; the read-only role never does.
 */
export class SdkArchiveRuleClient extends SdkAccountReader implements ArchiveRuleClient {
  async applyArchiveRule(region: string, analyzerArn: string, ruleName: string): Promise<void> {
    try {
      await this.analyzerClient(region).send(
        new ApplyArchiveRuleCommand({ analyzerArn, ruleName, clientToken: randomUUID() }),
        this.sendOptions,
      );
    } catch (error) {
      throw wrap(`ApplyArchiveRule ${ruleName} on ${analyzerArn}`, error);
    }
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

/** The reader the CLI uses for a target (`audit` and `findings`). */
export function createSdkAccountReader(
  target: Target,
  options: SdkReaderOptions = {},
): FindingsAccountReader {
  return new SdkAccountReader(target, options);
}
