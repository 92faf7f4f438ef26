// The per-account program: `pulumi up` puts IAM Access Analyzer in every enabled region of the
// account its credentials reach. Every setting is stack configuration (see README, "Configuration").

import * as pulumi from "@pulumi/pulumi";

import { AccessAnalyzerDelegatedAdministrator, AllRegionsAccessAnalyzer } from "./components";
import { ConfigError, readProgramConfig } from "./program/config";
import { EXTERNAL_ID_ENV, programIdentity, settingsFingerprint } from "./program/contract";
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

/** The covered regions, sorted. */
export const regions = analyzer?.regions;
/** Region → ARN of the external-access (ACCOUNT) analyzer there. */
export const analyzerArns = analyzer?.analyzerArns;
/** The unused-access analyzer's ARN, when `unusedAccess` is configured. */
export const unusedAccessAnalyzerArn = analyzer?.unusedAccessAnalyzerArn;
/** Region → ARN of the ORGANIZATION analyzer there; {} when `organization.externalAccess` is off. */
export const organizationAnalyzerArns = analyzer?.organizationAnalyzerArns;
/** The ORGANIZATION_UNUSED_ACCESS analyzer's ARN, when configured. */
export const organizationUnusedAccessAnalyzerArn = analyzer?.organizationUnusedAccessAnalyzerArn;
/** Region → ARN of the ACCOUNT_INTERNAL_ACCESS analyzer there; {} when `internalAccess` is off. */
export const internalAccessAnalyzerArns = analyzer?.internalAccessAnalyzerArns;
/** The ORGANIZATION_INTERNAL_ACCESS analyzer's ARN, when configured. */
export const organizationInternalAccessAnalyzerArn =
  analyzer?.organizationInternalAccessAnalyzerArn;
/**
 * The settings fingerprint of this run (program/contract.ts): the config, the program's identity
 * and whether an external id is set, hashed. It resolves only once every analyzer the stack
 * declares has its ARN, so a run that failed to create or update one records none (the root
 * stack's outputs are all dropped then). The fleet bot compares it with the config it would write
 * to skip the engine where nothing can differ (docs/CONTRACTS.md).
 */
export const fingerprint = analyzer
  ? pulumi
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
      )
  : undefined;
/** The registered delegated administrator, on the registration stack only. */
export const delegatedAdministratorAccountId = registration?.delegatedAdministratorAccountId;
