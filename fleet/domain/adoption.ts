/**
 * What the bot decides before the engine runs, from what the account has and what the stack holds.
 * Pure: the runner reads the account (enabled regions, `ListAnalyzers` per region) and the stack's
 * state (`exportStack`), then carries out the decision (fleet/run/automation.ts).
 *
 * - A region the stack holds that the account no longer has enabled is `region-disabled`: its
 *   resources leave the state without any AWS call (AWS keeps the analyzer, unreachable).
 * - A region the stack does not hold where an analyzer of the wanted type already exists:
 *   - ours (our name, and every tag we set): adopted by itself, no flag (a create the engine lost
 *     after a 5xx or a kill);
 *   - made by someone else (any other name): adopted only with `--adopt`; otherwise `up` stops
 *     before the engine with what exists and how to adopt it, and `preview` says it would adopt;
 *   - named with a leading `_` (legal in AWS, refused by the provider): the provider cannot
 *     manage it; reported, never adopted.
 * - A region the stack holds through an earlier adoption keeps its `adopt` entry (the engine does
 *   not import a resource already in the state, and refuses to replace one while it is named).
 */
import { parseImportId } from "../../components/contract";
import { formatPath } from "../../components/problems";
import { selectRegions } from "../../components/regions";
import { DEFAULTS, NAME_PATTERN, homeRegions } from "../../components/schema";
import { type AnalyzerSettings } from "../settings/schema";
import { type AnalyzerInfo, type ArchiveRuleInfo, exclusionReason } from "./account";
import { type RegionNote } from "./notes";
import { type HeldRegion } from "./state";

/** What the bot read from the account before the engine runs. */
export interface AccountView {
  /** Regions the account has enabled. */
  readonly enabled: readonly string[];
  /** Region → every analyzer there (`ListAnalyzers`), for the enabled regions in scope. */
  readonly analyzers: Readonly<Record<string, readonly AnalyzerInfo[]>>;
  /**
   * Region → analyzer name → the archive rules read (`GetArchiveRule`), when asked for: the rules
   * the settings name, of each ACCOUNT and ORGANIZATION analyzer (fleet/domain/unchanged.ts).
   */
  readonly archiveRules?: Readonly<
    Record<string, Readonly<Record<string, readonly ArchiveRuleInfo[]>>>
  >;
}

export interface RegionDecision {
  /** Region → analyzer name, for the component's `adopt` argument. */
  readonly adopt: Record<string, string>;
  /** URNs of regions no longer enabled (`HeldRegion.urns`): to drop from the state (with dependents). */
  readonly dropFromState: string[];
  /** What the report says per region. */
  readonly notes: RegionNote[];
  /** Why `up` must not run (a console-made analyzer without `--adopt`); empty when it may. */
  readonly blockers: string[];
}

/**
 * The analyzer type adopted: the component's per-region analyzer is always `ACCOUNT` (what Security
 * Hub IAM.28 counts; `type` was removed). Organization analyzers are never adopted.
 */
const WANTED_TYPE = "ACCOUNT";

/** True when `analyzer` carries every tag the fleet sets (plain values only). */
function hasOurTags(analyzer: AnalyzerInfo, settings: AnalyzerSettings): boolean {
  const wanted = settings.tags ?? {};
  return Object.entries(wanted).every(([k, v]) => analyzer.tags?.[k] === v);
}

/**
 * The decision for one stack. `adoptConsole` is `--adopt`; `dryRun` (a preview, which adopts
 * nothing) says `would-adopt` where an `up` says `adopted`. The caller decides whether blockers
 * stop the operation (`up`) or are only shown (`preview`).
 */
export function decideRegions(input: {
  readonly settings: AnalyzerSettings;
  readonly view: AccountView;
  readonly held: Readonly<Record<string, HeldRegion>>;
  readonly adoptConsole: boolean;
  readonly stack: string;
  readonly dryRun?: boolean;
}): RegionDecision {
  const { settings, view, held, adoptConsole, stack } = input;
  const adopted: RegionNote["status"] = input.dryRun ? "would-adopt" : "adopted";
  const enabled = new Set(view.enabled);
  const ourName = settings.analyzerName ?? DEFAULTS.analyzerName;
  const adopt: Record<string, string> = {};
  const dropFromState: string[] = [];
  const notes: RegionNote[] = [];
  const blockers: string[] = [];

  for (const [region, h] of Object.entries(held).sort(([a], [b]) => a.localeCompare(b))) {
    if (!enabled.has(region)) {
      dropFromState.push(...h.urns);
      notes.push({
        region,
        status: "region-disabled",
        detail:
          `the account no longer has ${region} enabled: its resources leave the stack's state ` +
          `without an AWS call; AWS keeps ${h.analyzerName ? `"${h.analyzerName}"` : "the analyzer"}, ` +
          `and the next up after the region is enabled again takes it back`,
      });
    } else if (h.importId !== undefined && h.analyzerName === parseImportId(h.importId).name) {
      adopt[region] = h.importId;
    }
  }

  for (const region of [...view.enabled].sort()) {
    if (held[region]?.analyzerName !== undefined) continue;
    if (exclusionReason(region, settings) !== undefined) continue;
    const existing = (view.analyzers[region] ?? []).filter((a) => a.type === WANTED_TYPE);
    const found = existing[0];
    if (found === undefined) continue;
    if (!NAME_PATTERN.test(found.name)) {
      const detail =
        `${region} has ${found.type} analyzer "${found.name}", whose name the AWS provider ` +
        `cannot manage (it must start with a letter); AWS allows one per region, so the stack ` +
        `cannot create its own there: exclude ${region} (excludeRegions), or replace that ` +
        `analyzer by hand with one named by the provider's rule`;
      notes.push({ region, status: "unmanageable", analyzer: found.name, detail });
      blockers.push(detail);
    } else if (found.name === ourName && hasOurTags(found, settings)) {
      adopt[region] = found.name;
      notes.push({
        region,
        status: adopted,
        analyzer: found.name,
        detail: input.dryRun
          ? `up takes "${found.name}" (ours by name and tags, not in the state) back into the stack`
          : `took "${found.name}" (ours by name and tags, not in the state) back into the stack`,
      });
    } else if (adoptConsole) {
      adopt[region] = found.name;
      notes.push({
        region,
        status: adopted,
        analyzer: found.name,
        detail: input.dryRun
          ? `up --adopt adopts "${found.name}" (made outside the stack) with its findings and archive state`
          : `adopts "${found.name}" (made outside the stack) with its findings and archive state`,
      });
    } else {
      const detail =
        `${region} already has ${found.type} analyzer "${found.name}" (made outside this stack); ` +
        `AWS allows one per region, so a new one would fail on the quota. Adopt it, findings ` +
        `kept: fleet preview --adopt, then fleet up --adopt --accounts <this account> ` +
        `(stack ${stack})`;
      notes.push({ region, status: "would-adopt", analyzer: found.name, detail });
      blockers.push(detail);
    }
  }
  return { adopt, dropFromState, notes, blockers };
}

/**
 * What the settings ask of regions that the account cannot give, by the component's own rules
 * (`selectRegions`, `homeRegions`): a region of `regions` the account has not enabled (a typo such
 * as `us-east-9`, or a region not opted in), or a home region left uncovered. The bot reads the
 * enabled regions before the engine anyway; checked there, such a stack fails at once, naming the
 * setting and the fix, and nothing is changed in the account. Empty when the engine may run.
 */
export function regionProblems(
  settings: Parameters<typeof homeRegions>[0] & {
    readonly regions?: readonly string[];
    readonly excludeRegions?: readonly string[];
  },
  enabled: readonly string[],
): string[] {
  const selection = selectRegions(enabled, settings.regions, settings.excludeRegions);
  const problems = selection.problems.map((p) => `${p.path}: ${p.message}`);
  if (problems.length > 0) return problems;
  for (const { path, region } of homeRegions(settings)) {
    if (!selection.regions.includes(region)) {
      problems.push(
        `${formatPath(path)}: "${region}" is not covered (covered: ${selection.regions.join(", ")}); pick a covered region`,
      );
    }
  }
  return problems;
}
