/**
 * How the fleet's AWS clients reach an account: from the bot's own credentials (the SDK's default
 * chain) or a profile, then, when the fleet file names a role, the role assumed with STS
 * (`externalId`, `sessionName`) once per account and renewed before it expires. Never printed or
 * stored.
 */
import { AssumeRoleCommand, type STSClient } from "@aws-sdk/client-sts";
import { describeError } from "../domain/errors";
import { DEFAULT_SESSION_NAME } from "../settings/defaults";

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
  access: {
    readonly roleArn?: string;
    readonly externalId?: string;
    readonly sessionName?: string;
  },
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
