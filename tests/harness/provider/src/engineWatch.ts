// The plugin ends when its engine is gone, as a real provider does. A provider built on Pulumi's
// provider SDK (pulumi-resource-aws through pulumi-terraform-bridge: sdk/go/pulumi/provider
// main.go, which calls rpcutil.Healthcheck) asks the engine address it was started with for
// grpc.health.v1 Health/Check every 5 minutes, and shuts down when a check fails with any code
// but UNIMPLEMENTED. The engine's servers all serve the health service (rpcutil.ServeWithOptions).
// Without this, a stand-in whose engine was killed (SIGKILL, OOM) ran until killed by hand.
//
// The stand-in checks every second (PULUMI_AWS_STANDIN_ENGINE_CHECK_MS), not every 5 minutes, so
// a killed test run leaves no plugin behind for minutes; the protocol and the rule are upstream's.
import * as grpc from "@grpc/grpc-js";

/** How often the engine is checked, in ms. */
export function engineCheckInterval(env: NodeJS.ProcessEnv = process.env): number {
  const raw = Number(env.PULUMI_AWS_STANDIN_ENGINE_CHECK_MS);
  return Number.isInteger(raw) && raw > 0 ? raw : 1000;
}

/**
 * Checks the engine at `address()` every `intervalMs` (one check at a time) and calls `gone` once,
 * with the reason, when a check fails. An empty address (no engine: attach mode) is never checked.
 * Returns a function that stops the checks.
 */
export function watchEngine(
  address: () => string,
  intervalMs: number,
  gone: (why: string) => void,
): () => void {
  let stopped = false;
  let timer: NodeJS.Timeout | undefined;
  let client: grpc.Client | undefined;
  let clientAddress = "";

  const schedule = () => {
    if (stopped) return;
    timer = setTimeout(check, intervalMs);
    // The gRPC server keeps the process alive; the watch alone must not.
    timer.unref();
  };

  const check = () => {
    const target = address();
    if (target === "") {
      schedule();
      return;
    }
    if (client === undefined || clientAddress !== target) {
      client?.close();
      client = new grpc.Client(target, grpc.credentials.createInsecure());
      clientAddress = target;
    }
    // HealthCheckRequest{service: ""} encodes as zero bytes; the reply's content does not matter.
    client.makeUnaryRequest(
      "/grpc.health.v1.Health/Check",
      (request: Buffer) => request,
      (reply: Buffer) => reply,
      Buffer.alloc(0),
      (err: grpc.ServiceError | null) => {
        if (stopped) return;
        if (err && err.code !== grpc.status.UNIMPLEMENTED) {
          stopped = true;
          client?.close();
          gone(
            `the engine at ${target} does not answer (${grpc.status[err.code]}: ${err.details})`,
          );
          return;
        }
        schedule();
      },
    );
  };

  schedule();
  return () => {
    stopped = true;
    if (timer) clearTimeout(timer);
    client?.close();
  };
}
