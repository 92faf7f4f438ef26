import * as http from "http";
import type { AddressInfo } from "net";
import { loadConfigFile, parseConfig, type FakeAwsConfig } from "./config";
import {
  AwsError,
  badSignature,
  expiredToken,
  invalidCredentials,
  missingAuthentication,
  type ServiceName,
} from "./errors";
import { handleAdmin } from "./admin";
import {
  ORGANIZATIONS_OPERATIONS,
  ORGANIZATIONS_TARGET_PREFIX,
  handleOrganizations,
  organizationsSigningRegion,
} from "./organizations";
import {
  EC2_OPERATIONS,
  STS_OPERATIONS,
  handleAccessAnalyzer,
  handleEc2,
  handleSts,
  routeAccessAnalyzer,
  type CallContext,
} from "./services";
import { ACCESS_ANALYZER_SLR_SERVICE, accessAnalyzerSlrArn, accessDenied, requestOf } from "./iam";
import { parseAuthorization, verifySignature } from "./sigv4";
import { FakeAwsState, type CredentialRecord } from "./state";
import { errorResponse, requestId, unservedResponse, type WireResponse } from "./wire";

export interface FakeAwsOptions {
  /** Accounts, keys, roles, regions (see config.ts / README). */
  config?: FakeAwsConfig;
  /**
   * A live state to serve instead of a new one (`config` and `accountsFile` are then ignored):
   * a fake stopped and started again on the same port is AWS back after an outage, data kept.
   */
  state?: FakeAwsState;
  /** YAML or JSON file with the same shape as `config`; merged after it. */
  accountsFile?: string;
  /** Default 127.0.0.1. */
  host?: string;
  /** Default 0 (a random free port). */
  port?: number;
  /** Largest accepted difference between `x-amz-date` and now; default 15 minutes, as AWS. */
  maxClockSkewMs?: number;
  /** Receives one line per request (operation, account, region, status; never secrets). */
  log?: (line: string) => void;
}

export interface FakeAws {
  /** Endpoint for every SDK client (`endpoint: fake.url`) and for `AWS_ENDPOINT_URL`. */
  url: string;
  /** Base of the admin API (`${url}/_fake`). */
  adminUrl: string;
  port: number;
  /** The live state; tests in this process may read and change it directly. */
  state: FakeAwsState;
  close(): Promise<void>;
}

const SERVICES: readonly ServiceName[] = ["sts", "ec2", "access-analyzer", "organizations"];
const MAX_BODY = 5 * 1024 * 1024;

function readBody(req: http.IncomingMessage): Promise<Buffer> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    let size = 0;
    req.on("data", (c: Buffer) => {
      size += c.length;
      if (size > MAX_BODY) {
        reject(new Error("request body too large"));
        req.destroy();
        return;
      }
      chunks.push(c);
    });
    req.on("end", () => resolve(Buffer.concat(chunks)));
    req.on("error", reject);
  });
}

function sleep(ms: number): Promise<void> {
  return new Promise((r) => setTimeout(r, ms));
}

/** Guess of the service when a request carries no usable credential scope. */
function guessService(body: URLSearchParams | undefined, target: unknown): ServiceName {
  if (typeof target === "string" && target.startsWith(ORGANIZATIONS_TARGET_PREFIX)) {
    return "organizations";
  }
  const version = body?.get("Version");
  if (version === "2011-06-15") return "sts";
  if (version === "2016-11-15") return "ec2";
  return "access-analyzer";
}

interface Outcome {
  service: ServiceName | "unknown";
  operation: string;
  accountId?: string;
  region?: string;
  principalArn?: string;
  response: WireResponse;
}

async function handleAws(
  state: FakeAwsState,
  req: http.IncomingMessage,
  body: Buffer,
  rawPath: string,
  rawQuery: string,
  maxClockSkewMs: number,
): Promise<Outcome> {
  const reqId = requestId();
  const method = req.method ?? "GET";
  const isForm = String(req.headers["content-type"] ?? "").startsWith(
    "application/x-www-form-urlencoded",
  );
  const form = new URLSearchParams(isForm ? body.toString("utf8") : "");
  const authHeader = req.headers["authorization"];
  const auth = parseAuthorization(authHeader);

  let service: ServiceName;
  if (auth && SERVICES.includes(auth.service as ServiceName)) {
    service = auth.service as ServiceName;
  } else if (auth) {
    return {
      service: "unknown",
      operation: "unknown",
      response: unservedResponse(auth.service, req.headers, isForm ? form : undefined, reqId),
    };
  } else {
    service = guessService(isForm ? form : undefined, req.headers["x-amz-target"]);
  }
  const fail = (operation: string, err: AwsError, extra: Partial<Outcome> = {}): Outcome => ({
    service,
    operation,
    ...extra,
    response: errorResponse(service, err, reqId),
  });

  // Operation.
  let operation: string;
  let labels: string[] = [];
  if (service === "access-analyzer") {
    const route = routeAccessAnalyzer(method, rawPath);
    if (!route) {
      return fail(
        "unknown",
        new AwsError("UnknownOperationException", 404, `No operation matches ${method} ${rawPath}`),
      );
    }
    operation = route.operation;
    labels = route.labels;
  } else if (service === "organizations") {
    // awsJson1_1: the operation is named by X-Amz-Target.
    const target = String(req.headers["x-amz-target"] ?? "");
    operation = target.startsWith(ORGANIZATIONS_TARGET_PREFIX)
      ? target.slice(ORGANIZATIONS_TARGET_PREFIX.length)
      : "";
    if (method !== "POST" || !(ORGANIZATIONS_OPERATIONS as readonly string[]).includes(operation)) {
      return fail(
        operation || "unknown",
        new AwsError("UnknownOperationException", 400, `No operation matches ${target}`),
      );
    }
  } else {
    operation = form.get("Action") ?? "";
    const known: readonly string[] = service === "sts" ? STS_OPERATIONS : EC2_OPERATIONS;
    if (!known.includes(operation)) {
      const message =
        service === "sts"
          ? `Could not find operation ${operation} for version 2011-06-15`
          : `The action ${operation} is not valid for this web service.`;
      return fail(operation || "unknown", new AwsError("InvalidAction", 400, message));
    }
  }

  // Authentication.
  if (!authHeader) return fail(operation, missingAuthentication(service));
  if (!auth) {
    const code =
      service === "access-analyzer" ? "IncompleteSignatureException" : "IncompleteSignature";
    return fail(
      operation,
      new AwsError(code, 400, "Authorization header requires valid SigV4 fields."),
    );
  }
  const region = auth.region;
  const cred: CredentialRecord | undefined = state.credentials.get(auth.accessKeyId);
  if (!cred) return fail(operation, invalidCredentials(service), { region });
  const who = { region, accountId: cred.principal.accountId, principalArn: cred.principal.arn };
  const token = req.headers["x-amz-security-token"];
  if ((cred.sessionToken ?? undefined) !== (token ?? undefined)) {
    return fail(operation, invalidCredentials(service), who);
  }
  const verdict = await verifySignature(
    { method, rawPath, rawQuery, headers: req.headers, body },
    auth,
    cred.secretAccessKey,
    maxClockSkewMs,
  );
  if (!verdict.ok) {
    if (verdict.reason === "clock-skew") {
      const err =
        service === "ec2"
          ? new AwsError("RequestExpired", 400, "Request has expired.")
          : badSignature(
              service,
              `Signature expired: ${String(req.headers["x-amz-date"])} is now earlier or later than the allowed 15 minute window`,
            );
      return fail(operation, err, who);
    }
    return fail(operation, badSignature(service), who);
  }
  if (cred.expiration && cred.expiration.getTime() <= Date.now()) {
    return fail(operation, expiredToken(service), who);
  }
  // A region the account has not enabled, or one of another partition: its endpoint does not
  // recognise the account's credentials.
  if (!state.isRegionEnabled(cred.principal.accountId, region)) {
    return fail(operation, invalidCredentials(service), who);
  }
  // A suspended (or closing) organization member cannot be reached with any of its credentials.
  if (!state.isAccountActive(cred.principal.accountId)) {
    return fail(operation, invalidCredentials(service), who);
  }
  // The partition's one Organizations endpoint takes SigV4 scoped to its region only.
  const orgRegion = organizationsSigningRegion(state.partitionOf(cred.principal.accountId));
  if (service === "organizations" && region !== orgRegion) {
    return fail(
      operation,
      badSignature(
        service,
        `Credential should be scoped to a valid region. Organizations is signed for ${orgRegion}, not '${region}'.`,
      ),
      who,
    );
  }

  // Latency and faults.
  const call = { service, operation, accountId: cred.principal.accountId, region };
  const delay = state.latencyFor(call);
  if (delay > 0) await sleep(delay);
  const fault = state.takeFault(call);
  if (fault && !fault.afterEffect) return fail(operation, fault.error, who);

  // Dispatch.
  let json: Record<string, unknown> = {};
  if ((service === "access-analyzer" || service === "organizations") && body.length > 0) {
    try {
      json = JSON.parse(body.toString("utf8")) as Record<string, unknown>;
    } catch {
      return fail(
        operation,
        new AwsError("SerializationException", 400, "Malformed JSON body"),
        who,
      );
    }
  }
  // Authorisation: the caller's identity policies (roles with `policies`; see iam.ts).
  const where = {
    accountId: cred.principal.accountId,
    region,
    partition: state.partitionOf(cred.principal.accountId),
  };
  const request = requestOf(service, operation, where, {
    labels,
    json,
    query: new URLSearchParams(rawQuery),
  });
  const checks = [request];
  // The account's first analyzer creates Access Analyzer's service-linked role as the caller.
  if (operation === "CreateAnalyzer" && !state.serviceLinkedRoles.has(where.accountId)) {
    checks.push({
      action: "iam:CreateServiceLinkedRole",
      resource: accessAnalyzerSlrArn(where.accountId, where.partition),
      context: { "iam:AWSServiceName": ACCESS_ANALYZER_SLR_SERVICE },
    });
  }
  for (const check of checks) {
    const decision = state.authorize(cred.principal, check);
    if (decision !== "allow") {
      return fail(operation, accessDenied(service, cred.principal.arn, check, decision), who);
    }
  }

  const ctx: CallContext = {
    state,
    operation,
    region,
    caller: cred,
    reqId,
    form,
    labels,
    query: new URLSearchParams(rawQuery),
    json,
  };
  try {
    const response =
      service === "sts"
        ? handleSts(ctx)
        : service === "ec2"
          ? handleEc2(ctx)
          : service === "organizations"
            ? handleOrganizations(ctx)
            : handleAccessAnalyzer(ctx);
    // The call took effect; the caller never learns it (a 5xx after AWS did the work).
    if (fault) return fail(operation, fault.error, who);
    return { service, operation, ...who, response };
  } catch (e) {
    if (e instanceof AwsError) return fail(operation, e, who);
    throw e;
  }
}

/** Starts the fake on 127.0.0.1 (random port unless `port` is given). */
export async function startFakeAws(options: FakeAwsOptions = {}): Promise<FakeAws> {
  const state =
    options.state ?? new FakeAwsState(options.config ? parseConfig(options.config) : undefined);
  if (options.accountsFile && !options.state) {
    state.seed(loadConfigFile(options.accountsFile));
  }
  const maxClockSkewMs = options.maxClockSkewMs ?? 15 * 60 * 1000;
  const log = options.log;

  const server = http.createServer((req, res) => {
    void (async () => {
      let body: Buffer;
      try {
        body = await readBody(req);
      } catch {
        res.statusCode = 413;
        res.end();
        return;
      }
      const url = req.url ?? "/";
      const q = url.indexOf("?");
      const rawPath = q === -1 ? url : url.slice(0, q);
      const rawQuery = q === -1 ? "" : url.slice(q + 1);
      if (rawPath === "/_fake" || rawPath.startsWith("/_fake/")) {
        const out = handleAdmin(state, req.method ?? "GET", rawPath, rawQuery, body);
        res.writeHead(out.status, { "content-type": "application/json" });
        res.end(out.body);
        return;
      }
      let outcome: Outcome;
      try {
        outcome = await handleAws(state, req, body, rawPath, rawQuery, maxClockSkewMs);
      } catch (e) {
        const err = new AwsError("InternalFailure", 500, `fake-aws internal error: ${String(e)}`);
        outcome = {
          service: "unknown",
          operation: "unknown",
          response: errorResponse("access-analyzer", err, requestId()),
        };
      }
      const { response } = outcome;
      const errorCode = response.status >= 300 ? errorCodeOf(response) : undefined;
      state.recordCall({
        time: new Date().toISOString(),
        service: outcome.service,
        operation: outcome.operation,
        accountId: outcome.accountId,
        region: outcome.region,
        principalArn: outcome.principalArn,
        httpStatus: response.status,
        errorCode,
      });
      log?.(
        `${outcome.service} ${outcome.operation} account=${outcome.accountId ?? "-"} region=${outcome.region ?? "-"} -> ${response.status}${errorCode ? ` ${errorCode}` : ""}`,
      );
      res.writeHead(response.status, {
        ...response.headers,
        "content-length": String(Buffer.byteLength(response.body)),
      });
      res.end(response.body);
    })();
  });
  // The SDK keeps connections alive; do not let idle sockets hold the port after close().
  server.keepAliveTimeout = 5000;

  const host = options.host ?? "127.0.0.1";
  await new Promise<void>((resolve, reject) => {
    server.once("error", reject);
    server.listen(options.port ?? 0, host, () => resolve());
  });
  const port = (server.address() as AddressInfo).port;
  const url = `http://${host}:${port}`;
  return {
    url,
    adminUrl: `${url}/_fake`,
    port,
    state,
    close: () =>
      new Promise<void>((resolve, reject) => {
        server.close((err) => (err ? reject(err) : resolve()));
        server.closeAllConnections();
      }),
  };
}

function errorCodeOf(response: WireResponse): string | undefined {
  if (response.headers["x-amzn-errortype"]) return response.headers["x-amzn-errortype"];
  if (response.headers["content-type"] === "application/x-amz-json-1.1") {
    return (JSON.parse(response.body) as { __type?: string }).__type;
  }
  return /<Code>([^<]*)<\/Code>/.exec(response.body)?.[1];
}
