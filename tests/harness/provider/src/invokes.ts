// Data sources (Invoke): getRegions, plus the small account/partition/region lookups a program
// commonly makes next to it.
import { status } from "@grpc/grpc-js";

import { RpcError, describeAwsError } from "./errors";
import { GET_ORGANIZATION, getOrganization } from "./organizations";
import { Ctx, compact } from "./resource";
import { PropertyMap, isObject, str, strList } from "./values";

export const GET_REGIONS = "aws:index/getRegions:getRegions";
export const GET_CALLER_IDENTITY = "aws:index/getCallerIdentity:getCallerIdentity";
export const GET_PARTITION = "aws:index/getPartition:getPartition";
export const GET_REGION = "aws:index/getRegion:getRegion";

async function getRegions(ctx: Ctx, args: PropertyMap): Promise<PropertyMap> {
  const { DescribeRegionsCommand } = await import("@aws-sdk/client-ec2");
  const allRegions = args["allRegions"];
  const filters = Array.isArray(args["filters"]) ? args["filters"] : [];
  const client = await ctx.session.ec2();
  let names: string[];
  try {
    const out = await client.send(
      new DescribeRegionsCommand({
        AllRegions: allRegions === true ? true : undefined,
        Filters:
          filters.length > 0
            ? filters.filter(isObject).map((f) => ({
                Name: str(f["name"]),
                Values: strList(f["values"]),
              }))
            : undefined,
      }),
    );
    names = (out.Regions ?? [])
      .map((r) => r.RegionName)
      .filter((n): n is string => typeof n === "string")
      .sort();
  } catch (e) {
    throw new RpcError(
      status.UNKNOWN,
      `reading EC2 Regions: ${describeAwsError(e, "EC2", "DescribeRegions")}`,
    );
  }
  return compact({
    allRegions: typeof allRegions === "boolean" ? allRegions : undefined,
    filters: filters.length > 0 ? filters : undefined,
    id: ctx.session.partition,
    names,
  });
}

async function getCallerIdentity(ctx: Ctx): Promise<PropertyMap> {
  try {
    const id = await ctx.session.callerIdentity();
    return { accountId: id.accountId, arn: id.arn, id: id.accountId, userId: id.userId };
  } catch (e) {
    throw new RpcError(
      status.UNKNOWN,
      `reading STS Caller Identity: ${describeAwsError(e, "STS", "GetCallerIdentity")}`,
    );
  }
}

function getPartition(ctx: Ctx): PropertyMap {
  const p = ctx.session.partition;
  return {
    dnsSuffix: ctx.session.dnsSuffix,
    id: p,
    partition: p,
    reverseDnsPrefix: ctx.session.dnsSuffix.split(".").reverse().join("."),
  };
}

function getRegion(ctx: Ctx, args: PropertyMap): PropertyMap {
  const region = str(args["region"]) ?? str(args["name"]) ?? ctx.session.region;
  return {
    description: "",
    endpoint: `ec2.${region}.${ctx.session.dnsSuffix}`,
    id: region,
    name: region,
    region,
  };
}

export async function invoke(ctx: Ctx, token: string, args: PropertyMap): Promise<PropertyMap> {
  switch (token) {
    case GET_REGIONS:
      return getRegions(ctx, args);
    case GET_CALLER_IDENTITY:
      return getCallerIdentity(ctx);
    case GET_PARTITION:
      return getPartition(ctx);
    case GET_REGION:
      return getRegion(ctx, args);
    case GET_ORGANIZATION:
      return getOrganization(ctx, args);
    default:
      throw new RpcError(
        status.UNIMPLEMENTED,
        `unknown function ${token}: the stand-in aws provider implements only ` +
          `${[GET_REGIONS, GET_CALLER_IDENTITY, GET_PARTITION, GET_REGION, GET_ORGANIZATION].join(", ")}`,
      );
  }
}
