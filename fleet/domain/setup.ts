/**
 * The Pulumi set-up a run needs, checked before any stack starts (`StackRunner.checkSetup`,
 * fleet/run/setup.ts): the CLI and its version, and a backend the CLI can read. What each failure
 * says, with its fix, is decided here. Pure.
 */

/**
 * The oldest Pulumi CLI the bot runs with: the version of the Automation API it is built on
 * (`@pulumi/pulumi` 3.248, pinned in package.json). That API passes flags older CLIs reject, e.g.
 * `--exclude`/`--exclude-dependents` (added to the CLI in 2025, pulumi/pulumi#18828) for regions
 * no longer enabled; an older
 * CLI would fail every stack with "unknown flag" instead of saying so once.
 */
export const MIN_PULUMI_CLI = "3.248.0";

/** What the runner found, before any stack ran. */
export interface SetupCheck {
  /** Problems that stop the run, each with its fix. */
  readonly problems: string[];
  /** The backend's URL as the CLI reads it (`pulumi whoami`), when it could be read. */
  readonly backendUrl?: string;
}

const INSTALL = `install it (https://www.pulumi.com/docs/install/), version ${MIN_PULUMI_CLI} or later`;

/** Where the CLI was looked for, in words. */
function cliPlace(pulumiRoot: string | undefined): string {
  return pulumiRoot !== undefined ? `${pulumiRoot}/bin/pulumi (--pulumi-root)` : "pulumi on PATH";
}

/** Why the CLI cannot be used: not found, older than `MIN_PULUMI_CLI`, or `pulumi version` failed. */
export type CliFailure =
  | { readonly kind: "missing" }
  | { readonly kind: "too-old"; readonly version: string }
  | { readonly kind: "broken"; readonly message: string };

/** The problem of a CLI that cannot be used, with the fix. */
export function cliProblem(failure: CliFailure, pulumiRoot: string | undefined): string {
  const place = cliPlace(pulumiRoot);
  switch (failure.kind) {
    case "missing":
      return `the Pulumi CLI was not found (${place}): ${INSTALL}, and put it on PATH or pass --pulumi-root DIR (the folder holding bin/pulumi)`;
    case "too-old":
      return `the Pulumi CLI (${place}) is ${failure.version}; the fleet needs ${MIN_PULUMI_CLI} or later: upgrade it (https://www.pulumi.com/docs/install/) or pass --pulumi-root DIR with a newer one`;
    case "broken":
      return `the Pulumi CLI (${place}) cannot be used: ${firstLineOf(failure.message)}; ${INSTALL}`;
  }
}

/** Where the run's backend URL comes from: the fleet file, the environment, or neither (the CLI's login). */
export interface BackendSource {
  readonly fleetFile: string;
  /** The fleet file's `backend`. */
  readonly backend?: string;
  /** PULUMI_BACKEND_URL. */
  readonly envUrl?: string;
}

/**
 * The problem of a backend the CLI cannot read (`pulumi whoami` failed), naming where its URL came
 * from: the fleet file's `backend`, PULUMI_BACKEND_URL, or the CLI's own login.
 */
export function backendProblem(source: BackendSource, message: string): string {
  const where =
    source.backend !== undefined
      ? `${source.fleetFile}: backend ${source.backend}`
      : source.envUrl !== undefined
        ? `PULUMI_BACKEND_URL ${source.envUrl}`
        : "the Pulumi CLI's login (no backend in the fleet file, no PULUMI_BACKEND_URL)";
  const url = source.backend ?? source.envUrl ?? "";
  const fix = /^file:\/\//.test(url)
    ? "create the folder, or point it at the state folder (an absolute file:// folder is never created: a missing one may be an unmounted volume)"
    : /^(s3|gs|azblob):\/\//.test(url)
      ? "check the bucket's name and region and that the bot's credentials may read it"
      : source.backend === undefined && source.envUrl === undefined
        ? "set backend: in the fleet file or PULUMI_BACKEND_URL (e.g. s3://bucket/prefix or file://./state), or run pulumi login"
        : "check the URL, the network and the access token (PULUMI_ACCESS_TOKEN for Pulumi Cloud)";
  return `${where}: the backend cannot be read: ${firstLineOf(message)}; ${fix}`;
}

/** The first line of a message that says something (the CLI's own `error: …` line when it has one). */
function firstLineOf(message: string): string {
  const lines = message
    .split("\n")
    .map((l) => l.trim())
    .filter((l) => l !== "");
  const line =
    lines.map((l) => /\berror: .*/.exec(l)?.[0]).find((l) => l !== undefined) ?? lines[0] ?? "";
  return line.length > 300 ? `${line.slice(0, 299)}…` : line;
}
