/** What the command line takes from the process, so tests can drive it with fakes. */
import { type AccountReader } from "../domain/account";
import { type ArchiveRuleClient } from "../domain/archiveRules";
import { type FindingsAccountReader } from "../domain/findings";
import { type AccountSelection } from "../domain/organization";
import { type StackRunner } from "../domain/results";
import { type AutomationRunnerOptions } from "../run/automation";
import { type OrganizationSettings } from "../settings/schema";
import { type Target } from "../settings/types";

export interface CliDeps {
  readonly stdout: (text: string) => void;
  readonly stderr: (text: string) => void;
  readonly env: Record<string, string | undefined>;
  readonly cwd: string;
  readonly memory: () => { total: number; free: number };
  readonly createRunner: (options: AutomationRunnerOptions) => StackRunner;
  /** Subscribes to SIGINT/SIGTERM; returns the unsubscribe function. */
  readonly onSignal: (handler: (signal: "SIGINT" | "SIGTERM") => void) => () => void;
  /** Whether a person at a terminal runs the bot (Ctrl-C then reaches the engines directly). */
  readonly interactive: boolean;
  /** Immediate exit, used only on the third Ctrl-C. */
  readonly exit: (code: number) => void;
  readonly now: () => Date;
  /** Default --work-dir: the package root holding Pulumi.yaml, if found. */
  readonly programDir?: string;
  /**
   * `audit`: how to read one account. Default: the AWS SDK (`fleet/auditSdk.ts`) from the bot's
   * own credentials, as the fleet file says.
   */
  /**
   * Reads the organization's accounts (fleet files with `organization:`). Default: the AWS SDK
   * (`fleet/organization.ts` discoverAccounts) from the bot's own credentials.
   */
  readonly discoverAccounts?: (
    settings: OrganizationSettings,
    options: { signal?: AbortSignal },
  ) => Promise<AccountSelection>;
  readonly createAccountReader?: (
    target: Target,
    options: { signal?: AbortSignal },
  ) => AccountReader;
  /**
   * `up`: how to apply archive rules in one account. Default: the AWS SDK
   * (`fleet/auditSdk.ts` SdkArchiveRuleClient), through the fleet file's role.
   */
  readonly createArchiveRuleClient?: (
    target: Target,
    options: { signal?: AbortSignal },
  ) => ArchiveRuleClient;
  /** `findings`: how to read one account. Default: the AWS SDK reader `audit` uses. */
  readonly createFindingsReader?: (
    target: Target,
    options: { signal?: AbortSignal },
  ) => FindingsAccountReader;
}
