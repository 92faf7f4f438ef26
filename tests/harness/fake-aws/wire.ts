import * as crypto from "crypto";
import { AwsError, type ServiceName } from "./errors";

/** A response ready to write. */
export interface WireResponse {
  status: number;
  headers: Record<string, string>;
  body: string;
}

export const STS_XMLNS = "https://sts.amazonaws.com/doc/2011-06-15/";
export const EC2_XMLNS = "http://ec2.amazonaws.com/doc/2016-11-15/";

export function requestId(): string {
  return crypto.randomUUID();
}

export function xmlEscape(s: string): string {
  return s
    .replace(/&/g, "&amp;")
    .replace(/</g, "&lt;")
    .replace(/>/g, "&gt;")
    .replace(/"/g, "&quot;")
    .replace(/'/g, "&apos;");
}

/** `<k>v</k>` for each defined entry; nested objects become nested elements. */
export function xmlElements(obj: Record<string, unknown>): string {
  let out = "";
  for (const [k, v] of Object.entries(obj)) {
    if (v === undefined || v === null) continue;
    if (typeof v === "object") out += `<${k}>${xmlElements(v as Record<string, unknown>)}</${k}>`;
    else out += `<${k}>${xmlEscape(typeof v === "string" ? v : JSON.stringify(v))}</${k}>`;
  }
  return out;
}

/** awsQuery success: `<XResponse><XResult>…</XResult><ResponseMetadata>…</ResponseMetadata></XResponse>`. */
export function queryResponse(action: string, resultXml: string, reqId: string): WireResponse {
  return {
    status: 200,
    headers: { "content-type": "text/xml", "x-amzn-requestid": reqId },
    body:
      `<${action}Response xmlns="${STS_XMLNS}"><${action}Result>${resultXml}</${action}Result>` +
      `<ResponseMetadata><RequestId>${reqId}</RequestId></ResponseMetadata></${action}Response>`,
  };
}

/** ec2Query success: no Result wrapper, `requestId` first. */
export function ec2Response(action: string, innerXml: string, reqId: string): WireResponse {
  return {
    status: 200,
    headers: { "content-type": "text/xml;charset=UTF-8", "x-amzn-requestid": reqId },
    body: `<?xml version="1.0" encoding="UTF-8"?>\n<${action}Response xmlns="${EC2_XMLNS}"><requestId>${reqId}</requestId>${innerXml}</${action}Response>`,
  };
}

export function jsonResponse(body: unknown, reqId: string, status = 200): WireResponse {
  return {
    status,
    headers: { "content-type": "application/json", "x-amzn-requestid": reqId },
    body: body === undefined ? "{}" : JSON.stringify(body),
  };
}

/** Renders an error in the wire format of the service that was called. */
export function errorResponse(service: ServiceName, err: AwsError, reqId: string): WireResponse {
  if (service === "sts") {
    return {
      status: err.httpStatus,
      headers: { "content-type": "text/xml", "x-amzn-requestid": reqId, ...err.headers },
      body:
        `<ErrorResponse xmlns="${STS_XMLNS}"><Error><Type>${err.faultType}</Type>` +
        `<Code>${xmlEscape(err.code)}</Code><Message>${xmlEscape(err.message)}</Message></Error>` +
        `<RequestId>${reqId}</RequestId></ErrorResponse>`,
    };
  }
  if (service === "ec2") {
    return {
      status: err.httpStatus,
      headers: { "content-type": "text/xml;charset=UTF-8", ...err.headers },
      body:
        `<?xml version="1.0" encoding="UTF-8"?>\n<Response><Errors><Error><Code>${xmlEscape(err.code)}</Code>` +
        `<Message>${xmlEscape(err.message)}</Message></Error></Errors><RequestID>${reqId}</RequestID></Response>`,
    };
  }
  if (service === "organizations") {
    // awsJson1_1: the code in `__type`, the message in `Message` (the model's member name).
    return {
      status: err.httpStatus,
      headers: {
        "content-type": "application/x-amz-json-1.1",
        "x-amzn-requestid": reqId,
        ...err.headers,
      },
      body: JSON.stringify({ __type: err.code, Message: err.message, ...err.fields }),
    };
  }
  return {
    status: err.httpStatus,
    headers: {
      "content-type": "application/json",
      "x-amzn-requestid": reqId,
      "x-amzn-errortype": err.code,
      ...err.headers,
    },
    body: JSON.stringify({ message: err.message, ...err.fields }),
  };
}

/**
 * The answer to a call for a service fake-aws does not serve (IAM, …), in that caller's protocol so
 * its SDK reads the code: awsQuery (form body) gets `<ErrorResponse>` XML with `InvalidAction`, as a
 * query service answers an action it does not know; awsJson (`X-Amz-Target`) and restJson get
 * `UnknownOperationException` in JSON with `__type` and `x-amzn-errortype`.
 */
export function unservedResponse(
  signingName: string,
  headers: Record<string, string | string[] | undefined>,
  form: URLSearchParams | undefined,
  reqId: string,
): WireResponse {
  const notServed = `fake-aws does not serve service '${signingName}'`;
  if (form) {
    const action = form.get("Action") ?? "";
    const version = form.get("Version") ?? "";
    const err = new AwsError(
      "InvalidAction",
      400,
      `Could not find operation ${action} for version ${version} (${notServed})`,
    );
    return {
      status: err.httpStatus,
      headers: { "content-type": "text/xml", "x-amzn-requestid": reqId },
      body:
        `<ErrorResponse xmlns="https://${xmlEscape(signingName)}.amazonaws.com/doc/${xmlEscape(version)}/">` +
        `<Error><Type>Sender</Type><Code>${err.code}</Code><Message>${xmlEscape(err.message)}</Message></Error>` +
        `<RequestId>${reqId}</RequestId></ErrorResponse>`,
    };
  }
  const target = headers["x-amz-target"];
  const operation = typeof target === "string" ? target.slice(target.indexOf(".") + 1) : undefined;
  const code = "UnknownOperationException";
  const contentType = String(headers["content-type"] ?? "");
  return {
    status: 400,
    headers: {
      "content-type": contentType.startsWith("application/x-amz-json")
        ? contentType
        : "application/json",
      "x-amzn-requestid": reqId,
      "x-amzn-errortype": code,
    },
    body: JSON.stringify({
      __type: code,
      message: `${operation ? `Unknown operation ${operation}: ` : ""}${notServed}`,
    }),
  };
}
