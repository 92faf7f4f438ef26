// Test-side helper: starts the stand-in plugin exactly as the engine does (spawn the launcher with
// an engine address, read the port from stdout) and talks gRPC to it with the generated stubs.
import * as grpc from "@grpc/grpc-js";
import * as plugproto from "@pulumi/pulumi/proto/plugin_pb";
import * as provrpc from "@pulumi/pulumi/proto/provider_grpc_pb";
import * as provproto from "@pulumi/pulumi/proto/provider_pb";
import { ChildProcess, spawn } from "child_process";
import type * as emptyTypes from "google-protobuf/google/protobuf/empty_pb";
import type * as structTypes from "google-protobuf/google/protobuf/struct_pb";
import { createRequire } from "module";
import * as path from "path";

const protoRequire = createRequire(require.resolve("@pulumi/pulumi/proto/provider_pb"));
const structpb = protoRequire("google-protobuf/google/protobuf/struct_pb.js") as typeof structTypes;
const emptypb = protoRequire("google-protobuf/google/protobuf/empty_pb.js") as typeof emptyTypes;

export const PLUGIN_BIN_DIR = path.resolve(__dirname, "bin");
export const PLUGIN_LAUNCHER = path.join(PLUGIN_BIN_DIR, "pulumi-resource-aws");
export const UNKNOWN = "04da6b54-80e4-46f7-96ec-b56ff0331ba9";

/** Property bags as plain JSON-ish objects. */
export type PropertyMap = Record<string, unknown>;

export const ANALYZER = "aws:accessanalyzer/analyzer:Analyzer";
export const ARCHIVE_RULE = "aws:accessanalyzer/archiveRule:ArchiveRule";

export function urn(type: string, name: string): string {
  return `urn:pulumi:test::provider-plugin::${type}::${name}`;
}

/** Sets what every resource RPC carries: the resource's URN, type and name. */
function addressed(
  req: { setUrn(v: string): unknown; setType(v: string): unknown; setName(v: string): unknown },
  type: string,
  name: string,
): void {
  req.setUrn(urn(type, name));
  req.setType(type);
  req.setName(name);
}

function struct(m: PropertyMap): structTypes.Struct {
  return structpb.Struct.fromJavaScript(
    JSON.parse(JSON.stringify(m)) as Record<string, structTypes.JavaScriptValue>,
  );
}

function plain(s: structTypes.Struct | undefined): PropertyMap {
  return s ? s.toJavaScript() : {};
}

export interface DiffOutcome {
  changes: "unknown" | "none" | "some";
  replaces: string[];
  diffs: string[];
  deleteBeforeReplace: boolean;
  detailed: Record<string, number>;
}

/**
 * A stand-in for the engine's host gRPC server: the address the plugin is started with. It serves
 * no service, so the plugin's health check gets UNIMPLEMENTED, which counts as alive (upstream's
 * rule); stopping it is the engine going away.
 */
export interface StubEngine {
  readonly address: string;
  stop(): Promise<void>;
}

export async function startStubEngine(): Promise<StubEngine> {
  const server = new grpc.Server();
  const port = await new Promise<number>((resolve, reject) =>
    server.bindAsync("127.0.0.1:0", grpc.ServerCredentials.createInsecure(), (err, p) =>
      err ? reject(err) : resolve(p),
    ),
  );
  let stopped = false;
  return {
    address: `127.0.0.1:${port}`,
    stop: async () => {
      if (stopped) return;
      stopped = true;
      server.forceShutdown();
      await Promise.resolve();
    },
  };
}

export interface PluginProcess {
  port: number;
  /** The engine it was started with: stop it and the plugin exits within its check interval. */
  engine: StubEngine;
  /** Milliseconds from spawn to the port line. */
  startupMs: number;
  proc: ChildProcess;
  stderr(): string;
  stdoutExtra(): string;
  raw: provrpc.ResourceProviderClient;
  stop(): Promise<void>;

  getPluginInfo(): Promise<string>;
  handshake(): Promise<provproto.ProviderHandshakeResponse>;
  checkConfig(
    news: PropertyMap,
  ): Promise<{ inputs: PropertyMap; failures: provproto.CheckFailure.AsObject[] }>;
  diffConfig(olds: PropertyMap, news: PropertyMap): Promise<DiffOutcome>;
  getSchema(): Promise<string>;
  /** Configure with `args` (modern engines) or, with `legacy`, the `aws:config:*` variables map. */
  configure(config: PropertyMap, opts?: { legacy?: boolean }): Promise<provproto.ConfigureResponse>;
  invoke(token: string, args: PropertyMap): Promise<PropertyMap>;
  check(
    type: string,
    name: string,
    news: PropertyMap,
    olds?: PropertyMap,
  ): Promise<{ inputs: PropertyMap; failures: provproto.CheckFailure.AsObject[] }>;
  diff(
    type: string,
    name: string,
    id: string,
    olds: PropertyMap,
    news: PropertyMap,
  ): Promise<DiffOutcome>;
  create(
    type: string,
    name: string,
    props: PropertyMap,
    preview?: boolean,
  ): Promise<{ id: string; outs: PropertyMap }>;
  read(
    type: string,
    name: string,
    id: string,
    state?: PropertyMap,
    inputs?: PropertyMap,
  ): Promise<{ id: string; outs: PropertyMap; inputs: PropertyMap }>;
  update(
    type: string,
    name: string,
    id: string,
    olds: PropertyMap,
    news: PropertyMap,
    preview?: boolean,
  ): Promise<PropertyMap>;
  delete(type: string, name: string, id: string, olds: PropertyMap): Promise<void>;
}

function diffOutcome(resp: provproto.DiffResponse): DiffOutcome {
  const changes = resp.getChanges();
  const detailed: Record<string, number> = {};
  resp.getDetaileddiffMap().forEach((v, k) => (detailed[k] = v.getKind()));
  return {
    changes:
      changes === provproto.DiffResponse.DiffChanges.DIFF_SOME
        ? "some"
        : changes === provproto.DiffResponse.DiffChanges.DIFF_NONE
          ? "none"
          : "unknown",
    replaces: resp.getReplacesList(),
    diffs: resp.getDiffsList(),
    deleteBeforeReplace: resp.getDeletebeforereplace(),
    detailed,
  };
}

type Callback<Res> = (err: grpc.ServiceError | null, res: Res) => void;

function call<Res>(invoke: (cb: Callback<Res>) => unknown): Promise<Res> {
  return new Promise((resolve, reject) => {
    invoke((err, res) => (err ? reject(err) : resolve(res)));
  });
}

/**
 * Spawns `bin/pulumi-resource-aws <engine-address>` with `env` (merged over process.env) and
 * resolves once it has printed its port.
 */
export async function startPlugin(
  env: NodeJS.ProcessEnv = {},
  timeoutMs = 20000,
): Promise<PluginProcess> {
  const engine = await startStubEngine();
  const started = Date.now();
  const proc = spawn(PLUGIN_LAUNCHER, [engine.address], {
    env: { ...process.env, ...env },
    stdio: ["pipe", "pipe", "pipe"],
  });
  let stderr = "";
  let stdout = "";
  proc.stderr?.on("data", (d: Buffer) => (stderr += d.toString()));
  const port = await new Promise<number>((resolve, reject) => {
    const timer = setTimeout(
      () => reject(new Error(`plugin did not print a port within ${timeoutMs} ms:\n${stderr}`)),
      timeoutMs,
    );
    proc.stdout?.on("data", (d: Buffer) => {
      stdout += d.toString();
      const nl = stdout.indexOf("\n");
      if (nl >= 0) {
        clearTimeout(timer);
        const line = stdout.slice(0, nl);
        if (!/^\d+$/.test(line)) {
          reject(new Error(`plugin printed ${JSON.stringify(line)} instead of a port`));
        } else {
          resolve(Number(line));
        }
      }
    });
    proc.on("exit", (code) => {
      clearTimeout(timer);
      reject(new Error(`plugin exited with ${code} before printing a port:\n${stderr}`));
    });
  }).catch(async (e: unknown) => {
    await engine.stop();
    throw e;
  });
  const startupMs = Date.now() - started;
  const raw = new provrpc.ResourceProviderClient(
    `127.0.0.1:${port}`,
    grpc.credentials.createInsecure(),
  );
  const c = raw;

  const checkResult = (resp: provproto.CheckResponse) => ({
    inputs: plain(resp.getInputs()),
    failures: resp.getFailuresList().map((f) => f.toObject()),
  });

  return {
    port,
    engine,
    startupMs,
    proc,
    raw,
    stderr: () => stderr,
    stdoutExtra: () => stdout.slice(stdout.indexOf("\n") + 1),
    async stop() {
      raw.close();
      if (proc.exitCode === null && proc.signalCode === null) {
        await new Promise<void>((resolve) => {
          proc.once("exit", () => resolve());
          proc.kill("SIGINT");
        });
      }
      await engine.stop();
    },
    async getPluginInfo() {
      const info = await call<plugproto.PluginInfo>((cb) =>
        c.getPluginInfo(new emptypb.Empty(), cb),
      );
      return info.getVersion();
    },
    handshake() {
      const req = new provproto.ProviderHandshakeRequest();
      req.setEngineAddress("127.0.0.1:1");
      req.setConfigureWithUrn(true);
      return call<provproto.ProviderHandshakeResponse>((cb) => c.handshake(req, cb));
    },
    async checkConfig(news) {
      const req = new provproto.CheckRequest();
      req.setUrn(urn("pulumi:providers:aws", "p"));
      req.setNews(struct(news));
      req.setOlds(struct({}));
      return checkResult(await call<provproto.CheckResponse>((cb) => c.checkConfig(req, cb)));
    },
    async diffConfig(olds, news) {
      const req = new provproto.DiffRequest();
      req.setUrn(urn("pulumi:providers:aws", "p"));
      req.setOldInputs(struct(olds));
      req.setOlds(struct(olds));
      req.setNews(struct(news));
      return diffOutcome(await call<provproto.DiffResponse>((cb) => c.diffConfig(req, cb)));
    },
    async getSchema() {
      const req = new provproto.GetSchemaRequest();
      const resp = await call<provproto.GetSchemaResponse>((cb) => c.getSchema(req, cb));
      return resp.getSchema();
    },
    configure(config, opts = {}) {
      const req = new provproto.ConfigureRequest();
      req.setAcceptsecrets(true);
      req.setAcceptresources(true);
      req.setUrn(urn("pulumi:providers:aws", "p"));
      if (opts.legacy) {
        const vars = req.getVariablesMap();
        for (const [k, v] of Object.entries(config)) {
          vars.set(`aws:config:${k}`, typeof v === "string" ? v : JSON.stringify(v));
        }
      } else {
        req.setArgs(struct(config));
      }
      return call<provproto.ConfigureResponse>((cb) => c.configure(req, cb));
    },
    async invoke(token, args) {
      const req = new provproto.InvokeRequest();
      req.setTok(token);
      req.setArgs(struct(args));
      const resp = await call<provproto.InvokeResponse>((cb) => c.invoke(req, cb));
      if (resp.getFailuresList().length > 0) {
        throw new Error(JSON.stringify(resp.getFailuresList().map((f) => f.toObject())));
      }
      return plain(resp.getReturn());
    },
    async check(type, name, news, olds = {}) {
      const req = new provproto.CheckRequest();
      addressed(req, type, name);
      req.setNews(struct(news));
      req.setOlds(struct(olds));
      return checkResult(await call<provproto.CheckResponse>((cb) => c.check(req, cb)));
    },
    async diff(type, name, id, olds, news) {
      const req = new provproto.DiffRequest();
      addressed(req, type, name);
      req.setId(id);
      req.setOlds(struct(olds));
      req.setNews(struct(news));
      return diffOutcome(await call<provproto.DiffResponse>((cb) => c.diff(req, cb)));
    },
    async create(type, name, props, preview = false) {
      const req = new provproto.CreateRequest();
      addressed(req, type, name);
      req.setProperties(struct(props));
      req.setPreview(preview);
      const resp = await call<provproto.CreateResponse>((cb) => c.create(req, cb));
      return { id: resp.getId(), outs: plain(resp.getProperties()) };
    },
    async read(type, name, id, state = {}, inputs) {
      const req = new provproto.ReadRequest();
      addressed(req, type, name);
      req.setId(id);
      req.setProperties(struct(state));
      if (inputs) {
        req.setInputs(struct(inputs));
      }
      const resp = await call<provproto.ReadResponse>((cb) => c.read(req, cb));
      return {
        id: resp.getId(),
        outs: plain(resp.getProperties()),
        inputs: plain(resp.getInputs()),
      };
    },
    async update(type, name, id, olds, news, preview = false) {
      const req = new provproto.UpdateRequest();
      addressed(req, type, name);
      req.setId(id);
      req.setOlds(struct(olds));
      req.setNews(struct(news));
      req.setPreview(preview);
      const resp = await call<provproto.UpdateResponse>((cb) => c.update(req, cb));
      return plain(resp.getProperties());
    },
    async delete(type, name, id, olds) {
      const req = new provproto.DeleteRequest();
      addressed(req, type, name);
      req.setId(id);
      req.setProperties(struct(olds));
      await call<emptyTypes.Empty>((cb) => c.delete(req, cb));
    },
  };
}
