// Entry point: `pulumi-resource-aws [--logtostderr] [-v=N] [--tracing URL] <engine-address>`.
// Prints only the port and a newline on stdout, as the engine expects.
import { engineCheckInterval, watchEngine } from "./engineWatch";
import { log, setQuiet } from "./log";
import { startServer } from "./server";

function engineAddressFrom(argv: string[]): string {
  const positional: string[] = [];
  for (let i = 0; i < argv.length; i++) {
    const a = argv[i] ?? "";
    if (a === "--tracing") {
      i++;
      continue;
    }
    if (a.startsWith("-")) {
      continue;
    }
    positional.push(a);
  }
  return positional[positional.length - 1] ?? "";
}

async function main(): Promise<void> {
  // Nothing but the port may reach stdout.
  console.log = console.error;
  console.info = console.error;
  if (process.argv.includes("--quiet")) {
    setQuiet(true);
  }
  const engineAddress = engineAddressFrom(process.argv.slice(2));
  const { server, port } = await startServer(engineAddress);
  process.stdout.write(`${port}\n`);
  log(`listening on 127.0.0.1:${port} (engine ${engineAddress || "none"})`);

  const shutdown = (why: string): void => {
    log(`${why}: shutting down`);
    server.forceShutdown();
    process.exit(0);
  };
  process.on("SIGINT", () => shutdown("SIGINT"));
  process.on("SIGTERM", () => shutdown("SIGTERM"));
  // As upstream: the engine address given on the command line is checked (none in attach mode).
  watchEngine(() => engineAddress, engineCheckInterval(), shutdown);
}

main().catch((e: unknown) => {
  process.stderr.write(`pulumi-resource-aws stand-in failed to start: ${String(e)}\n`);
  process.exit(1);
});
