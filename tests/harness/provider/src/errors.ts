import { status } from "@grpc/grpc-js";

/** An error that becomes a gRPC status with this code and message. */
export class RpcError extends Error {
  constructor(
    readonly code: status,
    message: string,
  ) {
    super(message);
    this.name = "RpcError";
  }
}

export function unimplemented(what: string): RpcError {
  return new RpcError(
    status.UNIMPLEMENTED,
    `${what} is not implemented by the stand-in aws provider`,
  );
}

interface SdkErrorShape {
  name?: string;
  message?: string;
  code?: string;
  $fault?: string;
  $metadata?: { httpStatusCode?: number; requestId?: string; attempts?: number };
}

/** The error name (AWS error code) of an SDK error, e.g. "ResourceNotFoundException". */
export function awsErrorCode(err: unknown): string | undefined {
  const e = err as SdkErrorShape | undefined;
  return e?.name;
}

export function isNotFound(err: unknown): boolean {
  return awsErrorCode(err) === "ResourceNotFoundException";
}

/**
 * Formats an AWS SDK v3 error the way the Go SDK v2 (which the real provider uses) prints it:
 * `operation error AccessAnalyzer: CreateAnalyzer, https response error StatusCode: 409,
 * RequestID: …, ConflictException: …`. Modelled exceptions print `Code: message`, unmodelled ones
 * `api error Code: message`, exactly like smithy-go.
 */
export function describeAwsError(err: unknown, service: string, operation: string): string {
  const e = (err ?? {}) as SdkErrorShape;
  const prefix = `operation error ${service}: ${operation}`;
  const httpStatus = e.$metadata?.httpStatusCode;
  const message = e.message ?? String(err);
  if (httpStatus !== undefined) {
    const code = e.name ?? "UnknownError";
    const ctorName = (err as { constructor?: { name?: string } }).constructor?.name;
    const modelled = ctorName === code;
    const detail = modelled ? `${code}: ${message}` : `api error ${code}: ${message}`;
    return `${prefix}, https response error StatusCode: ${httpStatus}, RequestID: ${
      e.$metadata?.requestId ?? ""
    }, ${detail}`;
  }
  const attempts = e.$metadata?.attempts;
  const retried =
    attempts && attempts > 1 ? `exceeded maximum number of attempts, ${attempts}, ` : "";
  return `${prefix}, ${retried}https response error: ${message}`;
}

/** Wraps an AWS error the way terraform-provider-aws does: `<action> (<id>): <sdk error>`. */
export function awsFailure(
  action: string,
  id: string,
  err: unknown,
  service: string,
  operation: string,
): RpcError {
  return new RpcError(
    status.UNKNOWN,
    `${action} (${id}): ${describeAwsError(err, service, operation)}`,
  );
}
