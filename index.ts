// The per-account program: `pulumi up` puts IAM Access Analyzer in every enabled region of the
// account its credentials reach. Every setting is stack configuration (see README, "Configuration").

import * as pulumi from "@pulumi/pulumi";

import { AllRegionsAccessAnalyzer } from "./components";
import { ConfigError, parseProgramConfig } from "./program/config";

function readConfig() {
  try {
    return parseProgramConfig(pulumi.runtime.allConfig(), pulumi.getProject());
  } catch (err) {
    // A RunError prints its message alone, without a stack trace: the message is the fix.
    throw err instanceof ConfigError ? new pulumi.RunError(err.message) : err;
  }
}

const analyzer = new AllRegionsAccessAnalyzer("access-analyzer", readConfig());

/** The covered regions, sorted. */
export const regions = analyzer.regions;
/** Region → ARN of the external-access analyzer there. */
export const analyzerArns = analyzer.analyzerArns;
/** The unused-access analyzer's ARN, when `unusedAccess` is configured. */
export const unusedAccessAnalyzerArn = analyzer.unusedAccessAnalyzerArn;
