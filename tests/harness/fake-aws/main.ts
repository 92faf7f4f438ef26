/**
 * CLI: starts fake-aws and prints `{"url": "...", "adminUrl": "...", "pid": N}` on one stdout line,
 * then serves until SIGTERM/SIGINT.
 *
 *   node -r ts-node/register/transpile-only tests/harness/fake-aws/main.ts \
 *     --accounts-file tests/harness/fake-aws/example-accounts.yaml [--port 0] [--host 127.0.0.1] [--verbose]
 *
 * `--config-json '{"accounts":[...]}'` may be given instead of (or as well as) --accounts-file.
 */
import { startFakeAws, type FakeAwsOptions } from "./server";

function parseArgs(argv: string[]): FakeAwsOptions & { verbose: boolean } {
  const opts: FakeAwsOptions & { verbose: boolean } = { verbose: false };
  for (let i = 0; i < argv.length; i++) {
    const arg = argv[i];
    const [flag, inline] = arg.includes("=")
      ? [arg.slice(0, arg.indexOf("=")), arg.slice(arg.indexOf("=") + 1)]
      : [arg, undefined];
    const value = (): string => {
      const v = inline ?? argv[++i];
      if (v === undefined) throw new Error(`${flag} needs a value`);
      return v;
    };
    switch (flag) {
      case "--accounts-file":
        opts.accountsFile = value();
        break;
      case "--config-json":
        opts.config = JSON.parse(value());
        break;
      case "--port":
        opts.port = Number(value());
        break;
      case "--host":
        opts.host = value();
        break;
      case "--verbose":
        opts.verbose = true;
        break;
      case "--help":
        process.stdout.write(
          "usage: main.ts [--accounts-file FILE] [--config-json JSON] [--port N] [--host H] [--verbose]\n",
        );
        process.exit(0);
        break;
      default:
        throw new Error(`unknown argument ${arg}`);
    }
  }
  return opts;
}

async function main(): Promise<void> {
  const opts = parseArgs(process.argv.slice(2));
  const fake = await startFakeAws({
    ...opts,
    log: opts.verbose ? (line) => process.stderr.write(`[fake-aws] ${line}\n`) : undefined,
  });
  process.stdout.write(
    `${JSON.stringify({ url: fake.url, adminUrl: fake.adminUrl, pid: process.pid })}\n`,
  );
  let stopping = false;
  const stop = (): void => {
    if (stopping) return;
    stopping = true;
    fake.close().then(
      () => process.exit(0),
      () => process.exit(1),
    );
  };
  process.on("SIGTERM", stop);
  process.on("SIGINT", stop);
}

main().catch((e: unknown) => {
  process.stderr.write(`fake-aws: ${e instanceof Error ? e.message : String(e)}\n`);
  process.exit(2);
});
