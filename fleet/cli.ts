#!/usr/bin/env node
/**
 * access-analyzer-fleet: the thin command line over the fleet modules. Each command lives in
 * `fleet/commands/` (shared option parsing in options.ts); this file wires them to commander and
 * to the process. `main()` takes its I/O as arguments so tests can drive it with a fake StackRunner.
 */
import { Command, CommanderError } from "commander";
import * as fs from "fs";
import * as os from "os";
import * as path from "path";
import { addAuditOptions, runAuditCommand } from "./commands/auditCommand";
import type { CliDeps } from "./commands/deps";
import {
  addFindingsOptions,
  runFindingsCommand,
  type FindingsFlags,
} from "./commands/findingsCommand";
import type { RunFlags } from "./commands/options";
import { addReportCommand } from "./commands/reportCommand";
import { addRunOptions, EXIT_HELP, runStackCommand } from "./commands/stackCommand";
import { addValidateOptions, runValidateCommand } from "./commands/validateCommand";
import { PACKAGE_NAME, findPackageVersion } from "../program/contract";
import {
  EmptySelectionError,
  EnvironmentError,
  UsageError,
  describeError,
  isDiskError,
} from "./domain/errors";
import { EXIT, type Operation } from "./domain/outcomes";
import type { StackRunner, StackRunnerOptions } from "./domain/runner";

export type { CliDeps } from "./commands/deps";

/** Walks up from `start` to the first folder holding Pulumi.yaml. */
export function findProgramDir(
  start: string,
  exists: (p: string) => boolean = fs.existsSync,
): string | undefined {
  let dir = path.resolve(start);
  for (;;) {
    if (exists(path.join(dir, "Pulumi.yaml"))) return dir;
    const parent = path.dirname(dir);
    if (parent === dir) return undefined;
    dir = parent;
  }
}

/**
 * This package's version: the `version` of the nearest package.json above this file that is this
 * package's (in a checkout the repository's, installed the package's own; `dist/` has none).
 */
export function packageVersion(
  start: string = __dirname,
  read?: (file: string) => string | undefined,
): string {
  const version = findPackageVersion(start, read ?? readIfExists);
  if (version === undefined) throw new Error(`no package.json of ${PACKAGE_NAME} above ${start}`);
  return version;
}

function readIfExists(file: string): string | undefined {
  try {
    return fs.readFileSync(file, "utf8");
  } catch {
    return undefined;
  }
}

/** Runs the CLI and returns the exit code. */
export async function main(argv: readonly string[], deps: CliDeps): Promise<number> {
  let exitCode: number = EXIT.ok;
  const program = new Command()
    .name("access-analyzer-fleet")
    .description(
      "Put IAM Access Analyzer in every enabled region of every account of a fleet file, one Pulumi stack per account.",
    )
    .exitOverride()
    .configureOutput({ writeOut: deps.stdout, writeErr: deps.stderr })
    .version(deps.version, "--version", "print the version and exit")
    .showHelpAfterError("(add --help for usage)")
    .addHelpText("after", EXIT_HELP);

  const operations: [Operation, string][] = [
    ["preview", "show what up would change in each account (creates missing stacks)"],
    ["up", "create or update each account's analyzers"],
    ["refresh", "update each stack's state from AWS"],
    [
      "drift",
      "report stacks an up would change (preview with refresh; no changes made); exit 2 on drift",
    ],
    ["outputs", "print each stack's regions and analyzer ARNs"],
  ];
  for (const [name, description] of operations) {
    const cmd = program.command(name).description(description);
    if (name === "preview" || name === "up") {
      cmd.option(
        "--adopt",
        "take analyzers made outside the stack (the console's) into it, findings kept; without it, up stops on one and preview shows it",
      );
    }
    if (name === "up") {
      cmd.option(
        "--force-engine",
        "run the engine for every account; without it, an account the read before the engine proves unchanged is reported unchanged (verified) and skipped",
      );
      cmd.option(
        "--no-apply-archive-rules",
        "do not apply the archive rules this up creates or changes to the findings that already exist (AWS applies a new rule only to new findings)",
      );
    }
    addRunOptions(cmd).action(async (flags: RunFlags) => {
      exitCode = await runStackCommand(name, flags, deps);
    });
  }
  addRunOptions(
    program
      .command("destroy")
      .description(
        "delete the analyzers of the chosen accounts (needs --yes and --accounts or --all)",
      )
      .option("--yes", "confirm the destroy")
      .option("--all", "every account of the fleet file (or of the shard)"),
  ).action(async (flags: RunFlags) => {
    exitCode = await runStackCommand("destroy", flags, deps);
  });
  addAuditOptions(
    program
      .command("audit")
      .description(
        "read every account from AWS and check each enabled region has an ACTIVE ACCOUNT analyzer (IAM.28); count active findings; report disabled regions a stack's state still holds; exit 2 when a region is not covered or such a region is held",
      ),
  ).action(async (flags: RunFlags) => {
    exitCode = await runAuditCommand(flags, deps);
  });
  addFindingsOptions(
    program
      .command("findings")
      .description(
        "read the findings of every account's analyzers (read-only) and report them as a table, JSON, SARIF or HTML",
      ),
  ).action(async (flags: FindingsFlags) => {
    exitCode = await runFindingsCommand(flags, deps);
  });
  addReportCommand(program, deps, (code) => {
    exitCode = code;
  });
  addValidateOptions(
    program
      .command("validate")
      .description(
        "check the fleet file (and read the organization, with organization:) and list the accounts a run would cover",
      ),
  ).action(async (flags: RunFlags) => {
    exitCode = await runValidateCommand(flags, deps);
  });

  try {
    await program.parseAsync([...argv], { from: "user" });
    return exitCode;
  } catch (error) {
    if (error instanceof CommanderError) {
      return error.exitCode === 0 ? EXIT.ok : EXIT.usage;
    }
    if (error instanceof UsageError) {
      deps.stderr(`${error.message}\n`);
      return EXIT.usage;
    }
    if (error instanceof EmptySelectionError) {
      deps.stderr(`${error.message}\n`);
      return EXIT.empty;
    }
    if (error instanceof EnvironmentError) {
      deps.stderr(`${error.message}\n`);
      return EXIT.environment;
    }
    if (isDiskError(error)) {
      deps.stderr(
        `access-analyzer-fleet: the disk refused a write: ${describeError(error)}; free space or pick a writable folder, then run again\n`,
      );
      return EXIT.environment;
    }
    throw error;
  }
}

/**
 * The AWS SDK edge (fleet/aws/), required on first use: `--help` and `validate` of a fleet file
 * without `organization:` never load an SDK client.
 */
function aws(): typeof import("./aws") {
  // eslint-disable-next-line @typescript-eslint/no-require-imports
  return require("./aws") as typeof import("./aws");
}

/**
 * The CLI's I/O wired to this process: its streams, environment, signals, memory and clock, and
 * AWS through the SDK (loaded when a command first reaches AWS).
 */
export function processDeps(createRunner: CliDeps["createRunner"]): CliDeps {
  return {
    stdout: (t) => process.stdout.write(t),
    stderr: (t) => process.stderr.write(t),
    env: process.env,
    cwd: process.cwd(),
    memory: () => ({ total: os.totalmem(), free: os.freemem() }),
    createRunner,
    onSignal: (handler) => {
      const onInt = () => handler("SIGINT");
      const onTerm = () => handler("SIGTERM");
      process.on("SIGINT", onInt);
      process.on("SIGTERM", onTerm);
      return () => {
        process.off("SIGINT", onInt);
        process.off("SIGTERM", onTerm);
      };
    },
    interactive: !!process.stdin.isTTY,
    exit: (code) => process.exit(code),
    now: () => new Date(),
    version: packageVersion(),
    programDir: findProgramDir(__dirname),
    discoverAccounts: (settings, options) => aws().discoverAccounts(settings, options),
    createAccountReader: (target, options) => aws().createAccountReader(target, options),
    createFindingsReader: (target, options) => aws().createAccountReader(target, options),
    createArchiveRuleClient: (target, options) => aws().createArchiveRuleClient(target, options),
  };
}

/* istanbul ignore next: the process wiring */
if (require.main === module) {
  // The AWS SDK warns on every run that its releases after the first week of January 2027 need
  // Node.js 22. This package pins SDK releases from before then (package.json: ~3.x ranges), which
  // support the Node.js 20 that `engines` names, so the warning is about versions it never loads.
  // The SDK's own switch turns it off; an explicit setting in the environment still wins.
  process.env.AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED ??= "true";
  // The Automation API is loaded when a command first runs a stack: `--help` and `validate` never
  // load it.
  const createRunner = (options: StackRunnerOptions): StackRunner =>
    // eslint-disable-next-line @typescript-eslint/no-require-imports
    (require("./run") as typeof import("./run")).createStackRunner(options);
  main(process.argv.slice(2), processDeps(createRunner)).then(
    (code) => {
      process.exitCode = code;
    },
    (error: unknown) => {
      process.stderr.write(
        `access-analyzer-fleet: unexpected error: ${error instanceof Error ? error.stack : String(error)}\n`,
      );
      process.exitCode = EXIT.failed;
    },
  );
}
