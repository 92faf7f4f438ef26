// Copyright 2026 The pulumi-access-analyzer-all-regions authors.
// SPDX-License-Identifier: Apache-2.0

import * as aws from "@pulumi/aws";
import * as pulumi from "@pulumi/pulumi";
import { z } from "zod";

import { secretProviderArgs } from "./allRegionsAccessAnalyzer";
import { type ArgumentProblem, genericMessage, problemsOf } from "./problems";
import {
  ACCESS_ANALYZER_PRINCIPAL,
  DEFAULTS,
  delegatedAdministratorShape,
  providerArgs as providerArgsSchema,
  regionCode,
} from "./schema";
import { type RegionalProviderArgs } from "./types";
import { formatProblems } from "./validation";

/** The component's Pulumi type token. Part of every child's URN: renaming it is a breaking change. */
export const DELEGATED_ADMINISTRATOR_TYPE =
  "access-analyzer:index:AccessAnalyzerDelegatedAdministrator";

/** The command that turns on trusted access for Access Analyzer, run in the management account. */
export const ENABLE_TRUSTED_ACCESS_COMMAND = `aws organizations enable-aws-service-access --service-principal ${ACCESS_ANALYZER_PRINCIPAL}`;

/** The arguments of {@link AccessAnalyzerDelegatedAdministrator}. */
export interface AccessAnalyzerDelegatedAdministratorArgs {
  /** The member account to register as Access Analyzer's delegated administrator (12 digits). */
  readonly accountId: string;
  /**
   * Turn on trusted access for Access Analyzer when it is off, by declaring
   * `aws.organizations.AwsServiceAccess` (kept in AWS when it leaves the stack). When false and
   * trusted access is off, the component fails with the command that turns it on.
   * @default false
   */
  readonly enableTrustedAccess?: boolean;
  /**
   * The region of the explicit provider (Organizations is global; this is where its calls go).
   * @default "us-east-1"
   */
  readonly region?: string;
  /** Settings of the explicit provider (credentials, `assumeRoles`, …); never the default provider. */
  readonly providerArgs?: RegionalProviderArgs;
}

/** How trusted access for Access Analyzer came to be on (the `trustedAccess` output). */
export const TrustedAccessStatus = {
  /** It was already on when the component ran. */
  Enabled: "enabled",
  /** The component turns it on (`enableTrustedAccess`), with `aws.organizations.AwsServiceAccess`. */
  Managed: "managed",
} as const;
export type TrustedAccessStatus = (typeof TrustedAccessStatus)[keyof typeof TrustedAccessStatus];

const argsSchema = z.strictObject({
  ...delegatedAdministratorShape,
  region: regionCode.optional(),
  providerArgs: providerArgsSchema.optional(),
});

/** Checks the arguments without asking AWS; an empty list means they are well formed. */
export function checkDelegatedAdministratorArgs(args: unknown): ArgumentProblem[] {
  const parsed = argsSchema.safeParse(args, { error: genericMessage });
  return parsed.success ? [] : problemsOf(parsed.error.issues, { schema: argsSchema });
}

const ARGS = Symbol("AccessAnalyzerDelegatedAdministratorArgs");
type ComponentInputs = pulumi.Inputs & {
  [ARGS]: { name: string; args: AccessAnalyzerDelegatedAdministratorArgs };
};

interface Built {
  readonly delegatedAdministrator: aws.organizations.DelegatedAdministrator;
  readonly trustedAccess: TrustedAccessStatus;
}

/**
 * Registers a member account as IAM Access Analyzer's delegated administrator, from the
 * organization's management account. That account may then create the organization analyzers.
 *
 * Before registering, it reads the organization through its own explicit provider: the caller must
 * be the management account, `accountId` a member other than it, and trusted access for
 * `access-analyzer.amazonaws.com` on (or `enableTrustedAccess` set).
 *
 * The registration is kept in AWS when it leaves the stack (`retainOnDelete`): deregistering the
 * delegated administrator disables every organization analyzer it owns, so that is never a side
 * effect of a program edit. Moving the role to another account is a deliberate step by hand
 * (`aws organizations deregister-delegated-administrator`), documented in docs/CONFIGURATION.md.
 */
export class AccessAnalyzerDelegatedAdministrator extends pulumi.ComponentResource<Built> {
  /** The registered delegated administrator's account id. */
  public readonly delegatedAdministratorAccountId: pulumi.Output<string>;
  /** `"enabled"`: trusted access was already on; `"managed"`: this component turns it on. */
  public readonly trustedAccess: pulumi.Output<TrustedAccessStatus>;

  /**
   * @throws pulumi.RunError when an argument is malformed; nothing is registered then.
   */
  constructor(
    name: string,
    args: AccessAnalyzerDelegatedAdministratorArgs,
    opts: pulumi.ComponentResourceOptions = {},
  ) {
    const problems = checkDelegatedAdministratorArgs(args);
    if (problems.length > 0) {
      throw new pulumi.RunError(
        formatProblems(
          `AccessAnalyzerDelegatedAdministrator "${name}" has invalid arguments:`,
          problems,
        ),
      );
    }
    const { providerArgs, ...rest } = args;
    const inputs: ComponentInputs = {
      ...rest,
      providerArgs: providerArgs ? Object.keys(providerArgs).sort() : undefined,
      [ARGS]: { name, args },
    };
    super(DELEGATED_ADMINISTRATOR_TYPE, name, inputs, opts);
    const built = this.getData();
    built.catch(() => undefined);
    this.delegatedAdministratorAccountId = pulumi
      .output(built)
      .apply((b) => b.delegatedAdministrator.accountId);
    this.trustedAccess = pulumi.output(built).apply((b) => b.trustedAccess);
  }

  /** @internal Reads the organization, checks it, then registers. Awaited by the base class. */
  protected async initialize(inputs: pulumi.Inputs): Promise<Built> {
    const { name, args } = (inputs as ComponentInputs)[ARGS];
    const region = args.region ?? DEFAULTS.lookupRegion;
    const provider = new aws.Provider(
      name,
      // Role chains (external ids) and web-identity tokens as secrets, as on the regional providers.
      { stsRegion: region, ...secretProviderArgs(args.providerArgs), region },
      { parent: this },
    );
    const invokeOpts = { provider, parent: this };
    const [caller, org] = await Promise.all([
      aws.getCallerIdentity({}, invokeOpts),
      aws.organizations.getOrganization({}, invokeOpts),
    ]);
    const fail = (message: string): never => {
      throw new pulumi.ResourceError(
        `AccessAnalyzerDelegatedAdministrator "${name}": ${message}`,
        this,
        /*hideStack*/ true,
      );
    };
    if (caller.accountId !== org.masterAccountId) {
      fail(
        `the caller is account ${caller.accountId}, not the management account ` +
          `${org.masterAccountId}; only the management account registers a delegated ` +
          `administrator: run this stack with credentials of ${org.masterAccountId}`,
      );
    }
    if (args.accountId === org.masterAccountId) {
      fail(
        `accountId ${args.accountId} is the management account itself; register a member ` +
          `account (AWS refuses to delegate to the management account)`,
      );
    }
    const member = org.accounts.find((a) => a.id === args.accountId);
    if (!member) {
      fail(
        `accountId ${args.accountId} is not a member of organization ${org.id}; ` +
          `pick one of its accounts`,
      );
    } else if (member.status !== "ACTIVE") {
      fail(`accountId ${args.accountId} is ${member.status}, not ACTIVE; pick an active member`);
    }

    const trusted = org.awsServiceAccessPrincipals.includes(ACCESS_ANALYZER_PRINCIPAL);
    let serviceAccess: aws.organizations.AwsServiceAccess | undefined;
    if (args.enableTrustedAccess) {
      // Declared for as long as the flag is on, whether or not trusted access was already on, and
      // kept in AWS when it leaves the stack: disabling trusted access would break every
      // organization analyzer.
      serviceAccess = new aws.organizations.AwsServiceAccess(
        `${name}-trusted-access`,
        { servicePrincipal: ACCESS_ANALYZER_PRINCIPAL },
        { parent: this, provider, retainOnDelete: true },
      );
    } else if (!trusted) {
      fail(
        `trusted access for ${ACCESS_ANALYZER_PRINCIPAL} is not enabled in organization ` +
          `${org.id}. Fix: run \`${ENABLE_TRUSTED_ACCESS_COMMAND}\` in the management account, ` +
          `or set enableTrustedAccess: true`,
      );
    }

    const delegatedAdministrator = new aws.organizations.DelegatedAdministrator(
      name,
      { accountId: args.accountId, servicePrincipal: ACCESS_ANALYZER_PRINCIPAL },
      {
        parent: this,
        provider,
        // Deregistering disables every organization analyzer of the administrator: never as a
        // side effect of a program edit or a destroy.
        retainOnDelete: true,
        dependsOn: serviceAccess ? [serviceAccess] : [],
      },
    );
    const trustedAccess = args.enableTrustedAccess
      ? TrustedAccessStatus.Managed
      : TrustedAccessStatus.Enabled;
    this.registerOutputs({
      delegatedAdministratorAccountId: delegatedAdministrator.accountId,
      trustedAccess,
    });
    return { delegatedAdministrator, trustedAccess };
  }
}
