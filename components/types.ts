// Copyright 2026 The pulumi-access-analyzer-all-regions authors.
// SPDX-License-Identifier: Apache-2.0

import type * as aws from "@pulumi/aws";
import type * as pulumi from "@pulumi/pulumi";

/**
 * Which view of these types is compiled. TypeScript callers see the default (empty) one. The
 * component provider's schema (provider/schema.json) is inferred from the schema view, which only
 * provider/schemaView.ts turns on, in the provider's own TypeScript program: the inference of
 * `@pulumi/pulumi` 3.248 maps neither a removed field (`never`) nor a union of a boolean and an
 * object, so those two TypeScript conveniences ({@link OrTypeScriptOnly}) are left out of it.
 * Every value the schema view accepts is accepted by TypeScript callers too.
 */
// eslint-disable-next-line @typescript-eslint/no-empty-object-type
export interface TypeView {}

/** `Schema` in the schema view (see {@link TypeView}); `Schema | Extra` for TypeScript callers. */
export type OrTypeScriptOnly<Schema, Extra> = TypeView extends { readonly schema: true }
  ? Schema
  : Schema | Extra;

/**
 * The zone of trust of the external-access analyzers.
 *
 * Member accounts keep `ACCOUNT`: Security Hub control IAM.28 (CIS 1.19) does not count an
 * organization analyzer, so every account needs its own account-zone analyzer in every region.
 * `ORGANIZATION` is for the management account or the delegated administrator, on top of that.
 */
export type AnalyzerZone = "ACCOUNT" | "ORGANIZATION";

/**
 * How the regional resources reach AWS.
 *
 * - `"per-region"`: an explicit `aws.Provider` per covered region, plus one for the region lookup.
 *   The engine starts one `pulumi-resource-aws` process per provider, one after another: 18
 *   processes for 17 regions, 170–430 MB each (pulumi-aws#5226, #5860), so 3–7 GB per stack.
 * - `"single"`: one provider in `lookupRegion` serves the lookup and every region; each regional
 *   resource carries its own `region` input (`@pulumi/aws` v7). One plugin process per stack.
 *   `providerFor(region)` then returns that one provider, so resources an embedding program
 *   attaches must carry `region` themselves: use {@link AllRegionsAccessAnalyzer.resourceOptionsFor}
 *   and {@link AllRegionsAccessAnalyzer.regionArgs}.
 */
export const ProviderMode = {
  /** An explicit provider (and plugin process) per covered region. */
  PerRegion: "per-region",
  /** One provider in `lookupRegion` for every region, through each resource's `region` input. */
  Single: "single",
} as const;
export type ProviderMode = (typeof ProviderMode)[keyof typeof ProviderMode];

/**
 * Every `aws.ProviderArgs` field except `region`, which the component sets per region. Each field
 * has `aws.ProviderArgs`' own type; they are listed one by one (rather than `Omit<…>`) so that the
 * component provider's schema inference sees their types and docs. The unit tests fail when
 * `@pulumi/aws` adds or drops a field.
 */
export interface RegionalProviderArgs {
  /** The access key for API calls; prefer a profile or assumed roles to long-term keys. */
  readonly accessKey?: aws.ProviderArgs["accessKey"];
  /** Accounts the provider may work in; any other fails before a call is made. */
  readonly allowedAccountIds?: aws.ProviderArgs["allowedAccountIds"];
  /** A role to assume with a web identity token (OIDC). */
  readonly assumeRoleWithWebIdentity?: aws.ProviderArgs["assumeRoleWithWebIdentity"];
  /** Roles to assume, in order: each with the credentials of the one before. An `externalId` here is kept secret in the state. */
  readonly assumeRoles?: aws.ProviderArgs["assumeRoles"];
  /** A file of extra root and intermediate certificates to trust. */
  readonly customCaBundle?: aws.ProviderArgs["customCaBundle"];
  /** Tags the provider adds to every resource it manages. */
  readonly defaultTags?: aws.ProviderArgs["defaultTags"];
  /** The address of the EC2 instance metadata service. */
  readonly ec2MetadataServiceEndpoint?: aws.ProviderArgs["ec2MetadataServiceEndpoint"];
  /** The protocol of the instance metadata service endpoint: `IPv4` or `IPv6`. */
  readonly ec2MetadataServiceEndpointMode?: aws.ProviderArgs["ec2MetadataServiceEndpointMode"];
  /** Custom endpoints per AWS service. */
  readonly endpoints?: aws.ProviderArgs["endpoints"];
  /** Accounts the provider must not work in. */
  readonly forbiddenAccountIds?: aws.ProviderArgs["forbiddenAccountIds"];
  /** The proxy for HTTP requests to AWS. */
  readonly httpProxy?: aws.ProviderArgs["httpProxy"];
  /** The proxy for HTTPS requests to AWS. */
  readonly httpsProxy?: aws.ProviderArgs["httpsProxy"];
  /** Tags the provider leaves alone on every resource. */
  readonly ignoreTags?: aws.ProviderArgs["ignoreTags"];
  /** Accept TLS certificates that cannot be verified. */
  readonly insecure?: aws.ProviderArgs["insecure"];
  /** How often a failed AWS API call is retried. */
  readonly maxRetries?: aws.ProviderArgs["maxRetries"];
  /** Comma-separated hosts that are reached without a proxy. */
  readonly noProxy?: aws.ProviderArgs["noProxy"];
  /** The shared-config profile to take credentials from. */
  readonly profile?: aws.ProviderArgs["profile"];
  /** How calls are retried: `standard` or `adaptive`. */
  readonly retryMode?: aws.ProviderArgs["retryMode"];
  /** `legacy` or `regional`: which S3 endpoint `us-east-1` uses. */
  readonly s3UsEast1RegionalEndpoint?: aws.ProviderArgs["s3UsEast1RegionalEndpoint"];
  /** Address S3 buckets by path rather than by host name. */
  readonly s3UsePathStyle?: aws.ProviderArgs["s3UsePathStyle"];
  /** The secret key for API calls; the provider keeps it secret in the state. */
  readonly secretKey?: aws.ProviderArgs["secretKey"];
  /** Shared config files to read instead of `~/.aws/config`. */
  readonly sharedConfigFiles?: aws.ProviderArgs["sharedConfigFiles"];
  /** Shared credentials files to read instead of `~/.aws/credentials`. */
  readonly sharedCredentialsFiles?: aws.ProviderArgs["sharedCredentialsFiles"];
  /** Do not check the credentials with STS first. */
  readonly skipCredentialsValidation?: aws.ProviderArgs["skipCredentialsValidation"];
  /** Do not ask the EC2 metadata service for credentials. */
  readonly skipMetadataApiCheck?: aws.ProviderArgs["skipMetadataApiCheck"];
  /**
   * Accept region names the provider does not know.
   * @default true (set by the component)
   */
  readonly skipRegionValidation?: aws.ProviderArgs["skipRegionValidation"];
  /** Do not look up the account id. */
  readonly skipRequestingAccountId?: aws.ProviderArgs["skipRequestingAccountId"];
  /**
   * The region whose STS checks credentials and assumes roles.
   * @default `lookupRegion` (set by the component)
   */
  readonly stsRegion?: aws.ProviderArgs["stsRegion"];
  /** How organization tag policies are enforced: `error`, `warning` or `disabled`. */
  readonly tagPolicyCompliance?: aws.ProviderArgs["tagPolicyCompliance"];
  /** The session token of temporary credentials; the provider keeps it secret in the state. */
  readonly token?: aws.ProviderArgs["token"];
  /** The capacity of the AWS SDK's client-side rate limiter. */
  readonly tokenBucketRateLimiterCapacity?: aws.ProviderArgs["tokenBucketRateLimiterCapacity"];
  /** Use dual-stack (IPv6) endpoints. */
  readonly useDualstackEndpoint?: aws.ProviderArgs["useDualstackEndpoint"];
  /** Use FIPS endpoints. */
  readonly useFipsEndpoint?: aws.ProviderArgs["useFipsEndpoint"];
  /** Product details appended to the User-Agent of every call. */
  readonly userAgents?: aws.ProviderArgs["userAgents"];
}

/** One exclusion of the unused-access analysis: accounts, or principals carrying all these tags. */
export interface UnusedAccessExclusion {
  /** Accounts whose IAM roles and users are not analyzed (organization analyzers only). */
  readonly accountIds?: string[];
  /** Roles and users carrying these tags are not analyzed; each map is one set of tags. */
  readonly resourceTags?: Record<string, string>[];
}

/**
 * The one unused-access analyzer. Unused access is about IAM, which is global, so a single
 * analyzer in a single home region sees the whole account; it is billed per role and user analyzed,
 * per analyzer, so one in every region would multiply the bill and add nothing.
 */
export interface UnusedAccessArgs {
  /** The home region. It must be one of the covered regions. */
  readonly region: string;
  /**
   * Days without use after which access is reported as unused, 1–365.
   * @default 90
   */
  readonly unusedAccessAge?: number;
  /**
   * The analyzer's name; it must differ from `analyzerName`.
   * @default "unused-access"
   */
  readonly analyzerName?: string;
  /** Principals left out of the analysis. */
  readonly exclusions?: UnusedAccessExclusion[];
}

/** One inclusion of an internal-access analysis: resources of these types or ARNs. */
export interface InternalAccessInclusion {
  /** Resource types to analyze, e.g. `AWS::S3::Bucket`. */
  readonly resourceTypes?: string[];
  /** Resource ARNs to analyze. */
  readonly resourceArns?: string[];
}

/** One inclusion of an organization internal-access analysis; may also name accounts. */
export interface OrganizationInternalAccessInclusion extends InternalAccessInclusion {
  /** Accounts whose resources are analyzed. */
  readonly accountIds?: string[];
}

/** The analysis rule of an internal-access analyzer. */
export interface InternalAccessAnalysisRule {
  /** Only resources matching one of the inclusions are analyzed (and billed). */
  readonly inclusions: InternalAccessInclusion[];
}

/** The analysis rule of the organization internal-access analyzer. */
export interface OrganizationInternalAccessAnalysisRule {
  /** Only resources matching one of the inclusions are analyzed (and billed). */
  readonly inclusions: OrganizationInternalAccessInclusion[];
}

/** `ACCOUNT_INTERNAL_ACCESS` analyzers, one per region. */
export interface InternalAccessArgs {
  /**
   * The analyzers' name.
   * @default "internal-access"
   */
  readonly analyzerName?: string;
  /**
   * The regions to analyze; each must be covered.
   * @default every covered region
   */
  readonly regions?: string[];
  /** Only resources matching one of the inclusions are analyzed (and billed). */
  readonly analysisRule?: InternalAccessAnalysisRule;
}

/** The external-access analyzers of the organization's zone of trust. */
export interface OrganizationExternalAccessArgs {
  /**
   * The analyzers' name.
   * @default "organization-external-access"
   */
  readonly analyzerName?: string;
}

/** The one `ORGANIZATION_INTERNAL_ACCESS` analyzer (AWS allows one per organization). */
export interface OrganizationInternalAccessArgs {
  /** Its home region; it must be covered. */
  readonly region: string;
  /**
   * Its name.
   * @default "organization-internal-access"
   */
  readonly analyzerName?: string;
  /** Only resources matching one of the inclusions are analyzed (and billed). */
  readonly analysisRule?: OrganizationInternalAccessAnalysisRule;
}

/** Organization analyzers: for the management account or the delegated administrator only. */
export interface OrganizationAnalyzersArgs {
  /**
   * `ORGANIZATION` external-access analyzers in every covered region (`<name>-org-<region>`).
   * `true` (TypeScript) or `{}` uses the default name.
   * @default false
   */
  readonly externalAccess?: OrTypeScriptOnly<OrganizationExternalAccessArgs, boolean>;
  /**
   * One `ORGANIZATION_UNUSED_ACCESS` analyzer in its home region (`<name>-org-unused-access`);
   * its `analyzerName` defaults to `"organization-unused-access"`.
   * @default none
   */
  readonly unusedAccess?: UnusedAccessArgs;
  /**
   * The one `ORGANIZATION_INTERNAL_ACCESS` analyzer, in its home region
   * (`<name>-org-internal-access`).
   * @default none
   */
  readonly internalAccess?: OrganizationInternalAccessArgs;
}

/** The values of an archive rule filter's `exists`: a string, as AWS takes it. */
export const ArchiveRuleFilterExists = {
  /** Matches when the finding has the property. */
  True: "true",
  /** Matches when the finding does not have the property. */
  False: "false",
} as const;
export type ArchiveRuleFilterExists =
  (typeof ArchiveRuleFilterExists)[keyof typeof ArchiveRuleFilterExists];

/** One filter of an archive rule: findings whose `criteria` matches are archived. */
export interface ArchiveRuleFilterArgs {
  /** The finding property to match, e.g. `resourceType`, `isPublic`, `principal.AWS`. */
  readonly criteria: string;
  /** Matches when the property equals one of these. */
  readonly eqs?: string[];
  /** Matches when the property equals none of these. */
  readonly neqs?: string[];
  /** Matches when the property contains one of these. */
  readonly contains?: string[];
  /** `"true"` or `"false"`: matches when the property is (not) present. */
  readonly exists?: ArchiveRuleFilterExists;
}

/**
 * An archive rule, created on every regional external-access analyzer.
 *
 * AWS applies a new rule only to findings that arrive after it exists; findings already there stay
 * active until `ApplyArchiveRule` is called (or they are archived by hand).
 */
export interface ArchiveRuleArgs {
  /** The rule's name, unique per analyzer: a letter, then letters, digits, `_`, `.` or `-`. */
  readonly name: string;
  /** All filters must match for a finding to be archived. */
  readonly filters: ArchiveRuleFilterArgs[];
}

/** Settings that only TypeScript callers have (none in the schema view, see {@link TypeView}). */
interface TypeScriptOnlyArgs {
  /**
   * Removed: giving it is an error. The `ACCOUNT` external-access analyzers are always kept (what
   * Security Hub IAM.28 counts); use {@link AllRegionsAccessAnalyzerArgs.organization} for
   * `ORGANIZATION` analyzers. See docs/CONFIGURATION.md, "Migrating from type: ORGANIZATION".
   * @deprecated replaced by `organization: { externalAccess: true }`.
   */
  readonly type?: never;
}

/** The arguments of {@link AllRegionsAccessAnalyzer}. */
export interface AllRegionsAccessAnalyzerArgs extends Pick<
  TypeScriptOnlyArgs,
  OrTypeScriptOnly<never, keyof TypeScriptOnlyArgs>
> {
  /**
   * The regions to cover. Each must be enabled in the account.
   * @default every region the account has enabled, discovered with `aws.getRegions`
   */
  readonly regions?: string[];
  /**
   * Regions to leave out. A region that is not enabled (yet) is allowed and only warned about.
   * @default []
   */
  readonly excludeRegions?: string[];
  /**
   * The region that answers the enabled-regions lookup (always, also when `regions` is given:
   * a listed region may not be enabled) and the default
   * `stsRegion` of every provider. Set it to a region of your partition outside the commercial one
   * (e.g. `us-gov-west-1`).
   * @default "us-east-1"
   */
  readonly lookupRegion?: string;
  /**
   * Settings applied to every regional `aws.Provider` and to the region lookup: credentials,
   * `profile`, `assumeRoles`, `defaultTags`, `allowedAccountIds`, `endpoints`, `skip*` flags.
   * Explicit providers ignore the stack's `aws:*` configuration (pulumi-aws#1307), so this is the
   * only way settings reach them. `skipRegionValidation` defaults to `true`: the regions come from
   * the account itself, and an older provider build would otherwise reject a newly launched one.
   * `stsRegion` defaults to `lookupRegion`: STS in an opt-in region rejects callers whose own
   * account has not enabled that region, so roles are assumed through a default-enabled region.
   * @default {} (the AWS SDK's default credential chain)
   */
  readonly providerArgs?: RegionalProviderArgs;
  /**
   * The name of the external-access analyzer in each region: a letter, then letters, digits, `_`,
   * `.` or `-`, 1–255 characters. Names are unique per account and region, so the same name is
   * used in every region. Changing it replaces every analyzer (their findings go with them).
   * @default "external-access"
   */
  readonly analyzerName?: string;
  /**
   * One `ACCOUNT_UNUSED_ACCESS` analyzer in one home region (`<name>-unused-access`).
   * @default none
   */
  readonly unusedAccess?: UnusedAccessArgs;
  /**
   * `ACCOUNT_INTERNAL_ACCESS` analyzers (`<name>-internal-<region>`): who inside the account can
   * reach critical resources. Regional, and billed per resource monitored.
   * @default none
   */
  readonly internalAccess?: InternalAccessArgs;
  /**
   * Organization analyzers, beside (never instead of) the `ACCOUNT` ones. Only the management
   * account or the registered delegated administrator may create them; AWS refuses any other.
   * @default none
   */
  readonly organization?: OrganizationAnalyzersArgs;
  /**
   * Archive rules created on every regional external-access analyzer (at most 100).
   * @default []
   */
  readonly archiveRules?: ArchiveRuleArgs[];
  /**
   * Tags on every analyzer (Security Hub IAM.23 checks that analyzers are tagged). AWS's rules:
   * at most 50, keys 1–128 characters not starting with `aws:`, values up to 256 characters.
   * @default {}
   */
  readonly tags?: pulumi.Input<Record<string, pulumi.Input<string>>>;
  /**
   * Protect every analyzer: Pulumi refuses to delete or replace one until this is turned off.
   * Use it in production; an analyzer holds findings and their archive state, which are lost when
   * it is deleted.
   * @default false
   */
  readonly protect?: boolean;
  /**
   * Keep analyzers (and their archive rules) in AWS when they leave the stack (a region is
   * excluded, or the stack is destroyed).
   * @default false
   */
  readonly retainOnDelete?: boolean;
  /**
   * One provider (and plugin process) per region, or one for all regions; see {@link ProviderMode}
   * for the memory trade-off. Switching a deployed stack keeps every analyzer and archive rule
   * (same URNs and ids); the per-region providers leave the state (no AWS call).
   * @default "per-region"
   */
  readonly providerMode?: ProviderMode;
  /**
   * Analyzers that already exist, to take into the stack instead of creating one: region → the
   * existing analyzer's name, or `name@region`. That region's analyzer gets this name and Pulumi's
   * `import` option with the entry as its ID, exactly as given, so its findings and archive state
   * are kept. The engine imports once: a resource whose state recorded the same ID is not imported
   * again, and a *different* ID makes it import again as a replacement (see `allowDelete` for why
   * that no longer loses the analyzer). So keep an entry as it was when the analyzer was adopted;
   * the fleet bot passes back the ID the state recorded.
   *
   * A plain name is read in its provider's region (the engine imports by ID alone): its analyzer
   * stays on its own region's provider in both provider modes (in `"single"` mode that region keeps
   * one more plugin process). `name@region` is read in that region through any provider (in
   * `"single"` mode, the one). Either way the ID never depends on the mode, so a mode switch never
   * imports, and never replaces, an adopted analyzer.
   *
   * Adopted analyzers are guarded: `protect` and `retainOnDelete` are on for each unless
   * `allowDelete` names it, and an entry whose region is not covered is an error.
   * @default {}
   */
  readonly adopt?: Record<string, string>;
  /**
   * Adopted analyzers the stack may delete or replace, each as `name@region` (`adopt`'s name and
   * region). Every other adopted analyzer existed before the stack and holds findings and archive
   * state: it is `protect`ed (the engine refuses to delete or replace it: in a preview, before
   * anything changes) and `retainOnDelete` (the engine paths that skip `protect`, such as an import
   * replacement, drop it from the state and leave it in AWS). Naming one here lifts both (unless
   * `protect`/`retainOnDelete` are on for every analyzer) once `up` has run with it. Each entry
   * must name an analyzer of `adopt`.
   * @default []
   */
  readonly allowDelete?: string[];
}
