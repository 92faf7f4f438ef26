// aws:accessanalyzer/archiveRule:ArchiveRule — mirrors terraform-provider-aws
// aws_accessanalyzer_archive_rule: analyzer_name and rule_name are ForceNew, filter updates in
// place (UpdateArchiveRule, filter is a set); the ID is `analyzerName/ruleName`.
import type { ArchiveRuleSummary, Criterion } from "@aws-sdk/client-accessanalyzer";
import { status } from "@grpc/grpc-js";

import { RpcError, awsFailure, isNotFound } from "./errors";
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
  readTarget,
  requireString,
  resourceRegion,
} from "./resource";
import {
  Json,
  PropertyMap,
  UNKNOWN,
  containsUnknowns,
  isObject,
  isUnknown,
  str,
  strList,
} from "./values";

export const ARCHIVE_RULE_TYPE = "aws:accessanalyzer/archiveRule:ArchiveRule";

const SERVICE = "AccessAnalyzer";

export function parseArchiveRuleId(id: string): { analyzerName: string; ruleName: string } {
  const parts = id.split("/");
  if (parts.length !== 2 || !parts[0] || !parts[1]) {
    throw new RpcError(
      status.INVALID_ARGUMENT,
      `unexpected format for ID (${id}), expected AnalyzerName/RuleName`,
    );
  }
  return { analyzerName: parts[0], ruleName: parts[1] };
}

function existsValue(v: Json | undefined): boolean | undefined {
  if (v === true || v === "true") {
    return true;
  }
  if (v === false || v === "false") {
    return false;
  }
  return undefined;
}

function filtersToApi(filters: Json | undefined): Record<string, Criterion> {
  const out: Record<string, Criterion> = {};
  for (const f of Array.isArray(filters) ? filters : []) {
    if (!isObject(f)) {
      continue;
    }
    const criteria = str(f["criteria"]);
    if (!criteria) {
      continue;
    }
    const eq = strList(f["eqs"]);
    const neq = strList(f["neqs"]);
    const contains = strList(f["contains"]);
    out[criteria] = {
      eq: eq.length ? eq : undefined,
      neq: neq.length ? neq : undefined,
      contains: contains.length ? contains : undefined,
      exists: existsValue(f["exists"]),
    };
  }
  return out;
}

/** Live filter map → `filters` list, in the order the inputs listed them (it is a set). */
function filtersFromApi(
  filter: Record<string, Criterion> | undefined,
  inputFilters: Json | undefined,
): Json[] {
  const order: string[] = [];
  for (const f of Array.isArray(inputFilters) ? inputFilters : []) {
    const c = isObject(f) ? str(f["criteria"]) : undefined;
    if (c) {
      order.push(c);
    }
  }
  const keys = Object.keys(filter ?? {}).sort(
    (a, b) =>
      (order.includes(a) ? order.indexOf(a) : order.length) -
        (order.includes(b) ? order.indexOf(b) : order.length) || a.localeCompare(b),
  );
  return keys.map((criteria) => {
    const c = (filter ?? {})[criteria] ?? {};
    return compact({
      criteria,
      contains: c.contains?.length ? c.contains : undefined,
      eqs: c.eq?.length ? c.eq : undefined,
      exists: c.exists === undefined ? undefined : String(c.exists),
      neqs: c.neq?.length ? c.neq : undefined,
    });
  });
}

/** Filters normalised for comparison: a set keyed by criteria. */
function filterSet(filters: Json | undefined): Json {
  if (containsUnknowns(filters)) {
    return UNKNOWN;
  }
  const m = filtersToApi(filters);
  const out: Record<string, Json> = {};
  for (const k of Object.keys(m).sort()) {
    const c = m[k] ?? {};
    out[k] = compact({
      contains: c.contains ?? null,
      eq: c.eq ?? null,
      exists: c.exists === undefined ? null : c.exists,
      neq: c.neq ?? null,
    });
  }
  return out;
}

function outputs(
  rule: ArchiveRuleSummary,
  analyzerName: string,
  region: string,
  inputFilters: Json | undefined,
): PropertyMap {
  return compact({
    id: `${analyzerName}/${rule.ruleName ?? ""}`,
    analyzerName,
    filters: filtersFromApi(rule.filter, inputFilters),
    region,
    ruleName: rule.ruleName ?? null,
  });
}

function previewOutputs(news: PropertyMap, region: string): PropertyMap {
  const a = news["analyzerName"];
  const r = news["ruleName"];
  return compact({
    id:
      typeof a === "string" && typeof r === "string" && !isUnknown(a) && !isUnknown(r)
        ? `${a}/${r}`
        : UNKNOWN,
    analyzerName: a,
    filters: news["filters"],
    region,
    ruleName: r,
  });
}

async function getRule(ctx: Ctx, analyzerName: string, ruleName: string, region: string) {
  const { GetArchiveRuleCommand } = await import("@aws-sdk/client-accessanalyzer");
  const client = await ctx.session.accessAnalyzer(region);
  try {
    const out = await client.send(new GetArchiveRuleCommand({ analyzerName, ruleName }));
    if (!out.archiveRule) {
      throw new Error("empty result");
    }
    return out.archiveRule;
  } catch (e) {
    if (isNotFound(e)) {
      throw e;
    }
    throw awsFailure(
      "reading IAM Access Analyzer Archive Rule",
      `${analyzerName}/${ruleName}`,
      e,
      SERVICE,
      "GetArchiveRule",
    );
  }
}

export const archiveRule: ResourceHandler = {
  check(news: PropertyMap, _olds: PropertyMap, ctx: Ctx | undefined) {
    const failures: CheckFailure[] = [];
    requireString(news, "analyzerName", failures);
    requireString(news, "ruleName", failures);
    checkRegion(news, failures, ctx);
    const filters = news["filters"];
    if (filters === undefined || filters === null) {
      failures.push({ property: "filters", reason: "Missing required property 'filters'" });
    } else if (!isUnknown(filters)) {
      if (!Array.isArray(filters)) {
        failures.push({ property: "filters", reason: "filters must be a list" });
      } else {
        filters.forEach((f, i) => {
          if (isUnknown(f)) {
            return;
          }
          if (!isObject(f) || (typeof f["criteria"] !== "string" && !isUnknown(f["criteria"]))) {
            failures.push({
              property: `filters[${i}].criteria`,
              reason: "Missing required property 'criteria'",
            });
            return;
          }
          const ex = f["exists"];
          if (ex !== undefined && ex !== null && !isUnknown(ex) && existsValue(ex) === undefined) {
            failures.push({
              property: `filters[${i}].exists`,
              reason: `exists must be "true" or "false", got ${JSON.stringify(ex)}`,
            });
          }
        });
      }
    }
    return { inputs: { ...news }, failures };
  },

  diff(ctx: Ctx, _id: string, olds: PropertyMap, news: PropertyMap): DiffResult {
    const acc = emptyDiff();
    compareProperty(acc, "analyzerName", olds["analyzerName"], news["analyzerName"], true);
    compareProperty(acc, "ruleName", olds["ruleName"], news["ruleName"], true);
    compareRegion(acc, ctx, olds, news);
    compareProperty(acc, "filters", filterSet(olds["filters"]), filterSet(news["filters"]), false);
    return acc;
  },

  async create(ctx: Ctx, news: PropertyMap, preview: boolean) {
    const region = resourceRegion(ctx, news);
    if (preview || containsUnknowns(news)) {
      return { id: "", outs: previewOutputs(news, region) };
    }
    const analyzerName = str(news["analyzerName"]) ?? "";
    const ruleName = str(news["ruleName"]) ?? "";
    const id = `${analyzerName}/${ruleName}`;
    const { CreateArchiveRuleCommand } = await import("@aws-sdk/client-accessanalyzer");
    const client = await ctx.session.accessAnalyzer(region);
    try {
      await client.send(
        new CreateArchiveRuleCommand({
          analyzerName,
          ruleName,
          filter: filtersToApi(news["filters"]),
        }),
      );
    } catch (e) {
      throw awsFailure(
        "creating IAM Access Analyzer Archive Rule",
        id,
        e,
        SERVICE,
        "CreateArchiveRule",
      );
    }
    const live = await getRule(ctx, analyzerName, ruleName, region);
    return { id, outs: outputs(live, analyzerName, region, news["filters"]) };
  },

  async read(ctx: Ctx, rawId: string, state: PropertyMap, inputs: PropertyMap | undefined) {
    const { id, region, importedRegion } = readTarget(ctx, rawId, state, inputs);
    const { analyzerName, ruleName } = parseArchiveRuleId(id);
    let live: ArchiveRuleSummary;
    try {
      live = await getRule(ctx, analyzerName, ruleName, region);
    } catch (e) {
      if (isNotFound(e)) {
        return undefined;
      }
      throw e;
    }
    const outs = outputs(live, analyzerName, region, (inputs ?? state)["filters"]);
    const newInputs: PropertyMap = compact({
      ...(inputs ?? {}),
      analyzerName: outs["analyzerName"],
      ruleName: outs["ruleName"],
      filters: outs["filters"],
      region: importedRegion ?? (inputs ?? {})["region"],
    });
    return { id, outs, inputs: newInputs };
  },

  async update(ctx: Ctx, id: string, olds: PropertyMap, news: PropertyMap, preview: boolean) {
    const region = resourceRegion(ctx, { region: olds["region"] ?? news["region"] ?? null });
    if (preview || containsUnknowns(news)) {
      return previewOutputs(news, region);
    }
    const { analyzerName, ruleName } = parseArchiveRuleId(id);
    const { UpdateArchiveRuleCommand } = await import("@aws-sdk/client-accessanalyzer");
    const client = await ctx.session.accessAnalyzer(region);
    try {
      await client.send(
        new UpdateArchiveRuleCommand({
          analyzerName,
          ruleName,
          filter: filtersToApi(news["filters"]),
        }),
      );
    } catch (e) {
      throw awsFailure(
        "updating AWS IAM Access Analyzer Archive Rule",
        id,
        e,
        SERVICE,
        "UpdateArchiveRule",
      );
    }
    const live = await getRule(ctx, analyzerName, ruleName, region);
    return outputs(live, analyzerName, region, news["filters"]);
  },

  async delete(ctx: Ctx, id: string, olds: PropertyMap) {
    const { analyzerName, ruleName } = parseArchiveRuleId(id);
    const region = resourceRegion(ctx, olds);
    const { DeleteArchiveRuleCommand } = await import("@aws-sdk/client-accessanalyzer");
    const client = await ctx.session.accessAnalyzer(region);
    try {
      await client.send(new DeleteArchiveRuleCommand({ analyzerName, ruleName }));
    } catch (e) {
      if (isNotFound(e)) {
        return;
      }
      throw awsFailure(
        "deleting IAM Access Analyzer Archive Rule",
        id,
        e,
        SERVICE,
        "DeleteArchiveRule",
      );
    }
  },
};
