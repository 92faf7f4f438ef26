/** The Pulumi workspace every command of a run shares: its environment, backend and checks. Pure. */
import { PROJECT_NAME } from "../../program/contract";

/**
 * Variables the bot adds to every Pulumi command (on top of its own environment, which passes
 * through unchanged: AWS_*, PULUMI_CONFIG_PASSPHRASE, AWS_ENDPOINT_URL, PATH, …).
 * The fleet file's `backend` wins over PULUMI_BACKEND_URL; a relative `file://./dir` is resolved
 * against the fleet file's folder so the state lands in the same place wherever the bot runs from.
 */
export function workspaceEnv(
  fleet: { backend?: string },
  fleetDir: string,
  resolve: (...parts: string[]) => string,
): Record<string, string> {
  const env: Record<string, string> = { PULUMI_SKIP_UPDATE_CHECK: "true" };
  if (fleet.backend !== undefined) {
    const local = relativeBackendDir(fleet, fleetDir, resolve);
    env.PULUMI_BACKEND_URL = local !== undefined ? `file://${local}` : fleet.backend;
  }
  return env;
}

/**
 * The folder of a relative `file://./dir` backend, resolved against the fleet file's folder; the
 * bot creates it when it is missing. Undefined for any other backend (an absolute `file://` path
 * that is missing may be an unmounted volume, so it is never created).
 */
export function relativeBackendDir(
  fleet: { backend?: string },
  fleetDir: string,
  resolve: (...parts: string[]) => string,
): string | undefined {
  const relative = /^file:\/\/(\.\.?(\/.*)?)$/.exec(fleet.backend ?? "");
  return relative ? resolve(fleetDir, relative[1]) : undefined;
}

/**
 * Problems to report before anything runs: settings the engine would only trip over once per
 * stack. Names variables, never their values. `loggedIn`: the backend the CLI's login names
 * (`pulumi whoami`), for a run whose fleet file and environment name none.
 */
export function preflightProblems(
  fleet: { backend?: string; secretsProvider?: string },
  env: Record<string, string | undefined>,
  loggedIn?: string,
): string[] {
  const problems: string[] = [];
  const backend = fleet.backend ?? env.PULUMI_BACKEND_URL ?? loggedIn ?? "";
  const usesPassphrase =
    fleet.secretsProvider === "passphrase" ||
    (fleet.secretsProvider === undefined && /^(file|s3|azblob|gs):\/\//.test(backend));
  if (
    usesPassphrase &&
    env.PULUMI_CONFIG_PASSPHRASE === undefined &&
    env.PULUMI_CONFIG_PASSPHRASE_FILE === undefined
  ) {
    problems.push(
      "the passphrase secrets provider needs PULUMI_CONFIG_PASSPHRASE or PULUMI_CONFIG_PASSPHRASE_FILE in the environment " +
        '(or set secretsProvider: "awskms://…" in the fleet file)',
    );
  }
  return problems;
}

/** Checks that `Pulumi.yaml` (its parsed content) is the per-account program the config is for. */
export function projectProblem(projectFile: string, project: unknown): string | undefined {
  const name = (project as { name?: unknown } | null)?.name;
  if (name !== PROJECT_NAME) {
    return `${projectFile}: project name is ${JSON.stringify(name)}, but the fleet sets "${PROJECT_NAME}:*" config; point --work-dir at the access-analyzer program`;
  }
  return undefined;
}
