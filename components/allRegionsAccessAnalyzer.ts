// Copyright 2026 The pulumi-access-analyzer-all-regions authors.
// SPDX-License-Identifier: Apache-2.0

import * as aws from "@pulumi/aws";
import * as pulumi from "@pulumi/pulumi";

import { adoptionOf, adoptionProblems, isGuarded } from "./adoption";
import { childNames } from "./contract";
import { selectRegions } from "./regions";
import { internalAccessSummary } from "./billing";
import { passedAwsProvider, passedProviderProblems } from "./passedProvider";
import { ENABLED_OPT_IN_STATUSES, homeRegions, ownerAccountProblems } from "./schema";
import {
  type AllRegionsAccessAnalyzerArgs,
  type OrganizationUnusedAccessArgs,
  type RegionalProviderArgs,
  type UnusedAccessArgs,
} from "./types";
import { type ArgumentProblem, formatPath } from "./problems";
import { DEFAULTS, checkArgs, formatProblems } from "./validation";

/** The component's Pulumi type token. Part of every child's URN: renaming it is a breaking change. */
export const COMPONENT_TYPE = "access-analyzer:index:AllRegionsAccessAnalyzer";

/** What `initialize` builds; the constructor turns it into the public outputs. */
interface Built {
  readonly regions: string[];
  readonly providers: Readonly<Record<string, aws.Provider>>;
  readonly analyzers: Readonly<Record<string, aws.accessanalyzer.Analyzer>>;
  readonly unusedAccessAnalyzer?: aws.accessanalyzer.Analyzer;
  readonly organizationAnalyzers: Readonly<Record<string, aws.accessanalyzer.Analyzer>>;
  readonly organizationUnusedAccessAnalyzer?: aws.accessanalyzer.Analyzer;
  readonly internalAccessAnalyzers: Readonly<Record<string, aws.accessanalyzer.Analyzer>>;
  readonly organizationInternalAccessAnalyzer?: aws.accessanalyzer.Analyzer;
}

/**
 * The validated arguments travel to `initialize` under a symbol key: the base class hands
 * `initialize` the same object it sends to the engine as the component's inputs, and the engine
 * serialises only string keys. This keeps `providerArgs` (which may hold credentials) out of the
 * state file while `initialize` still sees it.
 */
const ARGS = Symbol("AllRegionsAccessAnalyzerArgs");
type ComponentInputs = pulumi.Inputs & {
  [ARGS]: { name: string; args: AllRegionsAccessAnalyzerArgs; passed?: aws.Provider };
};

/**
 * IAM Access Analyzer in every enabled region of an AWS account.
 *
 * The component asks the account which regions it has enabled (`aws.getRegions`, through an
 * explicit lookup provider, never the ambient default one), then creates, for each covered region,
 * an explicit `aws.Provider` and an external-access analyzer on it; optionally one unused-access
 * analyzer in a home region, and archive rules on every regional analyzer. Children are named from
 * region codes (`<name>-<region>`), so enabling or excluding one region touches only that region.
 *
 * A region without an analyzer is a blind spot: resources there can be shared outside the account
 * and nobody sees it (CIS AWS Foundations 1.19, Security Hub IAM.28).
 *
 * @example
 * ```ts
 * const analyzer = new AllRegionsAccessAnalyzer("security", {
 *   providerArgs: { assumeRoles: [{ roleArn: "arn:aws:iam::111122223333:role/Deployer" }] },
 *   unusedAccess: { region: "us-east-1", unusedAccessAge: 90 },
 *   tags: { owner: "security" },
 *   protect: true,
 * });
 * export const arns = analyzer.analyzerArns;
 * ```
 */
export class AllRegionsAccessAnalyzer extends pulumi.ComponentResource<Built> {
  /** The covered regions, sorted. Known during preview. */
  public readonly regions: pulumi.Output<string[]>;
  /** The ARN of the external-access analyzer of each covered region, keyed by region code. */
  public readonly analyzerArns: pulumi.Output<Record<string, string>>;
  /** The ARN of the unused-access analyzer; undefined when `unusedAccess` is not set. */
  public readonly unusedAccessAnalyzerArn: pulumi.Output<string | undefined>;
  /** Region → ARN of the `ORGANIZATION` analyzer there; `{}` when `organization.externalAccess` is off. */
  public readonly organizationAnalyzerArns: pulumi.Output<Record<string, string>>;
  /** The ARN of the `ORGANIZATION_UNUSED_ACCESS` analyzer; undefined when not asked for. */
  public readonly organizationUnusedAccessAnalyzerArn: pulumi.Output<string | undefined>;
  /** Region → ARN of the `ACCOUNT_INTERNAL_ACCESS` analyzer there; `{}` when off. */
  public readonly internalAccessAnalyzerArns: pulumi.Output<Record<string, string>>;
  /** The ARN of the `ORGANIZATION_INTERNAL_ACCESS` analyzer; undefined when not asked for. */
  public readonly organizationInternalAccessAnalyzerArn: pulumi.Output<string | undefined>;
  /**
   * The regional providers, keyed by region code, for programs that attach their own regional
   * resources (they resolve once the regions are known). See also {@link providerFor}.
   *
   * A getter, like {@link analyzers}: a promise of live resource objects has no form in the
   * component provider's schema, so it is left out of it (only properties are outputs there).
   */
  public get providers(): Promise<Readonly<Record<string, aws.Provider>>> {
    return quiet(this.getData().then((b) => b.providers));
  }
  /** The regional external-access analyzers, keyed by region code. */
  public get analyzers(): Promise<Readonly<Record<string, aws.accessanalyzer.Analyzer>>> {
    return quiet(this.getData().then((b) => b.analyzers));
  }

  /**
   * @param name The unique name of this component; children are named `<name>-<region>`.
   * @param args The regions, analyzer settings and provider settings.
   * @param opts Resource options. `protect` on the component protects every child too. An `aws`
   *   provider given here (`provider`, `providers`, or the parent's) is used for the region lookup
   *   and every region, as in provider mode `"single"`; `providerArgs` and
   *   `providerMode: "per-region"` are then refused, since they would make providers of their own
   *   (`lookupRegion` then only names the partition that `regions` are checked against).
   * @throws pulumi.RunError when an argument is malformed; nothing is registered then.
   */
  constructor(
    name: string,
    args: AllRegionsAccessAnalyzerArgs = {},
    opts: pulumi.ComponentResourceOptions = {},
  ) {
    // Validate before registering anything: a bad argument must change nothing. A provider passed
    // in is used, or refused here: never ignored in favour of the ambient credentials.
    const passed = passedAwsProvider(opts);
    const problems = [...checkArgs(args), ...(passed ? passedProviderProblems(args) : [])];
    if (problems.length > 0) {
      throw new pulumi.RunError(
        formatProblems(`AllRegionsAccessAnalyzer "${name}" has invalid arguments:`, problems),
      );
    }
    const inputs: ComponentInputs = { ...publicInputs(args), [ARGS]: { name, args, passed } };
    super(COMPONENT_TYPE, name, inputs, opts);

    const built = this.getData();
    this.regions = pulumi.output(built).apply((b) => b.regions);
    this.analyzerArns = arnsOf(built, (b) => b.analyzers);
    this.unusedAccessAnalyzerArn = arnOf(built, (b) => b.unusedAccessAnalyzer);
    this.organizationAnalyzerArns = arnsOf(built, (b) => b.organizationAnalyzers);
    this.organizationUnusedAccessAnalyzerArn = arnOf(
      built,
      (b) => b.organizationUnusedAccessAnalyzer,
    );
    this.internalAccessAnalyzerArns = arnsOf(built, (b) => b.internalAccessAnalyzers);
    this.organizationInternalAccessAnalyzerArn = arnOf(
      built,
      (b) => b.organizationInternalAccessAnalyzer,
    );
  }

  /**
   * The explicit provider of one covered region, to attach regional resources to it. In
   * `"single"` provider mode every region gets the same provider (in `lookupRegion`): give your
   * resources `region` too ({@link regionArgs}). Rejects with a clear error when the region is
   * not covered.
   */
  public async providerFor(region: string): Promise<aws.Provider> {
    const providers = await this.providers;
    const provider = providers[region];
    if (!provider) {
      throw new pulumi.ResourceError(
        `AllRegionsAccessAnalyzer does not cover "${region}"; covered regions: ` +
          `${Object.keys(providers).join(", ")}`,
        this,
      );
    }
    return provider;
  }

  /**
   * The resource options that put a resource of the embedding program in a covered region:
   * `{ provider }`. Use it with {@link regionArgs}, which works in both provider modes.
   */
  public async resourceOptionsFor(region: string): Promise<pulumi.CustomResourceOptions> {
    return { provider: await this.providerFor(region) };
  }

  /**
   * The `region` input for a resource of the embedding program in a covered region. Required in
   * `"single"` provider mode (the one provider is in `lookupRegion`); harmless in `"per-region"`
   * mode, where it equals the provider's region, so a program that always passes it survives a
   * mode switch unchanged. Rejects like {@link providerFor} when the region is not covered.
   */
  public async regionArgs(region: string): Promise<{ region: string }> {
    await this.providerFor(region);
    return { region };
  }

  /** @internal Discovers the regions, then builds every child. Awaited by the base class. */
  protected async initialize(inputs: pulumi.Inputs): Promise<Built> {
    const { name, args, passed } = (inputs as ComponentInputs)[ARGS];
    const providerArgs: RegionalProviderArgs = {
      // The regions come from the account itself; an older provider build would otherwise reject
      // a region launched after it was released.
      skipRegionValidation: true,
      // Credentials (and assumed roles) are checked with STS in `stsRegion`, which defaults to each
      // provider's own region. STS in an opt-in region only accepts callers whose account has
      // enabled it, which the deploying identity's account often has not; a default-enabled
      // region's STS issues tokens valid in every region.
      stsRegion: args.lookupRegion ?? DEFAULTS.lookupRegion,
      ...secretProviderArgs(args.providerArgs),
    };

    // The lookup provider answers `getRegions`; in single mode it also serves every region. A
    // provider passed in is both (the constructor refused the settings that would contradict it).
    const lookup =
      passed ??
      new aws.Provider(
        childNames.lookupProvider(name),
        { ...providerArgs, region: args.lookupRegion ?? DEFAULTS.lookupRegion },
        { parent: this },
      );
    const enabled = await this.enabledRegions(lookup);
    const selection = selectRegions(enabled, args.regions, args.excludeRegions);
    const problems = [...selection.problems];
    if (problems.length === 0) {
      for (const { path, region } of homeRegions(args)) {
        if (!selection.regions.includes(region)) {
          problems.push({
            path: formatPath(path),
            message: `"${region}" is not covered; pick one of ${selection.regions.join(", ")}`,
          });
        }
      }
      // Before any analyzer is registered: an adopted analyzer the stack would delete stops here.
      problems.push(...adoptionProblems(args, selection.regions));
      problems.push(...(await this.ownerProblems(args, lookup)));
    }
    if (problems.length > 0) {
      throw new pulumi.ResourceError(
        formatProblems(`AllRegionsAccessAnalyzer "${name}" cannot cover the regions:`, problems),
        this,
        /*hideStack*/ true,
      );
    }
    for (const warning of selection.warnings) {
      void pulumi.log.warn(warning, this);
    }
    // What the internal-access analyzers cost is not visible in a preview's resource list.
    const internalSummary = internalAccessSummary(args);
    if (internalSummary !== undefined) void pulumi.log.info(internalSummary, this);

    const analyzerOpts: pulumi.CustomResourceOptions = {
      protect: args.protect,
      retainOnDelete: args.retainOnDelete,
      // AWS allows one account-level analyzer per type and region, so a replacement (a new name or
      // type) can never be created while the old analyzer exists: delete it first.
      deleteBeforeReplace: true,
    };
    const mode = passed ? "single" : (args.providerMode ?? DEFAULTS.providerMode);
    const regionProvider = (region: string) =>
      new aws.Provider(
        childNames.regional(name, region),
        { ...providerArgs, region },
        { parent: this },
      );
    const providers: Record<string, aws.Provider> = {};
    for (const region of selection.regions) {
      providers[region] = mode === "single" ? lookup : regionProvider(region);
    }
    /**
     * What every regional child takes: its region's provider, and (always) its `region` input. In
     * per-region mode the input equals the provider's region, so switching modes changes only
     * the provider reference, never an input: no analyzer or archive rule is replaced.
     */
    const regional = (region: string) => ({
      opts: { parent: this, provider: providers[region] },
      args: { region },
    });
    const analyzer = (
      urnName: string,
      region: string,
      analyzerArgs: aws.accessanalyzer.AnalyzerArgs,
      extraOpts: pulumi.CustomResourceOptions = {},
    ) => {
      const on = regional(region);
      return new aws.accessanalyzer.Analyzer(
        urnName,
        { ...on.args, ...analyzerArgs, tags: args.tags },
        { ...on.opts, ...analyzerOpts, ...extraOpts },
      );
    };
    const archiveRules = (urnName: string, region: string, on: aws.accessanalyzer.Analyzer) => {
      const where = regional(region);
      for (const rule of args.archiveRules ?? []) {
        new aws.accessanalyzer.ArchiveRule(
          childNames.archiveRule(urnName, rule.name),
          {
            ...where.args,
            analyzerName: on.analyzerName,
            ruleName: rule.name,
            filters: rule.filters,
          },
          { ...where.opts, retainOnDelete: args.retainOnDelete },
        );
      }
    };
    /**
     * An adopted analyzer: imported with the entry as its ID (never derived from the mode), on
     * its own region's provider when the ID is a plain name (read in the provider's region), and
     * guarded unless `allowDelete` names it (components/adoption.ts).
     */
    const adoptedOptions = (
      region: string,
      entry: string,
      adoption: ReturnType<typeof adoptionOf>,
    ): pulumi.CustomResourceOptions => {
      const guarded = isGuarded(region, entry, args.allowDelete);
      return {
        import: adoption.importId,
        ...(adoption.onRegionProvider && mode === "single"
          ? { provider: regionProvider(region) }
          : {}),
        protect: guarded || args.protect,
        retainOnDelete: guarded || args.retainOnDelete,
      };
    };
    const org = args.organization;
    const orgExternal = org?.externalAccess;
    const internal = args.internalAccess;
    const internalRegions: readonly string[] = internal?.regions ?? [];

    const analyzers: Record<string, aws.accessanalyzer.Analyzer> = {};
    const organizationAnalyzers: Record<string, aws.accessanalyzer.Analyzer> = {};
    const internalAccessAnalyzers: Record<string, aws.accessanalyzer.Analyzer> = {};
    for (const region of selection.regions) {
      const entry = args.adopt?.[region];
      const adoption = entry !== undefined ? adoptionOf(entry) : undefined;
      // The ACCOUNT analyzer is always there: it is what Security Hub IAM.28 counts.
      analyzers[region] = analyzer(
        childNames.regional(name, region),
        region,
        {
          analyzerName: adoption?.name ?? args.analyzerName ?? DEFAULTS.analyzerName,
          type: "ACCOUNT",
        },
        entry !== undefined && adoption !== undefined
          ? adoptedOptions(region, entry, adoption)
          : {},
      );
      archiveRules(childNames.regional(name, region), region, analyzers[region]);
      if (orgExternal) {
        const urnName = childNames.organization(name, region);
        organizationAnalyzers[region] = analyzer(urnName, region, {
          analyzerName:
            (orgExternal === true ? undefined : orgExternal.analyzerName) ??
            DEFAULTS.organizationAnalyzerName,
          type: "ORGANIZATION",
        });
        archiveRules(urnName, region, organizationAnalyzers[region]);
      }
      if (internal && internalRegions.includes(region)) {
        internalAccessAnalyzers[region] = analyzer(
          childNames.internalAccess(name, region),
          region,
          {
            analyzerName: internal.analyzerName ?? DEFAULTS.internalAccessAnalyzerName,
            type: "ACCOUNT_INTERNAL_ACCESS",
            configuration: internal.analysisRule
              ? { internalAccess: { analysisRule: internal.analysisRule } }
              : undefined,
          },
        );
      }
    }

    const unusedAccessAnalyzer = args.unusedAccess
      ? analyzer(childNames.unusedAccess(name), args.unusedAccess.region, {
          analyzerName: args.unusedAccess.analyzerName ?? DEFAULTS.unusedAccessAnalyzerName,
          type: "ACCOUNT_UNUSED_ACCESS",
          configuration: unusedAccessConfiguration(args.unusedAccess),
        })
      : undefined;
    const organizationUnusedAccessAnalyzer = org?.unusedAccess
      ? analyzer(childNames.organizationUnusedAccess(name), org.unusedAccess.region, {
          analyzerName:
            org.unusedAccess.analyzerName ?? DEFAULTS.organizationUnusedAccessAnalyzerName,
          type: "ORGANIZATION_UNUSED_ACCESS",
          configuration: unusedAccessConfiguration(org.unusedAccess),
        })
      : undefined;
    const orgInternal = org?.internalAccess;
    const organizationInternalAccessAnalyzer = orgInternal
      ? analyzer(childNames.organizationInternalAccess(name), orgInternal.region, {
          analyzerName: orgInternal.analyzerName ?? DEFAULTS.organizationInternalAccessAnalyzerName,
          type: "ORGANIZATION_INTERNAL_ACCESS",
          configuration: orgInternal.analysisRule
            ? { internalAccess: { analysisRule: orgInternal.analysisRule } }
            : undefined,
        })
      : undefined;

    const built: Built = {
      regions: selection.regions,
      providers,
      analyzers,
      unusedAccessAnalyzer,
      organizationAnalyzers,
      organizationUnusedAccessAnalyzer,
      internalAccessAnalyzers,
      organizationInternalAccessAnalyzer,
    };
    const arns = (record: Readonly<Record<string, aws.accessanalyzer.Analyzer>>) =>
      mapValues(record, (a) => a.arn);
    this.registerOutputs({
      regions: selection.regions,
      analyzerArns: arns(analyzers),
      unusedAccessAnalyzerArn: unusedAccessAnalyzer?.arn,
      organizationAnalyzerArns: arns(organizationAnalyzers),
      organizationUnusedAccessAnalyzerArn: organizationUnusedAccessAnalyzer?.arn,
      internalAccessAnalyzerArns: arns(internalAccessAnalyzers),
      organizationInternalAccessAnalyzerArn: organizationInternalAccessAnalyzer?.arn,
    });
    return built;
  }

  /**
   * What AWS would refuse about the account that owns the analyzers (`ownerAccountProblems`): asked
   * (STS `GetCallerIdentity`, through the lookup provider) only when an exclusion names accounts.
   */
  private async ownerProblems(
    args: AllRegionsAccessAnalyzerArgs,
    lookup: aws.Provider,
  ): Promise<ArgumentProblem[]> {
    const names = (args.organization?.unusedAccess?.exclusions ?? []).some(
      (e) => (e.accountIds?.length ?? 0) > 0,
    );
    if (!names) return [];
    const caller = await aws.getCallerIdentity({}, { provider: lookup, parent: this });
    return ownerAccountProblems(args, caller.accountId);
  }

  /**
   * The enabled regions of the account, asked through the explicit lookup provider in
   * `lookupRegion`, always: a region of `regions` may be one the account has not enabled, and a
   * provider there fails with an authentication error instead of the clear "not enabled" problem.
   */
  private async enabledRegions(lookup: aws.Provider): Promise<string[]> {
    const result = await aws.getRegions(
      { filters: [{ name: "opt-in-status", values: [...ENABLED_OPT_IN_STATUSES] }] },
      { provider: lookup, parent: this },
    );
    return result.names;
  }
}

/** The component's inputs as recorded in the state: everything but provider settings. */
function publicInputs(args: AllRegionsAccessAnalyzerArgs): pulumi.Inputs {
  const { providerArgs, ...rest } = args;
  return { ...rest, providerArgs: providerArgs ? Object.keys(providerArgs).sort() : undefined };
}

/** The `configuration` of an unused-access analyzer (account or organization). */
function unusedAccessConfiguration(
  unused: UnusedAccessArgs | OrganizationUnusedAccessArgs,
): aws.types.input.accessanalyzer.AnalyzerConfiguration {
  return {
    unusedAccess: {
      unusedAccessAge: unused.unusedAccessAge ?? DEFAULTS.unusedAccessAge,
      analysisRule: unused.exclusions?.length ? { exclusions: unused.exclusions } : undefined,
    },
  };
}

/** Region → ARN of a set of built analyzers, as one output. */
function arnsOf(
  built: Promise<Built>,
  pick: (b: Built) => Readonly<Record<string, aws.accessanalyzer.Analyzer>>,
): pulumi.Output<Record<string, string>> {
  return pulumi.output(built).apply((b) => pulumi.all(mapValues(pick(b), (a) => a.arn)));
}

/** The ARN of one optional built analyzer, as one output. */
function arnOf(
  built: Promise<Built>,
  pick: (b: Built) => aws.accessanalyzer.Analyzer | undefined,
): pulumi.Output<string | undefined> {
  return pulumi.output(built).apply((b) => pick(b)?.arn ?? pulumi.output(undefined));
}

function mapValues<T, U>(
  record: Readonly<Record<string, T>>,
  f: (value: T) => U,
): Record<string, U> {
  return Object.fromEntries(Object.entries(record).map(([key, value]) => [key, f(value)]));
}

/**
 * Marks a derived promise as handled: if `initialize` fails, the base class already reports that
 * failure once; the promises derived from it must not report it again as unhandled rejections.
 * Callers who await them still see the error.
 */
function quiet<T>(promise: Promise<T>): Promise<T> {
  promise.catch(() => undefined);
  return promise;
}

/**
 * Provider inputs that carry secrets the `aws.Provider` does not mark itself (it marks only
 * `accessKey`, `secretKey` and `token`): role chains hold external ids, the web-identity role holds
 * a token. Unmarked, they would sit in plain text in the state of every regional provider.
 */
export const SECRET_PROVIDER_INPUTS = ["assumeRoles", "assumeRoleWithWebIdentity"] as const;

/** `args` with every `SECRET_PROVIDER_INPUTS` value wrapped in `pulumi.secret`, before the engine sees it. */
export function secretProviderArgs(
  args: RegionalProviderArgs | undefined,
): RegionalProviderArgs | undefined {
  if (args === undefined) return undefined;
  const out: Record<string, unknown> = { ...args };
  for (const key of SECRET_PROVIDER_INPUTS) {
    if (out[key] !== undefined) out[key] = pulumi.secret(out[key]);
  }
  return out;
}
