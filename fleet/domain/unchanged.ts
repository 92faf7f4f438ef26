/**
 * The nightly fast path's decision: may `up` report an account `unchanged (verified)` without
 * starting the engine? Pure: the runner reads the stack's state (`pulumi stack export`, no secrets)
 * and the account (enabled regions, `ListAnalyzers` per region, `GetArchiveRule` per rule), then
 * asks here (fleet/run/unchanged.ts carries it out).
 *
 * The answer is yes only when every one of these holds; any doubt runs the engine as before:
 * - the state exists, has no pending operation, and its `fingerprint` output is the fingerprint of
 *   the config the bot would write now, with the program it would run (program/contract.ts):
 *   same settings, same adoption, same package, same code. The program records it only when every
 *   analyzer was created or updated (a failed run records none).
 * - the read before the engine decides nothing (no region to drop, adopt or block on);
 * - the regions the component would cover now (`selectRegions` on the enabled regions) are the
 *   `regions` the state's last run covered;
 * - the state holds exactly the analyzers, archive rules and providers the settings ask for
 *   (`expectedResources`, the component's rules; a unit test holds it to the component), with the
 *   wanted names, tags, configuration, archive-rule filters, `protect` and `retainOnDelete`;
 * - and each is in the account as the state records it: ACTIVE, same ARN (an analyzer replaced out
 *   of band under the same name has a new one), same tags, same configuration, same archive-rule
 *   filters.
 *
 * A difference between the account and the state is drift: the engine must refresh to see it
 * (`up` alone trusts the state), so the verdict says so and the runner's `up` refreshes.
 */
import { adoptionOf, isGuarded } from "../../components/adoption";
import { LOOKUP_SUFFIX, RESOURCE_TYPES } from "../../components/contract";
import { selectRegions } from "../../components/regions";
import { DEFAULTS } from "../../components/schema";
import {
  EXTERNAL_ID_ENV,
  OUTPUTS,
  PROJECT_NAME,
  type ProgramIdentity,
  settingsFingerprint,
} from "../../program/contract";
import { type Target } from "../settings/schema";
import type { AnalyzerInfo, ArchiveRuleInfo } from "./account";
import { type AccountView, decideRegions } from "./adoption";
import { stackConfigFor, stackEnvFor } from "./stackConfig";
import { heldRegions } from "./state";

/** An archive rule's filter, normalised: criterion → comparators (value lists sorted). */
export type NormalFilter = Record<
  string,
  { eq?: string[]; neq?: string[]; contains?: string[]; exists?: boolean }
>;

/** A filter of an archive rule as the component takes it (`exists` a string or a boolean). */
type RuleFilter = {
  readonly criteria: string;
  readonly eqs?: readonly string[];
  readonly neqs?: readonly string[];
  readonly contains?: readonly string[];
  readonly exists?: string | boolean;
};

/** An unused-access analyzer's settings, as far as its declaration reads them. */
type UnusedArgs = {
  readonly region: string;
  readonly analyzerName?: string;
  readonly unusedAccessAge?: number;
  readonly exclusions?: readonly unknown[];
};

/**
 * The component's arguments as far as `expectedResources` reads them: the program's config keys
 * (program/contract.ts), parsed (each key's JSON value, or its plain string).
 */
export interface ExpectedArgs {
  readonly regions?: readonly string[];
  readonly excludeRegions?: readonly string[];
  readonly lookupRegion?: string;
  readonly analyzerName?: string;
  readonly providerMode?: string;
  readonly unusedAccess?: UnusedArgs;
  readonly internalAccess?: {
    readonly regions?: readonly string[];
    readonly analyzerName?: string;
    readonly analysisRule?: unknown;
  };
  readonly organization?: {
    readonly externalAccess?: boolean | { readonly analyzerName?: string };
    readonly unusedAccess?: UnusedArgs;
    readonly internalAccess?: {
      readonly region: string;
      readonly analyzerName?: string;
      readonly analysisRule?: unknown;
    };
  };
  readonly archiveRules?: readonly {
    readonly name: string;
    readonly filters: readonly RuleFilter[];
  }[];
  readonly tags?: Readonly<Record<string, string>>;
  readonly protect?: boolean;
  readonly retainOnDelete?: boolean;
  readonly adopt?: Readonly<Record<string, string>>;
  readonly allowDelete?: readonly string[];
  readonly delegatedAdministrator?: unknown;
}

/**
 * The arguments the program builds from its config: each `access-analyzer:<key>` value parsed as
 * JSON (structured values and booleans), or kept as the plain string it is (names, regions,
 * modes), as program/config.ts reads them.
 */
export function argsFromConfig(config: Readonly<Record<string, string>>): ExpectedArgs {
  const prefix = `${PROJECT_NAME}:`;
  const args: Record<string, unknown> = {};
  for (const [key, raw] of Object.entries(config)) {
    if (!key.startsWith(prefix)) continue;
    try {
      args[key.slice(prefix.length)] = JSON.parse(raw);
    } catch {
      args[key.slice(prefix.length)] = raw;
    }
  }
  return args;
}

/** One analyzer the component declares for these settings and regions. */
export interface ExpectedAnalyzer {
  readonly region: string;
  readonly type: string;
  readonly name: string;
  /** The `adopt` entry it is imported under, when adopted. */
  readonly adopted?: string;
  /** Its `configuration` input, normalised (`normalize`); undefined when it takes none. */
  readonly configuration?: unknown;
  /** Rule name → filter. */
  readonly archiveRules: Readonly<Record<string, NormalFilter>>;
  readonly protect: boolean;
  readonly retainOnDelete: boolean;
}

export interface ExpectedResources {
  readonly analyzers: readonly ExpectedAnalyzer[];
  /** Regions with a provider of their own (per-region mode; adopted plain names in single mode). */
  readonly providerRegions: readonly string[];
  readonly lookupRegion: string;
  /** `retainOnDelete` of every archive rule. */
  readonly rulesRetainOnDelete: boolean;
}

/** Drops undefined, null, empty lists and empty objects, recursively; sorts lists of strings. */
export function normalize(value: unknown): unknown {
  if (Array.isArray(value)) {
    const items = value.map(normalize).filter((v) => v !== undefined);
    if (items.length === 0) return undefined;
    return items.every((v) => typeof v === "string") ? [...items].sort() : items;
  }
  if (value !== null && typeof value === "object") {
    const entries = Object.entries(value as Record<string, unknown>)
      .map(([k, v]) => [k, normalize(v)] as const)
      .filter(([, v]) => v !== undefined)
      .sort(([a], [b]) => (a < b ? -1 : 1));
    return entries.length === 0 ? undefined : Object.fromEntries(entries);
  }
  return value === null ? undefined : value;
}

const same = (a: unknown, b: unknown): boolean =>
  JSON.stringify(normalize(a)) === JSON.stringify(normalize(b));

/** A filter as the component takes it (`[{ criteria, eqs?, neqs?, contains?, exists? }]`). */
export function componentFilter(filters: readonly RuleFilter[]): NormalFilter {
  const out: NormalFilter = {};
  for (const f of filters) {
    out[f.criteria] = normalize({
      eq: f.eqs,
      neq: f.neqs,
      contains: f.contains,
      exists: f.exists === undefined ? undefined : String(f.exists) === "true",
    }) as NormalFilter[string];
  }
  return out;
}

/** A filter as AWS returns it (`{ criteria: { eq?, neq?, contains?, exists? } }`). */
export function awsFilter(filter: ArchiveRuleInfo["filter"]): NormalFilter {
  const out: NormalFilter = {};
  for (const [criteria, c] of Object.entries(filter)) {
    out[criteria] = normalize(c) ?? {};
  }
  return out;
}

/**
 * The analyzers, archive rules and providers the component declares for `args` on `covered`
 * regions: the component's own rules (components/allRegionsAccessAnalyzer.ts), written out so that
 * they can be checked without the engine. tests/unit/fleet/unchanged.test.ts runs the component
 * under mocks and holds the two to each other.
 */
export function expectedResources(
  args: ExpectedArgs,
  covered: readonly string[],
): ExpectedResources {
  const rules = Object.fromEntries(
    (args.archiveRules ?? []).map((r) => [r.name, componentFilter(r.filters)]),
  );
  const protect = args.protect === true;
  const retain = args.retainOnDelete === true;
  const plain = { protect, retainOnDelete: retain };
  const unusedConfig = (u: UnusedArgs): unknown =>
    normalize({
      unusedAccess: {
        unusedAccessAge: u.unusedAccessAge ?? DEFAULTS.unusedAccessAge,
        analysisRule: u.exclusions?.length ? { exclusions: u.exclusions } : undefined,
      },
    });
  const internalConfig = (rule: unknown): unknown =>
    rule ? normalize({ internalAccess: { analysisRule: rule } }) : undefined;
  const analyzers: ExpectedAnalyzer[] = [];
  const mode = args.providerMode ?? DEFAULTS.providerMode;
  const providerRegions: string[] = mode === "single" ? [] : [...covered];
  const org = args.organization;
  const orgExternal = org?.externalAccess;
  const internal = args.internalAccess;
  const internalRegions = internal?.regions ?? covered;
  for (const region of covered) {
    const entry = args.adopt?.[region];
    if (entry !== undefined) {
      const adoption = adoptionOf(entry);
      const guarded = isGuarded(region, entry, args.allowDelete);
      if (adoption.onRegionProvider && mode === "single") providerRegions.push(region);
      analyzers.push({
        region,
        type: "ACCOUNT",
        name: adoption.name,
        adopted: entry,
        archiveRules: rules,
        protect: guarded || protect,
        retainOnDelete: guarded || retain,
      });
    } else {
      analyzers.push({
        region,
        type: "ACCOUNT",
        name: args.analyzerName ?? DEFAULTS.analyzerName,
        archiveRules: rules,
        ...plain,
      });
    }
    if (orgExternal) {
      analyzers.push({
        region,
        type: "ORGANIZATION",
        name:
          (orgExternal === true ? undefined : orgExternal.analyzerName) ??
          DEFAULTS.organizationAnalyzerName,
        archiveRules: rules,
        ...plain,
      });
    }
    if (internal && internalRegions.includes(region)) {
      analyzers.push({
        region,
        type: "ACCOUNT_INTERNAL_ACCESS",
        name: internal.analyzerName ?? DEFAULTS.internalAccessAnalyzerName,
        configuration: internalConfig(internal.analysisRule),
        archiveRules: {},
        ...plain,
      });
    }
  }
  if (args.unusedAccess) {
    analyzers.push({
      region: args.unusedAccess.region,
      type: "ACCOUNT_UNUSED_ACCESS",
      name: args.unusedAccess.analyzerName ?? DEFAULTS.unusedAccessAnalyzerName,
      configuration: unusedConfig(args.unusedAccess),
      archiveRules: {},
      ...plain,
    });
  }
  if (org?.unusedAccess) {
    analyzers.push({
      region: org.unusedAccess.region,
      type: "ORGANIZATION_UNUSED_ACCESS",
      name: org.unusedAccess.analyzerName ?? DEFAULTS.organizationUnusedAccessAnalyzerName,
      configuration: unusedConfig(org.unusedAccess),
      archiveRules: {},
      ...plain,
    });
  }
  if (org?.internalAccess) {
    analyzers.push({
      region: org.internalAccess.region,
      type: "ORGANIZATION_INTERNAL_ACCESS",
      name: org.internalAccess.analyzerName ?? DEFAULTS.organizationInternalAccessAnalyzerName,
      configuration: internalConfig(org.internalAccess.analysisRule),
      archiveRules: {},
      ...plain,
    });
  }
  return {
    analyzers,
    providerRegions: providerRegions.sort(),
    lookupRegion: args.lookupRegion ?? DEFAULTS.lookupRegion,
    rulesRetainOnDelete: retain,
  };
}

/** A resource of an exported deployment, as far as the decision reads it. */
interface StateResource {
  urn?: string;
  type?: string;
  importID?: string;
  protect?: boolean;
  retainOnDelete?: boolean;
  inputs?: Record<string, unknown>;
  outputs?: Record<string, unknown>;
}

interface Deployment {
  resources?: StateResource[];
  pending_operations?: unknown[];
}

export interface UnchangedInput {
  readonly target: Target;
  /** The exported deployment (`stack export`'s `deployment`); undefined when the stack has none. */
  readonly deployment: unknown;
  /** The account, with the archive rules of its regional analyzers (`archiveRules`). */
  readonly view: AccountView;
  /** The program the engine would run (program/identity.ts, on the work dir). */
  readonly identity: ProgramIdentity;
  /** `--adopt`. */
  readonly adoptConsole: boolean;
}

export type UnchangedVerdict =
  | {
      readonly unchanged: true;
      /** The stack's outputs, as the last run recorded them. */
      readonly outputs: Readonly<Record<string, unknown>>;
      /** Resources in the state (what the engine would count `same`). */
      readonly resources: number;
      /** What was checked, for the log and the note. */
      readonly detail: string;
    }
  | {
      readonly unchanged: false;
      /** Why the engine runs, each a short sentence. */
      readonly reasons: string[];
      /** The account differs from the state: `up` must refresh to repair it. */
      readonly drift: boolean;
    };

const tagsOf = (v: unknown): Record<string, string> =>
  v !== null && typeof v === "object" ? (v as Record<string, string>) : {};

/** The decision. See the file comment. */
export function verifyUnchanged(input: UnchangedInput): UnchangedVerdict {
  const { target, view } = input;
  const reasons: string[] = [];
  let drift = false;
  const differs = (reason: string) => {
    reasons.push(reason);
    drift = true;
  };
  const no = () => ({ unchanged: false as const, reasons, drift });

  const deployment = input.deployment as Deployment | undefined;
  const resources = deployment?.resources ?? [];
  if (resources.length === 0) {
    reasons.push("the stack has no state yet (new, or its state was lost)");
    return no();
  }
  if ((deployment?.pending_operations ?? []).length > 0) {
    reasons.push("the state holds pending operations of an interrupted run");
  }

  // What the read before the engine would do: nothing, or the engine must do it.
  const decision = decideRegions({
    settings: target.settings,
    view,
    held: heldRegions(deployment),
    adoptConsole: input.adoptConsole,
    stack: target.stack,
  });
  for (const n of decision.notes) reasons.push(`${n.region}: ${n.status}`);
  if (decision.notes.length > 0 || decision.dropFromState.length > 0) return no();

  // Same settings, same program.
  const config = Object.fromEntries(
    Object.entries(stackConfigFor(target, decision.adopt)).map(([k, v]) => [k, v.value]),
  );
  const env = stackEnvFor(target);
  const wanted = settingsFingerprint(config, input.identity, (env[EXTERNAL_ID_ENV] ?? "") !== "");
  const stackResource = resources.find((r) => r.type === "pulumi:pulumi:Stack");
  const outputs = stackResource?.outputs ?? {};
  const recorded = outputs[OUTPUTS.fingerprint];
  if (typeof recorded !== "string") {
    reasons.push(
      "the state records no settings fingerprint (its last up did not complete, or ran an older program)",
    );
  } else if (recorded !== wanted) {
    reasons.push("the settings or the program changed since the last up");
  }
  if (reasons.length > 0) return no();

  const args = argsFromConfig(config);
  if (args.delegatedAdministrator !== undefined) {
    reasons.push("a registration stack (it holds no analyzers)");
    return no();
  }

  // Same regions.
  const selection = selectRegions(view.enabled, args.regions, args.excludeRegions);
  if (selection.problems.length > 0) {
    reasons.push("the regions cannot be covered as set (the engine says why)");
    return no();
  }
  const covered = selection.regions;
  const lastCovered = Array.isArray(outputs[OUTPUTS.regions])
    ? (outputs[OUTPUTS.regions] as unknown[]).filter((r) => typeof r === "string").sort()
    : [];
  const gained = covered.filter((r) => !lastCovered.includes(r));
  const lost = lastCovered.filter((r) => !covered.includes(r));
  if (gained.length > 0) reasons.push(`regions to cover since the last up: ${gained.join(", ")}`);
  if (lost.length > 0) reasons.push(`regions no longer covered: ${lost.join(", ")}`);

  const expected = expectedResources(args, covered);

  // The state holds exactly what the settings ask for.
  const key = (region: unknown, type: unknown) => `${String(region)} ${String(type)}`;
  const stateAnalyzers = new Map<string, StateResource>();
  for (const r of resources.filter((x) => x.type === RESOURCE_TYPES.analyzer)) {
    const k = key(r.inputs?.region, r.inputs?.type ?? "ACCOUNT");
    if (stateAnalyzers.has(k)) reasons.push(`the state holds two ${k} analyzers`);
    stateAnalyzers.set(k, r);
  }
  const expectedKeys = new Set(expected.analyzers.map((a) => key(a.region, a.type)));
  for (const k of stateAnalyzers.keys()) {
    if (!expectedKeys.has(k)) reasons.push(`the state holds a ${k} analyzer the settings drop`);
  }
  const stateRules = resources.filter((r) => r.type === RESOURCE_TYPES.archiveRule);
  const liveByRegion = view.analyzers;
  for (const want of expected.analyzers) {
    const k = key(want.region, want.type);
    const held = stateAnalyzers.get(k);
    if (held === undefined) {
      reasons.push(`${want.region}: no ${want.type} analyzer in the state`);
      continue;
    }
    const name = held.inputs?.analyzerName;
    if (name !== want.name) {
      reasons.push(`${want.region}: ${want.type} analyzer ${String(name)}, wanted ${want.name}`);
      continue;
    }
    if (held.importID !== want.adopted) {
      reasons.push(`${want.region}: ${want.name}'s adoption is not as recorded in the state`);
    }
    if (!!held.protect !== want.protect || !!held.retainOnDelete !== want.retainOnDelete) {
      reasons.push(`${want.region}: ${want.name}'s protect or retainOnDelete is not as set`);
    }
    if (!same(held.inputs?.tags, args.tags)) {
      reasons.push(`${want.region}: ${want.name}'s tags are not as set`);
    }
    if (!same(held.inputs?.configuration, want.configuration)) {
      reasons.push(`${want.region}: ${want.name}'s configuration is not as set`);
    }

    // The account, as the state records it.
    const live: AnalyzerInfo | undefined = (liveByRegion[want.region] ?? []).find(
      (a) => a.name === want.name && a.type === want.type,
    );
    if (live === undefined) {
      differs(`${want.region}: ${want.name} is gone from the account`);
      continue;
    }
    if (live.arn !== held.outputs?.arn) {
      differs(`${want.region}: ${want.name} was replaced outside the stack (new ARN)`);
    }
    if (live.status !== "ACTIVE") reasons.push(`${want.region}: ${want.name} is ${live.status}`);
    const recordedTags = held.outputs?.tagsAll ?? held.outputs?.tags;
    if (!same(live.tags ?? {}, tagsOf(recordedTags))) {
      differs(`${want.region}: ${want.name}'s tags were changed outside the stack`);
    }
    if (!same(live.configuration, held.inputs?.configuration)) {
      differs(`${want.region}: ${want.name}'s configuration was changed outside the stack`);
    }

    // Its archive rules: as set, in the state, and in the account.
    const heldRules = new Map(
      stateRules
        .filter((r) => r.inputs?.region === want.region && r.inputs?.analyzerName === want.name)
        .map((r) => [String(r.inputs?.ruleName), r] as const),
    );
    const liveRules = view.archiveRules?.[want.region]?.[want.name];
    for (const ruleName of heldRules.keys()) {
      if (!(ruleName in want.archiveRules)) {
        reasons.push(`${want.region}: rule ${ruleName} of ${want.name} is no longer set`);
      }
    }
    for (const [ruleName, filter] of Object.entries(want.archiveRules)) {
      const rule = heldRules.get(ruleName);
      if (rule === undefined) {
        reasons.push(`${want.region}: rule ${ruleName} of ${want.name} is not in the state`);
        continue;
      }
      if (!same(componentFilter((rule.inputs?.filters ?? []) as never), filter)) {
        reasons.push(`${want.region}: rule ${ruleName} of ${want.name} is not as set`);
      }
      if (!!rule.retainOnDelete !== expected.rulesRetainOnDelete || !!rule.protect) {
        reasons.push(`${want.region}: rule ${ruleName}'s retainOnDelete is not as set`);
      }
      if (liveRules === undefined) {
        reasons.push(`${want.region}: the archive rules of ${want.name} were not read`);
        continue;
      }
      const liveRule = liveRules.find((x) => x.ruleName === ruleName);
      if (liveRule === undefined) {
        differs(`${want.region}: rule ${ruleName} of ${want.name} is gone from the account`);
      } else if (
        !same(awsFilter(liveRule.filter), componentFilter((rule.inputs?.filters ?? []) as never))
      ) {
        differs(`${want.region}: rule ${ruleName} of ${want.name} was edited outside the stack`);
      }
    }
  }

  // Providers: the lookup provider, and one per region where the mode (or an adoption) wants it.
  const providers = resources.filter((r) => r.type === RESOURCE_TYPES.provider);
  const lookup = providers.filter((p) => p.urn?.endsWith(LOOKUP_SUFFIX) === true);
  const regional = providers
    .filter((p) => p.urn?.endsWith(LOOKUP_SUFFIX) !== true)
    .map((p) => String(p.inputs?.region))
    .sort();
  if (lookup.length !== 1 || lookup[0].inputs?.region !== expected.lookupRegion) {
    reasons.push("the lookup provider is not as set");
  }
  if (JSON.stringify(regional) !== JSON.stringify(expected.providerRegions)) {
    reasons.push("the regional providers are not as the provider mode sets them");
  }

  if (reasons.length > 0) return no();
  const ruleCount = expected.analyzers.reduce((n, a) => n + Object.keys(a.archiveRules).length, 0);
  return {
    unchanged: true,
    outputs,
    resources: resources.length,
    detail:
      `verified without the engine: settings fingerprint as at the last up, ${covered.length} ` +
      `region(s) as covered then, ${expected.analyzers.length} analyzer(s) ACTIVE with the ARNs, ` +
      `tags and configuration the state records, ${ruleCount} archive rule(s) as set`,
  };
}
