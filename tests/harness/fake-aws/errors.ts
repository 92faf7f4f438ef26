/** An error the fake answers with, rendered by each protocol in that service's wire format. */
export class AwsError extends Error {
  constructor(
    /** Error code on the wire (`x-amzn-errortype` for restJson1, `<Code>` for the query protocols). */
    readonly code: string,
    readonly httpStatus: number,
    message: string,
    /** Extra members of the error shape (restJson1 body fields, e.g. `resourceId`, `reason`). */
    readonly fields: Record<string, unknown> = {},
    /** awsQuery `<Type>`: Sender (client fault) or Receiver (server fault). */
    readonly faultType: "Sender" | "Receiver" = httpStatus >= 500 ? "Receiver" : "Sender",
    /** Extra HTTP response headers (e.g. `Retry-After`). */
    readonly headers: Record<string, string> = {},
  ) {
    super(message);
    this.name = code;
  }
}

export type ServiceName = "sts" | "ec2" | "access-analyzer" | "organizations";

/** Coral-style validation error for one field, the way Access Analyzer reports it. */
export function aaValidation(field: string, constraint: string, value?: unknown): AwsError {
  const shown =
    value === undefined ? "null" : typeof value === "string" ? value : JSON.stringify(value);
  const message = `1 validation error detected: Value '${shown}' at '${field}' failed to satisfy constraint: ${constraint}`;
  return new AwsError("ValidationException", 400, message, {
    reason: "fieldValidationFailed",
    fieldList: [{ name: field, message: constraint }],
  });
}

export function aaNotFound(resourceType: string, resourceId: string, what: string): AwsError {
  return new AwsError("ResourceNotFoundException", 404, `${what} not found`, {
    resourceId,
    resourceType,
  });
}

const INVALID_TOKEN = "The security token included in the request is invalid.";
const EXPIRED_TOKEN = "The security token included in the request is expired";
const BAD_SIGNATURE =
  "The request signature we calculated does not match the signature you provided. Check your AWS Secret Access Key and signing method. Consult the service documentation for details.";

/** Unknown access key, wrong session token, or a region the account has not enabled. */
export function invalidCredentials(service: ServiceName): AwsError {
  switch (service) {
    case "sts":
      return new AwsError("InvalidClientTokenId", 403, INVALID_TOKEN);
    case "ec2":
      return new AwsError(
        "AuthFailure",
        401,
        "AWS was not able to validate the provided access credentials",
      );
    default:
      return new AwsError("UnrecognizedClientException", 403, INVALID_TOKEN);
  }
}

export function badSignature(service: ServiceName, detail?: string): AwsError {
  const message = detail ?? BAD_SIGNATURE;
  switch (service) {
    case "sts":
    case "ec2":
      return new AwsError("SignatureDoesNotMatch", 403, message);
    default:
      return new AwsError("InvalidSignatureException", 403, message);
  }
}

export function expiredToken(service: ServiceName): AwsError {
  switch (service) {
    case "sts":
      return new AwsError("ExpiredToken", 403, EXPIRED_TOKEN);
    case "ec2":
      return new AwsError("RequestExpired", 400, "Request has expired.");
    default:
      return new AwsError("ExpiredTokenException", 403, EXPIRED_TOKEN);
  }
}

export function missingAuthentication(service: ServiceName): AwsError {
  switch (service) {
    case "sts":
      return new AwsError(
        "MissingAuthenticationToken",
        403,
        "Request is missing Authentication Token",
      );
    case "ec2":
      return new AwsError(
        "MissingAuthenticationToken",
        401,
        "The request must contain either a valid (registered) AWS access key ID or X.509 certificate.",
      );
    default:
      return new AwsError(
        "MissingAuthenticationTokenException",
        403,
        "Missing Authentication Token",
      );
  }
}

/** The throttling error each service really returns. */
export function defaultThrottle(service: ServiceName): AwsError {
  switch (service) {
    case "sts":
      return new AwsError("Throttling", 400, "Rate exceeded");
    case "ec2":
      return new AwsError("RequestLimitExceeded", 503, "Request limit exceeded.");
    case "organizations":
      return new AwsError("TooManyRequestsException", 400, "Rate exceeded", { Type: "RateLimit" });
    default:
      return new AwsError("ThrottlingException", 429, "Rate exceeded");
  }
}
