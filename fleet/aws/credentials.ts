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
import { AssumeRoleCommand, type STSClient } from "@aws-sdk/client-sts";
import { describeError } from "../domain/errors";
import { DEFAULT_SESSION_NAME, type AccountAccess } from "../settings/schema";

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

/** An AssumeRole that failed: its message already names the role; `cause` is the SDK's error. */
export class AssumeRoleError extends Error {
  constructor(message: string, options?: { cause?: unknown }) {
    super(message, options);
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
      throw new AssumeRoleError(`AssumeRole ${roleArn}: ${describeError(error)}`, { cause: error });
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
