/**
 * The Pulumi edge as the command line uses it. `fleet/run/` is the only folder that imports
 * `@pulumi/pulumi/automation`; the command line requires this module lazily (fleet/cli.ts), so `--help`
 * and `validate` never load the Automation API.
 */
import type { StackRunner } from "../domain/runner";
import { type StackRunnerOptions } from "../domain/runner";
import { AutomationStackRunner } from "./automation";
import { startReaper } from "./reaper";
import { useRunTempDir } from "./tempDir";

export type { StackRunnerOptions } from "../domain/runner";

/**
 * The stack runner of this process's run. Every engine and plugin it starts dies with the bot, even
 * when the bot is killed with SIGKILL (./reaper.ts); its temporary files go with it (./tempDir.ts).
 */
export function createStackRunner(options: StackRunnerOptions): StackRunner {
  const tempDir = useRunTempDir();
  return new AutomationStackRunner({
    ...options,
    envVars: { ...options.envVars, ...startReaper(undefined, tempDir), TMPDIR: tempDir },
  });
}
