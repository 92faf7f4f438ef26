// aws:accessanalyzer/analyzer:Analyzer — mirrors terraform-provider-aws aws_accessanalyzer_analyzer:
// analyzer_name, type and configuration are ForceNew; tags update in place (TagResource /
// UntagResource); the ID is the analyzer name.
import type { AnalyzerConfiguration, AnalyzerSummary } from "@aws-sdk/client-accessanalyzer";

import { awsFailure, isNotFound } from "./errors";
import {
  CheckFailure,
  Ctx,
  DiffResult,
  ResourceHandler,
  checkRegion,
  compact,
  compareProperty,
  compareRegion,
  emptyDiff,
  liveTagsAll,
  readTarget,
  requireString,
  resourceRegion,
  tagsAll,
  tagsFromLive,
} from "./resource";
import {
  Json,
  PropertyMap,
  UNKNOWN,
  clean,
  containsUnknowns,
  isObject,
  isUnknown,
  str,
  strList,
  strMap,
} from "./values";

export const ANALYZER_TYPE = "aws:accessanalyzer/analyzer:Analyzer";

export const ANALYZER_TYPES = [
  "ACCOUNT",
  "ORGANIZATION",
  "ACCOUNT_UNUSED_ACCESS",
  "ORGANIZATION_UNUSED_ACCESS",
  "ACCOUNT_INTERNAL_ACCESS",
  "ORGANIZATION_INTERNAL_ACCESS",
];

const NAME_RE = /^[A-Za-z][0-9A-Za-z_.-]*$/;
const SERVICE = "AccessAnalyzer";

function list(v: Json | undefined): Json[] {
  return Array.isArray(v) ? v : [];
}

function nonEmpty(xs: string[]): string[] | undefined {
  return xs.length > 0 ? xs : undefined;
}

/** Pulumi `configuration` input → SDK AnalyzerConfiguration. */
export function configurationToApi(v: Json | undefined): AnalyzerConfiguration | undefined {
  if (!isObject(v)) {
    return undefined;
  }
  const unused = v["unusedAccess"];
  if (isObject(unused)) {
    const age = unused["unusedAccessAge"];
    const rule = unused["analysisRule"];
    return {
      unusedAccess: {
        unusedAccessAge: typeof age === "number" && age !== 0 ? age : undefined,
        analysisRule: isObject(rule)
          ? {
              exclusions: list(rule["exclusions"])
                .filter(isObject)
                .map((e) => ({
                  accountIds: nonEmpty(strList(e["accountIds"])),
                  resourceTags: list(e["resourceTags"]).length
                    ? list(e["resourceTags"]).map((t) => strMap(t))
                    : undefined,
                })),
            }
          : undefined,
      },
    };
  }
  const internal = v["internalAccess"];
  if (isObject(internal)) {
    const rule = internal["analysisRule"];
    return {
      internalAccess: {
        analysisRule: isObject(rule)
          ? {
              inclusions: list(rule["inclusions"])
                .filter(isObject)
                .map((i) => ({
                  accountIds: nonEmpty(strList(i["accountIds"])),
                  resourceArns: nonEmpty(strList(i["resourceArns"])),
                  resourceTypes: nonEmpty(strList(i["resourceTypes"])) as never,
                })),
            }
          : undefined,
      },
    };
  }
  return undefined;
}

/** SDK AnalyzerConfiguration → Pulumi `configuration` output (empty parts dropped). */
export function configurationFromApi(c: AnalyzerConfiguration | undefined): Json | undefined {
  if (!c) {
    return undefined;
  }
  if (c.unusedAccess) {
    const u = c.unusedAccess;
    return clean({
      unusedAccess: {
        unusedAccessAge: u.unusedAccessAge,
        analysisRule: u.analysisRule
          ? {
              exclusions: u.analysisRule.exclusions?.length
                ? u.analysisRule.exclusions.map((e) => ({
                    accountIds: e.accountIds?.length ? e.accountIds : undefined,
                    resourceTags: e.resourceTags?.length ? e.resourceTags : undefined,
                  }))
                : undefined,
            }
          : undefined,
      },
    });
  }
  if (c.internalAccess) {
    const r = c.internalAccess.analysisRule;
    return clean({
      internalAccess: {
        analysisRule: r
          ? {
              inclusions: r.inclusions?.length
                ? r.inclusions.map((i) => ({
                    accountIds: i.accountIds?.length ? i.accountIds : undefined,
                    resourceArns: i.resourceArns?.length ? i.resourceArns : undefined,
                    resourceTypes: i.resourceTypes?.length ? i.resourceTypes : undefined,
                  }))
                : undefined,
            }
          : undefined,
      },
    });
  }
  return undefined;
}

function typeOf(props: PropertyMap): Json {
  return props["type"] ?? "ACCOUNT";
}

function outputsFromLive(
  ctx: Ctx,
  a: AnalyzerSummary,
  region: string,
  inputTags: Json | undefined,
): PropertyMap {
  const live = a.tags ?? {};
  const tags = tagsFromLive(ctx.cfg, live, inputTags);
  return compact({
    id: a.name ?? null,
    analyzerName: a.name ?? null,
    arn: a.arn ?? null,
    configuration: configurationFromApi(a.configuration),
    region,
    tags: Object.keys(tags).length > 0 || isObject(inputTags) ? tags : undefined,
    tagsAll: liveTagsAll(ctx.cfg, live),
    type: a.type ?? null,
  });
}

/** Outputs during preview: inputs plus computed values, unknown where AWS would decide them. */
function previewOutputs(
  ctx: Ctx,
  news: PropertyMap,
  olds: PropertyMap | undefined,
  region: string,
): PropertyMap {
  const name = news["analyzerName"] ?? UNKNOWN;
  return compact({
    id: name,
    analyzerName: name,
    arn: olds?.["arn"] ?? UNKNOWN,
    configuration: news["configuration"],
    region,
    tags: news["tags"],
    tagsAll: tagsAll(ctx.cfg, news["tags"]),
    type: typeOf(news),
  });
}

async function getAnalyzer(ctx: Ctx, name: string, region: string): Promise<AnalyzerSummary> {
  const { GetAnalyzerCommand } = await import("@aws-sdk/client-accessanalyzer");
  const client = await ctx.session.accessAnalyzer(region);
  try {
    const out = await client.send(new GetAnalyzerCommand({ analyzerName: name }));
    if (!out.analyzer) {
      throw new Error("empty result");
    }
    return out.analyzer;
  } catch (e) {
    if (isNotFound(e)) {
      throw e;
    }
    throw awsFailure("reading IAM Access Analyzer Analyzer", name, e, SERVICE, "GetAnalyzer");
  }
}

export const analyzer: ResourceHandler = {
  check(news: PropertyMap, _olds: PropertyMap, ctx: Ctx | undefined) {
    const failures: CheckFailure[] = [];
    const name = requireString(news, "analyzerName", failures);
    if (name !== undefined) {
      if (name.length < 1 || name.length > 255) {
        failures.push({
          property: "analyzerName",
          reason: `expected length of analyzerName to be in the range (1 - 255), got ${name}`,
        });
      } else if (!NAME_RE.test(name)) {
        failures.push({
          property: "analyzerName",
          reason:
            `invalid value for analyzerName (must begin with a letter and contain only ` +
            `alphanumeric, underscore, period, or hyphen characters), got ${name}`,
        });
      }
    }
    const type = news["type"];
    if (type !== undefined && type !== null && !isUnknown(type)) {
      if (typeof type !== "string" || !ANALYZER_TYPES.includes(type)) {
        failures.push({
          property: "type",
          reason: `expected type to be one of ${JSON.stringify(ANALYZER_TYPES)}, got ${JSON.stringify(type)}`,
        });
      }
    }
    const tags = news["tags"];
    if (tags !== undefined && tags !== null && !isUnknown(tags)) {
      if (!isObject(tags) || Object.values(tags).some((v) => typeof v !== "string")) {
        failures.push({ property: "tags", reason: "tags must be a map of strings" });
      }
    }
    checkRegion(news, failures, ctx);
    const cfg = news["configuration"];
    if (isObject(cfg) && isObject(cfg["unusedAccess"])) {
      const age = cfg["unusedAccess"]["unusedAccessAge"];
      if (age !== undefined && age !== null && !isUnknown(age)) {
        if (typeof age !== "number" || !Number.isInteger(age)) {
          failures.push({
            property: "configuration.unusedAccess.unusedAccessAge",
            reason: "unusedAccessAge must be an integer",
          });
        }
      }
    }
    const inputs: PropertyMap = { ...news };
    if (inputs["type"] === undefined || inputs["type"] === null) {
      inputs["type"] = "ACCOUNT";
    }
    return { inputs, failures };
  },

  diff(ctx: Ctx, _id: string, olds: PropertyMap, news: PropertyMap): DiffResult {
    const acc = emptyDiff();
    compareProperty(acc, "analyzerName", olds["analyzerName"], news["analyzerName"], true);
    compareProperty(acc, "type", typeOf(olds), typeOf(news), true);
    compareProperty(acc, "configuration", olds["configuration"], news["configuration"], true);
    compareRegion(acc, ctx, olds, news);
    compareProperty(acc, "tags", olds["tags"], news["tags"], false);
    compareProperty(acc, "tagsAll", olds["tagsAll"], tagsAll(ctx.cfg, news["tags"]), false);
    return acc;
  },

  async create(ctx: Ctx, news: PropertyMap, preview: boolean) {
    const region = resourceRegion(ctx, news);
    if (preview || containsUnknowns(news)) {
      return { id: "", outs: previewOutputs(ctx, news, undefined, region) };
    }
    const name = str(news["analyzerName"]) ?? "";
    const allTags = tagsAll(ctx.cfg, news["tags"]) as Record<string, string>;
    const { CreateAnalyzerCommand } = await import("@aws-sdk/client-accessanalyzer");
    const client = await ctx.session.accessAnalyzer(region);
    try {
      await client.send(
        new CreateAnalyzerCommand({
          analyzerName: name,
          type: (str(typeOf(news)) ?? "ACCOUNT") as never,
          tags: Object.keys(allTags).length > 0 ? allTags : undefined,
          configuration: configurationToApi(news["configuration"]),
        }),
      );
    } catch (e) {
      throw awsFailure("creating IAM Access Analyzer Analyzer", name, e, SERVICE, "CreateAnalyzer");
    }
    const live = await getAnalyzer(ctx, name, region);
    return { id: name, outs: outputsFromLive(ctx, live, region, news["tags"]) };
  },

  async read(ctx: Ctx, rawId: string, state: PropertyMap, inputs: PropertyMap | undefined) {
    const { id, region, importedRegion } = readTarget(ctx, rawId, state, inputs);
    let live: AnalyzerSummary;
    try {
      live = await getAnalyzer(ctx, id, region);
    } catch (e) {
      if (isNotFound(e)) {
        return undefined;
      }
      throw e;
    }
    const inputTags = inputs ? inputs["tags"] : state["tags"];
    const outs = outputsFromLive(ctx, live, region, inputTags);
    // Inputs as the bridge extracts them: the old inputs refreshed with live values, or (import)
    // the input properties of the outputs.
    const newInputs: PropertyMap = compact({
      ...(inputs ?? {}),
      analyzerName: outs["analyzerName"],
      type: outs["type"],
      configuration: outs["configuration"],
      tags: outs["tags"],
      region: importedRegion ?? (inputs ?? {})["region"],
    });
    if (!outs["configuration"]) {
      delete newInputs["configuration"];
    }
    if (!outs["tags"]) {
      delete newInputs["tags"];
    }
    return { id, outs, inputs: newInputs };
  },

  async update(ctx: Ctx, id: string, olds: PropertyMap, news: PropertyMap, preview: boolean) {
    // Update never moves a resource (a region change replaces it): it stays where it lives.
    const region = resourceRegion(ctx, { region: olds["region"] ?? news["region"] ?? null });
    if (preview || containsUnknowns(news)) {
      return previewOutputs(ctx, news, olds, region);
    }
    const arn = str(olds["arn"]) ?? "";
    const oldAll = isObject(olds["tagsAll"]) ? strMap(olds["tagsAll"]) : {};
    const newAll = tagsAll(ctx.cfg, news["tags"]) as Record<string, string>;
    const removed = Object.keys(oldAll).filter((k) => !(k in newAll));
    const changed: Record<string, string> = {};
    for (const [k, v] of Object.entries(newAll)) {
      if (oldAll[k] !== v) {
        changed[k] = v;
      }
    }
    const { TagResourceCommand, UntagResourceCommand } =
      await import("@aws-sdk/client-accessanalyzer");
    const client = await ctx.session.accessAnalyzer(region);
    if (removed.length > 0) {
      try {
        await client.send(new UntagResourceCommand({ resourceArn: arn, tagKeys: removed }));
      } catch (e) {
        throw awsFailure("untagging resource", arn, e, SERVICE, "UntagResource");
      }
    }
    if (Object.keys(changed).length > 0) {
      try {
        await client.send(new TagResourceCommand({ resourceArn: arn, tags: changed }));
      } catch (e) {
        throw awsFailure("tagging resource", arn, e, SERVICE, "TagResource");
      }
    }
    const live = await getAnalyzer(ctx, id, region);
    return outputsFromLive(ctx, live, region, news["tags"]);
  },

  async delete(ctx: Ctx, id: string, olds: PropertyMap) {
    const region = resourceRegion(ctx, olds);
    const { DeleteAnalyzerCommand } = await import("@aws-sdk/client-accessanalyzer");
    const client = await ctx.session.accessAnalyzer(region);
    try {
      await client.send(new DeleteAnalyzerCommand({ analyzerName: id }));
    } catch (e) {
      if (isNotFound(e)) {
        return;
      }
      throw awsFailure("deleting IAM Access Analyzer Analyzer", id, e, SERVICE, "DeleteAnalyzer");
    }
  },
};
