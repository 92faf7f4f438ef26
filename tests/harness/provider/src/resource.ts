// Shared shapes and helpers for the resource implementations.
import { ProviderConfig } from "./config";
import { AwsSession } from "./session";
import {
  Json,
  PropertyMap,
  UNKNOWN,
  containsUnknowns,
  deepEqual,
  isObject,
  normalize,
  str,
} from "./values";

export interface Ctx {
  session: AwsSession;
  cfg: ProviderConfig;
}

export interface CheckFailure {
  property: string;
  reason: string;
}

export type DiffKind =
  "ADD" | "ADD_REPLACE" | "DELETE" | "DELETE_REPLACE" | "UPDATE" | "UPDATE_REPLACE";

export interface DiffResult {
  replaces: string[];
  diffs: string[];
  detailed: Record<string, DiffKind>;
  deleteBeforeReplace: boolean;
}

export interface ReadResult {
  id: string;
  outs: PropertyMap;
  inputs: PropertyMap;
}

export interface ResourceHandler {
  check(news: PropertyMap, olds: PropertyMap): { inputs: PropertyMap; failures: CheckFailure[] };
  diff(ctx: Ctx, id: string, olds: PropertyMap, news: PropertyMap): DiffResult;
  create(ctx: Ctx, news: PropertyMap, preview: boolean): Promise<{ id: string; outs: PropertyMap }>;
  /** undefined when the resource no longer exists. */
  read(
    ctx: Ctx,
    id: string,
    state: PropertyMap,
    inputs: PropertyMap | undefined,
  ): Promise<ReadResult | undefined>;
  update(
    ctx: Ctx,
    id: string,
    olds: PropertyMap,
    news: PropertyMap,
    preview: boolean,
  ): Promise<PropertyMap>;
  delete(ctx: Ctx, id: string, olds: PropertyMap): Promise<void>;
}

export function emptyDiff(): DiffResult {
  return { replaces: [], diffs: [], detailed: {}, deleteBeforeReplace: false };
}

/** Records a top-level property change; an unknown new value always counts as a change. */
export function compareProperty(
  acc: DiffResult,
  key: string,
  oldValue: Json | undefined,
  newValue: Json | undefined,
  forceNew: boolean,
): void {
  const unknown = containsUnknowns(newValue);
  if (!unknown && deepEqual(oldValue, newValue)) {
    return;
  }
  acc.diffs.push(key);
  if (forceNew) {
    acc.replaces.push(key);
  }
  let kind: DiffKind;
  if (normalize(oldValue) === undefined) {
    kind = forceNew ? "ADD_REPLACE" : "ADD";
  } else if (!unknown && normalize(newValue) === undefined) {
    kind = forceNew ? "DELETE_REPLACE" : "DELETE";
  } else {
    kind = forceNew ? "UPDATE_REPLACE" : "UPDATE";
  }
  acc.detailed[key] = kind;
}

/** The region a resource lives in: its own `region` input, else the provider's. */
export function resourceRegion(ctx: Ctx, props: PropertyMap): string {
  const r = str(props["region"]);
  return r && r !== UNKNOWN ? r : ctx.session.region;
}

export function requireString(
  news: PropertyMap,
  key: string,
  failures: CheckFailure[],
): string | undefined {
  const v = news[key];
  if (v === undefined || v === null) {
    failures.push({
      property: key,
      reason: `Missing required property '${key}'`,
    });
    return undefined;
  }
  if (typeof v !== "string") {
    failures.push({ property: key, reason: `${key} must be a string` });
    return undefined;
  }
  return v === UNKNOWN ? undefined : v;
}

// --- tags (terraform-provider-aws semantics) ---

function ignoredTag(cfg: ProviderConfig, key: string): boolean {
  return (
    key.startsWith("aws:") ||
    cfg.ignoreTagKeys.includes(key) ||
    cfg.ignoreTagKeyPrefixes.some((p) => key.startsWith(p))
  );
}

/** `tagsAll`: provider default tags merged under the resource's tags, minus ignored keys. */
export function tagsAll(cfg: ProviderConfig, tags: Json | undefined): Json {
  if (containsUnknowns(tags)) {
    return UNKNOWN;
  }
  const merged: Record<string, string> = { ...cfg.defaultTags };
  if (isObject(tags)) {
    for (const [k, v] of Object.entries(tags)) {
      if (typeof v === "string") {
        merged[k] = v;
      }
    }
  }
  for (const k of Object.keys(merged)) {
    if (ignoredTag(cfg, k)) {
      delete merged[k];
    }
  }
  return merged;
}

/**
 * The `tags` output from live tags: keys the inputs asked for, plus anything that is not a
 * provider default tag with the default value (so drift shows up as a diff).
 */
export function tagsFromLive(
  cfg: ProviderConfig,
  live: Record<string, string>,
  inputTags: Json | undefined,
): Record<string, string> {
  const wanted = isObject(inputTags) ? inputTags : {};
  const out: Record<string, string> = {};
  for (const [k, v] of Object.entries(live)) {
    if (ignoredTag(cfg, k)) {
      continue;
    }
    if (k in wanted || cfg.defaultTags[k] !== v) {
      out[k] = v;
    }
  }
  return out;
}

export function liveTagsAll(
  cfg: ProviderConfig,
  live: Record<string, string>,
): Record<string, string> {
  const out: Record<string, string> = {};
  for (const [k, v] of Object.entries(live)) {
    if (!ignoredTag(cfg, k)) {
      out[k] = v;
    }
  }
  return out;
}

/** Drops keys whose value is undefined or null. */
export function compact(m: Record<string, Json | undefined>): PropertyMap {
  const out: PropertyMap = {};
  for (const [k, v] of Object.entries(m)) {
    if (v !== undefined && v !== null) {
      out[k] = v;
    }
  }
  return out;
}
