import * as assert from "assert";
import { isDiskError, isEnvironmentError } from "../../../fleet/domain/errors";

const sdkError = (name: string, extra: Record<string, unknown> = {}) =>
  Object.assign(new Error("x"), { name, ...extra });

describe("the environment's failures, told from bad input (fleet/domain/errors)", () => {
  it("calls throttling, AWS's own failures, timeouts and the network the environment's", () => {
    for (const e of [
      sdkError("TooManyRequestsException"),
      sdkError("ThrottlingException"),
      sdkError("Throttling"),
      sdkError("ServiceUnavailableException"),
      sdkError("InternalServerException"),
      sdkError("TimeoutError"),
      sdkError("Whatever", { $metadata: { httpStatusCode: 503 } }),
      sdkError("Whatever", { $metadata: { httpStatusCode: 429 } }),
      sdkError("Whatever", { $retryable: { throttling: true } }),
      sdkError("Error", { code: "ECONNREFUSED" }),
      sdkError("Error", { code: "ENOTFOUND" }),
    ]) {
      assert.equal(isEnvironmentError(e), true, `${e.name} ${JSON.stringify(e)}`);
    }
  });

  it("calls denials, validation errors, missing resources and non-errors the input's", () => {
    for (const e of [
      sdkError("AccessDenied", { $metadata: { httpStatusCode: 403 } }),
      sdkError("AccessDeniedException"),
      sdkError("ValidationException", { $metadata: { httpStatusCode: 400 } }),
      sdkError("AWSOrganizationsNotInUseException"),
      sdkError("ResourceNotFoundException", { $metadata: { httpStatusCode: 404 } }),
      sdkError("Whatever", { $retryable: { throttling: false } }),
      "TooManyRequestsException",
      undefined,
    ]) {
      assert.equal(isEnvironmentError(e), false, JSON.stringify(e));
    }
  });

  it("calls a full, over-quota, read-only or failing disk a disk error, and nothing else", () => {
    for (const code of ["ENOSPC", "EDQUOT", "EROFS", "EIO", "EFBIG"]) {
      assert.equal(isDiskError(sdkError("Error", { code })), true, code);
    }
    for (const e of [sdkError("Error", { code: "ENOENT" }), sdkError("Error"), null, "ENOSPC"]) {
      assert.equal(isDiskError(e), false, JSON.stringify(e));
    }
  });
});
