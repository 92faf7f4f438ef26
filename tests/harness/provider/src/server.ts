// The pulumirpc.ResourceProvider gRPC service, served with the stubs generated into
// @pulumi/pulumi/proto. The Node provider SDK (@pulumi/pulumi/provider) cannot be used: it
// ignores the config sent to Configure, so it would never see each explicit provider's region.
import * as grpc from "@grpc/grpc-js";
import * as plugproto from "@pulumi/pulumi/proto/plugin_pb";
import * as provrpc from "@pulumi/pulumi/proto/provider_grpc_pb";
import * as provproto from "@pulumi/pulumi/proto/provider_pb";
import type * as emptyTypes from "google-protobuf/google/protobuf/empty_pb";
import type * as structTypes from "google-protobuf/google/protobuf/struct_pb";
import { createRequire } from "module";

import { ANALYZER_TYPE, analyzer } from "./analyzer";
import { ARCHIVE_RULE_TYPE, archiveRule } from "./archiveRule";
import {
  MISSING_REGION_MESSAGE,
  ProviderConfig,
  SECRET_KEYS,
  configKeys,
  effectiveRegion,
  parseConfig,
  rawConfig,
} from "./config";
import { RpcError, unimplemented } from "./errors";
import { invoke } from "./invokes";
import {
  AWS_SERVICE_ACCESS_TYPE,
  DELEGATED_ADMINISTRATOR_TYPE,
  awsServiceAccess,
  delegatedAdministrator,
} from "./organizations";
import { log } from "./log";
import { Ctx, DiffKind, DiffResult, ResourceHandler } from "./resource";
import { AwsSession } from "./session";
import { Json, PropertyMap, clean, containsUnknowns, deepEqual, isUnknown } from "./values";

// The generated *_pb.js files use @pulumi/pulumi's own copy of google-protobuf; messages must be
// built with that copy, not whatever `google-protobuf` resolves to from here.
const protoRequire = createRequire(require.resolve("@pulumi/pulumi/proto/provider_pb"));
const structpb = protoRequire("google-protobuf/google/protobuf/struct_pb.js") as typeof structTypes;
const emptypb = protoRequire("google-protobuf/google/protobuf/empty_pb.js") as typeof emptyTypes;

export const PROVIDER_VERSION = providerVersion();

function providerVersion(): string {
  try {
    // eslint-disable-next-line @typescript-eslint/no-require-imports
    return (require("@pulumi/aws/package.json") as { version: string }).version;
  } catch {
    return "7.48.0";
  }
}

const HANDLERS: Record<string, ResourceHandler> = {
  [ANALYZER_TYPE]: analyzer,
  [ARCHIVE_RULE_TYPE]: archiveRule,
  [DELEGATED_ADMINISTRATOR_TYPE]: delegatedAdministrator,
  [AWS_SERVICE_ACCESS_TYPE]: awsServiceAccess,
};

function toMap(s: structTypes.Struct | undefined): PropertyMap {
  return s ? s.toJavaScript() : {};
}

function toStruct(m: PropertyMap): structTypes.Struct {
  return structpb.Struct.fromJavaScript(clean(m) as Record<string, structTypes.JavaScriptValue>);
}

/** `urn:pulumi:stack::project::parent$type::name` → `type`. */
export function typeFromUrn(urn: string): string {
  const parts = urn.split("::");
  const qualified = parts[2] ?? "";
  return qualified.split("$").pop() ?? "";
}

function handlerFor(type: string, urn: string, op: string): ResourceHandler {
  const t = type || typeFromUrn(urn);
  const h = HANDLERS[t];
  if (!h) {
    throw new RpcError(
      grpc.status.INVALID_ARGUMENT,
      `unrecognized resource type (${op}): ${t}; the stand-in aws provider implements only ` +
        Object.keys(HANDLERS).join(", "),
    );
  }
  return h;
}

const KIND: Record<DiffKind, provproto.PropertyDiff.Kind> = {
  ADD: provproto.PropertyDiff.Kind.ADD,
  ADD_REPLACE: provproto.PropertyDiff.Kind.ADD_REPLACE,
  DELETE: provproto.PropertyDiff.Kind.DELETE,
  DELETE_REPLACE: provproto.PropertyDiff.Kind.DELETE_REPLACE,
  UPDATE: provproto.PropertyDiff.Kind.UPDATE,
  UPDATE_REPLACE: provproto.PropertyDiff.Kind.UPDATE_REPLACE,
};

function diffResponse(d: DiffResult): provproto.DiffResponse {
  const resp = new provproto.DiffResponse();
  resp.setChanges(
    d.diffs.length > 0
      ? provproto.DiffResponse.DiffChanges.DIFF_SOME
      : provproto.DiffResponse.DiffChanges.DIFF_NONE,
  );
  resp.setReplacesList(d.replaces);
  resp.setDiffsList(d.diffs);
  resp.setDeletebeforereplace(d.deleteBeforeReplace);
  const detailed = resp.getDetaileddiffMap();
  for (const [k, kind] of Object.entries(d.detailed)) {
    const pd = new provproto.PropertyDiff();
    pd.setKind(KIND[kind]);
    pd.setInputdiff(true);
    detailed.set(k, pd);
  }
  resp.setHasdetaileddiff(true);
  return resp;
}

function failuresList(fs: { property: string; reason: string }[]): provproto.CheckFailure[] {
  return fs.map((f) => {
    const cf = new provproto.CheckFailure();
    cf.setProperty(f.property);
    cf.setReason(f.reason);
    return cf;
  });
}

function toServiceError(e: unknown): Partial<grpc.ServiceError> {
  if (e instanceof RpcError) {
    return { code: e.code, details: e.message, message: e.message };
  }
  const message = e instanceof Error ? e.message : String(e);
  return { code: grpc.status.UNKNOWN, details: message, message };
}

type Unary<Req, Res> = grpc.handleUnaryCall<Req, Res>;

export class ProviderServer {
  private ctx: Ctx | undefined;
  private configureError: RpcError | undefined;
  private engineAddress: string;
  private cancelled = false;

  constructor(engineAddress: string) {
    this.engineAddress = engineAddress;
  }

  private unary<Req, Res>(name: string, fn: (req: Req) => Promise<Res> | Res): Unary<Req, Res> {
    return (call, callback) => {
      log(`rpc ${name}`);
      Promise.resolve()
        .then(() => fn(call.request))
        .then(
          (res) => callback(null, res),
          (e: unknown) => {
            const err = toServiceError(e);
            if (err.code !== grpc.status.UNIMPLEMENTED) {
              log(`${name} failed: ${err.details ?? ""}`);
            }
            callback(err, null);
          },
        );
    };
  }

  private configured(): Ctx {
    if (this.configureError) {
      throw this.configureError;
    }
    if (!this.ctx) {
      throw new RpcError(grpc.status.FAILED_PRECONDITION, "the aws provider is not configured yet");
    }
    return this.ctx;
  }

  /** Validates provider config like the bridge's CheckConfig: region must be resolvable. */
  private checkConfig(req: provproto.CheckRequest): provproto.CheckResponse {
    const news = toMap(req.getNews());
    const resp = new provproto.CheckResponse();
    resp.setInputs(toStruct(news));
    const failures: { property: string; reason: string }[] = [];
    const cfg = parseConfig(rawConfig(news, []));
    if (!containsUnknowns(news["region"])) {
      if (!effectiveRegion(cfg)) {
        failures.push({ property: "region", reason: MISSING_REGION_MESSAGE });
      }
    }
    if (!containsUnknowns(news["maxRetries"]) && !containsUnknowns(news["retryMode"])) {
      failures.push(...retryConfigFailures(cfg));
    }
    resp.setFailuresList(failuresList(failures));
    return resp;
  }

  private diffConfig(req: provproto.DiffRequest): provproto.DiffResponse {
    const olds = toMap(req.getOldInputs() ?? req.getOlds());
    const news = toMap(req.getNews());
    const keys = new Set([...Object.keys(olds), ...Object.keys(news)]);
    keys.delete("version");
    const d: DiffResult = { replaces: [], diffs: [], detailed: {}, deleteBeforeReplace: false };
    for (const k of [...keys].sort()) {
      const o = decodeForCompare(olds[k]);
      const n = decodeForCompare(news[k]);
      if (containsUnknowns(n) || !deepEqual(o, n)) {
        d.diffs.push(k);
        d.detailed[k] = o === undefined ? "ADD" : n === undefined ? "DELETE" : "UPDATE";
      }
    }
    return diffResponse(d);
  }

  private async configure(req: provproto.ConfigureRequest): Promise<provproto.ConfigureResponse> {
    const args = req.getArgs();
    const raw = rawConfig(args ? toMap(args) : undefined, req.getVariablesMap().toArray());
    const keys = configKeys(raw).map((k) => (SECRET_KEYS.has(k) ? `${k}(secret)` : k));
    log(`Configure ${req.getUrn() ?? ""} keys=[${keys.join(",")}]`);
    this.ctx = undefined;
    this.configureError = undefined;
    let cfg: ProviderConfig;
    try {
      cfg = parseConfig(raw);
      const session = new AwsSession(cfg);
      await session.validate();
      this.ctx = { session, cfg };
      log(`configured region=${session.region} assumeRoles=${cfg.assumeRoles.length}`);
    } catch (e) {
      this.configureError =
        e instanceof RpcError ? e : new RpcError(grpc.status.UNKNOWN, (e as Error).message);
      throw this.configureError;
    }
    const resp = new provproto.ConfigureResponse();
    resp.setAcceptsecrets(false);
    resp.setAcceptresources(false);
    resp.setAcceptoutputs(false);
    resp.setSupportspreview(true);
    return resp;
  }

  private check(req: provproto.CheckRequest): provproto.CheckResponse {
    const h = handlerFor(req.getType(), req.getUrn(), "Check");
    const ctx = this.configureError ? undefined : this.ctx;
    const { inputs, failures } = h.check(toMap(req.getNews()), toMap(req.getOlds()), ctx);
    const resp = new provproto.CheckResponse();
    resp.setInputs(toStruct(inputs));
    resp.setFailuresList(failuresList(failures));
    return resp;
  }

  private diff(req: provproto.DiffRequest): provproto.DiffResponse {
    const h = handlerFor(req.getType(), req.getUrn(), "Diff");
    const ctx = this.configured();
    const olds = toMap(req.getOlds());
    const news = toMap(req.getNews());
    for (const key of req.getIgnorechangesList()) {
      if (!key.includes(".") && !key.includes("[")) {
        if (key in olds) {
          news[key] = olds[key];
        } else {
          delete news[key];
        }
      }
    }
    return diffResponse(h.diff(ctx, req.getId(), olds, news));
  }

  private async create(req: provproto.CreateRequest): Promise<provproto.CreateResponse> {
    const h = handlerFor(req.getType(), req.getUrn(), "Create");
    const ctx = this.configured();
    const preview = req.getPreview();
    log(`Create ${req.getUrn()}${preview ? " (preview)" : ""}`);
    const { id, outs } = await h.create(ctx, toMap(req.getProperties()), preview);
    const resp = new provproto.CreateResponse();
    resp.setId(id);
    resp.setProperties(toStruct(outs));
    return resp;
  }

  private async read(req: provproto.ReadRequest): Promise<provproto.ReadResponse> {
    const h = handlerFor(req.getType(), req.getUrn(), "Read");
    const ctx = this.configured();
    log(`Read ${req.getUrn()} id=${req.getId()}`);
    const inputsStruct = req.getInputs();
    const inputs = inputsStruct ? toMap(inputsStruct) : undefined;
    const result = await h.read(
      ctx,
      req.getId(),
      toMap(req.getProperties()),
      inputs && Object.keys(inputs).length > 0 ? inputs : undefined,
    );
    const resp = new provproto.ReadResponse();
    if (!result) {
      // An empty ID tells the engine the resource is gone.
      resp.setId("");
      return resp;
    }
    resp.setId(result.id);
    resp.setProperties(toStruct(result.outs));
    resp.setInputs(toStruct(result.inputs));
    return resp;
  }

  private async update(req: provproto.UpdateRequest): Promise<provproto.UpdateResponse> {
    const h = handlerFor(req.getType(), req.getUrn(), "Update");
    const ctx = this.configured();
    const preview = req.getPreview();
    log(`Update ${req.getUrn()} id=${req.getId()}${preview ? " (preview)" : ""}`);
    const outs = await h.update(
      ctx,
      req.getId(),
      toMap(req.getOlds()),
      toMap(req.getNews()),
      preview,
    );
    const resp = new provproto.UpdateResponse();
    resp.setProperties(toStruct(outs));
    return resp;
  }

  private async delete(req: provproto.DeleteRequest): Promise<emptyTypes.Empty> {
    const h = handlerFor(req.getType(), req.getUrn(), "Delete");
    const ctx = this.configured();
    log(`Delete ${req.getUrn()} id=${req.getId()}`);
    await h.delete(ctx, req.getId(), toMap(req.getProperties()));
    return new emptypb.Empty();
  }

  private async invoke(req: provproto.InvokeRequest): Promise<provproto.InvokeResponse> {
    const ctx = this.configured();
    log(`Invoke ${req.getTok()}`);
    const ret = await invoke(ctx, req.getTok(), toMap(req.getArgs()));
    const resp = new provproto.InvokeResponse();
    resp.setReturn(toStruct(ret));
    return resp;
  }

  implementation(): provrpc.IResourceProviderServer {
    const notImplemented =
      (what: string) =>
      (_call: unknown, callback: (err: grpc.ServiceError | null, value: null) => void): void => {
        callback(toServiceError(unimplemented(what)) as grpc.ServiceError, null);
      };
    return {
      handshake: this.unary("Handshake", (req: provproto.ProviderHandshakeRequest) => {
        this.engineAddress = req.getEngineAddress() || this.engineAddress;
        const resp = new provproto.ProviderHandshakeResponse();
        resp.setAcceptSecrets(false);
        resp.setAcceptResources(false);
        resp.setAcceptOutputs(false);
        resp.setSupportsAutonamingConfiguration(false);
        return resp;
      }),
      parameterize: notImplemented("Parameterize"),
      getSchema: this.unary("GetSchema", (req: provproto.GetSchemaRequest) => {
        if (req.getVersion() !== 0) {
          throw new RpcError(
            grpc.status.INVALID_ARGUMENT,
            `unsupported schema version ${req.getVersion()}`,
          );
        }
        const resp = new provproto.GetSchemaResponse();
        resp.setSchema(JSON.stringify({ name: "aws", version: PROVIDER_VERSION }));
        return resp;
      }),
      checkConfig: this.unary("CheckConfig", (req: provproto.CheckRequest) =>
        this.checkConfig(req),
      ),
      diffConfig: this.unary("DiffConfig", (req: provproto.DiffRequest) => this.diffConfig(req)),
      configure: this.unary("Configure", (req: provproto.ConfigureRequest) => this.configure(req)),
      invoke: this.unary("Invoke", (req: provproto.InvokeRequest) => this.invoke(req)),
      call: notImplemented("Call"),
      check: this.unary("Check", (req: provproto.CheckRequest) => this.check(req)),
      diff: this.unary("Diff", (req: provproto.DiffRequest) => this.diff(req)),
      create: this.unary("Create", (req: provproto.CreateRequest) => this.create(req)),
      read: this.unary("Read", (req: provproto.ReadRequest) => this.read(req)),
      list: (call) => {
        call.emit("error", toServiceError(unimplemented("List")));
      },
      update: this.unary("Update", (req: provproto.UpdateRequest) => this.update(req)),
      delete: this.unary("Delete", (req: provproto.DeleteRequest) => this.delete(req)),
      construct: notImplemented("Construct"),
      cancel: this.unary("Cancel", () => {
        this.cancelled = true;
        return new emptypb.Empty();
      }),
      getPluginInfo: this.unary("GetPluginInfo", () => {
        const info = new plugproto.PluginInfo();
        info.setVersion(PROVIDER_VERSION);
        return info;
      }),
      attach: this.unary("Attach", (req: plugproto.PluginAttach) => {
        this.engineAddress = req.getAddress();
        return new emptypb.Empty();
      }),
      getMapping: notImplemented("GetMapping"),
      getMappings: notImplemented("GetMappings"),
    };
  }

  get isCancelled(): boolean {
    return this.cancelled;
  }
}

const RETRY_MODES = ["standard", "adaptive"];

/** `maxRetries` must be a whole number and `retryMode` one of the SDK's modes, as upstream checks. */
function retryConfigFailures(cfg: ProviderConfig): { property: string; reason: string }[] {
  const out: { property: string; reason: string }[] = [];
  const n = cfg.maxRetries;
  if (n !== undefined && (!Number.isInteger(n) || n < 0)) {
    out.push({
      property: "maxRetries",
      reason: `maxRetries must be a whole number of attempts (0 or unset = 25), got ${String(n)}`,
    });
  }
  const mode = cfg.retryMode;
  if (mode !== undefined && !RETRY_MODES.includes(mode)) {
    out.push({
      property: "retryMode",
      reason: `expected retryMode to be one of ["standard" "adaptive"], got ${mode}`,
    });
  }
  return out;
}

/** Provider config values arrive JSON-encoded (non-strings); decode so "[]" equals absent. */
function decodeForCompare(v: Json | undefined): Json | undefined {
  if (typeof v === "string" && !isUnknown(v) && /^[[{]|^(true|false|null|-?\d)/.test(v)) {
    try {
      return JSON.parse(v) as Json;
    } catch {
      return v;
    }
  }
  return v;
}

export function startServer(engineAddress: string): Promise<{ server: grpc.Server; port: number }> {
  const server = new grpc.Server({
    "grpc.max_receive_message_length": 400 * 1024 * 1024,
    "grpc.max_send_message_length": 400 * 1024 * 1024,
  });
  const provider = new ProviderServer(engineAddress);
  server.addService(provrpc.ResourceProviderService, provider.implementation());
  return new Promise((resolve, reject) => {
    server.bindAsync("127.0.0.1:0", grpc.ServerCredentials.createInsecure(), (err, port) => {
      if (err) {
        reject(err);
        return;
      }
      resolve({ server, port });
    });
  });
}
