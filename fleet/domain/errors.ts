/** Errors in words: an SDK or engine error as one line, and bad command-line input. Pure. */

/** Bad command-line input: the CLI prints the message and exits with code 3. */
export class UsageError extends Error {
  constructor(message: string) {
    super(message);
    this.name = new.target.name;
  }
}

/** Nothing to run: the selection of accounts is empty. The CLI prints the message and exits 4. */
export class EmptySelectionError extends Error {
  constructor(message: string) {
    super(message);
    this.name = new.target.name;
  }
}

/**
 * The bot's environment failed (a full or read-only disk, AWS throttling or unreachable after the
 * SDK's retries): the CLI prints the message, without a stack trace, and exits 5.
 */
export class EnvironmentError extends Error {
  constructor(message: string) {
    super(message);
    this.name = new.target.name;
  }
}

/** Node's error codes of a disk that cannot take the write: full, over quota, read-only, failing. */
const DISK_CODES = new Set(["ENOSPC", "EDQUOT", "EROFS", "EIO", "EFBIG"]);

/** Whether `error` is a write the disk refused (full, over quota, read-only, I/O error). */
export function isDiskError(error: unknown): boolean {
  const code = (error as { code?: unknown } | null)?.code;
  return typeof code === "string" && DISK_CODES.has(code);
}

/** SDK error names that say "not now", not "wrong": throttling and AWS's own failures. */
const TRANSIENT_NAMES = new Set([
  "ThrottlingException",
  "Throttling",
  "ThrottledException",
  "TooManyRequestsException",
  "RequestLimitExceeded",
  "RequestThrottled",
  "RequestThrottledException",
  "SlowDown",
  "ServiceUnavailable",
  "ServiceUnavailableException",
  "InternalFailure",
  "InternalServerError",
  "InternalServerException",
  "ServiceException",
  "RequestTimeout",
  "RequestTimeoutException",
  "TimeoutError",
]);

/** Node's network error codes: the endpoint could not be reached at all. */
const NETWORK_CODES = new Set([
  "ECONNREFUSED",
  "ECONNRESET",
  "ETIMEDOUT",
  "ENOTFOUND",
  "EAI_AGAIN",
  "EPIPE",
  "EHOSTUNREACH",
  "ENETUNREACH",
]);

/**
 * Whether an AWS SDK error (after the SDK's own retries) is the environment's, not the input's:
 * throttling, a 5xx, a timeout or a network failure. Retrying later may work; fixing the fleet
 * file will not. An access denial, a validation error or a missing resource is the input's.
 */
export function isEnvironmentError(error: unknown): boolean {
  if (!(error instanceof Error)) return false;
  const e = error as Error & {
    code?: unknown;
    $metadata?: { httpStatusCode?: number };
    $retryable?: { throttling?: boolean };
  };
  if (TRANSIENT_NAMES.has(e.name)) return true;
  if (typeof e.code === "string" && NETWORK_CODES.has(e.code)) return true;
  if (e.$retryable?.throttling === true) return true;
  const status = e.$metadata?.httpStatusCode;
  return typeof status === "number" && (status === 429 || status >= 500);
}

/** `AccessDeniedException: User … is not authorized …`: the SDK error's name and message. */
export function describeError(error: unknown): string {
  if (error instanceof Error) {
    const name = error.name && error.name !== "Error" ? `${error.name}: ` : "";
    return `${name}${error.message}`;
  }
  return String(error);
}

const GENERIC_ERRORS = /^error: (update|preview|refresh|destroy) failed$/i;

/**
 * The useful part of an engine error. `CommandError.message` is
 * `code: N\n stdout: …\n stderr: …`; people want the `error:` lines, most specific first.
 */
export function summariseError(message: string): string {
  const lines = message.split(/\r?\n/).map((l) => l.trim());
  // An error's reasons follow it as "- <setting>: <problem>" lines (the component's and the
  // program's argument problems): they stay with their error line, or the reason is lost.
  const errors: string[] = [];
  let inError = false;
  for (const line of lines.map((l) => l.replace(/^(stderr|stdout|err\?):\s*/, ""))) {
    if (/^error:/i.test(line) || /\berror:\s/i.test(line)) {
      errors.push(line);
      inError = true;
    } else if (inError && line.startsWith("- ")) {
      errors[errors.length - 1] += `\n  ${line}`;
    } else {
      inError = false;
    }
  }
  const specific = errors.filter((l) => !GENERIC_ERRORS.test(l));
  if (/ENOENT: pulumi\b/.test(message)) {
    return "the pulumi CLI was not found: put it on PATH or pass --pulumi-root DIR (the folder holding bin/pulumi)";
  }
  const chosen = specific.length > 0 ? specific : errors;
  if (chosen.length > 0) return [...new Set(chosen)].join("\n");
  return lines.find((l) => l !== "" && !/^code: -?\d+$/.test(l)) ?? message;
}
