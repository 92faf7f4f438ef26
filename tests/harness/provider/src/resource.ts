// Shared shapes and helpers for the resource implementations.
import { status } from "@grpc/grpc-js";

import { ProviderConfig, partitionOf } from "./config";
import { RpcError } from "./errors";
import { AwsSession } from "./session";
import {
  Json,
  PropertyMap,
  UNKNOWN,
  containsUnknowns,
  deepEqual,
  isObject,
  isUnknown,
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
  /** `ctx` is undefined when the provider is not configured yet (Check may come first). */
  check(
    news: PropertyMap,
    olds: PropertyMap,
    ctx: Ctx | undefined,
  ): { inputs: PropertyMap; failures: CheckFailure[] };
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

/**
 * Why a per-resource `region` cannot be used with this provider (terraform-provider-aws validates
 * that the region is in the provider's partition, since credentials are valid in one partition
 * only), or undefined when it can.
 */
export function regionPartitionError(ctx: Ctx, region: string): string | undefined {
  const got = partitionOf(region).partition;
  const want = ctx.session.partition;
  return got === want
    ? undefined
    : `partition (${got}) for per-resource Region (${region}) is not the provider's configured partition (${want})`;
}

/**
 * The region a resource lives in: its own `region` input, else the provider's (the "effective
 * Region" of enhanced region support). A region outside the provider's partition is an error.
 */
export function resourceRegion(ctx: Ctx, props: PropertyMap): string {
  const r = str(props["region"]);
  if (!r || r === UNKNOWN) {
    return ctx.session.region;
  }
  const err = regionPartitionError(ctx, r);
  if (err) {
    throw new RpcError(status.INVALID_ARGUMENT, err);
  }
  return r;
}

/** Check of the `region` input: a string, in the provider's partition (when configured). */
export function checkRegion(
  news: PropertyMap,
  failures: CheckFailure[],
  ctx: Ctx | undefined,
): void {
  const r = news["region"];
  if (r === undefined || r === null || isUnknown(r)) {
    return;
  }
  if (typeof r !== "string" || r === "") {
    failures.push({
      property: "region",
      reason: `region must be a region name such as "us-east-1", got ${JSON.stringify(r)}`,
    });
    return;
  }
  const err = ctx ? regionPartitionError(ctx, r) : undefined;
  if (err) {
    failures.push({ property: "region", reason: err });
  }
}

/** Replacement rule for `region`: unset means the provider's region (ForceNew otherwise). */
export function compareRegion(
  acc: DiffResult,
  ctx: Ctx,
  olds: PropertyMap,
  news: PropertyMap,
): void {
  compareProperty(
    acc,
    "region",
    olds["region"] ?? ctx.session.region,
    news["region"] ?? ctx.session.region,
    true,
  );
}

// Import IDs may end in `@<region>` (terraform-provider-aws enhanced region support): the resource
// is read in that region and its ID is the part before the `@`.
const IMPORT_REGION_RE = /^(.+)@([a-z]{2}(?:-[a-z]+)+-\d{1,2})$/;

export function splitImportId(id: string): { id: string; region?: string } {
  const m = IMPORT_REGION_RE.exec(id);
  return m?.[1] && m[2] ? { id: m[1], region: m[2] } : { id };
}

/**
 * Where a Read looks: the state's region (refresh), else the import ID's `@region`, else the
 * inputs' region, else the provider's. Returns the ID without any `@region` suffix.
 *
 * `importedRegion` is set for a Read with no prior state (an import, `Analyzer.get`): the region
 * the resource was read in, which the returned inputs record. The bridge extracts an import's
 * inputs from the outputs by schema, keeping every Optional attribute with a non-zero value
 * (pulumi-terraform-bridge `ExtractInputsFromOutputs`); `region` is Optional+Computed and always
 * set, so a plain-name import records the provider's region as well as a `name@region` one does.
 */
export function readTarget(
  ctx: Ctx,
  id: string,
  state: PropertyMap,
  inputs: PropertyMap | undefined,
): { id: string; region: string; importedRegion?: string } {
  if (Object.keys(state).length > 0) {
    return { id, region: resourceRegion(ctx, state) };
  }
  const split = splitImportId(id);
  const region = resourceRegion(ctx, split.region ? { region: split.region } : (inputs ?? {}));
  return { id: split.id, region, importedRegion: region };
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
