// The per-account program: `pulumi up` puts IAM Access Analyzer in every enabled region of the
// account its credentials reach. Every setting is stack configuration (see docs/CONFIGURATION.md).

import * as pulumi from "@pulumi/pulumi";

import { AccessAnalyzerDelegatedAdministrator, AllRegionsAccessAnalyzer } from "./components";
import { ConfigError, readProgramConfig } from "./program/config";
import { EXTERNAL_ID_ENV, OUTPUTS, programIdentity, settingsFingerprint } from "./program/contract";
import { NODE_IO } from "./program/identity";

function readConfig() {
  try {
    return readProgramConfig(pulumi.runtime.allConfig(), pulumi.getProject(), process.env);
  } catch (err) {
    // A RunError prints its message alone, without a stack trace: the message is the fix.
    throw err instanceof ConfigError ? new pulumi.RunError(err.message) : err;
  }
}

const config = readConfig();

// A registration stack (config `delegatedAdministrator`, in the management account) registers
// Access Analyzer's delegated administrator and creates no analyzers; every other stack creates
// the analyzers.
const registration =
  config.kind === "delegatedAdministrator"
    ? new AccessAnalyzerDelegatedAdministrator(
        "access-analyzer-delegated-administrator",
        config.args,
        {
          protect: config.protect,
        },
      )
    : undefined;
const analyzer =
  config.kind === "analyzers"
    ? new AllRegionsAccessAnalyzer("access-analyzer", config.args)
    : undefined;

/**
 * The stack's outputs (program/contract.ts `OUTPUTS`): only those this stack has. An output that is
 * not configured is left out rather than exported as undefined, which the engine would warn about
 * on every run ("Undefined value … will not show as a stack output").
 */
interface ProgramOutputs {
  /** The covered regions, sorted. */
  regions?: pulumi.Output<string[]>;
  /** Region → ARN of the external-access (ACCOUNT) analyzer there. */
  analyzerArns?: pulumi.Output<Record<string, string>>;
  /** The unused-access analyzer's ARN, when `unusedAccess` is configured. */
  unusedAccessAnalyzerArn?: pulumi.Output<string | undefined>;
  /** Region → ARN of the ORGANIZATION analyzer there; {} when `organization.externalAccess` is off. */
  organizationAnalyzerArns?: pulumi.Output<Record<string, string>>;
  /** The ORGANIZATION_UNUSED_ACCESS analyzer's ARN, when configured. */
  organizationUnusedAccessAnalyzerArn?: pulumi.Output<string | undefined>;
  /** Region → ARN of the ACCOUNT_INTERNAL_ACCESS analyzer there; {} when `internalAccess` is off. */
  internalAccessAnalyzerArns?: pulumi.Output<Record<string, string>>;
  /** The ORGANIZATION_INTERNAL_ACCESS analyzer's ARN, when configured. */
  organizationInternalAccessAnalyzerArn?: pulumi.Output<string | undefined>;
  /** The registered delegated administrator, on the registration stack only. */
  delegatedAdministratorAccountId?: pulumi.Output<string>;
  /**
   * The settings fingerprint of this run (program/contract.ts): the config, the program's identity
   * and whether an external id is set, hashed. It resolves only once every analyzer the stack
   * declares has its ARN, so a run that failed to create or update one records none (the root
   * stack's outputs are all dropped then). The fleet bot compares it with the config it would
   * write to skip the engine where nothing can differ (docs/CONTRACTS.md).
   */
  fingerprint?: pulumi.Output<string>;
}

const outputs: ProgramOutputs = {};
if (registration) {
  outputs[OUTPUTS.delegatedAdministratorAccountId] = registration.delegatedAdministratorAccountId;
}
if (analyzer && config.kind === "analyzers") {
  const args = config.args;
  outputs[OUTPUTS.regions] = analyzer.regions;
  outputs[OUTPUTS.analyzerArns] = analyzer.analyzerArns;
  outputs[OUTPUTS.organizationAnalyzerArns] = analyzer.organizationAnalyzerArns;
  outputs[OUTPUTS.internalAccessAnalyzerArns] = analyzer.internalAccessAnalyzerArns;
  if (args.unusedAccess) {
    outputs[OUTPUTS.unusedAccessAnalyzerArn] = analyzer.unusedAccessAnalyzerArn;
  }
  if (args.organization?.unusedAccess) {
    outputs[OUTPUTS.organizationUnusedAccessAnalyzerArn] =
      analyzer.organizationUnusedAccessAnalyzerArn;
  }
  if (args.organization?.internalAccess) {
    outputs[OUTPUTS.organizationInternalAccessAnalyzerArn] =
      analyzer.organizationInternalAccessAnalyzerArn;
  }
  outputs[OUTPUTS.fingerprint] = pulumi
    .all([
      analyzer.analyzerArns,
      analyzer.unusedAccessAnalyzerArn,
      analyzer.organizationAnalyzerArns,
      analyzer.organizationUnusedAccessAnalyzerArn,
      analyzer.internalAccessAnalyzerArns,
      analyzer.organizationInternalAccessAnalyzerArn,
    ])
    .apply(() =>
      settingsFingerprint(
        pulumi.runtime.allConfig(),
        programIdentity(__dirname, NODE_IO),
        (process.env[EXTERNAL_ID_ENV] ?? "") !== "",
      ),
    );
}

export = outputs;
