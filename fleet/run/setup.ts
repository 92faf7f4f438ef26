/**
 * The Pulumi set-up, read before any stack starts (fleet/domain/setup.ts says what each failure
 * means): `pulumi version` (the Automation API's `PulumiCommand.get`), its version against the
 * fleet's minimum, then `pulumi whoami` in the program's workspace, which reads the backend (a file
 * backend's folder, a bucket's `.pulumi/meta.yaml`, Pulumi Cloud's API) and says its URL.
 */
import {
  LocalWorkspace,
  type LocalWorkspaceOptions,
  type PulumiCommand,
} from "@pulumi/pulumi/automation";
import {
  type BackendSource,
  type CliFailure,
  MIN_PULUMI_CLI,
  type SetupCheck,
  backendProblem,
  cliProblem,
} from "../domain/setup";

const messageOf = (error: unknown): string =>
  error instanceof Error ? error.message : String(error);

/** The Automation API's own switch for its version check; it turns this one off too. */
const SKIP_VERSION_CHECK = "PULUMI_AUTOMATION_API_SKIP_VERSION_CHECK";

/** Why `PulumiCommand.get` failed: no such file (ENOENT, the CLI's code -2), or something else. */
function failureOf(error: unknown): CliFailure {
  const code = (error as { commandResult?: { code?: unknown } }).commandResult?.code;
  return code === -2 || /\bENOENT\b/.test(messageOf(error))
    ? { kind: "missing" }
    : { kind: "broken", message: messageOf(error) };
}

export interface SetupInputs {
  /** The CLI (PulumiCommand.get). */
  readonly command: () => Promise<PulumiCommand>;
  /** The workspace options of the run (the CLI above, the backend in `envVars`). */
  readonly workspace: () => Promise<LocalWorkspaceOptions>;
  readonly pulumiRoot?: string;
  readonly source: BackendSource;
  readonly env?: Record<string, string | undefined>;
}

/** Checks the CLI, then the backend; a missing or too-old CLI stops before the backend is read. */
export async function checkPulumiSetup(inputs: SetupInputs): Promise<SetupCheck> {
  let command: PulumiCommand;
  try {
    command = await inputs.command();
  } catch (error) {
    return { problems: [cliProblem(failureOf(error), inputs.pulumiRoot)] };
  }
  const { version } = command;
  if (
    !(inputs.env ?? process.env)[SKIP_VERSION_CHECK] &&
    version &&
    version.compare(MIN_PULUMI_CLI) < 0
  ) {
    return {
      problems: [cliProblem({ kind: "too-old", version: version.version }, inputs.pulumiRoot)],
    };
  }
  try {
    const workspace = await LocalWorkspace.create(await inputs.workspace());
    const { url } = await workspace.whoAmI();
    return { problems: [], ...(url !== undefined && url !== "" ? { backendUrl: url } : {}) };
  } catch (error) {
    return { problems: [backendProblem(inputs.source, messageOf(error))] };
  }
}
