/**
 * Which resources a preview would change, from the engine's events: what `drift` (and `preview`)
 * name, so that "create 1" says which analyzer in which region. Pure.
 */
import { RESOURCE_TYPES } from "../../components/contract";

/** The steps that change a resource (a replacement's create/delete halves are in `replace`). */
const CHANGES = ["create", "update", "replace", "delete"] as const;

/** One resource a preview would create, update, replace or delete. */
export interface ResourceChange {
  readonly op: (typeof CHANGES)[number];
  /** The type token, e.g. `aws:accessanalyzer/analyzer:Analyzer`. */
  readonly type: string;
  /** The resource's name in the stack (the component's child name, e.g. `access-analyzer-eu-west-1`). */
  readonly name: string;
  /** The region its name ends in or holds (regional children); absent for the others. */
  readonly region?: string;
}

/**
 * An engine event as far as this reads it: a step about to happen. The Automation API's
 * `EngineEvent` has this shape; declared here so that the domain does not import it.
 */
export interface PreEvent {
  readonly resourcePreEvent?: {
    readonly metadata: { readonly op: string; readonly urn: string; readonly type: string };
  };
}

/**
 * A region code standing as whole dash-separated words of a child name: `eu-west-1`,
 * `us-gov-west-1`, `ap-southeast-5` (children are named `${name}-${region}`, rules
 * `${analyzerChild}-${rule}`: components/contract.ts).
 */
const REGION_IN_NAME = /(?:^|-)([a-z]{2}(?:-gov|-iso[a-z]?)?-[a-z]+-\d{1,2})(?=-|$)/;

/** The change an event announces, or undefined for a step that changes nothing (same, read, refresh…). */
export function resourceChange(event: PreEvent): ResourceChange | undefined {
  const metadata = event.resourcePreEvent?.metadata;
  if (metadata === undefined) return undefined;
  const op = CHANGES.find((c) => c === metadata.op);
  if (op === undefined || metadata.type === "pulumi:pulumi:Stack") return undefined;
  const name = metadata.urn.slice(metadata.urn.lastIndexOf("::") + 2);
  const region = REGION_IN_NAME.exec(name)?.[1];
  return { op, type: metadata.type, name, ...(region !== undefined ? { region } : {}) };
}

/** `Analyzer` for `aws:accessanalyzer/analyzer:Analyzer`, `provider` for an AWS provider. */
function shortType(type: string): string {
  return type === RESOURCE_TYPES.provider ? "provider" : type.slice(type.lastIndexOf(":") + 1);
}

/**
 * The changes in words, the analyzers and rules before the providers that serve them, at most
 * `max` named: `create Analyzer access-analyzer-eu-west-1 (eu-west-1), …, and 3 more`.
 */
export function describeChanges(changes: readonly ResourceChange[], max = 5): string {
  const ordered = [...changes].sort(
    (a, b) =>
      Number(a.type === RESOURCE_TYPES.provider) - Number(b.type === RESOURCE_TYPES.provider) ||
      (a.region ?? "").localeCompare(b.region ?? "") ||
      a.name.localeCompare(b.name),
  );
  const named = ordered
    .slice(0, max)
    .map((c) => `${c.op} ${shortType(c.type)} ${c.name}${c.region ? ` (${c.region})` : ""}`);
  const rest = ordered.length - named.length;
  return named.join(", ") + (rest > 0 ? `, and ${rest} more` : "");
}
