// AWS credentials, assumed roles, account checks and SDK clients for one configured provider.
// Every call goes through the real AWS SDK for JavaScript v3; clients are loaded lazily because
// requiring @aws-sdk/client-ec2 alone costs ~300 ms and most plugin processes never need it.
import type { AccessAnalyzerClient } from "@aws-sdk/client-accessanalyzer";
import type { EC2Client } from "@aws-sdk/client-ec2";
import type { OrganizationsClient } from "@aws-sdk/client-organizations";
import type { STSClient } from "@aws-sdk/client-sts";
import { status } from "@grpc/grpc-js";

import {
  MISSING_REGION_MESSAGE,
  ProviderConfig,
  effectiveRegion,
  isKnownRegion,
  partitionOf,
} from "./config";
import { RpcError, describeAwsError } from "./errors";
import { log } from "./log";

interface Credentials {
  accessKeyId: string;
  secretAccessKey: string;
  sessionToken?: string;
  expiration?: Date;
}

type CredentialProvider = () => Promise<Credentials>;

export interface CallerIdentity {
  accountId: string;
  arn: string;
  userId: string;
}

type ServiceKey = "sts" | "ec2" | "accessanalyzer" | "organizations";

/** Organizations is global: one endpoint per partition, signed for this region. */
const ORGANIZATIONS_REGION: Record<string, string> = {
  aws: "us-east-1",
  "aws-us-gov": "us-gov-west-1",
  "aws-cn": "cn-northwest-1",
};

export class AwsSession {
  readonly region: string;
  readonly partition: string;
  readonly dnsSuffix: string;
  private readonly credentials: CredentialProvider | Credentials | undefined;
  private assumed: Promise<Credentials> | undefined;
  private identity: Promise<CallerIdentity> | undefined;
  private readonly clients = new Map<string, unknown>();

  constructor(readonly cfg: ProviderConfig) {
    const region = effectiveRegion(cfg);
    if (!region) {
      throw new RpcError(status.INVALID_ARGUMENT, MISSING_REGION_MESSAGE);
    }
    if (!cfg.skipRegionValidation && !isKnownRegion(region)) {
      throw new RpcError(status.INVALID_ARGUMENT, `invalid AWS Region: ${region}`);
    }
    this.region = region;
    const p = partitionOf(region);
    this.partition = p.partition;
    this.dnsSuffix = p.dnsSuffix;
    if (cfg.skipMetadataApiCheck) {
      // Keep the default credential chain away from the EC2 instance metadata service.
      process.env.AWS_EC2_METADATA_DISABLED = "true";
    }
    if (cfg.assumeRoles.length > 0) {
      this.credentials = () => this.assumedCredentials();
    } else {
      this.credentials = this.baseCredentials();
    }
  }

  /** Static keys from config, or undefined to use the SDK's default chain (env, profile, …). */
  private baseCredentials(): Credentials | undefined {
    const { accessKey, secretKey, token } = this.cfg;
    if (accessKey && secretKey) {
      return { accessKeyId: accessKey, secretAccessKey: secretKey, sessionToken: token };
    }
    return undefined;
  }

  private clientConfig(service: ServiceKey, region: string): Record<string, unknown> {
    const c: Record<string, unknown> = { region };
    const endpoint = this.cfg.endpoints[service];
    if (endpoint) {
      c.endpoint = endpoint;
    }
    c.maxAttempts = maxAttempts(this.cfg);
    if (this.cfg.retryMode) {
      c.retryMode = this.cfg.retryMode;
    }
    return c;
  }

  /** Config for a client that signs with the base (not assumed) credentials. */
  private baseClientConfig(service: ServiceKey, region: string): Record<string, unknown> {
    const c = this.clientConfig(service, region);
    const base = this.baseCredentials();
    if (base) {
      c.credentials = base;
    } else if (this.cfg.profile) {
      c.profile = this.cfg.profile;
    }
    return c;
  }

  /** Config for a client that signs with the provider's final credentials. */
  private finalClientConfig(service: ServiceKey, region: string): Record<string, unknown> {
    if (this.cfg.assumeRoles.length === 0) {
      return this.baseClientConfig(service, region);
    }
    const c = this.clientConfig(service, region);
    c.credentials = this.credentials;
    return c;
  }

  private get stsRegion(): string {
    return this.cfg.stsRegion ?? this.region;
  }

  private assumedCredentials(): Promise<Credentials> {
    const fresh = async (p: Promise<Credentials>): Promise<boolean> => {
      try {
        const c = await p;
        return !c.expiration || c.expiration.getTime() - Date.now() > 5 * 60 * 1000;
      } catch {
        return false;
      }
    };
    const current = this.assumed;
    const next = async (): Promise<Credentials> => {
      if (current && (await fresh(current))) {
        return current;
      }
      const p = this.assumeChain();
      this.assumed = p;
      p.catch(() => {
        if (this.assumed === p) {
          this.assumed = undefined;
        }
      });
      return p;
    };
    return next();
  }

  /** Assumes each role in `assumeRoles` in turn, each with the credentials from the one before. */
  private async assumeChain(): Promise<Credentials> {
    const { STSClient, AssumeRoleCommand } = await import("@aws-sdk/client-sts");
    let creds: Credentials | undefined = this.baseCredentials();
    for (const role of this.cfg.assumeRoles) {
      const config = this.clientConfig("sts", this.stsRegion);
      if (creds) {
        config.credentials = creds;
      } else if (this.cfg.profile) {
        config.profile = this.cfg.profile;
      }
      const sts = new STSClient(config);
      try {
        const out = await sts.send(
          new AssumeRoleCommand({
            RoleArn: role.roleArn,
            RoleSessionName: role.sessionName ?? `aws-go-sdk-${Date.now()}`,
            ExternalId: role.externalId,
            DurationSeconds: role.durationSeconds,
            Policy: role.policy,
            PolicyArns:
              role.policyArns.length > 0 ? role.policyArns.map((arn) => ({ arn })) : undefined,
            SourceIdentity: role.sourceIdentity,
            Tags:
              Object.keys(role.tags).length > 0
                ? Object.entries(role.tags).map(([Key, Value]) => ({ Key, Value }))
                : undefined,
            TransitiveTagKeys:
              role.transitiveTagKeys.length > 0 ? role.transitiveTagKeys : undefined,
          }),
        );
        const c = out.Credentials;
        if (!c?.AccessKeyId || !c.SecretAccessKey) {
          throw new Error("AssumeRole returned no credentials");
        }
        creds = {
          accessKeyId: c.AccessKeyId,
          secretAccessKey: c.SecretAccessKey,
          sessionToken: c.SessionToken,
          expiration: c.Expiration,
        };
        log(`assumed role ${role.roleArn}`);
      } catch (e) {
        throw new RpcError(
          status.UNKNOWN,
          `IAM Role (${role.roleArn}) cannot be assumed.\n\n` +
            "There are a number of possible causes of this - the most common are:\n" +
            "  * The credentials used in order to assume the role are invalid\n" +
            "  * The credentials do not have appropriate permission to assume the role\n" +
            "  * The role ARN is not valid\n\n" +
            `Error: ${credentialError(e, "AssumeRole")}`,
        );
      } finally {
        sts.destroy();
      }
    }
    if (!creds) {
      throw new Error("assume role chain produced no credentials");
    }
    return creds;
  }

  /** STS GetCallerIdentity with the final credentials (memoised). */
  callerIdentity(): Promise<CallerIdentity> {
    if (!this.identity) {
      const p = (async () => {
        const { GetCallerIdentityCommand } = await import("@aws-sdk/client-sts");
        const sts = await this.sts();
        const out = await sts.send(new GetCallerIdentityCommand({}));
        return { accountId: out.Account ?? "", arn: out.Arn ?? "", userId: out.UserId ?? "" };
      })();
      p.catch(() => {
        if (this.identity === p) {
          this.identity = undefined;
        }
      });
      this.identity = p;
    }
    return this.identity;
  }

  /**
   * What the real provider does in Configure: assume roles, validate credentials with
   * GetCallerIdentity (unless skipped) and enforce allowedAccountIds / forbiddenAccountIds.
   */
  async validate(): Promise<void> {
    const cfg = this.cfg;
    if (cfg.assumeRoles.length > 0) {
      await this.assumedCredentials();
    }
    let accountId: string | undefined;
    if (!cfg.skipCredentialsValidation || !cfg.skipRequestingAccountId) {
      try {
        accountId = (await this.callerIdentity()).accountId;
      } catch (e) {
        if (!cfg.skipCredentialsValidation) {
          throw new RpcError(
            status.UNKNOWN,
            "validating provider credentials: retrieving caller identity from STS: " +
              credentialError(e, "GetCallerIdentity"),
          );
        }
        log(`could not determine the account ID: ${credentialError(e, "GetCallerIdentity")}`);
      }
    }
    if (accountId) {
      if (cfg.forbiddenAccountIds.includes(accountId)) {
        throw new RpcError(status.FAILED_PRECONDITION, `AWS account ID not allowed: ${accountId}`);
      }
      if (cfg.allowedAccountIds.length > 0 && !cfg.allowedAccountIds.includes(accountId)) {
        throw new RpcError(status.FAILED_PRECONDITION, `AWS account ID not allowed: ${accountId}`);
      }
    } else if (cfg.allowedAccountIds.length > 0 || cfg.forbiddenAccountIds.length > 0) {
      log("allowedAccountIds/forbiddenAccountIds not checked: the account ID is unknown");
    }
  }

  private cached<T>(key: string, make: () => T): T {
    let c = this.clients.get(key) as T | undefined;
    if (!c) {
      c = make();
      this.clients.set(key, c);
    }
    return c;
  }

  async sts(): Promise<STSClient> {
    const { STSClient } = await import("@aws-sdk/client-sts");
    return this.cached(
      `sts:${this.stsRegion}`,
      () => new STSClient(this.finalClientConfig("sts", this.stsRegion)),
    );
  }

  async ec2(region = this.region): Promise<EC2Client> {
    const { EC2Client } = await import("@aws-sdk/client-ec2");
    return this.cached(`ec2:${region}`, () => new EC2Client(this.finalClientConfig("ec2", region)));
  }

  async organizations(): Promise<OrganizationsClient> {
    const { OrganizationsClient } = await import("@aws-sdk/client-organizations");
    const region = ORGANIZATIONS_REGION[this.partition] ?? this.region;
    return this.cached(
      `organizations:${region}`,
      () => new OrganizationsClient(this.finalClientConfig("organizations", region)),
    );
  }

  async accessAnalyzer(region = this.region): Promise<AccessAnalyzerClient> {
    const { AccessAnalyzerClient } = await import("@aws-sdk/client-accessanalyzer");
    return this.cached(
      `accessanalyzer:${region}`,
      () => new AccessAnalyzerClient(this.finalClientConfig("accessanalyzer", region)),
    );
  }
}

/**
 * terraform-provider-aws defaults `max_retries` to 25 and hands it to the AWS SDK as the maximum
 * number of attempts (aws-sdk-go-base: `config.WithRetryMaxAttempts(MaxRetries)`), so the
 * provider docs' "maximum number of times an AWS API request is being executed". 0 or unset means
 * the default, as `d.GetOk` skips zero values.
 */
export const DEFAULT_MAX_RETRIES = 25;

export function maxAttempts(cfg: ProviderConfig): number {
  const n = cfg.maxRetries;
  return n !== undefined && Number.isInteger(n) && n > 0 ? n : DEFAULT_MAX_RETRIES;
}

function credentialError(e: unknown, operation: string): string {
  if (e instanceof RpcError) {
    return e.message;
  }
  const name = (e as { name?: string } | undefined)?.name;
  if (name === "CredentialsProviderError") {
    return (
      "No valid credential sources found.\n\nPlease see " +
      "https://www.pulumi.com/registry/packages/aws/installation-configuration/ for more " +
      `information about providing credentials.\n\nError: ${(e as Error).message}`
    );
  }
  return describeAwsError(e, "STS", operation);
}
